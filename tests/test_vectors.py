"""The tagger's pooled span vectors and the rhetoric vector models that read them."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
import torch

from slant.model.pooling import SpanPooler
from slant.model.rhetoric import load_classifiers, rhetoric_spans
from slant.model.rhetoric.vectors import VectorModel, candidate_spans, span_vectors
from slant.pipeline.tagger import Tagger, default_tagger
from slant.resolve import shipped_dir
from slant.text.context import TextContext

DEFAULT_MODEL_DIR = shipped_dir("model")
PARAGRAPH = (
    'Officials presented rather unclear satellite images as "proof" of the build-up. The sanctions have clearly '
    'failed; "We will not retreat," he told reporters. Critics of the so-called "reform" say pensions may fall.\n'
)


def test_pooler_is_the_mean_of_window_averaged_hidden_states() -> None:
    """Pooling while the windows are scored gives what pooling every token's kept hidden state gives, for spans
    inside one window, across window boundaries, empty, and the whole text."""
    tagger = default_tagger()
    text = PARAGRAPH * 12  # about 600 word pieces: several overlapping windows
    spans = [(0, 60), (700, 2000), (len(text) - 90, len(text)), (5, 5), (0, len(text))]
    pred = tagger.predict_tokens([text], with_hidden=True, pool_spans=[spans])[0]
    assert len(pred.tokens) > tagger.config.max_tokens
    assert pred.span_vectors is not None and len(pred.span_vectors) == len(spans)
    for (start, end), vector in zip(spans, pred.span_vectors, strict=True):
        inside = (pred.tokens.offsets[:, 0] < end) & (pred.tokens.offsets[:, 1] > start)
        if not inside.any():
            assert vector is None
            continue
        mean = pred.hidden[torch.from_numpy(inside)].mean(0).numpy()
        np.testing.assert_allclose(vector, mean / np.linalg.norm(mean), atol=1e-5)


def test_pooler_adds_nothing_outside_its_spans() -> None:
    offsets = np.array([[0, 3], [4, 8], [9, 12]])
    pooler = SpanPooler(offsets, np.ones(3, dtype=np.float32), [(4, 8)], hidden=2)
    pooler.add(0, 1, np.array([[5.0, 5.0]], dtype=np.float32))  # token 0 only: not in the span
    pooler.add(1, 3, np.array([[3.0, 4.0], [9.0, 9.0]], dtype=np.float32))
    np.testing.assert_allclose(pooler.vectors()[0], [0.6, 0.8])


def test_predict_tokens_checks_pool_spans_length() -> None:
    with pytest.raises(ValueError, match="pool_spans has 1 lists for 2 texts"):
        default_tagger().predict_tokens(["a b", "c d"], pool_spans=[[(0, 1)]])


def test_classify_and_rhetoric_spans_agree() -> None:
    """classify() pools the vectors in its own forward pass; rhetoric_spans() runs the tagger itself: same spans."""
    tagger = default_tagger()
    found = 0
    # The sneer keeps the lists from being empty (see test_rhetoric.py's known miss on PARAGRAPH's own quotes).
    sneer = 'The so-called "experts" on the panel had never visited the region. '
    for text in (sneer + PARAGRAPH, (sneer + PARAGRAPH) * 3):  # one window, and several overlapping ones
        from_classify = [s for s in tagger.classify(text) if s.label in ("scare_quote", "unhedged_assertion")]
        assert from_classify == rhetoric_spans(text, default_tagger())
        found += len(from_classify)
    assert found  # not only two empty lists


def test_shipped_vector_models_belong_to_the_shipped_tagger() -> None:
    classifiers = load_classifiers(DEFAULT_MODEL_DIR / "rhetoric")
    assert classifiers is not None
    for classifier in (classifiers.quotes, classifiers.assertions):
        assert classifier.vector_model is not None, "model/rhetoric/*.vectors.json must ship with slant"
        assert classifier.vector_model.tagger_id == Tagger.load().tagger_id
    assert classifiers.wants_vectors(default_tagger())


def test_vectors_of_another_tagger_are_not_mixed_in() -> None:
    """A vector model trained on one tagger ignores another's vectors: the feature model decides alone."""
    classifiers = load_classifiers(DEFAULT_MODEL_DIR / "rhetoric")
    assert classifiers is not None and classifiers.quotes.vector_model is not None
    ctx = TextContext.build(PARAGRAPH)
    vectors = span_vectors(default_tagger(), [ctx])[0]
    foreign = dataclasses.replace(vectors, tagger_id="0" * 16)
    stranger = dataclasses.replace(
        classifiers.quotes, vector_model=dataclasses.replace(classifiers.quotes.vector_model, tagger_id="f" * 16)
    )
    for q in ctx.quotations:
        alone = classifiers.quotes.decide(ctx, q)
        assert classifiers.quotes.decide(ctx, q, foreign) == alone
        assert stranger.decide(ctx, q, vectors) == alone
    mixed = [classifiers.quotes.decide(ctx, q, vectors).score for q in ctx.quotations]
    assert mixed != [classifiers.quotes.decide(ctx, q).score for q in ctx.quotations]


