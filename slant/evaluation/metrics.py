"""Scores equal to the SemEval-2020 Task 11 organisers' scorers (https://propaganda.qcri.org).

* :func:`si_score` is ``task-SI_scorer.py -m``: overlapping predicted spans are merged, and so are overlapping
  gold spans (the official scorer always merges the gold). With S the merged predictions and T the merged
  gold, P = (1/|S|) sum_s sum_t |s∩t|/|s| and R = (1/|T|) sum_s sum_t |s∩t|/|t|, pairs taken within
  one article.
* :func:`tc_score` is ``task-TC_scorer.py``: predictions are matched to gold by (article, start, end); where a
  span carries several techniques the labels are paired to agree as often as possible, then micro/per-class
  scores are those of scikit-learn over the paired labels.
* :func:`flc_score` is the SI formula where a predicted span only earns credit from gold spans of the same
  technique, overlapping spans of the same technique merged first (SemEval-2021 Task 6 subtask 2).

Zero division follows the official ``compute_prec_rec_f1``: a ratio with an empty denominator is 0, F1 is 0
unless both P and R are positive, except that F1 is 1.0 when there is nothing to predict and nothing was
predicted. Inputs are any records with ``article_id``/``start``/``end`` (and ``technique`` for TC/FLC), e.g.
:class:`slant.evaluation.formats.SIRecord` / :class:`~slant.evaluation.formats.TCRecord`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "FLCResult",
    "PRF",
    "SpanLike",
    "TCResult",
    "TechniqueSpanLike",
    "flc_score",
    "merge_spans",
    "si_score",
    "tc_score",
]


class SpanLike(Protocol):
    @property
    def article_id(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


class TechniqueSpanLike(SpanLike, Protocol):
    @property
    def technique(self) -> str: ...


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision/recall/F1 with the span counts they were computed from (after merging, where merged)."""

    precision: float
    recall: float
    f1: float
    n_pred: int
    n_gold: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "n_pred": self.n_pred,
            "n_gold": self.n_gold,
        }


@dataclass(frozen=True, slots=True)
class TCResult:
    """TC scores: micro P/R/F1 over all spans, macro-F1 over the techniques in ``per_label``."""

    precision: float
    recall: float
    micro_f1: float
    macro_f1: float
    n_pred: int
    n_gold: int
    per_label: dict[str, PRF] = field(default_factory=dict)

    @property
    def f1(self) -> float:
        return self.micro_f1

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.micro_f1,
            "micro_f1": self.micro_f1,
            "macro_f1": self.macro_f1,
            "n_pred": self.n_pred,
            "n_gold": self.n_gold,
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
        }


@dataclass(frozen=True, slots=True)
class FLCResult:
    """FLC scores: overall partial-overlap P/R/F1 and the same per technique."""

    precision: float
    recall: float
    f1: float
    n_pred: int
    n_gold: int
    per_label: dict[str, PRF] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "n_pred": self.n_pred,
            "n_gold": self.n_gold,
            "per_label": {k: v.to_dict() for k, v in self.per_label.items()},
        }


Interval = tuple[int, int]


def _prf(p_num: float, p_den: int, r_num: float, r_den: int) -> PRF:
    # Mirrors the official compute_prec_rec_f1, including F1 = 1 when both sides are empty.
    p = p_num / p_den if p_den > 0 else 0.0
    r = r_num / r_den if r_den > 0 else 0.0
    if p > 0 and r > 0:
        f1 = 2 * p * r / (p + r)
    elif p_den == 0 and r_den == 0:
        f1 = 1.0
    else:
        f1 = 0.0
    return PRF(p, r, f1, p_den, r_den)


def merge_spans(spans: Iterable[Interval]) -> list[Interval]:
    """Merge spans that share at least one character; touching spans ([0,5) and [5,9)) stay apart.

    The official scorer unions the character sets of spans that intersect, transitively; for intervals this is
    the usual sweep. Exact duplicates merge into one span.
    """
    merged: list[Interval] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _group(records: Iterable[Any], key: Any) -> dict[Any, list[Interval]]:
    out: dict[Any, list[Interval]] = defaultdict(list)
    for r in records:
        out[key(r)].append((r.start, r.end))
    return out


def _overlap_sums(pred: Sequence[Interval], gold: Sequence[Interval]) -> tuple[float, float]:
    """sum_s sum_t |s∩t|/|s| and sum_s sum_t |s∩t|/|t| for one article (and technique)."""
    p_sum = r_sum = 0.0
    for ps, pe in pred:
        for gs, ge in gold:
            inter = min(pe, ge) - max(ps, gs)
            if inter > 0:
                p_sum += inter / (pe - ps)
                r_sum += inter / (ge - gs)
    return p_sum, r_sum


