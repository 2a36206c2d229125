"""Training items of the candidate heads: the TUNE hand labels (as candidates in their documents) and the weak labels.

Which TUNE items the heads may learn from (the rule is code, :func:`split_tune`):
- never one from a PTC-2020 dev or SemEval-2021 dev document (those are the technique figures' test texts);
  those items are the held-out part instead: the heads' thresholds and calibration are fitted on them;
- every other TUNE item, as the separate rhetoric models were trained, including items from documents (a BASIL
  story counting as one) that also hold a REPORT item. ``report_documents=False`` holds those out as well, for a
  REPORT figure on documents no head has read; ``python evaluate.py run --dataset quotes|assertions`` prints
  REPORT split by this.
Items from the PTC train articles held out for the technique thresholds are left out altogether.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from slant.corpora.annotations import independent_unit
from slant.corpora.base import Document
from slant.corpora.items import EXCLUDED, LabelledItem, labelled_items
from slant.corpora.polnear import read_polnear
from slant.corpora.ptc import read_ptc2020
from slant.corpora.split import HELD_OUT_FRACTION, HELD_OUT_SEED, split_documents
from slant.text.candidates import ASSERTIONS, KINDS, QUOTES, Candidate, quote_candidate, sentence_candidate
from slant.text.context import TextContext
from slant.text.quotes import Quotation

HELD_OUT_CORPORA = ("ptc2020-dev", "semeval2021-dev")
MIN_COUNT = 5  # cue features seen fewer times in training are dropped: they only memorise
DROPPED_FEATURES = {QUOTES: "I="}  # the quoted words themselves: the pooled tokens already carry them
# Hand-label corpora whose documents the weak labels also read, under the weak labels' group prefix.
WEAK_GROUP = {"ptc2020-train": "ptc", "polnear-train": "polnear", "ukraine-news-bias": "ukraine"}


@dataclass(slots=True)
class HeadExample:
    """One labelled candidate, with the text it stands in."""

    candidate: Candidate
    text: str
    label: str
    group: str  # the independent unit (document; BASIL story)
    hand: bool


def split_tune(
    kind: str, root: str | None = None, report_documents: bool = True
) -> tuple[list[LabelledItem], list[LabelledItem]]:
    """TUNE items of ``kind`` (errors left out) as (trainable, held out), by the rule in the module docstring."""
    skip = set() if report_documents else report_units(root)
    train, held = [], []
    for it in labelled_items(kind, "tune", root):  # type: ignore[arg-type]
        if it.label is None or it.label == EXCLUDED:
            continue
        unit = independent_unit(it.item.corpus, it.item.doc_id)
        (held if it.item.corpus in HELD_OUT_CORPORA or unit in skip else train).append(it)
    return train, held


def report_units(root: str | None = None) -> set[str]:
    """The independent units (documents; BASIL stories) that hold a REPORT item of either kind."""
    return {independent_unit(it.item.corpus, it.item.doc_id) for k in KINDS for it in labelled_items(k, "report", root)}


def unlabelled_documents(root: str | None = None) -> list[tuple[str, Document]]:
    """News articles a teacher may label for the heads, as (corpus, document): PTC-2020 train articles outside
    the technique thresholds' held-out part (the training run's default split) and PolNeAR train articles, less
    every one that holds a REPORT item. PTC and SemEval-2021 dev are never among them. Their sentences carry no
    hand label; those that are TUNE items are still read, so a fold's test documents must be left out by group
    (``independent_unit``) where such rows train."""
    ptc = read_ptc2020("train", root=root)
    _, held_out = split_documents(ptc, HELD_OUT_FRACTION, HELD_OUT_SEED)
    held_ids = {doc.id for doc in held_out}
    docs = [("ptc2020-train", d) for d in ptc if d.id not in held_ids]
    docs += [("polnear-train", d) for d in read_polnear("train", root=root)]
    skip = report_units(root)
    return [(corpus, d) for corpus, d in docs if independent_unit(corpus, d.id) not in skip]


def hand_example(kind: str, it: LabelledItem) -> HeadExample:
    if kind == QUOTES:
        assert it.quotation is not None
        cand = quote_candidate(it.ctx, it.quotation)
    else:
        cand = sentence_candidate(it.ctx, it.item.start, it.item.end)
    unit = independent_unit(it.item.corpus, it.item.doc_id)
    return HeadExample(cand, it.ctx.text, it.label or "", unit, True)


def weak_head_examples(weak: Iterable, skip_groups: set[str]) -> list:
    """Weak examples (``slant.train.weak_labels.WeakExample``) outside ``skip_groups``: the cue reader learns
    from their cue features."""
    return [w for w in weak if w.group not in skip_groups]


def feature_vocabulary(kind: str, examples: list) -> list[str]:
    """Cue features seen at least MIN_COUNT times in the training examples (hand: ``HeadExample``; weak:
    ``WeakExample``), sorted."""
    counts: Counter[str] = Counter()
    drop = DROPPED_FEATURES.get(kind)
    for ex in examples:
        features = ex.candidate.features if isinstance(ex, HeadExample) else ex.features
        counts.update(k for k in features if not (drop and k.startswith(drop)))
    return sorted(k for k, n in counts.items() if n >= MIN_COUNT)


def quotation_at(ctx: TextContext, start: int, end: int) -> Quotation | None:
    return next((q for q in ctx.quotations if q.start == start and q.end == end), None)


__all__ = [
    "ASSERTIONS",
    "QUOTES",
    "HeadExample",
    "feature_vocabulary",
    "hand_example",
    "report_units",
    "split_tune",
    "unlabelled_documents",
    "weak_head_examples",
]
