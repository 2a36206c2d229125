"""How the candidate heads' settings were chosen: every variant scored on the TUNE items alone.

    python -m slant.train.head_selection [--model model] [--data-root DIR] [--kinds quotes assertions]
        [--no-report-documents] [--as-shipped [--learning-curve] [--cross-oof FILE] [--distill]]

The trainable and held-out TUNE items (``slant.train.head_data.split_tune``) are read through the model's encoder
once, as ``classify()`` reads them, keeping every layer's item mean, item max and context mean. For each
variant it prints the out-of-fold F1 on the trainable items (grouped 5-fold, two fold seeds), and the average
precision and best F1 on the held-out items of readers fitted on all trainable items. REPORT is never read.
With ``--distill`` (assertions) it also measures a state reader taught by the separate rhetoric models: their
judgement of every sentence of unlabelled news articles (``slant.train.head_data.unlabelled_documents``) trains
it beside the hand labels.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import torch
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedGroupKFold

from slant.corpora.annotations import independent_unit
from slant.corpora.items import EXCLUDED, labelled_items
from slant.model.heads import CLASSES, POSITIVE, HeadSpec, pool_candidate, token_ranges
from slant.model.rhetoric import load_classifiers
from slant.model.rhetoric.cross_encoder import CrossConfig, item_window
from slant.pipeline.head_spans import item_candidates
from slant.pipeline.tagger import Tagger
from slant.text.candidates import ASSERTIONS, KINDS, QUOTES, propose
from slant.text.context import TextContext
from slant.train.head_data import DROPPED_FEATURES, hand_example, split_tune, unlabelled_documents
from slant.train.heads import SEED, best_threshold, calibrated_threshold, fit_reader, weak_group
from slant.train.weak_labels import weak_assertions, weak_quotes

LAYERS = (-1, -2, -3, -4, -5, -6)
POOL_NAMES = ("mean", "max", "context")


@dataclass(frozen=True)
class Variant:
    name: str
    layers: tuple[int, ...] = (-3,)
    pools: tuple[str, ...] = ("mean", "context")
    c_states: float = 0.003
    c_cues: float = 0.1
    weak_weight: float = 0.1
    balanced: bool = False
    state_weight: float = 0.5  # the state reader's share of the mixed probability


BASE = Variant("shipped settings")
VARIANTS = [
    BASE,
    replace(BASE, name="with item max", pools=("mean", "max", "context")),
    replace(BASE, name="last layer", layers=(-1,)),
    replace(BASE, name="layers -1 -3", layers=(-1, -3)),
    replace(BASE, name="layers -1 -3 -5", layers=(-1, -3, -5)),
    replace(BASE, name="all six layers", layers=LAYERS, c_states=0.001),
    replace(BASE, name="classes balanced", balanced=True),
    replace(BASE, name="state reader weight 0.7", state_weight=0.7),
    replace(BASE, name="state reader weight 0.3", state_weight=0.3),
    replace(BASE, name="no weak labels", weak_weight=0.0),
    replace(BASE, name="weak labels 0.3", weak_weight=0.3),
    replace(BASE, name="state C 0.01", c_states=0.01),
    replace(BASE, name="cue C 0.3", c_cues=0.3),
]


@dataclass
class Items:
    """One kind's TUNE items as the selection reads them."""

    states: np.ndarray  # (n, len(LAYERS) * 3 * hidden): per layer, mean | max | context
    features: list[dict[str, float]]
    labels: np.ndarray
    groups: list[str]
    held: np.ndarray  # True for a held-out item
    weak: list = field(default_factory=list)


