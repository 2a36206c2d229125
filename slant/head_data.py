"""Training items of the candidate heads: the TUNE hand labels and the weak labels, as short model windows.

Which TUNE items the encoder may read (the rule is code, :func:`split_tune`):
- never one from a PTC-2020 dev or SemEval-2021 dev document (those are the technique figures' test texts),
  nor one from a document (a BASIL story counting as one) that holds a REPORT item of either set;
- those items are the held-out part instead: the heads' thresholds and calibration are fitted on them.
Items from the PTC train articles held out for the technique thresholds are left out altogether, so those
articles stay unseen by the encoder.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from slant.annotations import independent_unit
from slant.candidates import ASSERTIONS, KINDS, QUOTES, Candidate, quote_candidate, sentence_candidate
from slant.heads import CLASSES
from slant.quotes import Quotation
from slant.rhetoric.context import TextContext
from slant.rhetoric.items import EXCLUDED, LabelledItem, labelled_items
from slant.windows import char_span_to_tokens, tokenize

HELD_OUT_CORPORA = ("ptc2020-dev", "semeval2021-dev")
MIN_COUNT = 5  # cue features seen fewer times in training are dropped: they only memorise
DROPPED_FEATURES = {QUOTES: "I="}  # the quoted words themselves: the pooled tokens already carry them


@dataclass(slots=True)
class HeadExample:
    """One labelled candidate, with the text it stands in."""

    candidate: Candidate
    text: str
    label: str
    group: str  # the independent unit (document; BASIL story)
    hand: bool


def split_tune(kind: str, root: str | None = None) -> tuple[list[LabelledItem], list[LabelledItem]]:
    """TUNE items of ``kind`` (errors left out) as (trainable, held out), by the rule in the module docstring."""
    report_units = {
        independent_unit(it.item.corpus, it.item.doc_id) for k in KINDS for it in labelled_items(k, "report", root)
    }
    train, held = [], []
    for it in labelled_items(kind, "tune", root):  # type: ignore[arg-type]
        if it.label is None or it.label == EXCLUDED:
            continue
        unit = independent_unit(it.item.corpus, it.item.doc_id)
        (held if it.item.corpus in HELD_OUT_CORPORA or unit in report_units else train).append(it)
    return train, held


def hand_example(kind: str, it: LabelledItem) -> HeadExample:
    if kind == QUOTES:
        assert it.quotation is not None
        cand = quote_candidate(it.ctx, it.quotation)
    else:
        cand = sentence_candidate(it.ctx, it.item.start, it.item.end)
    unit = independent_unit(it.item.corpus, it.item.doc_id)
    return HeadExample(cand, it.ctx.text, it.label or "", unit, True)


def weak_head_examples(kind: str, weak: Iterable, skip_groups: set[str]) -> list[HeadExample]:
    """Weak examples (``slant.rhetoric.weak_labels``) as candidates; one context per distinct text."""
    contexts: dict[int, TextContext] = {}
    out = []
    for w in weak:
        if not w.text or w.group in skip_groups:
            continue
        ctx = contexts.get(id(w.text))
        if ctx is None:
            ctx = contexts[id(w.text)] = TextContext.build(w.text)
        if kind == QUOTES:
            q = next((q for q in ctx.quotations if q.start == w.start and q.end == w.end), None)
            if q is None:
                continue
            cand = quote_candidate(ctx, q)
        else:
            cand = sentence_candidate(ctx, w.start, w.end)
        out.append(HeadExample(cand, w.text, w.label, w.group, False))
    return out


def feature_vocabulary(kind: str, examples: list[HeadExample]) -> list[str]:
    """Cue features seen at least MIN_COUNT times in the training examples, sorted."""
    counts: Counter[str] = Counter()
    drop = DROPPED_FEATURES.get(kind)
    for ex in examples:
        counts.update(k for k in ex.candidate.features if not (drop and k.startswith(drop)))
    return sorted(k for k, n in counts.items() if n >= MIN_COUNT)


def example_window(
    ex: HeadExample, tokens, max_tokens: int
) -> tuple[list[int], tuple[int, int], tuple[int, int]] | None:
    """A window of at most ``max_tokens`` word pieces around the candidate: its ids and, counting the [CLS]
    that comes first, the token ranges of the candidate and of its context (None when no token covers it)."""
    item = char_span_to_tokens(tokens.offsets, ex.candidate.start, ex.candidate.end)
    if item is None:
        return None
    context = char_span_to_tokens(tokens.offsets, ex.candidate.context_start, ex.candidate.context_end) or item
    n = len(tokens)
    length = item[1] - item[0]
    if length > max_tokens:
        item = (item[0], item[0] + max_tokens)
        length = max_tokens
    # Centre the item; what is left goes to the context on both sides.
    start = max(0, min(item[0] - (max_tokens - length) // 2, n - max_tokens))
    end = min(n, start + max_tokens)
    lo, hi = max(context[0], start), min(context[1], end)
    ids = tokens.input_ids[start:end].tolist()
    return ids, (item[0] - start + 1, item[1] - start + 1), (min(lo, item[0]) - start + 1, max(hi, item[1]) - start + 1)


@dataclass(slots=True)
class HeadRows:
    """The training windows of one head, ready to batch."""

    kind: str
    input_ids: list[list[int]]
    items: list[tuple[int, int]]
    contexts: list[tuple[int, int]]
    features: list[np.ndarray]
    labels: list[int]
    hand: list[bool]

    def __len__(self) -> int:
        return len(self.labels)

    def epoch_rows(self, epoch: int, seed: int, weak_per_epoch: int) -> list[int]:
        """Every hand row and a seeded sample of ``weak_per_epoch`` weak rows (a new sample each epoch)."""
        hand = [i for i, h in enumerate(self.hand) if h]
        weak = [i for i, h in enumerate(self.hand) if not h]
        rng = random.Random(seed * 7919 + epoch)
        return hand + (weak if len(weak) <= weak_per_epoch else rng.sample(weak, weak_per_epoch))


def build_rows(kind: str, examples: list[HeadExample], spec, tokenizer, max_tokens: int) -> HeadRows:
    """Windows, token ranges, feature vectors and label indices of ``examples`` for the head ``spec``."""
    classes = CLASSES[kind]
    token_cache: dict[int, object] = {}
    rows = HeadRows(kind, [], [], [], [], [], [])
    for ex in examples:
        tokens = token_cache.get(id(ex.text))
        if tokens is None:
            tokens = token_cache[id(ex.text)] = tokenize(tokenizer, ex.text)
        window = example_window(ex, tokens, max_tokens)
        if window is None or ex.label not in classes:
            continue
        ids, item, context = window
        rows.input_ids.append(ids)
        rows.items.append(item)
        rows.contexts.append(context)
        rows.features.append(spec.feature_vector(ex.candidate.features))
        rows.labels.append(classes.index(ex.label))
        rows.hand.append(ex.hand)
    return rows


def quotation_at(ctx: TextContext, start: int, end: int) -> Quotation | None:
    return next((q for q in ctx.quotations if q.start == start and q.end == end), None)


__all__ = [
    "ASSERTIONS",
    "QUOTES",
    "HeadExample",
    "HeadRows",
    "build_rows",
    "feature_vocabulary",
    "hand_example",
    "split_tune",
    "weak_head_examples",
]
