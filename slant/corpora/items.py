"""The hand-labelled candidates (slant.corpora.annotations) as classifier inputs: a quotation or a sentence in
context. Their tagger vectors: ``slant.model.rhetoric.vectors.item_vectors``."""

from __future__ import annotations

from dataclasses import dataclass

from slant.corpora.annotations import AnnotatedItem, Kind, load_items
from slant.text.context import TextContext
from slant.text.quotes import Quotation

EXCLUDED = "error"  # not a real quotation / not a usable sentence: counted, never scored


@dataclass(slots=True)
class LabelledItem:
    item: AnnotatedItem
    ctx: TextContext
    quotation: Quotation | None  # quotes only

    @property
    def label(self) -> str | None:
        """The reference label: pass 1 (guidelines: disagreements are reported as kappa, not overwritten)."""
        return self.item.label_pass1


def _quotation(item: AnnotatedItem, ctx: TextContext) -> Quotation:
    """The candidate's quotation, with its depth when the finder still finds it (it should: same text)."""
    for q in ctx.quotations:
        if q.start == item.start and q.end == item.end:
            return q
    inner_start = item.inner_start if item.inner_start is not None else item.start + 1
    inner_end = item.inner_end if item.inner_end is not None else item.end - 1
    text = item.document.text
    return Quotation(
        item.start, item.end, inner_start, inner_end, text[item.start : inner_start], text[inner_end : item.end]
    )


def labelled_items(kind: Kind, part: str | None = None, root: str | None = None) -> list[LabelledItem]:
    """Items of ``kind`` (only ``part`` when given: "tune" or "report") with one shared context per document."""
    contexts: dict[tuple[str, str], TextContext] = {}
    out = []
    for item in load_items(kind, root):
        if part is not None and item.part != part:
            continue
        key = (item.corpus, item.doc_id)
        if key not in contexts:
            contexts[key] = TextContext.build(item.document.text)
        ctx = contexts[key]
        out.append(LabelledItem(item, ctx, _quotation(item, ctx) if kind == "quotes" else None))
    return out