@torch.inference_mode()
def read_items(
    tagger: Tagger, kind: str, data_root: str | None, report_documents: bool = True, every_item: bool = False
) -> Items:
    """``every_item``: every labelled TUNE item, all trainable, in the order the separate rhetoric models'
    training reads them (``slant.train.rhetoric.hand_items``)."""
    if every_item:
        train = [it for it in labelled_items(kind, "tune", data_root) if it.label not in (None, EXCLUDED)]
        held = []
    else:
        train, held = split_tune(kind, data_root, report_documents)
    items = train + held
    tagger.head_layers = list(LAYERS)
    candidates = item_candidates(kind, items)
    rows: dict[int, np.ndarray] = {}
    by_doc: dict[int, list[int]] = {}
    for i, it in enumerate(items):
        by_doc.setdefault(id(it.ctx), []).append(i)
    for members in by_doc.values():
        pred = tagger.predict_tokens([items[members[0]].ctx.text], with_hidden=True)[0]
        for i in members:
            ranges = token_ranges(pred.tokens.offsets, candidates[i])
            if ranges is None:
                continue
            rows[i] = pooled_row(pred.head_states, *ranges, len(LAYERS))
    keep = sorted(rows)
    if len(keep) < len(items):
        print(f"{kind}: {len(items) - len(keep)} items no token covers are left out", flush=True)
    weak = weak_quotes(data_root, SEED, inner_words=True) if kind == QUOTES else weak_assertions(data_root, SEED)
    return Items(
        np.stack([rows[i] for i in keep]),
        [candidates[i].features for i in keep],
        np.array([CLASSES[kind].index(items[i].label) for i in keep]),
        [hand_example(kind, items[i]).group for i in keep],
        np.array([i >= len(train) for i in keep]),
        weak,
    )


def pooled_row(states: torch.Tensor, item: tuple[int, int], context: tuple[int, int], n_layers: int) -> np.ndarray:
    """One item's row of ``Items.states`` from token states ``states`` (n_tokens, n_layers * hidden, the layers
    side by side): per layer, the item mean, item max and context mean, each ``hidden`` wide (``columns``)."""
    (a, b), (c, d) = item, context
    pools = torch.stack([states[a:b].mean(0), states[a:b].max(0).values, states[c:d].mean(0)])  # (3, width)
    return pools.reshape(len(POOL_NAMES), n_layers, -1).transpose(0, 1).reshape(-1).numpy()


def columns(v: Variant, hidden: int) -> np.ndarray:
    """The state columns a variant reads: per layer (LAYERS order), per pool, ``hidden`` wide."""
    out = []
    for layer in v.layers:
        for pool in v.pools:
            start = (LAYERS.index(layer) * len(POOL_NAMES) + POOL_NAMES.index(pool)) * hidden
            out.append(np.arange(start, start + hidden))
    return np.concatenate(out)


def fit_predict(kind: str, v: Variant, items: Items, fit_rows: np.ndarray, test_rows: np.ndarray, cols) -> np.ndarray:
    """The variant's positive-class probability of ``test_rows`` from readers fitted on ``fit_rows``."""
    n, pos = len(CLASSES[kind]), CLASSES[kind].index(POSITIVE[kind])
    y = items.labels[fit_rows]
    weights = balance(y, np.ones(len(y))) if v.balanced else None
    states = fit_reader(items.states[fit_rows][:, cols], y, n, v.c_states, weights, standardise=True)
    p_states = states.probabilities(items.states[test_rows][:, cols])[:, pos]
    return v.state_weight * p_states + (1 - v.state_weight) * cue_probability(kind, v, items, fit_rows, test_rows)


def cue_probability(kind: str, v: Variant, items: Items, fit_rows: np.ndarray, test_rows: np.ndarray) -> np.ndarray:
    """The variant's cue reader, fitted on ``fit_rows`` and the weak labels outside ``test_rows``' documents:
    its positive-class probability of ``test_rows``."""
    n, pos = len(CLASSES[kind]), CLASSES[kind].index(POSITIVE[kind])
    y = items.labels[fit_rows]
    drop = DROPPED_FEATURES.get(kind)
    left_out = {weak_group(items.groups[i]) for i in test_rows}
    weak = [w for w in items.weak if w.group not in left_out] if v.weak_weight > 0 else []
    dicts = [items.features[i] for i in fit_rows] + [w.features for w in weak]
    counts = Counter(k for d in dicts for k in d if not (drop and k.startswith(drop)))
    spec = HeadSpec(kind, sorted(k for k, c in counts.items() if c >= 5))

    def dense(ds: list[dict[str, float]]) -> np.ndarray:
        return np.stack([spec.feature_vector(d) for d in ds]).astype(float)

    cue_y = np.concatenate([y, np.array([CLASSES[kind].index(w.label) for w in weak], dtype=int)])
    cue_w = np.concatenate([np.ones(len(y)), np.full(len(weak), v.weak_weight)])
    cues = fit_reader(dense(dicts), cue_y, n, v.c_cues, balance(cue_y, cue_w) if v.balanced else cue_w)
    return cues.probabilities(dense([items.features[i] for i in test_rows]))[:, pos]


