"""Tests for slant.text.quotes.find_quotations: each quote style, the apostrophe and measurement traps, offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slant.text.quotes import OPEN_TO_CLOSE, Quotation, find_quotations


def spans(text: str) -> list[str]:
    return [text[q.start : q.end] for q in find_quotations(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He called it "a beacon of democracy" again.', ['"a beacon of democracy"']),
        ("the \u201cbeacon of democracy\u201d is", ["\u201cbeacon of democracy\u201d"]),
        ("so-called 'experts' said", ["'experts'"]),
        ("so-called \u2018experts\u2019 said", ["\u2018experts\u2019"]),
        ("la \u00abd\u00e9mocratie\u00bb et", ["\u00abd\u00e9mocratie\u00bb"]),
        ("une \u2039id\u00e9e\u203a ici", ["\u2039id\u00e9e\u203a"]),
        ("die \u201eDemokratie\u201c hier", ["\u201eDemokratie\u201c"]),
        ("a \u201ecytat\u201d tu", ["\u201ecytat\u201d"]),
        ('("proof")', ['"proof"']),
        ('imagery as "proof".', ['"proof"']),
        ("He said \u2014\u201cno\u201d\u2014 firmly", ["\u201cno\u201d"]),
    ],
)
def test_styles(text: str, expected: list[str]) -> None:
    assert spans(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "don't won't O'Brien rock'n'roll",
        "in the '90s and the \u201990s, since '99",
        "the students' union and the teachers' room",
        "the students\u2019 union and the teachers\u2019 room",
        "he is 5'11\" tall",
        "a 12\" pipe and a 6' fence",
        "rock 'n' roll",
        'an unbalanced " mark',
        "an unbalanced \u201cmark that never closes",
        'word"inside"word',
        'empty "" quotes',
    ],
)
def test_traps_give_nothing(text: str) -> None:
    assert find_quotations(text) == []


def test_apostrophes_inside_quotes() -> None:
    text = "She said 'don't go' and 'O'Brien's car' left"
    assert spans(text) == ["'don't go'", "'O'Brien's car'"]


def test_possessive_plural_inside_single_quote() -> None:
    text = "the \u2018students\u2019 union\u2019 vote"
    assert spans(text) == ["\u2018students\u2019 union\u2019"]


def test_doubled_apostrophes_are_one_double_quote() -> None:
    text = "''The sooner, the better,'' he said of the 'plan'."
    qs = find_quotations(text)
    assert [(text[q.start : q.end], q.open_mark, q.depth) for q in qs] == [
        ("''The sooner, the better,''", "''", 0),
        ("'plan'", "'", 0),
    ]
    assert text[qs[0].inner_start : qs[0].inner_end] == "The sooner, the better,"


def test_nesting_depth() -> None:
    text = "\u201cHe called it \u2018fake news\u2019 today,\u201d she said."
    qs = find_quotations(text)
    assert [(text[q.start : q.end], q.depth) for q in qs] == [
        ("\u201cHe called it \u2018fake news\u2019 today,\u201d", 0),
        ("\u2018fake news\u2019", 1),
    ]
    outer = qs[0]
    assert text[outer.inner_start : outer.inner_end] == "He called it \u2018fake news\u2019 today,"


def test_straight_single_inside_straight_double() -> None:
    text = "\"They say 'peace' means war,\" he wrote."
    assert spans(text) == ["\"They say 'peace' means war,\"", "'peace'"]


def test_quote_spanning_lines() -> None:
    text = 'He said "this is a long\nquotation that wraps" and left.'
    assert spans(text) == ['"this is a long\nquotation that wraps"']
    crlf = text.replace("\n", "\r\n")
    assert spans(crlf) == ['"this is a long\r\nquotation that wraps"']


def test_paragraph_convention_does_not_mispair() -> None:
    # An unclosed quotation at a paragraph's end, reopened on the next paragraph: the closed last paragraph is
    # found on its own and nothing pairs across the paragraphs.
    text = "\u201cWe will win.\n\u201cWe always win,\u201d he said. Then \u201cbye\u201d."
    assert spans(text) == ["\u201cWe always win,\u201d", "\u201cbye\u201d"]
    straight = '"We will win.\n\n"We always win," he said.'
    assert spans(straight) == ['"We always win,"']


def test_blank_line_stops_stray_quote() -> None:
    text = 'An unclosed "quote\n\nanother line," then more'
    assert spans(text) == []


def test_quoted_headline_fragment() -> None:
    text = 'Headline: "Peace" Talks Collapse\nBody text.'
    assert spans(text) == ['"Peace"']


def test_offsets_are_code_points_with_emoji_and_bom() -> None:
    text = "\ufeff\U0001f600 e\u0301 \u201cwo\u0301rd\u201d \U0001f600"
    (q,) = find_quotations(text)
    assert text[q.start] == "\u201c" and text[q.end - 1] == "\u201d"
    assert text[q.inner_start : q.inner_end] == "wo\u0301rd"


# ---- properties -------------------------------------------------------------------------------------

_MARKS = "\"'\u201c\u201d\u201e\u2018\u2019\u201a\u00ab\u00bb\u2039\u203a"
_text_chars = st.one_of(
    st.sampled_from(
        list(_MARKS) + [" ", "\n", "\r\n", "\r", "s", "5", ".", ",", "(", "\ufeff", "\u0301", "\U0001f600"]
    ),
    st.text(min_size=1, max_size=3),
    st.sampled_from(["don't", "O'Brien", "'90s", "students'", "5'11\"", '12" pipe', "word", "He said, "]),
)
quote_text = st.lists(_text_chars, max_size=40).map("".join)


def check_invariants(text: str, qs: list[Quotation]) -> None:
    for q in qs:
        assert 0 <= q.start < q.inner_start <= q.inner_end < q.end <= len(text)
        assert q.inner_start == q.start + len(q.open_mark) and q.inner_end == q.end - len(q.close_mark)
        assert text[q.start : q.inner_start] == q.open_mark and text[q.inner_end : q.end] == q.close_mark
        assert text[q.start] in OPEN_TO_CLOSE and text[q.end - 1] in OPEN_TO_CLOSE[text[q.start]]
        assert q.open_mark in OPEN_TO_CLOSE or q.open_mark == q.close_mark == "''"
        assert q.depth >= 0
    # Quotations nest or are disjoint, never cross.
    for a in qs:
        for b in qs:
            if a.start < b.start < a.end:
                assert b.end <= a.end


@settings(max_examples=300, deadline=None)
@given(quote_text)
def test_invariants_on_mark_heavy_text(text: str) -> None:
    check_invariants(text, find_quotations(text))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_invariants_on_arbitrary_unicode(text: str) -> None:
    check_invariants(text, find_quotations(text))


def _shifted(qs: list[Quotation], n: int) -> list[tuple[int, int, int, int, str, str]]:
    return [(q.start + n, q.end + n, q.inner_start + n, q.inner_end + n, q.open_mark, q.close_mark) for q in qs]


def _plain(qs: list[Quotation]) -> list[tuple[int, int, int, int, str, str]]:
    return _shifted(qs, 0)


@settings(max_examples=300, deadline=None)
@given(quote_text, quote_text)
def test_prefix_ending_in_newline_does_not_change_later_quotations(prefix: str, text: str) -> None:
    prefix += "\n"
    combined = find_quotations(prefix + text)
    # A quotation left open at the end of the prefix may legitimately close in ``text`` (quotes span
    # lines), so compare the quotations that start after the prefix: exactly the shifted ones of ``text``.
    after = [q for q in combined if q.start >= len(prefix)]
    assert _plain(after) == _shifted(find_quotations(text), len(prefix))


@settings(max_examples=300, deadline=None)
@given(quote_text, quote_text, st.sampled_from(["\n\n", ".\n", "\r\n\r\n", "\n \n"]))
def test_prefix_ending_in_paragraph_break_is_fully_invisible(prefix: str, text: str, brk: str) -> None:
    prefix += brk
    combined = find_quotations(prefix + text)
    alone = find_quotations(text)
    after = [q for q in combined if q.end > len(prefix)]
    assert _plain(after) == _shifted(alone, len(prefix))
    assert [q.depth for q in after] == [q.depth for q in alone]
