"""The assertion classifier and the ``unhedged_assertion`` spans (sentences, or clauses of a sentence)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slant.model.rhetoric.cross_encoder import CrossEncoderModel
from slant.model.rhetoric.linear import LinearModel
from slant.model.rhetoric.vectors import SpanVectors, VectorModel, assertion_vector
from slant.spans import Span
from slant.text.assertion_features import assertion_features, is_site_furniture
from slant.text.context import TextContext
from slant.text.lexicons import Cue, cue_matcher
from slant.text.sentences import split_clauses

ASSERTION_CLASSES = ("unhedged", "hedged", "attributed", "neutral")
UNHEDGED_LABEL = "unhedged_assertion"
MIN_CLAUSE_WORDS = 4  # shorter clauses ("he said") carry no claim of their own


@dataclass(frozen=True, slots=True)
class AssertionDecision:
    start: int
    end: int
    label: str  # one of ASSERTION_CLASSES
    score: float  # calibrated probability of "unhedged"
    probabilities: dict[str, float]
    cues: tuple[Cue, ...]


@dataclass(frozen=True)
class AssertionClassifier:
    model: LinearModel
    vector_model: VectorModel | None = None  # the tagger's second opinion (slant.model.rhetoric.vectors)
    # The fine-tuned reader of the sentence (slant.model.rhetoric.cross_encoder); when present it is the second
    # opinion, in place of the vector model (better on TUNE out-of-fold F1, see model/rhetoric's record).
    cross_model: CrossEncoderModel | None = None

    @classmethod
    def load(cls, path: Path, vector_path: Path | None = None, cross_path: Path | None = None) -> AssertionClassifier:
        vectors = VectorModel.load(vector_path) if vector_path and vector_path.exists() else None
        cross = CrossEncoderModel.load(cross_path) if cross_path and cross_path.exists() else None
        return cls(LinearModel.load(path), vectors, cross)

    def cross_scores(self, items: list[tuple[TextContext, int, int]]) -> list[float | None]:
        """The cross-encoder's positive-class probability of each (context, start, end), in one batched pass;
        None for every item without a cross model."""
        if self.cross_model is None:
            return [None] * len(items)
        return list(self.cross_model.item_probabilities(items))

    @property
    def reads_vectors(self) -> bool:
        """Whether ``decide`` uses the tagger's vectors: the cross-encoder, where present, takes their place."""
        return self.vector_model is not None and self.cross_model is None

    @property
    def bag(self) -> bool:
        return bool(self.model.meta.get("bag", True))

    def decide(
        self,
        ctx: TextContext,
        start: int,
        end: int,
        vectors: SpanVectors | None = None,
        cross: float | None = None,
    ) -> AssertionDecision:
        """With the cross-encoder's probability ``cross`` (``cross_scores``), the feature and cross models decide
        together; else, with ``vectors`` from the tagger the vector model was trained on, the feature and vector
        models; else the feature model alone."""
        cues = cue_matcher().find(ctx.text, start, end)
        probs = self.model.probabilities(assertion_features(ctx, start, end, cues, self.bag))
        vm, cm = self.vector_model, self.cross_model
        if cm is not None and cross is not None:
            positive = float(probs[self.model.labels.index(self.model.positive)])
            score, threshold = cm.mixed_score(positive, cross), cm.threshold
        elif vm is not None and vm.usable(vectors):
            score, threshold = vm.score_and_threshold(self.model, probs, assertion_vector(start, end, vectors))
        else:
            score, threshold = self.model.score(probs), None
        return AssertionDecision(
            start,
            end,
            self.model.decide(probs, score, threshold),
            score,
            dict(zip(self.model.labels, map(float, probs), strict=True)),
            tuple(cues),
        )

    def spans(self, ctx: TextContext, vectors: SpanVectors | None = None) -> list[Span]:
        """A sentence judged unhedged becomes one span; otherwise its clauses are tried one by one.

        A contrastive clause ("Officials deny it, but the army clearly shelled the village") can carry the
        author's unhedged claim while the whole sentence reads as attributed. Site furniture (source lines,
        copyright notes, disclaimers, headlines, author bios) is not the author's claim and is skipped.
        """
        out = []
        text = ctx.text
        sentences = []
        for sent in ctx.sentences:
            sentence = text[sent.start : sent.end]
            if not any(ch.isalpha() for ch in sentence):
                continue  # a separator line ("*", "* * *", "---") or a bare number states nothing
            if is_site_furniture(sentence):
                continue  # "The original source of this article is ...", a headline, a bio: no author's claim
            sentences.append(sent)
        # Two batched rounds of the cross-encoder: every sentence, then the clauses of those not marked.
        clauses = []
        sentence_cross = self.cross_scores([(ctx, s.start, s.end) for s in sentences])
        for sent, cross in zip(sentences, sentence_cross, strict=True):
            d = self.decide(ctx, sent.start, sent.end, vectors, cross)
            if d.label == "unhedged":
                out.append(_span(text, d))
                continue
            parts = split_clauses(text, sent)
            if len(parts) < 2:
                continue
            clauses.extend(c for c in parts if len(text[c.start : c.end].split()) >= MIN_CLAUSE_WORDS)
        clause_cross = self.cross_scores([(ctx, c.start, c.end) for c in clauses])
        for clause, cross in zip(clauses, clause_cross, strict=True):
            dc = self.decide(ctx, clause.start, clause.end, vectors, cross)
            if dc.label == "unhedged":
                out.append(_span(text, dc))
        return sorted(out, key=lambda s: (s.start, -s.end))


def _span(text: str, d: AssertionDecision) -> Span:
    cues = tuple((c.start, c.end, text[c.start : c.end]) for c in d.cues if c.kind in ("booster", "hedge"))
    return Span.from_text(text, d.start, d.end, UNHEDGED_LABEL, d.score, cues)
