"""From one encoder pass to ``scare_quote`` and ``unhedged_assertion`` spans, through the candidate heads.

A quotation whose head says ``scare`` becomes a span (the quotation with its marks). A sentence whose head
says ``unhedged`` becomes a span; a sentence that is not marked has its clauses decided one by one, because a
contrastive clause ("Officials deny it, but the army clearly shelled the village") can carry the author's own
claim inside an attributed sentence. A span's score is the head's calibrated probability of its label.
"""

from __future__ import annotations

from typing import Any, Protocol

from torch import nn

from slant.candidates import ASSERTIONS, QUOTES, Candidate, propose
from slant.heads import SPAN_LABEL, HeadSpec, head_probabilities
from slant.rhetoric.context import TextContext
from slant.spans import Span


class HeadModel(Protocol):
    """What this module reads of a ``slant.tagger.Tagger`` (named here, not imported: the Tagger imports us)."""

    head_specs: dict[str, HeadSpec]
    network: nn.Module

    def predict_tokens(self, texts: list[str], with_hidden: bool = False) -> list[Any]: ...


def decisions(tagger: HeadModel, pred: Any, candidates: list[Candidate]) -> list[tuple[str, float] | None]:
    """(label, calibrated positive probability) of each candidate by its kind's head (None: no token of it)."""
    out: list[tuple[str, float] | None] = [None] * len(candidates)
    for kind, spec in tagger.head_specs.items():
        rows = [i for i, c in enumerate(candidates) if c.kind == kind]
        if not rows:
            continue
        head = tagger.network.candidate_heads[kind]
        probs = head_probabilities(head, spec, pred.hidden, pred.tokens.offsets, [candidates[i] for i in rows])
        for i, p in zip(rows, probs, strict=True):
            out[i] = None if p is None else spec.decide(p)
    return out


def _span(text: str, c: Candidate, score: float) -> Span:
    cues = tuple((q.start, q.end, text[q.start : q.end]) for q in c.cues if q.kind in ("booster", "hedge"))
    return Span.from_text(text, c.start, c.end, SPAN_LABEL[c.kind], score, cues)


def candidate_spans(tagger: HeadModel, pred: Any, ctx: TextContext) -> list[Span]:
    """The candidate heads' spans of one text, whose token states ``pred`` holds (``with_hidden=True``)."""
    candidates = propose(ctx)
    decided = decisions(tagger, pred, candidates)
    positive = {kind: spec.positive for kind, spec in tagger.head_specs.items()}
    marked_sentences = {
        c.sentence
        for c, d in zip(candidates, decided, strict=True)
        if c.kind == ASSERTIONS and not c.clause and d is not None and d[0] == positive[ASSERTIONS]
    }
    out = []
    for c, d in zip(candidates, decided, strict=True):
        if d is None or d[0] != positive.get(c.kind):
            continue
        if c.kind == QUOTES or not c.clause or c.sentence not in marked_sentences:
            out.append(_span(ctx.text, c, d[1]))
    return out


def item_probabilities(tagger: HeadModel, kind: str, items: list) -> list:
    """Class probabilities of given items (``slant.rhetoric.items.LabelledItem``: a hand-labelled quotation or
    sentence in its document) by ``kind``'s head, each document read whole, in one pass, as ``classify()``
    reads it (None for an item no token covers)."""
    from slant.candidates import quote_candidate, sentence_candidate

    spec = tagger.head_specs[kind]
    head = tagger.network.candidate_heads[kind]
    by_doc: dict[int, list[int]] = {}
    for i, it in enumerate(items):
        by_doc.setdefault(id(it.ctx), []).append(i)
    out: list = [None] * len(items)
    keys = list(by_doc)
    for lo in range(0, len(keys), 16):
        chunk = keys[lo : lo + 16]
        contexts = [items[by_doc[k][0]].ctx for k in chunk]
        preds = tagger.predict_tokens([c.text for c in contexts], with_hidden=True)
        for key, ctx, pred in zip(chunk, contexts, preds, strict=True):
            cands = [
                quote_candidate(ctx, items[i].quotation)
                if kind == QUOTES
                else sentence_candidate(ctx, items[i].item.start, items[i].item.end)
                for i in by_doc[key]
            ]
            probs = head_probabilities(head, spec, pred.hidden, pred.tokens.offsets, cands)
            for i, p in zip(by_doc[key], probs, strict=True):
                out[i] = p
    return out
