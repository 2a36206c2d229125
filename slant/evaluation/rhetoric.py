"""Score the rhetoric classifiers on the hand-labelled sets, next to the keyword baselines.

``evaluate_rhetoric("quotes" | "assertions", part="report")`` is what ``evaluate.py run --dataset quotes``
prints and what data/annotations/RESULTS.json records. The reference label is pass 1; items labelled
``error`` (not a real quotation / not a usable sentence) are counted and left out of every score. Agreement
is Cohen's kappa between pass 1 and pass 2 on the doubly-labelled items.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score

from slant.corpora.annotations import independent_unit
from slant.corpora.items import EXCLUDED, LabelledItem, labelled_items
from slant.evaluation.rhetoric_baselines import assertion_baseline, quote_baseline
from slant.model.rhetoric import load_classifiers, rhetoric_dir_for
from slant.model.rhetoric.assertion_classifier import ASSERTION_CLASSES
from slant.model.rhetoric.quote_classifier import QUOTE_CLASSES
from slant.model.rhetoric.vectors import item_vectors
from slant.pipeline.head_spans import item_probabilities
from slant.pipeline.tagger import Tagger, default_tagger

POSITIVE = {"quotes": "scare", "assertions": "unhedged"}
CLASSES = {"quotes": QUOTE_CLASSES, "assertions": ASSERTION_CLASSES}
SPAN_LABEL = {"quotes": "scare_quote", "assertions": "unhedged_assertion"}


def prf(gold: list[str], pred: list[str], label: str) -> dict[str, float | int]:
    """Precision, recall and F1 of one label (0 where undefined), with the counts behind them."""
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
    n_pred = sum(1 for p in pred if p == label)
    n_gold = sum(1 for g in gold if g == label)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "n_pred": n_pred, "n_gold": n_gold}


def scores(gold: list[str], pred: list[str], classes: tuple[str, ...], positive: str) -> dict[str, Any]:
    per_class = {c: prf(gold, pred, c) for c in classes}
    return {
        "positive": prf(gold, pred, positive),
        "per_class": per_class,
        "macro_f1": sum(d["f1"] for d in per_class.values()) / len(classes),
        "accuracy": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0,
        "confusion": {
            g: {p: sum(1 for a, b in zip(gold, pred, strict=True) if a == g and b == p) for p in classes}
            for g in classes
        },
    }


BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20240611


def f1_bootstrap(gold: list[str], systems: dict[str, list[str]], label: str, groups: list[str]) -> dict[str, Any]:
    """95% percentile intervals of each system's F1 on ``label``, and of each system's difference from the first,
    under a bootstrap over documents (``groups``, see ``resampling_unit``): the items of one document are
    resampled together, since they share an author and a style and are not independent. The same resamples
    serve every system, so the difference is paired. With 25-75 positive items, this is what tells a real gain
    from a lucky draw."""
    docs = sorted(set(groups))
    row = {doc: i for i, doc in enumerate(docs)}
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    weights = rng.multinomial(len(docs), np.full(len(docs), 1 / len(docs)), size=BOOTSTRAP_RESAMPLES)
    f1s = {}
    for name, pred in systems.items():
        counts = np.zeros((len(docs), 3))  # per document: true positives, predicted, gold
        for g, p, doc in zip(gold, pred, groups, strict=True):
            counts[row[doc]] += (g == label and p == label, p == label, g == label)
        tp, n_pred, n_gold = (weights @ counts).T
        f1s[name] = np.where(n_pred + n_gold > 0, 2 * tp / np.maximum(n_pred + n_gold, 1), 0.0)

    def interval(x: np.ndarray) -> list[float]:
        return [float(v) for v in np.percentile(x, [2.5, 97.5])]

    first = next(iter(systems))
    return {
        "units": len(docs),
        "resamples": BOOTSTRAP_RESAMPLES,
        "f1_ci95": {name: interval(f1) for name, f1 in f1s.items()},
        "difference_ci95": {f"{first} - {name}": interval(f1s[first] - f1s[name]) for name in list(systems)[1:]},
    }


RESAMPLING_UNIT = "document (BASIL: story)"


def resampling_unit(item: LabelledItem) -> str:
    """The bootstrap's unit: the document, a BASIL story counting as one (:func:`independent_unit`)."""
    return independent_unit(item.item.corpus, item.item.doc_id)