def balance(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    totals = {c: w[y == c].sum() for c in set(y.tolist())}
    mean = sum(totals.values()) / len(totals)
    return w * np.array([mean / totals[c] for c in y.tolist()])


def score(kind: str, v: Variant, items: Items, hidden: int) -> dict[str, float]:
    cols = columns(v, hidden)
    train = np.flatnonzero(~items.held)
    held = np.flatnonzero(items.held)
    positive = items.labels == CLASSES[kind].index(POSITIVE[kind])
    f1s = []
    for seed in (SEED, SEED + 1):
        oof = np.zeros(len(train))
        splitter = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed)
        groups = [items.groups[i] for i in train]
        for a, b in splitter.split(train, items.labels[train], groups):
            oof[b] = fit_predict(kind, v, items, train[a], train[b], cols)
        f1s.append(best_threshold(oof, positive[train])[1])
    held_scores = fit_predict(kind, v, items, train, held, cols)
    return {
        "oof_f1": float(np.mean(f1s)),
        "held_ap": float(average_precision_score(positive[held], held_scores)),
        "held_best_f1": best_threshold(held_scores, positive[held])[1],
    }


def score_as_shipped(kind: str, v: Variant, items: Items, hidden: int) -> float:
    """Out-of-fold F1 on the folds and with the metric of the separate rhetoric models' training
    (``slant.train.rhetoric``: grouped, stratified by label name, seed SEED; best F1 after Platt scaling), so
    it stands beside the ``tune_out_of_fold_f1*`` figures recorded in their files."""
    positive = items.labels == CLASSES[kind].index(POSITIVE[kind])
    return calibrated_threshold(as_shipped_oof(kind, v, items, hidden), positive)[2]


def shipped_folds(kind: str, items: Items) -> list[tuple[np.ndarray, np.ndarray]]:
    """The separate rhetoric models' folds: grouped by document, stratified by label name, seed SEED."""
    rows = np.arange(len(items.labels))
    names = [CLASSES[kind][i] for i in items.labels]
    return list(StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=SEED).split(rows, names, items.groups))


def as_shipped_oof(kind: str, v: Variant, items: Items, hidden: int, keep_docs: float = 1.0, draw: int = 0):
    """Out-of-fold positive probabilities on the separate models' folds; ``keep_docs`` < 1 trains each fold on
    that share of its documents (drawn with seed ``draw``), for a learning curve."""
    cols = columns(v, hidden)
    groups = np.array(items.groups)
    rng = np.random.default_rng(draw)
    oof = np.zeros(len(items.labels))
    for a, b in shipped_folds(kind, items):
        if keep_docs < 1:
            docs = sorted(set(groups[a]))
            kept = set(rng.choice(docs, int(round(keep_docs * len(docs))), replace=False))
            a = np.array([i for i in a if groups[i] in kept])
        oof[b] = fit_predict(kind, v, items, a, b, cols)
    return oof


def learning_curve(kind: str, items: Items, hidden: int) -> None:
    """Whether more hand labels would help: out-of-fold F1 with each fold trained on part of its documents."""
    positive = items.labels == CLASSES[kind].index(POSITIVE[kind])
    for share in (0.4, 0.6, 0.8):
        f1s = [calibrated_threshold(as_shipped_oof(kind, BASE, items, hidden, share, d), positive)[2] for d in range(3)]
        print(f"  {share:.0%} of the training documents (3 draws)  out-of-fold F1 {np.mean(f1s):.4f}", flush=True)


