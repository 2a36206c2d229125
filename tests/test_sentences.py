"""Tests for slant.text.sentences: boundaries, abbreviations and exact offsets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from slant.text.sentences import Segment, split_clauses, split_sentences


def texts(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text)]


def test_basic_split() -> None:
    assert texts("Russia moved. Kyiv answered! Did it? Yes.") == [
        "Russia moved.",
        "Kyiv answered!",
        "Did it?",
        "Yes.",
    ]


def test_abbreviations_and_initials() -> None:
    text = "Sen. John McCain and Mr. J. Smith met in Washington, D.C. on Jan. 5. The U.S. Army left."
    assert texts(text) == [
        "Sen. John McCain and Mr. J. Smith met in Washington, D.C. on Jan. 5.",
        "The U.S. Army left.",
    ]


def test_quotes_after_full_stop() -> None:
    text = 'He said, "It is over." Then he left. "Go," she said.'
    assert texts(text) == ['He said, "It is over."', "Then he left.", '"Go," she said.']


def test_lines_are_boundaries_and_whitespace_is_trimmed() -> None:
    text = "  Headline without stop\r\n\r\nFirst sentence.  Second one \n"
    assert texts(text) == ["Headline without stop", "First sentence.", "Second one"]


def test_no_split_before_lowercase() -> None:
    assert texts("It cost $5.5 million. e.g. this stays. ok") == ["It cost $5.5 million. e.g. this stays. ok"]


def test_clauses() -> None:
    text = "The plan failed; the minister, however, stayed \u2014 and it is clearly a disaster, but nobody cares."
    (sent,) = split_sentences(text)
    assert [text[c.start : c.end] for c in split_clauses(text, sent)] == [
        "The plan failed",
        "the minister, however, stayed",
        "and it is clearly a disaster",
        "but nobody cares.",
    ]


_pieces = st.one_of(
    st.text(max_size=4),
    st.sampled_from(
        ["Mr. ", "U.S. ", ". ", "? ", "! ", "\n", "\r\n", " ", '." ', "\u2026 ", "A", "b", "\ufeff", "\u0301"]
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_pieces, max_size=40).map("".join))
def test_offsets_property(text: str) -> None:
    segs = split_sentences(text)
    prev_end = 0
    for s in segs:
        assert isinstance(s, Segment)
        assert prev_end <= s.start < s.end <= len(text)
        piece = text[s.start : s.end]
        assert piece == piece.strip() and piece
        prev_end = s.end
        for c in split_clauses(text, s):
            assert s.start <= c.start < c.end <= s.end
            assert text[c.start : c.end] == text[c.start : c.end].strip()
    # Every non-space character belongs to exactly one sentence.
    covered = [False] * len(text)
    for s in segs:
        for i in range(s.start, s.end):
            covered[i] = True
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))
