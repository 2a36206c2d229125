"""Per-document context shared by the quotation and assertion features: lines, sentences, quotations.

Built once per text (cheap: one regex pass each), so classifying every quotation and sentence of an article
does not re-split the article for each item.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from slant.text.quotes import Quotation, find_quotations
from slant.text.sentences import Segment, split_sentences

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass(slots=True)
class TextContext:
    text: str
    line_starts: list[int] = field(default_factory=list)
    line_ends: list[int] = field(default_factory=list)
    quotations: list[Quotation] = field(default_factory=list)
    sentences: list[Segment] = field(default_factory=list)
    _sentence_starts: list[int] = field(default_factory=list)
    _doc_stats: dict[str, float] | None = None

    @classmethod
    def build(cls, text: str) -> TextContext:
        starts, ends, pos = [], [], 0
        for m in _LINE_BREAK.finditer(text):
            starts.append(pos)
            ends.append(m.start())
            pos = m.end()
        starts.append(pos)
        ends.append(len(text))
        sentences = split_sentences(text)
        return cls(text, starts, ends, find_quotations(text), sentences, [s.start for s in sentences])

    def line(self, pos: int) -> tuple[int, int]:
        """Start and end (without the break) of the line holding ``pos``."""
        i = max(0, bisect.bisect_right(self.line_starts, pos) - 1)
        return self.line_starts[i], self.line_ends[i]

    def sentence_span(self, start: int, end: int) -> tuple[int, int]:
        """The union of the sentences that overlap ``[start, end)`` (a long quotation may hold several)."""
        i = bisect.bisect_right(self._sentence_starts, start) - 1
        i = max(i, 0)
        lo, hi = start, end
        j = i
        while j < len(self.sentences) and self.sentences[j].start < end:
            s = self.sentences[j]
            if s.end > start:
                lo, hi = min(lo, s.start), max(hi, s.end)
            j += 1
        return lo, hi

    def quotations_in(self, start: int, end: int) -> list[Quotation]:
        return [q for q in self.quotations if start <= q.start and q.end <= end]

    def quoted_chars(self, start: int, end: int) -> int:
        """How many characters of ``[start, end)`` lie inside an outermost quotation (marks included)."""
        total = 0
        for q in self.quotations:
            if q.depth == 0 and q.start < end and start < q.end:
                total += min(end, q.end) - max(start, q.start)
        return total

    def quotation_stats(self) -> dict[str, float]:
        """Document-level shares (computed once): how many quotations are long (five words or more).

        In an article built on reported speech, a short quotation is usually a speaker's partial quote; in
        one with few long quotations it is more often the author's own marks.
        """
        if self._doc_stats is None:
            n = len(self.quotations)
            long_ = sum(1 for q in self.quotations if len(self.text[q.inner_start : q.inner_end].split()) >= 5)
            self._doc_stats = {"n": float(n), "long_share": long_ / n if n else 0.0}
        return self._doc_stats
