"""The hand-labelled candidates (slant.annotations) as classifier inputs: a quotation or a sentence in context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from slant.annotations import AnnotatedItem, Kind, load_items
from slant.rhetoric.vectors import SpanVectors, span_vectors
from slant.text.context import TextContext
from slant.text.quotes import Quotation

if TYPE_CHECKING:
    from slant.tagger import Tagger

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


def item_span(item: LabelledItem) -> list[tuple[int, int]]:
    """The spans a vector model reads for this item: the quoted words and their sentence, or the sentence."""
    if item.quotation is not None:
        q = item.quotation
        return [(q.inner_start, q.inner_end), item.ctx.sentence_span(q.start, q.end)]
    return [(item.item.start, item.item.end)]


def item_vectors(items: list[LabelledItem], tagger: Tagger, docs_per_batch: int = 16) -> list[SpanVectors | None]:
    """Each item's SpanVectors from ``tagger`` (one forward pass per document, shared by its items)."""
    by_doc: dict[int, list[tuple[int, int]]] = {}
    contexts: dict[int, TextContext] = {}
    for it in items:
        by_doc.setdefault(id(it.ctx), []).extend(item_span(it))
        contexts[id(it.ctx)] = it.ctx
    keys = list(by_doc)
    found: dict[int, SpanVectors | None] = {}
    for i in range(0, len(keys), docs_per_batch):
        chunk = keys[i : i + docs_per_batch]
        spans = [list(dict.fromkeys(by_doc[k])) for k in chunk]
        for key, vectors in zip(chunk, span_vectors(tagger, [contexts[k] for k in chunk], spans), strict=True):
            found[key] = vectors
    return [found[id(it.ctx)] for it in items]
