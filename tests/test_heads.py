"""The candidate heads: what the text layer proposes, how a head decides, and how its readers are fitted."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import require_data

from slant.model.heads import CLASSES, CandidateHead, HeadSpec, head_probabilities, pool_candidate, token_ranges
from slant.model.windows import TokenizedText
from slant.text.candidates import ASSERTIONS, KINDS, QUOTES, propose
from slant.text.context import TextContext
from slant.train.head_data import HeadExample, feature_vocabulary
from slant.train.heads import best_threshold, calibrated_threshold, fit_reader

TEXT = (
    "Officials deny it, but the army clearly shelled the village.\r\n"
    'Critics of the so-called "reform" say it will fail. The minister said: "We will not retreat."\n'
    "Copyright Example Media, 2024.\n"
)


def test_candidates_are_exact_ranges_of_the_text() -> None:
    ctx = TextContext.build(TEXT)
    candidates = propose(ctx)
    assert {c.kind for c in candidates} == {QUOTES, ASSERTIONS}
    for c in candidates:
        assert 0 <= c.context_start <= c.start < c.end <= c.context_end <= len(TEXT)
        assert c.features, "every candidate carries its cue features"
    quotes = [TEXT[c.start : c.end] for c in candidates if c.kind == QUOTES]
    assert '"reform"' in quotes and '"We will not retreat."' in quotes
    sentences = [c for c in candidates if c.kind == ASSERTIONS]
    assert not any("Copyright" in TEXT[c.start : c.end] for c in sentences), "site furniture is not proposed"
    clauses = [c for c in sentences if c.clause]
    assert clauses, "the contrastive sentence has clauses of its own"
    whole = {c.sentence for c in sentences if not c.clause}
    assert all(c.sentence in whole for c in clauses), "a clause names the sentence it belongs to"


def test_head_decides_by_calibrated_threshold_then_likeliest_other_class() -> None:
    spec = HeadSpec(QUOTES, ["a", "b"], threshold=0.4, calibration=(1.0, 0.0))
    assert spec.classes == list(CLASSES[QUOTES])
    probs = np.array([0.45, 0.2, 0.3, 0.05])
    assert spec.decide(probs) == ("scare", spec.calibrated(0.45))
    label, score = spec.decide(np.array([0.3, 0.2, 0.45, 0.05]))
    assert label == "title" and score < 0.4
    # Calibration moves the decision: a steeper Platt slope pushes 0.45 below the threshold.
    steep = HeadSpec.from_dict({**spec.to_dict(), "calibration": [3.0, -1.0]})
    assert steep.decide(probs)[0] == "title"
    assert HeadSpec.from_dict(spec.to_dict()).to_dict() == spec.to_dict()


def test_feature_vector_keeps_known_names_and_clips() -> None:
    spec = HeadSpec(ASSERTIONS, ["booster_any", "log_len"])
    vec = spec.feature_vector({"booster_any": 1.0, "log_len": 9.0, "unknown": 1.0})
    assert vec.tolist() == [1.0, 4.0]


def _tokens(text: str) -> TokenizedText:
    # One "token" per word: enough to check ranges without a tokenizer.
    import re

    spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    return TokenizedText(np.arange(len(spans), dtype=np.int64) + 100, np.array(spans, dtype=np.int64))


def test_reader_fit_folds_standardisation_into_its_weights() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(5.0, 3.0, size=(200, 6))
    y = (x[:, 0] > 5.0).astype(int) + 2 * (x[:, 1] > 6.0).astype(int)  # classes 0-3, all present
    reader = fit_reader(x, y, 4, c=1.0, standardise=True)
    probs = reader.probabilities(x)
    assert probs.shape == (200, 4) and np.allclose(probs.sum(axis=1), 1)
    assert (probs.argmax(axis=1) == y).mean() > 0.9, "a separable problem is learnt on the raw inputs"
    # A class no row has is never predicted, and the other rows are unchanged in shape.
    two = fit_reader(x[y < 2], y[y < 2], 4, c=1.0)
    assert two.probabilities(x)[:, 2:].max() < 1e-6


def test_head_is_the_mean_of_its_two_readers() -> None:
    head = CandidateHead(6, 3, 4).eval()
    pooled, feats = torch.randn(5, 6), torch.randn(5, 3)
    expected = (torch.softmax(head.states(pooled), -1) + torch.softmax(head.cues(feats), -1)) / 2
    assert torch.allclose(head(pooled, feats), expected)


def test_best_threshold_and_calibration() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.4, 0.3, 0.2])
    positive = np.array([True, True, False, True, False, False])
    threshold, f1 = best_threshold(scores, positive)
    assert 0.3 < threshold <= 0.4 and abs(f1 - 0.857) < 1e-3
    (a, b), t, f1c = calibrated_threshold(scores, positive)
    assert a > 0 and f1c == f1, "Platt scaling is monotone: the best F1 stays"


def test_vocabulary_drops_rare_and_quoted_word_features() -> None:
    ctx = TextContext.build(TEXT * 6)
    examples = [HeadExample(c, ctx.text, "direct", "d", True) for c in propose(ctx) if c.kind == QUOTES]
    vocab = feature_vocabulary(QUOTES, examples)
    assert vocab and not any(name.startswith("I=") for name in vocab)


def test_head_probabilities_from_token_states() -> None:
    torch.manual_seed(0)
    ctx = TextContext.build(TEXT)
    tokens = _tokens(TEXT)
    candidates = [c for c in propose(ctx) if c.kind == QUOTES]
    spec = HeadSpec(QUOTES, sorted({k for c in candidates for k in c.features}))
    head = CandidateHead(16, len(spec.features), 4).eval()
    hidden = torch.randn(len(tokens), 8)
    probs = head_probabilities(head, spec, hidden, tokens.offsets, candidates)
    assert len(probs) == len(candidates)
    for c, p in zip(candidates, probs, strict=True):
        assert p is not None and p.shape == (4,) and abs(float(p.sum()) - 1) < 1e-5
        item, context = token_ranges(tokens.offsets, c)
        assert pool_candidate(hidden, item, context).shape == (16,)


@pytest.mark.data
def test_heads_learn_from_report_documents_but_never_from_dev_documents(data_root) -> None:
    from slant.corpora.annotations import independent_unit
    from slant.corpora.items import labelled_items
    from slant.train.head_data import HELD_OUT_CORPORA, split_tune

    require_data(data_root / "basil")
    report_units = {
        independent_unit(it.item.corpus, it.item.doc_id) for k in KINDS for it in labelled_items(k, "report")
    }
    for kind in KINDS:
        train, held = split_tune(kind)
        assert train and held
        assert {it.item.part for it in train + held} == {"tune"}
        assert not {it.item.corpus for it in train} & set(HELD_OUT_CORPORA)
        assert {it.item.corpus for it in held} <= set(HELD_OUT_CORPORA)
        # The default trains on TUNE items from documents that also hold REPORT items, as the separate models did.
        assert any(independent_unit(it.item.corpus, it.item.doc_id) in report_units for it in train)
        strict_train, strict_held = split_tune(kind, report_documents=False)
        assert len(strict_train) + len(strict_held) == len(train) + len(held)
        assert not {independent_unit(it.item.corpus, it.item.doc_id) for it in strict_train} & report_units
        assert len(strict_train) < len(train)


def test_head_selection_scores_variants_out_of_fold_on_the_shipped_folds() -> None:
    from slant.train.head_selection import BASE, Items, as_shipped_oof, score_as_shipped

    rng = np.random.default_rng(0)
    n, hidden = 200, 4
    labels = rng.integers(0, len(CLASSES[ASSERTIONS]), n)
    states = rng.normal(size=(n, 6 * 3 * hidden))
    states[:, 2 * 3 * hidden] += 3.0 * (labels == 0)  # layer -3's item mean carries the positive class
    features = [{"bias_assertion": 1.0, "booster_any": float(y == 0 and i % 2 == 0)} for i, y in enumerate(labels)]
    items = Items(states, features, labels, [f"doc/{i // 4}" for i in range(n)], np.zeros(n, dtype=bool))
    oof = as_shipped_oof(ASSERTIONS, BASE, items, hidden)
    assert oof.shape == (n,) and ((oof >= 0) & (oof <= 1)).all()
    assert score_as_shipped(ASSERTIONS, BASE, items, hidden) > 0.8  # the signal is found out of fold
    fewer = as_shipped_oof(ASSERTIONS, BASE, items, hidden, keep_docs=0.5, draw=1)
    assert not np.allclose(fewer, oof)  # half the documents: other readers


def _planted_items(n: int, hidden: int, shift: float, seed: int = 0):
    """Items whose layer -3 item mean carries the positive class by ``shift`` (the head_selection layout)."""
    from slant.train.head_selection import Items

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, len(CLASSES[ASSERTIONS]), n)
    states = rng.normal(size=(n, 6 * 3 * hidden))
    states[:, 2 * 3 * hidden] += shift * (labels == 0)
    features = [{"bias_assertion": 1.0} for _ in range(n)]
    return Items(states, features, labels, [f"doc/{i // 4}" for i in range(n)], np.zeros(n, dtype=bool))


def test_a_teacher_on_unlabelled_sentences_teaches_the_state_reader() -> None:
    from slant.train.head_selection import BASE, Taught, as_shipped_oof, columns, distilled_oof

    hidden = 4
    items = _planted_items(200, hidden, shift=0.7)
    positive = items.labels == 0
    rng = np.random.default_rng(1)
    m = 3000
    truth = rng.random(m) < 0.3
    states = rng.normal(size=(m, 2 * hidden))
    states[:, 0] += 0.7 * truth  # the same signal, in the columns BASE reads
    other = np.full(m, 3)
    taught = Taught(states, [f"news/{i}" for i in range(m)], np.where(truth, 0.9, 0.1), other, np.where(truth, 0, 3))
    alone = calibrated_threshold(as_shipped_oof(ASSERTIONS, BASE, items, hidden), positive)[2]
    for soft in (True, False):
        taught_oof = distilled_oof(ASSERTIONS, items, taught, hidden, 1.0, soft)
        assert taught_oof.shape == (200,) and ((taught_oof >= 0) & (taught_oof <= 1)).all()
        assert calibrated_threshold(taught_oof, positive)[2] > alone + 0.02  # a good teacher helps

    # Taught rows from a fold's test documents never train that fold: copies of the items themselves, with
    # their own labels, would otherwise give a near-perfect out-of-fold score.
    noise = _planted_items(200, hidden, shift=0.0, seed=2)
    cols = columns(BASE, hidden)
    copies = Taught(
        noise.states[:, cols], list(noise.groups), (noise.labels == 0).astype(float), np.full(200, 3), noise.labels
    )
    leaked = distilled_oof(ASSERTIONS, noise, copies, hidden, 1.0, soft=False)
    assert calibrated_threshold(leaked, noise.labels == 0)[2] < 0.6


@pytest.mark.data
def test_unlabelled_articles_leave_out_report_dev_and_threshold_documents(data_root) -> None:
    from slant.corpora.annotations import independent_unit
    from slant.corpora.ptc import read_ptc2020
    from slant.corpora.split import HELD_OUT_FRACTION, HELD_OUT_SEED, split_documents
    from slant.train.head_data import report_units, unlabelled_documents

    require_data(data_root / "polnear")
    docs = unlabelled_documents()
    assert {corpus for corpus, _ in docs} == {"ptc2020-train", "polnear-train"}  # never a dev split
    assert not {independent_unit(corpus, d.id) for corpus, d in docs} & report_units()
    _, held_out = split_documents(read_ptc2020("train"), HELD_OUT_FRACTION, HELD_OUT_SEED)
    ptc_ids = {d.id for corpus, d in docs if corpus == "ptc2020-train"}
    assert ptc_ids and not ptc_ids & {d.id for d in held_out}


def test_head_selection_reads_each_layer_and_pool_where_the_heads_read_them() -> None:
    from slant.train.head_selection import BASE, LAYERS, columns, pooled_row

    hidden, n_tokens = 4, 9
    states = torch.randn(n_tokens, len(LAYERS) * hidden)
    item, context = (2, 5), (0, 8)
    row = pooled_row(states, item, context, len(LAYERS))
    assert row.shape == (len(LAYERS) * 3 * hidden,)
    # BASE reads layer -3's item mean and context mean: what the shipped head pools (pool_candidate) of that layer.
    block = LAYERS.index(-3)
    layer = states[:, block * hidden : (block + 1) * hidden]
    assert np.allclose(row[columns(BASE, hidden)], pool_candidate(layer, item, context).numpy(), atol=1e-6)
