"""The floor every model must beat: a transparent lexicon of loaded words and labels learnt from train gold.

For each technique it keeps the short phrases (1-4 words) that annotators marked at least ``min_count`` times
and that are inside a gold span of that technique in at least ``min_precision`` of their train occurrences.
Prediction marks every occurrence. Nothing is tuned on dev: the two knobs are fixed here.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from slant.corpora.base import Document

MAX_WORDS = 4
WORD = re.compile(r"\w+(?:['’]\w+)*")


def _normalise(phrase: str) -> str:
    return " ".join(WORD.findall(phrase.lower()))


@dataclass
class LexiconBaseline:
    min_count: int = 2
    min_precision: float = 0.4
    lexicon: dict[str, str] = field(default_factory=dict)  # phrase -> label
    label_prior: list[str] = field(default_factory=list)  # labels by train frequency, for TC fallback
    _pattern: re.Pattern | None = None

    def fit(self, docs: list[Document]) -> LexiconBaseline:
        marked: dict[str, Counter] = defaultdict(Counter)
        labels = Counter()
        for doc in docs:
            for span in doc.spans:
                if span.label is None:
                    continue
                labels[span.label] += 1
                phrase = _normalise(doc.text[span.start : span.end])
                if phrase and len(phrase.split()) <= MAX_WORDS:
                    marked[phrase][span.label] += 1
        candidates = {p: c.most_common(1)[0] for p, c in marked.items() if sum(c.values()) >= self.min_count}
        occurrences = Counter()
        hits = Counter()
        pattern = self._compile(candidates)
        for doc in docs:
            for match in pattern.finditer(doc.text) if pattern else ():
                phrase = _normalise(match.group(0))
                occurrences[phrase] += 1
                label = candidates[phrase][0]
                if any(s.label == label and s.start <= match.start() and match.end() <= s.end for s in doc.spans):
                    hits[phrase] += 1
        self.lexicon = {
            p: label
            for p, (label, _) in candidates.items()
            if occurrences[p] and hits[p] / occurrences[p] >= self.min_precision
        }
        self.label_prior = [label for label, _ in labels.most_common()]
        self._pattern = self._compile(self.lexicon)
        return self

    @staticmethod
    def _compile(phrases) -> re.Pattern | None:
        if not phrases:
            return None
        # Longest first so "radical islamic terrorism" wins over "radical"; \b keeps matches on word edges.
        alternatives = sorted(phrases, key=len, reverse=True)
        body = "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in alternatives)
        return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    def predict(self, text: str) -> list[tuple[int, int, str]]:
        if self._pattern is None:
            return []
        return [(m.start(), m.end(), self.lexicon[_normalise(m.group(0))]) for m in self._pattern.finditer(text)]

    def span_label_scores(self, text: str, start: int, end: int) -> dict[str, float]:
        """TC for the baseline: votes of lexicon phrases inside the span, else the train prior."""
        votes = Counter(label for s, e, label in self.predict(text) if s >= start and e <= end)
        scores = {label: 1.0 / (rank + 2) for rank, label in enumerate(self.label_prior)}
        for label, n in votes.items():
            scores[label] = 1.0 + n
        return scores