def test_a_foreign_tagger_warns(tmp_path) -> None:
    classifiers = load_classifiers(DEFAULT_MODEL_DIR / "rhetoric")
    assert classifiers is not None
    tagger = default_tagger()
    other = Tagger(tagger.config, tagger.network, tagger.tokenizer, model_dir=tmp_path)
    (tmp_path / "weights.safetensors").write_bytes(b"not the shipped weights")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert not classifiers.wants_vectors(other)
    assert any("feature and cross-encoder models" in str(w.message) for w in caught)


def test_candidate_spans_cover_what_the_classifiers_read() -> None:
    ctx = TextContext.build(PARAGRAPH)
    spans = set(candidate_spans(ctx))
    for q in ctx.quotations:
        assert (q.inner_start, q.inner_end) in spans
        assert ctx.sentence_span(q.start, q.end) in spans
    assert all((s.start, s.end) in spans for s in ctx.sentences)


def test_only_the_spans_a_classifier_reads_are_pooled() -> None:
    # The shipped assertion classifier's second opinion is its cross-encoder, not the tagger's vectors: pooling
    # every sentence and clause for it would be work on every classify() that nothing reads.
    classifiers = load_classifiers(DEFAULT_MODEL_DIR / "rhetoric")
    assert classifiers is not None
    assert classifiers.quotes.reads_vectors and not classifiers.assertions.reads_vectors
    ctx = TextContext.build(PARAGRAPH)
    pooled = set(classifiers.vector_spans(ctx))
    assert pooled == set(candidate_spans(ctx, assertions=False))
    assert pooled < set(candidate_spans(ctx))
    # Without the cross-encoder the assertion vector model decides, and its spans are pooled again.
    vector_only = dataclasses.replace(
        classifiers, assertions=dataclasses.replace(classifiers.assertions, cross_model=None)
    )
    assert vector_only.assertions.reads_vectors
    assert set(vector_only.vector_spans(ctx)) == set(candidate_spans(ctx))


def test_vector_model_round_trips(tmp_path) -> None:
    model = VectorModel(np.array([0.5, -1.0], dtype=np.float32), 0.25, "abc", 0.4, (1.2, -0.1), {"kind": "quotes"})
    model.save(tmp_path / "m.json")
    loaded = VectorModel.load(tmp_path / "m.json")
    np.testing.assert_allclose(loaded.weights, model.weights)
    assert (loaded.bias, loaded.tagger_id, loaded.threshold, loaded.calibration) == (0.25, "abc", 0.4, (1.2, -0.1))
    vector = np.array([1.0, 0.5], dtype=np.float32)
    assert loaded.mixed_score(0.7, vector) == pytest.approx(model.mixed_score(0.7, vector))
    (tmp_path / "bad.json").write_text('{"format": "other"}')
    with pytest.raises(ValueError, match="not a slant-rhetoric-vectors/1 model file"):
        VectorModel.load(tmp_path / "bad.json")