def second_reader(
    kind: str, items: Items, hidden: int, tagger: Tagger, cross_oof_path: str, data_root: str | None = None
) -> None:
    """What a second reader of the least certain items would add: the separate cross-encoder's out-of-fold
    scores (written by ``python -m slant.train.rhetoric --only KIND --cache DIR``, same items, same folds) mixed
    with the head's for the share of items whose head score lies nearest its threshold, and what one re-read
    costs in word pieces against the item's own. The band is centred on the head's best threshold on these same
    scores, which if anything flatters the re-reader."""
    cross = np.load(cross_oof_path)
    if len(cross) != len(items.labels):
        raise SystemExit(f"{cross_oof_path} holds {len(cross)} scores for {len(items.labels)} items")
    positive = items.labels == CLASSES[kind].index(POSITIVE[kind])
    head = as_shipped_oof(kind, BASE, items, hidden)
    print(f"  cross-encoder alone {calibrated_threshold(cross, positive)[2]:.4f}", flush=True)
    threshold, _ = best_threshold(head, positive)
    order = np.argsort(np.abs(head - threshold))
    for share in (0.05, 0.1, 0.2, 0.3, 0.5, 1.0):
        band = np.zeros(len(head), dtype=bool)
        band[order[: int(round(share * len(head)))]] = True
        mixed = np.where(band, (head + cross) / 2, head)
        print(
            f"  head, and head + cross-encoder for the {share:4.0%} nearest its threshold: out-of-fold F1 "
            f"{calibrated_threshold(mixed, positive)[2]:.4f}",
            flush=True,
        )
    config = CrossConfig()
    tune = [it for it in labelled_items(kind, "tune", data_root) if it.label not in (None, EXCLUDED)]
    own = re_read = 0
    for it in tune:
        own += len(tagger.tokenizer(it.ctx.text[it.item.start : it.item.end], add_special_tokens=False)["input_ids"])
        window = item_window(it.ctx, it.item.start, it.item.end, config)
        pieces = tagger.tokenizer(window.text, add_special_tokens=False)["input_ids"]
        re_read += min(len(pieces), config.max_tokens)
    print(
        f"  one re-read costs {re_read / own:.1f}x the item's own word pieces (window of {config.max_tokens} at most)",
        flush=True,
    )


@dataclass
class Taught:
    """Sentences of unlabelled articles, read as ``classify()`` reads them, and a teacher's judgement of each."""

    states: np.ndarray  # (n, 2 * hidden): BASE's columns (layer -3: sentence mean | context mean)
    groups: list[str]  # independent unit of each sentence's document
    positive: np.ndarray  # the teacher's calibrated probability of the positive class
    other: np.ndarray  # class index of the teacher's likeliest class other than the positive one
    decided: np.ndarray  # class index of the teacher's decision (at its own threshold)


@torch.inference_mode()
def read_taught(tagger: Tagger, data_root: str | None, max_docs: int | None = None) -> Taught:
    """Every sentence (not clause) ``propose`` yields in ``unlabelled_documents``, pooled like a head's input,
    with the shipped separate assertion models (feature model and cross-encoder) as the teacher. The teacher was
    trained on every TUNE item, so out-of-fold figures of a reader it taught can only flatter that reader."""
    classifiers = load_classifiers()
    if classifiers is None:
        raise SystemExit("--distill needs the separate rhetoric models (model/rhetoric) as its teacher")
    teacher = classifiers.assertions
    classes = CLASSES[ASSERTIONS]
    pos = classes.index(POSITIVE[ASSERTIONS])
    tagger.head_layers = list(BASE.layers)
    states, groups, positive, other, decided = [], [], [], [], []
    for corpus, doc in unlabelled_documents(data_root)[:max_docs]:
        ctx = TextContext.build(doc.text)
        candidates = [c for c in propose(ctx) if c.kind == ASSERTIONS and not c.clause]
        if not candidates:
            continue
        pred = tagger.predict_tokens([doc.text], with_hidden=True)[0]
        read = [(c, r) for c in candidates if (r := token_ranges(pred.tokens.offsets, c)) is not None]
        cross = teacher.cross_scores([(ctx, c.start, c.end) for c, _ in read])
        for (c, ranges), x in zip(read, cross, strict=True):
            states.append(pool_candidate(pred.head_states, *ranges).numpy())
            d = teacher.decide(ctx, c.start, c.end, cross=x)
            probs = np.array([d.probabilities[name] for name in classes])
            probs[pos] = -1.0
            groups.append(independent_unit(corpus, doc.id))
            positive.append(d.score)
            other.append(int(probs.argmax()))
            decided.append(classes.index(d.label))
    return Taught(
        np.stack(states), groups, np.array(positive), np.array(other, dtype=int), np.array(decided, dtype=int)
    )