@dataclass(slots=True)
class _Tally:
    p_num: float = 0.0
    r_num: float = 0.0
    n_pred: int = 0
    n_gold: int = 0

    def prf(self) -> PRF:
        return _prf(self.p_num, self.n_pred, self.r_num, self.n_gold)


def _partial_overlap(pred: dict[Any, list[Interval]], gold: dict[Any, list[Interval]]) -> dict[Any, _Tally]:
    """Merge within each group key (article, or (article, technique)), then tally the SI sums per key."""
    tallies: dict[Any, _Tally] = {}
    for key in pred.keys() | gold.keys():
        p = merge_spans(pred.get(key, ()))
        g = merge_spans(gold.get(key, ()))
        p_num, r_num = _overlap_sums(p, g)
        # Predictions for articles the gold does not know count in |S| and earn nothing (the official scorer
        # would crash on them; counting them wrong is the conservative reading).
        tallies[key] = _Tally(p_num, r_num, len(p), len(g))
    return tallies


def si_score(pred: Iterable[SpanLike], gold: Iterable[SpanLike]) -> PRF:
    """Span identification, as ``task-SI_scorer.py -m``. ``n_pred``/``n_gold`` count spans after merging."""
    tallies = _partial_overlap(_group(pred, lambda r: r.article_id), _group(gold, lambda r: r.article_id))
    total = _Tally()
    for t in tallies.values():
        total.p_num += t.p_num
        total.r_num += t.r_num
        total.n_pred += t.n_pred
        total.n_gold += t.n_gold
    return total.prf()


def flc_score(pred: Iterable[TechniqueSpanLike], gold: Iterable[TechniqueSpanLike]) -> FLCResult:
    """Span + technique with partial overlap; spans merged per (article, technique) on both sides."""

    def key(r: TechniqueSpanLike) -> tuple[str, str]:
        return (r.article_id, r.technique)

    tallies = _partial_overlap(_group(pred, key), _group(gold, key))
    total = _Tally()
    per: dict[str, _Tally] = defaultdict(_Tally)
    for (_, technique), t in tallies.items():
        for acc in (total, per[technique]):
            acc.p_num += t.p_num
            acc.r_num += t.r_num
            acc.n_pred += t.n_pred
            acc.n_gold += t.n_gold
    overall = total.prf()
    per_label = {tech: per[tech].prf() for tech in sorted(per)}
    return FLCResult(overall.precision, overall.recall, overall.f1, overall.n_pred, overall.n_gold, per_label)


def _class_prf(tp: int, n_pred: int, n_gold: int) -> PRF:
    # scikit-learn's per-class scores with zero_division=0 (what the official TC scorer prints).
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = 2 * tp / (n_pred + n_gold) if tp else 0.0
    return PRF(p, r, f1, n_pred, n_gold)


def tc_score(
    pred: Iterable[TechniqueSpanLike],
    gold: Iterable[TechniqueSpanLike],
    labels: Iterable[str] | None = None,
) -> TCResult:
    """Technique classification of given spans, as ``task-TC_scorer.py``.

    Predictions and gold are grouped by (article, start, end). Within a group the official scorer reorders the
    annotations so equal techniques pair up (gold has spans with several techniques), which makes the number
    of correct labels the size of the multiset intersection. The official scorer refuses a prediction whose
    spans differ from the gold; here a prediction on a span outside the gold is simply wrong and a gold span
    without a prediction is missed, which gives the same numbers when the spans agree.

    ``labels`` fixes the techniques reported and macro-averaged (e.g. the 14 SemEval-2020 classes); by default
    every technique seen in ``pred`` or ``gold``.
    """
    pred_groups: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    gold_groups: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    for r in pred:
        pred_groups[(r.article_id, r.start, r.end)][r.technique] += 1
    for r in gold:
        gold_groups[(r.article_id, r.start, r.end)][r.technique] += 1

    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for counts in pred_groups.values():
        n_pred.update(counts)
    for span, counts in gold_groups.items():
        n_gold.update(counts)
        tp.update(counts & pred_groups.get(span, Counter()))

    total_tp, total_pred, total_gold = sum(tp.values()), sum(n_pred.values()), sum(n_gold.values())
    micro = _class_prf(total_tp, total_pred, total_gold)
    names = sorted(n_pred.keys() | n_gold.keys()) if labels is None else list(labels)
    per_label = {name: _class_prf(tp[name], n_pred[name], n_gold[name]) for name in names}
    macro = sum(p.f1 for p in per_label.values()) / len(per_label) if per_label else 0.0
    return TCResult(micro.precision, micro.recall, micro.f1, macro, total_pred, total_gold, per_label)
