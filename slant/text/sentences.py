"""Sentence and clause splitting with exact offsets into the original string (nothing is normalised).

A small regex splitter is enough for news text and avoids a heavy dependency: a line break always ends a
sentence (news corpora put one paragraph or one sentence per line), and inside a line a sentence ends at
``.``, ``!``, ``?`` or ``…`` (plus any closing quotes or brackets) followed by white space and something that
can begin a sentence, unless the word before the full stop is a known abbreviation or an initial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Segment", "split_sentences", "split_clauses", "ABBREVIATIONS"]

# Lower-cased, without the final dot. Titles, political ranks, months, US states and common Latin forms: after
# these a full stop rarely ends a sentence in news text.
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "messrs",
        "mme",
        "mlle",
        "rev",
        "hon",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "maj",
        "cpl",
        "pvt",
        "gov",
        "sen",
        "rep",
        "pres",
        "supt",
        "insp",
        "det",
        "atty",
        "dist",
        "amb",
        "sec",
        "treas",
        "dept",
        "univ",
        "assn",
        "bros",
        "inc",
        "ltd",
        "co",
        "corp",
        "plc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thurs",
        "fri",
        "sat",
        "sun",
        "no",
        "nos",
        "vol",
        "vols",
        "p",
        "pp",
        "fig",
        "figs",
        "ed",
        "eds",
        "approx",
        "est",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "cf",
        "al",
        "ca",
        "viz",
        "ave",
        "blvd",
        "rd",
        "hwy",
        "ala",
        "ariz",
        "ark",
        "calif",
        "colo",
        "conn",
        "del",
        "fla",
        "ga",
        "ill",
        "ind",
        "kan",
        "kans",
        "ky",
        "la",
        "md",
        "mass",
        "mich",
        "minn",
        "miss",
        "mo",
        "mont",
        "neb",
        "nev",
        "okla",
        "ore",
        "pa",
        "penn",
        "tenn",
        "tex",
        "va",
        "vt",
        "wash",
        "wis",
        "wyo",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "d.c",
        "u.s.a",
    }
)

_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# Sentence-final punctuation, then closing quotes/brackets, then white space, then a plausible sentence start.
_BOUNDARY = re.compile(
    r"(?P<end>[.!?\u2026]+[\"'\u201d\u2019\u00bb\u203a)\]]*)"
    r"(?P<gap>\s+)"
    r"(?=[\"'\u201c\u2018\u00ab\u2039(\[]*[A-Z0-9\u00c0-\u024f\u0400-\u04ff])"
)
_WORD_BEFORE = re.compile(r"([\w.]+)\.$")
_CLAUSE = re.compile(r"\s*;\s*|\s+[\u2014\u2013]\s+|\s*\u2014\s*|,\s+(?=(?:but|while|whereas|although|though|yet)\b)")


@dataclass(frozen=True, slots=True)
class Segment:
    """``text[start:end]`` of the string that was split; never begins or ends with white space."""

    start: int
    end: int


def _trimmed(text: str, start: int, end: int) -> Segment | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Segment(start, end) if start < end else None


def _is_abbreviation(text: str, line_start: int, dot: int) -> bool:
    """Does the full stop at ``dot`` end an abbreviation or an initial rather than a sentence?"""
    m = _WORD_BEFORE.search(text, line_start, dot + 1)
    if not m:
        return False
    word = m.group(1)
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: J. Smith
    return word.lower().rstrip(".") in ABBREVIATIONS or (word.count(".") >= 1 and len(word) <= 5)


def _split_line(text: str, start: int, end: int) -> list[Segment]:
    out: list[Segment] = []
    cur = start
    for m in _BOUNDARY.finditer(text, start, end):
        end_group = m.group("end")
        if end_group == "." and _is_abbreviation(text, start, m.start("end")):
            continue
        seg = _trimmed(text, cur, m.end("end"))
        if seg:
            out.append(seg)
        cur = m.end("gap")
    seg = _trimmed(text, cur, end)
    if seg:
        out.append(seg)
    return out


def split_sentences(text: str) -> list[Segment]:
    """Sentences of ``text`` in order: offsets into ``text``, white space trimmed, blank lines skipped."""
    out: list[Segment] = []
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        out.extend(_split_line(text, pos, m.start()))
        pos = m.end()
    out.extend(_split_line(text, pos, len(text)))
    return out


def split_clauses(text: str, sentence: Segment | None = None) -> list[Segment]:
    """Clauses of one sentence (or of all of ``text``): split at semicolons, dashes and ", but/while/...".

    A contrastive clause ("..., but X is clearly Y") can carry an assertion of its own, so the assertion
    classifier looks at clauses as well as whole sentences.
    """
    seg = sentence or Segment(0, len(text))
    out: list[Segment] = []
    cur = seg.start
    for m in _CLAUSE.finditer(text, seg.start, seg.end):
        piece = _trimmed(text, cur, m.start())
        if piece:
            out.append(piece)
        cur = m.end()
    piece = _trimmed(text, cur, seg.end)
    if piece:
        out.append(piece)
    return out