def distilled_oof(kind: str, items: Items, taught: Taught, hidden: int, weight: float, soft: bool = True):
    """Out-of-fold positive probabilities on the separate models' folds of BASE's readers, the state reader also
    fitted on the taught sentences outside the fold's test documents: each as two rows, the positive class at
    ``weight`` times the teacher's probability and its likeliest other class at ``weight`` times the rest
    (``soft``), or one row of the teacher's decision at ``weight``."""
    cols = columns(BASE, hidden)
    n, pos = len(CLASSES[kind]), CLASSES[kind].index(POSITIVE[kind])
    taught_groups = np.array(taught.groups)
    oof = np.zeros(len(items.labels))
    for a, b in shipped_folds(kind, items):
        keep = ~np.isin(taught_groups, list({items.groups[i] for i in b}))
        x, p, other, decided = taught.states[keep], taught.positive[keep], taught.other[keep], taught.decided[keep]
        if soft:
            xs = np.vstack([items.states[a][:, cols], x, x])
            ys = np.concatenate([items.labels[a], np.full(len(x), pos), other])
            ws = np.concatenate([np.ones(len(a)), weight * p, weight * (1 - p)])
        else:
            xs = np.vstack([items.states[a][:, cols], x])
            ys = np.concatenate([items.labels[a], decided])
            ws = np.concatenate([np.ones(len(a)), np.full(len(x), weight)])
        states = fit_reader(xs, ys, n, BASE.c_states, ws, standardise=True)
        p_states = states.probabilities(items.states[b][:, cols])[:, pos]
        oof[b] = BASE.state_weight * p_states + (1 - BASE.state_weight) * cue_probability(kind, BASE, items, a, b)
    return oof


def distillation(kind: str, items: Items, taught: Taught, hidden: int) -> None:
    positive = items.labels == CLASSES[kind].index(POSITIVE[kind])
    share = np.mean(taught.decided == CLASSES[kind].index(POSITIVE[kind]))
    print(f"  {len(taught.positive)} taught sentences, {share:.0%} judged positive by the teacher", flush=True)
    for soft in (True, False):
        for weight in (0.03, 0.1, 0.3, 1.0):
            oof = distilled_oof(kind, items, taught, hidden, weight, soft)
            print(
                f"  taught sentences at weight {weight:<4} ({'soft' if soft else 'hard'} labels)  out-of-fold F1 "
                f"{calibrated_threshold(oof, positive)[2]:.4f}",
                flush=True,
            )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--data-root", default=None)
    ap.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    ap.add_argument(
        "--report-documents",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="whether TUNE items from documents that hold REPORT items are trainable (as train.py's default)",
    )
    ap.add_argument("--learning-curve", action="store_true", help="with --as-shipped: F1 against training share")
    ap.add_argument(
        "--cross-oof",
        default=None,
        help="with --as-shipped --kinds assertions: the cross-encoder's out-of-fold scores (.npy) to mix in",
    )
    ap.add_argument(
        "--distill",
        action="store_true",
        help="with --as-shipped --kinds assertions: a state reader the separate models also teach on unlabelled news",
    )
    ap.add_argument(
        "--as-shipped",
        action="store_true",
        help="score every variant on every labelled TUNE item, with the separate rhetoric models' folds and metric",
    )
    args = ap.parse_args(argv)
    tagger = Tagger.load(args.model)
    hidden = tagger.network.token_head.in_features
    for kind in args.kinds:
        if args.as_shipped:
            items = read_items(tagger, kind, args.data_root, every_item=True)
            print(f"{kind}: {len(items.labels)} TUNE items, the separate rhetoric models' folds", flush=True)
            for v in VARIANTS:
                print(f"  {v.name:26s} out-of-fold F1 {score_as_shipped(kind, v, items, hidden):.4f}", flush=True)
            if args.learning_curve:
                learning_curve(kind, items, hidden)
            if args.cross_oof and kind != QUOTES:
                second_reader(kind, items, hidden, tagger, args.cross_oof, args.data_root)
            if args.distill and kind != QUOTES:
                distillation(kind, items, read_taught(tagger, args.data_root), hidden)
            continue
        items = read_items(tagger, kind, args.data_root, args.report_documents)
        print(f"{kind}: {int((~items.held).sum())} trainable, {int(items.held.sum())} held-out TUNE items")
        for v in VARIANTS:
            s = score(kind, v, items, hidden)
            print(
                f"  {v.name:26s} out-of-fold F1 {s['oof_f1']:.3f}   held-out AP {s['held_ap']:.3f}, "
                f"best F1 {s['held_best_f1']:.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