def kappa(items: list[LabelledItem], positive: str) -> dict[str, Any]:
    """Cohen's kappa between the passes on items both labelled: all labels, and positive vs the rest."""
    both = [(it.item.label_pass1, it.item.label_pass2) for it in items if it.item.label_pass1 and it.item.label_pass2]
    if len(both) < 2:
        return {"n": len(both), "kappa": None, "kappa_positive": None, "agreement": None}
    a, b = zip(*both, strict=True)
    return {
        "n": len(both),
        "kappa": float(cohen_kappa_score(a, b)),
        "kappa_positive": float(cohen_kappa_score([x == positive for x in a], [x == positive for x in b])),
        "agreement": sum(x == y for x, y in both) / len(both),
    }


def _predict(kind: str, items: list[LabelledItem], tagger: Tagger | None) -> tuple[list[str], list[str]]:
    """Labels from the classifiers as ``classify()`` runs them (with ``tagger``'s vectors), and the baseline's."""
    if tagger is None:
        tagger = default_tagger()
    if kind in tagger.head_specs:  # one model: the tagger's own candidate head decides
        spec = tagger.head_specs[kind]
        probs = item_probabilities(tagger, kind, items)
        model = [spec.decide(p)[0] if p is not None else spec.classes[-1] for p in probs]
        return model, [_baseline(kind, it) for it in items]
    classifiers = load_classifiers(rhetoric_dir_for(tagger.model_dir))
    if classifiers is None:
        raise FileNotFoundError("no rhetoric model: run python -m slant.train.rhetoric")
    # The vectors are worth a forward pass only when this kind's classifier will read them.
    classifier = classifiers.quotes if kind == "quotes" else classifiers.assertions
    wanted = classifier.reads_vectors and classifiers.wants_vectors(tagger)
    vectors = item_vectors(items, tagger) if wanted else [None] * len(items)
    cross: list[float | None] = [None] * len(items)
    if kind == "assertions":
        cross = classifiers.assertions.cross_scores([(it.ctx, it.item.start, it.item.end) for it in items])
    elif classifiers.quotes.reads_cross(vectors[0] if vectors else None):  # the same tagger for every item
        cross = classifiers.quotes.cross_scores([(it.ctx, it.quotation) for it in items])  # type: ignore[misc]
    model, baseline = [], []
    for it, vec, cross_p in zip(items, vectors, cross, strict=True):
        if kind == "quotes":
            assert it.quotation is not None
            model.append(classifiers.quotes.decide(it.ctx, it.quotation, vec, cross_p).label)
            baseline.append(quote_baseline(it.ctx, it.quotation))
        else:
            model.append(classifiers.assertions.decide(it.ctx, it.item.start, it.item.end, vec, cross_p).label)
            baseline.append(assertion_baseline(it.ctx, it.item.start, it.item.end))
    return model, baseline


def _baseline(kind: str, it: LabelledItem) -> str:
    if kind == "quotes":
        assert it.quotation is not None
        return quote_baseline(it.ctx, it.quotation)
    return assertion_baseline(it.ctx, it.item.start, it.item.end)


