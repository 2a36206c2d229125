"""Offsets stay exact through every step between the input string and a reported Span."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slant.model.windows import char_span_to_tokens, make_windows, token_char_labels, tokenize, tokenize_batch
from slant.pipeline.decoding import decode_runs, has_content_word, snap_to_words
from slant.spans import Span

# Arbitrary Unicode plus the characters that break naive offset code: emoji (outside the BMP), combining marks,
# CRLF, a BOM, zero-width spaces, tabs, quotes.
TRICKY = st.sampled_from(["\ufeff", "\r\n", "\n", "\u200b", "e\u0301", "🙂", "👩‍👩‍👧", "\t", "“", "”", "'", " "])
TEXTS = st.lists(st.one_of(st.text(min_size=1, max_size=12), TRICKY), max_size=30).map("".join)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from slant.model.encoder import verified_model_dir

    return AutoTokenizer.from_pretrained(verified_model_dir())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_token_offsets_point_into_the_exact_text(tokenizer, text):
    tokens = tokenize(tokenizer, text)
    assert len(tokens.input_ids) == len(tokens.offsets)
    for start, end in tokens.offsets:
        assert 0 <= start < end <= len(text)
    # Word pieces come in text order, so decoded runs are well-formed.
    assert all(np.diff(tokens.offsets[:, 0]) >= 0)
    assert [t.offsets.tolist() for t in tokenize_batch(tokenizer, [text, "x"])][0] == tokens.offsets.tolist()


@given(n=st.integers(0, 3000), max_tokens=st.integers(1, 300), data=st.data())
def test_windows_cover_every_token_within_the_limit(n, max_tokens, data):
    stride = data.draw(st.integers(1, max_tokens))
    windows = make_windows(n, 0, max_tokens, stride)
    covered = np.zeros(n, dtype=bool)
    for w in windows:
        assert 0 <= w.token_start < w.token_end <= n or n == 0
        assert w.token_end - w.token_start <= max_tokens
        covered[w.token_start : w.token_end] = True
    assert covered.all()


def test_windows_reject_bad_settings():
    with pytest.raises(ValueError, match="stride"):
        make_windows(10, 0, 5, 6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS, data=st.data())
def test_decoded_spans_are_exact_and_snapped(tokenizer, text, data):
    tokens = tokenize(tokenizer, text)
    if len(tokens) == 0:
        return
    probs = np.asarray(data.draw(st.lists(st.floats(0, 1), min_size=len(tokens), max_size=len(tokens))))
    gap = data.draw(st.integers(0, 2))
    for run in decode_runs(text, tokens.offsets, probs, 0.5, max_gap=gap):
        span = Span.from_text(text, run.start, run.end, "loaded_language", run.score)
        assert span.text == text[span.start : span.end]
        assert 0 <= span.start < span.end <= len(text)
        # Never starts or ends inside a word.
        assert not (span.start > 0 and text[span.start - 1].isalnum() and text[span.start].isalnum())
        assert not (span.end < len(text) and text[span.end].isalnum() and text[span.end - 1].isalnum())


def test_snap_grows_a_word_piece_to_its_word():
    text = "the Kiev regime said"
    assert snap_to_words(text, 6, 12) == (4, 15)  # "ev reg" -> "Kiev regime"


def test_snap_keeps_hyphenated_compounds_and_possessives_whole():
    text = "the Neo-Nazi junta's - claims"
    assert snap_to_words(text, 4, 7) == (4, 12)  # "Neo" -> "Neo-Nazi"
    assert snap_to_words(text, 4, 8) == (4, 12)  # "Neo-" -> "Neo-Nazi"
    assert snap_to_words(text, 13, 18) == (13, 20)  # "junta" -> "junta's"
    assert snap_to_words(text, 21, 22) == (21, 22)  # a free-standing dash joins nothing
    assert snap_to_words(text, 23, 29) == (23, 29)


def test_decode_bridges_small_gaps_only_when_asked():
    text = "a b c d e"
    offsets = np.array([[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]])
    probs = np.array([0.9, 0.9, 0.1, 0.9, 0.1])
    assert [(r.start, r.end) for r in decode_runs(text, offsets, probs, 0.5)] == [(0, 3), (6, 7)]
    assert [(r.start, r.end) for r in decode_runs(text, offsets, probs, 0.5, max_gap=1)] == [(0, 7)]


def test_token_labels_and_char_to_token_mapping():
    offsets = np.array([[0, 3], [4, 8], [9, 15]])
    targets = token_char_labels(offsets, [(4, 15, 1)], 2)
    assert targets[:, 1].tolist() == [0, 1, 1] and targets[:, 0].sum() == 0
    assert char_span_to_tokens(offsets, 5, 10) == (1, 3)
    assert char_span_to_tokens(offsets, 3, 4) is None


@given(text=TEXTS, data=st.data())
def test_span_text_always_equals_the_slice(text, data):
    if not text:
        return
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    span = Span.from_text(text, start, end, "scare_quote", 0.5)
    assert span.text == text[start:end]
    assert span.to_dict()["text"] == text[start:end]


def test_span_rejects_bad_values():
    with pytest.raises(ValueError, match="start < end"):
        Span(3, 3, "x", 0.5, "")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Span.from_text("abc", 0, 1, "x", 1.5)
    with pytest.raises(ValueError, match="past the end"):
        Span.from_text("abc", 0, 9, "x", 0.5)


@pytest.mark.parametrize(
    ("text", "content"),
    [
        ('the "', False),
        ("it is", False),
        ("*", False),
        ("Kiev regime", True),
        ("the mainstream", True),
        ("very", True),  # evaluative on its own: can be the exaggeration
        ("100%", True),
    ],
)
def test_function_word_fragments_are_not_findings(text: str, content: bool) -> None:
    assert has_content_word(text) is content
