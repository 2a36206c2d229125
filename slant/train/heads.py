"""Fitting the candidate heads on a trained encoder: two linear readers per head, their threshold and calibration.

``fit_heads`` reads every TUNE item the heads may learn from through the finished model, as ``classify()``
reads it (whole documents, one pass, the layers in ``HeadSpec.layers``), and fits with scikit-learn:
- the state reader: multinomial logistic regression over the standardised pooled states, hand labels only;
- the cue reader: multinomial logistic regression over the cue features, hand labels plus weak labels at a
  lower weight (the weak labels carry no encoder states worth reading: their documents are other genres);
- Platt scaling of the mean positive-class probability and its best-F1 threshold, on out-of-fold scores of
  the trainable items (grouped folds: a document, or a BASIL story, never straddles two) together with the
  held-out items' scores (``slant.train.head_data.split_tune``: items from PTC / SemEval-2021 dev documents are
  never trained on, only used here).
The fitted readers become the head's weights (``slant.model.heads.CandidateHead``), so inference needs no sklearn.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from slant.corpora.annotations import independent_unit
from slant.model.heads import CLASSES, POSITIVE, HeadSpec, new_head
from slant.pipeline.head_spans import item_inputs
from slant.text.candidates import KINDS, QUOTES
from slant.train.head_data import WEAK_GROUP, feature_vocabulary, hand_example, split_tune, weak_head_examples
from slant.train.weak_labels import weak_assertions, weak_quotes

log = logging.getLogger("slant.train")
SEED = 20240611  # folds, readers and the weak labels' own caps
MISSING_CLASS_BIAS = -30.0  # a class no training item has: never predicted


@dataclass(frozen=True)
class HeadSettings:
    """The heads' hyper-parameters (``slant.train.config.TrainConfig`` carries them as ``head_*`` flags)."""

    layers: tuple[int, ...] = (-3,)
    c_states: float = 0.003  # inverse L2 strength of the state reader (over standardised states)
    c_cues: float = 0.1  # and of the cue reader
    weak_weight: float = 0.1  # loss weight of one weak example against a hand-labelled one (0: no weak labels)
    report_documents: bool = True  # TUNE items from documents holding REPORT items may train (head_data)
    folds: int = 5
    max_hand: int | None = None  # a limit for smoke runs


@dataclass
class Reader:
    """A fitted multinomial logistic regression: probabilities = softmax(x @ weight.T + bias)."""

    weight: np.ndarray  # (n_classes, n_inputs)
    bias: np.ndarray  # (n_classes,)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.weight.T + self.bias
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def fit_reader(
    x: np.ndarray, y: np.ndarray, n_classes: int, c: float, weights: np.ndarray | None = None, standardise=False
) -> Reader:
    """Multinomial logistic regression of class indices ``y``; with ``standardise`` the inputs are centred and
    scaled first and that is folded into the returned weights."""
    mean = x.mean(axis=0) if standardise else np.zeros(x.shape[1])
    scale = x.std(axis=0) + 1e-6 if standardise else np.ones(x.shape[1])
    clf = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    clf.fit((x - mean) / scale, y, sample_weight=weights)
    coef, intercept = clf.coef_, clf.intercept_
    if coef.shape[0] == 1:  # two classes present: sklearn keeps one row; softmax over two rows says the same
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    weight = np.zeros((n_classes, x.shape[1]))
    bias = np.full(n_classes, MISSING_CLASS_BIAS)
    for row, cls in enumerate(clf.classes_):
        weight[cls] = coef[row] / scale
        bias[cls] = intercept[row] - float(coef[row] @ (mean / scale))
    return Reader(weight, bias)