def evaluate_rhetoric(
    kind: str,
    part: str = "report",
    root: str | None = None,
    tagger: Tagger | None = None,
    against: Tagger | None = None,
) -> dict[str, Any]:
    """Model and keyword baseline on one part ("report" by default, "tune", or "all") of a hand-labelled set.

    ``tagger`` is the model (default: the shipped model). ``against``, a second model, is scored on the same
    items as "against", with the paired bootstrap interval of the difference (model - against)."""
    if kind not in POSITIVE:
        raise ValueError(f"kind must be 'quotes' or 'assertions', got {kind!r}")
    every = labelled_items(kind, None, root)  # type: ignore[arg-type]
    chosen = [it for it in every if part == "all" or it.item.part == part]
    labelled = [it for it in chosen if it.label is not None]
    scored = [it for it in labelled if it.label != EXCLUDED]
    gold = [it.label for it in scored]
    model, baseline = _predict(kind, scored, tagger)
    positive, classes = POSITIVE[kind], CLASSES[kind]
    systems = {"model": model, "baseline": baseline}
    if against is not None:
        systems["against"] = _predict(kind, scored, against)[0]
    report = {
        "dataset": kind,
        "part": part,
        "positive_class": positive,
        "span_label": SPAN_LABEL[kind],
        "reference": "pass1",
        "counts": {
            "items": len(chosen),
            "labelled": len(labelled),
            "scored": len(scored),
            "excluded_error": len(labelled) - len(scored),
            "gold": {c: gold.count(c) for c in classes},
        },
        **{name: scores(gold, pred, classes, positive) for name, pred in systems.items()},
        "bootstrap": {
            "unit": RESAMPLING_UNIT,
            **f1_bootstrap(gold, systems, positive, [resampling_unit(it) for it in scored]),
        },
        "kappa": {"part": kappa(chosen, positive), "all": kappa(every, positive)},
        "by_document": by_document(kind, scored, gold, model, positive, part, every),
    }
    if against is not None:
        report["against_model"] = str(against.model_dir)
        report["by_document_against"] = by_document(kind, scored, gold, systems["against"], positive, part, every)
    return report


def by_document(
    kind: str, scored: list[LabelledItem], gold: list[str], model: list[str], positive: str, part: str, every
) -> dict[str, Any]:
    """The positive class's P/R/F1 on the items whose document (a BASIL story counting as one) also holds a TUNE
    item, and on the rest: a model trained on TUNE items has read the first kind of document (the separate
    rhetoric models and the candidate heads do, unless trained with ``--no-head-report-documents``)."""
    if part != "report":
        return {}
    tune_units = {independent_unit(it.item.corpus, it.item.doc_id) for it in every if it.item.part == "tune"}
    shared = [independent_unit(it.item.corpus, it.item.doc_id) in tune_units for it in scored]
    out = {}
    for name, want in (("document_holds_tune_items", True), ("no_tune_item_in_document", False)):
        idx = [i for i, s in enumerate(shared) if s is want]
        out[name] = {
            "items": len(idx),
            **prf([gold[i] for i in idx], [model[i] for i in idx], positive),
        }
    return out


RESULTS_PATH = "data/annotations/RESULTS.json"


def main(argv: list[str] | None = None) -> None:
    """``python -m slant.evaluation.rhetoric [--part report] [--write]``: print the tables; ``--write`` records
    the REPORT figures in data/annotations/RESULTS.json (what tests/test_rhetoric.py checks)."""
    import argparse
    import json

    from rich.console import Console

    from slant.evaluation.tables import rhetoric_tables
    from slant.resolve import annotation_dir

    parser = argparse.ArgumentParser(description="Score the rhetoric classifiers on the hand-labelled sets.")
    parser.add_argument("--part", default="report", choices=("report", "tune", "all"))
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS_PATH} (report part only)")
    args = parser.parse_args(argv)
    reports = {kind: evaluate_rhetoric(kind, args.part) for kind in ("quotes", "assertions")}
    console = Console()
    for report in reports.values():
        for table in rhetoric_tables(report):
            console.print(table)
    if args.write:
        if args.part != "report":
            raise SystemExit("--write records the report part only")
        with open(annotation_dir() / "RESULTS.json", "w", encoding="utf-8") as fh:
            json.dump(reports, fh, indent=1, sort_keys=True)
            fh.write("\n")
        console.print(f"wrote {RESULTS_PATH}")


if __name__ == "__main__":
    main()
