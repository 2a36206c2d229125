"""From one encoder pass to ``scare_quote`` and ``unhedged_assertion`` spans, through the candidate heads.

A quotation whose head says ``scare`` becomes a span (the quotation with its marks). A sentence whose head
says ``unhedged`` becomes a span; a sentence that is not marked has its clauses decided one by one, because a
contrastive clause ("Officials deny it, but the army clearly shelled the village") can carry the author's own
claim inside an attributed sentence. A span's score is the head's calibrated probability of its label.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

from slant.model.heads import POOLS, SPAN_LABEL, HeadSpec, head_probabilities, pooled_inputs
from slant.spans import Span
from slant.text.candidates import ASSERTIONS, QUOTES, Candidate, propose, quote_candidate, sentence_candidate
from slant.text.context import TextContext


class HeadModel(Protocol):
    """What this module reads of a ``slant.pipeline.tagger.Tagger`` (named here, not imported: the Tagger
    imports us)."""

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
        probs = head_probabilities(head, spec, pred.head_states, pred.tokens.offsets, [candidates[i] for i in rows])
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


def item_candidates(kind: str, items: list) -> list[Candidate]:
    """The candidate of each hand-labelled item (``slant.corpora.items.LabelledItem``)."""
    return [
        quote_candidate(it.ctx, it.quotation)
        if kind == QUOTES
        else sentence_candidate(it.ctx, it.item.start, it.item.end)
        for it in items
    ]


def item_inputs(tagger: HeadModel, spec: HeadSpec, items: list, docs_per_batch: int = 16):
    """What ``spec``'s head reads of each item, each document read whole, in one pass, as ``classify()`` reads
    it: (pooled states (n, width), cue features (n, n_features), the row of each item or -1 when no token
    covers it)."""
    candidates = item_candidates(spec.kind, items)
    by_doc: dict[int, list[int]] = {}
    for i, it in enumerate(items):
        by_doc.setdefault(id(it.ctx), []).append(i)
    pooled, feats, row_of = [], [], [-1] * len(items)
    done = 0  # rows pooled so far
    keys = list(by_doc)
    for lo in range(0, len(keys), docs_per_batch):
        chunk = keys[lo : lo + docs_per_batch]
        preds = tagger.predict_tokens([items[by_doc[k][0]].ctx.text for k in chunk], with_hidden=True)
        for key, pred in zip(chunk, preds, strict=True):
            members = by_doc[key]
            rows, p, f = pooled_inputs(spec, pred.head_states, pred.tokens.offsets, [candidates[i] for i in members])
            for r, j in enumerate(rows):
                row_of[members[j]] = done + r
            done += len(rows)
            pooled.append(p)
            feats.append(f)
    width = POOLS * len(spec.layers) * tagger.network.token_head.in_features
    pooled_all = torch.cat(pooled) if pooled else torch.zeros(0, width)
    feats_all = torch.cat(feats) if feats else torch.zeros(0, len(spec.features))
    return pooled_all.numpy(), feats_all.numpy(), row_of


@torch.inference_mode()
def item_probabilities(tagger: HeadModel, kind: str, items: list) -> list[np.ndarray | None]:
    """Class probabilities of given hand-labelled items by ``kind``'s head, read as ``classify()`` reads them
    (None for an item no token covers)."""
    spec = tagger.head_specs[kind]
    head = tagger.network.candidate_heads[kind]
    pooled, feats, row_of = item_inputs(tagger, spec, items)
    device = next(head.parameters()).device
    probs = head(torch.from_numpy(pooled).to(device), torch.from_numpy(feats).to(device)).float().cpu().numpy()
    return [None if r < 0 else probs[r] for r in row_of]