def best_threshold(scores: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    """The threshold with the best F1 (ties: the middle of the best run of candidate thresholds), and that F1."""
    cands = np.unique(scores)
    f1s = []
    for t in cands:
        pred = scores >= t
        tp = float((pred & positive).sum())
        p = tp / max(1, pred.sum())
        r = tp / max(1, positive.sum())
        f1s.append(0.0 if tp == 0 else 2 * p * r / (p + r))
    f1s_arr = np.array(f1s)
    best = np.flatnonzero(f1s_arr == f1s_arr.max())
    k = best[len(best) // 2]
    # Halfway to the next lower score, so a new item scoring just under the last positive is not lost.
    lower = cands[k - 1] if k > 0 else cands[k] / 2
    return float((cands[k] + lower) / 2), float(f1s_arr.max())


def platt(scores: np.ndarray, positive: np.ndarray) -> tuple[float, float]:
    """(a, b) of sigmoid(a * logit(score) + b), fitted to ``positive``."""
    p = np.clip(scores, 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    lr = LogisticRegression(C=1.0, random_state=SEED).fit(logit, positive.astype(int))
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def calibrated_threshold(scores: np.ndarray, positive: np.ndarray) -> tuple[tuple[float, float], float, float]:
    """Platt scaling fitted on ``scores``, then the best-F1 threshold of the calibrated scores:
    (calibration, threshold, its F1)."""
    ab = platt(scores, positive)
    p = np.clip(scores, 1e-6, 1 - 1e-6)
    calibrated = 1 / (1 + np.exp(-(ab[0] * np.log(p / (1 - p)) + ab[1])))
    threshold, f1 = best_threshold(calibrated, positive)
    return ab, threshold, f1


@dataclass
class ReaderData:
    """One head's training inputs: hand rows (states, cues, labels, groups) and weak rows (cues only)."""

    states: np.ndarray
    cues: np.ndarray
    labels: np.ndarray
    groups: list[str]
    weak_cues: np.ndarray
    weak_labels: np.ndarray
    weak_groups: list[str]

    def fit(self, spec: HeadSpec, settings: HeadSettings, rows: np.ndarray | None = None) -> tuple[Reader, Reader]:
        """Both readers on hand rows ``rows`` (all by default), the cue reader with the weak rows beside them
        (but none from a document of a hand row left out)."""
        rows = np.arange(len(self.labels)) if rows is None else rows
        n = len(spec.classes)
        states = fit_reader(self.states[rows], self.labels[rows], n, settings.c_states, standardise=True)
        cues, labels, weights = self.cues[rows], self.labels[rows], np.ones(len(rows))
        if settings.weak_weight > 0 and len(self.weak_labels):
            kept = set(rows.tolist())
            left_out = {weak_group(g) for i, g in enumerate(self.groups) if i not in kept}
            keep = np.array([g not in left_out for g in self.weak_groups])
            cues = np.vstack([cues, self.weak_cues[keep]])
            labels = np.concatenate([labels, self.weak_labels[keep]])
            weights = np.concatenate([weights, np.full(int(keep.sum()), settings.weak_weight)])
        return states, fit_reader(cues, labels, n, settings.c_cues, weights)


def weak_group(hand_group: str) -> str:
    """The group a weak example from the same document as a hand example (group "corpus/doc") carries."""
    corpus, _, doc_id = hand_group.partition("/")
    return f"{WEAK_GROUP.get(corpus, corpus)}/{doc_id}"


def positive_probability(spec: HeadSpec, readers: tuple[Reader, Reader], states, cues) -> np.ndarray:
    pos = spec.classes.index(spec.positive)
    return (readers[0].probabilities(states)[:, pos] + readers[1].probabilities(cues)[:, pos]) / 2


def out_of_fold(spec: HeadSpec, data: ReaderData, settings: HeadSettings, seed: int = SEED) -> np.ndarray:
    """Each hand row's positive-class probability from readers fitted without its fold."""
    oof = np.zeros(len(data.labels))
    # Fewer folds than the rarest class has items would leave a fold without it (a smoke run's few items).
    smallest = int(min(n for n in np.bincount(data.labels) if n > 0))
    splitter = StratifiedGroupKFold(n_splits=max(2, min(settings.folds, smallest)), shuffle=True, random_state=seed)
    for fit_rows, test_rows in splitter.split(data.states, data.labels, data.groups):
        readers = data.fit(spec, settings, fit_rows)
        oof[test_rows] = positive_probability(spec, readers, data.states[test_rows], data.cues[test_rows])
    return oof


def covered(items: list, row_of: list[int]) -> tuple[list, np.ndarray]:
    keep = [i for i, r in enumerate(row_of) if r >= 0]
    return [items[i] for i in keep], np.array([row_of[i] for i in keep], dtype=int)


def fit_heads(
    tagger, settings: HeadSettings, data_root: str | None, skip_groups: set[str], skip_docs: set[tuple[str, str]]
) -> dict[str, HeadSpec]:
    """Fit a head of each kind on ``tagger``'s encoder and attach it to ``tagger.network``; returns the specs
    (threshold, calibration and a record of the fit filled in). ``skip_groups`` (weak-label groups) and
    ``skip_docs`` ((corpus, doc id) of hand items) name documents no head may learn from: the held-out train
    documents of the technique thresholds."""
    specs = {}
    hidden = tagger.network.token_head.in_features
    tagger.head_layers = list(settings.layers)  # the pass below keeps these layers' states for the readers
    for kind in KINDS:
        train_items, held = split_tune(kind, data_root, settings.report_documents)
        train_items = [it for it in train_items if (it.item.corpus, it.item.doc_id) not in skip_docs]
        if settings.max_hand:
            train_items, held = train_items[: settings.max_hand], held[: settings.max_hand]
        examples = [hand_example(kind, it) for it in train_items]
        weak = []
        if settings.weak_weight > 0:
            raw = weak_quotes(data_root, SEED, inner_words=True) if kind == QUOTES else weak_assertions(data_root, SEED)
            weak = weak_head_examples(raw, skip_groups)
        spec = HeadSpec(kind, feature_vocabulary(kind, examples + weak), layers=list(settings.layers))
        classes = CLASSES[kind]
        states, cues, row_of = item_inputs(tagger, spec, train_items)
        train_items, rows = covered(train_items, row_of)
        data = ReaderData(
            states[rows],
            cues[rows],
            np.array([classes.index(it.label) for it in train_items]),
            [independent_unit(it.item.corpus, it.item.doc_id) for it in train_items],
            np.stack([spec.feature_vector(w.features) for w in weak]) if weak else np.zeros((0, len(spec.features))),
            np.array([classes.index(w.label) for w in weak], dtype=int),
            [w.group for w in weak],
        )
        oof = out_of_fold(spec, data, settings)
        readers = data.fit(spec, settings)
        held_states, held_cues, held_rows = item_inputs(tagger, spec, held)
        held, rows = covered(held, held_rows)
        held_scores = positive_probability(spec, readers, held_states[rows], held_cues[rows])
        positive = np.array([c == spec.positive for c in np.array(classes)[data.labels]])
        held_positive = np.array([it.label == POSITIVE[kind] for it in held], dtype=bool)
        scores = np.concatenate([oof, held_scores])
        labels = np.concatenate([positive, held_positive])
        if labels.sum() >= 2 and not labels.all():
            spec.calibration, spec.threshold, f1 = calibrated_threshold(scores, labels)
        else:  # a smoke run's handful of items: nothing to fit a threshold on
            f1 = 0.0
            log.warning(
                "%s head: %d positives among %d items, too few to fit a threshold", kind, labels.sum(), len(labels)
            )
        held_f1 = best_f1_at(spec, held_scores, held_positive)
        oof_f1 = best_f1_at(spec, oof, positive)
        spec.record = {
            "trained_on": f"{len(data.labels)} TUNE items the encoder may read, {len(data.weak_labels)} weak",
            "calibrated_on": "out-of-fold scores of those items and the held-out TUNE items "
            + ("(PTC / SemEval-2021 dev documents)" if settings.report_documents else "(dev and REPORT documents)"),
            "items": int(len(labels)),
            "positives": int(labels.sum()),
            "f1_at_threshold": round(f1, 4),
            "out_of_fold_f1": round(oof_f1, 4),
            "held_out_items": len(held),
            "held_out_positives": int(held_positive.sum()),
            "held_out_f1": round(held_f1, 4),
            "settings": {k: (list(v) if isinstance(v, tuple) else v) for k, v in settings.__dict__.items()},
        }
        log.info(
            "%s head: %d hand items (%d weak), out-of-fold F1 %.3f, held-out F1 %.3f (%d items) at threshold %.3f",
            kind,
            len(data.labels),
            len(data.weak_labels),
            oof_f1,
            held_f1,
            len(held),
            spec.threshold,
        )
        head = new_head(spec, hidden)
        with torch.no_grad():
            head.states.weight.copy_(torch.from_numpy(readers[0].weight))
            head.states.bias.copy_(torch.from_numpy(readers[0].bias))
            head.cues.weight.copy_(torch.from_numpy(readers[1].weight))
            head.cues.bias.copy_(torch.from_numpy(readers[1].bias))
        tagger.network.add_candidate_head(kind, head.to(tagger.device).eval())
        specs[kind] = spec
    tagger.head_specs = specs
    return specs


def best_f1_at(spec: HeadSpec, scores: np.ndarray, positive: np.ndarray) -> float:
    """F1 of the positive class at the spec's calibration and threshold."""
    pred = np.array([spec.calibrated(float(s)) >= spec.threshold for s in scores], dtype=bool)
    tp = float((pred & positive).sum())
    return 0.0 if tp == 0 else 2 * tp / (pred.sum() + positive.sum())
