"""Cue word lists shipped with slant (data/lexicons/*.txt) and a matcher that finds them with exact offsets.

The lists are slant's own, written by hand: the public hedge/booster lexicons in ../shared/datasets either
state no licence or are research-only, so they are used at training time only (see slant/train/weak_labels.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from slant.resolve import data_path

LEXICON_DIR = data_path("lexicons")
CUE_KINDS = ("booster", "hedge", "attribution", "evaluative")
_FILES = {
    "booster": "boosters.txt",
    "hedge": "hedges.txt",
    "attribution": "attribution.txt",
    "evaluative": "evaluative.txt",  # features only: judging words that make a claim contestable
}


@dataclass(frozen=True, slots=True)
class Cue:
    """``text[start:end]`` is a cue of ``kind``; ``entry`` is the lexicon line it matched (lower case)."""

    start: int
    end: int
    kind: str
    entry: str


def read_lexicon(path: Path) -> tuple[str, ...]:
    """Entries of one list: lower-cased, comments and blank lines dropped, order kept, duplicates removed."""
    seen: dict[str, None] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            entry = line.strip().lower()
            if entry and not entry.startswith("#"):
                seen.setdefault(entry, None)
    return tuple(seen)


def _pattern(entries: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation, longest entries first so "could be" wins over "could" and "proof that" over "proof"."""
    parts = []
    for entry in sorted(entries, key=lambda e: (-len(e), e)):
        # Any run of white space between words, and either apostrophe (news text mixes ' and ’).
        words = [re.escape(w).replace("'", "['\u2019]") for w in entry.split()]
        parts.append(r"\s+".join(words))
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


# ---- context guards: a lexicon word that is not a cue in this use (checked on the words around the match)

# Attribution entries that are also plural nouns. As verbs they hand a claim to a source ("the ministry claims
# that ...", "Politico reports that ..."); as nouns they are what the author talks about ("claims about X are
# nothing more than propaganda", "unconfirmed reports", "the reports"), and no source says anything.
NOUN_HOMOGRAPHS = frozenset(["claims", "reports", "notes"])


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NOUN_LEFT = _wordset(
    "the a an these those such this their his her its our your my any some many all no several numerous "
    "most more other similar recent earlier previous new latest further initial conflicting multiple false "
    "unconfirmed unverified unsubstantiated baseless media news press intelligence occasional widespread "
    "of about with by from on in into to at for against despite amid following after over like"
)
# A plural noun is followed by a preposition or by its own (plural) verb; a reporting verb is not.
_NOUN_RIGHT = _wordset(
    "about of on regarding concerning over from by in against are were have had remain suggest suggested "
    "indicate indicated show showed say said claim claimed confirm confirmed emerged surfaced resurfaced "
    "circulated circulating appear appeared seem seemed"
)
_ADJ_SUFFIXES = ("ed", "ing", "ous", "ive", "ful", "less", "ian", "ean", "ese", "ish")
_QUOTE_CLOSE = "\"'\u201d\u2019\u00bb"
_PREV_TOKEN = re.compile(r"([^\W_][\w'\u2019-]*|[^\w\s])\s*$")
_NEXT_WORD = re.compile(r"^\s*([^\W_][\w'\u2019-]*)")
# Hedge entries used for what can be done rather than what may be true: "made it possible", "as soon as
# possible", "where possible", "every possible step" are not epistemic.
_ENABLING_POSSIBLE = re.compile(
    r"(?:\b(?:make|makes|made|making)\s+(?:[\w'\u2019-]+\s+){0,3}"
    r"|\bas\s+[\w-]+\s+as\s+|\b(?:where|wherever|whenever|when|if|every|all|everything|best|only)\s+)$",
    re.IGNORECASE,
)


def is_noun_use(text: str, start: int, end: int) -> bool:
    """Is the homograph at ``text[start:end]`` a noun ("the claims", "claims about", "reports indicate")?"""
    left = text[max(0, start - 60) : start]
    nxt = _NEXT_WORD.match(text, end, min(len(text), end + 40))
    if nxt and nxt.group(1).lower() in _NOUN_RIGHT:
        return True
    prev = _PREV_TOKEN.search(left)
    if prev is None:
        return True  # first word of the text or line: no subject before it
    token = prev.group(1)
    if token[:1] in _QUOTE_CLOSE:
        return False  # '"...," claims Zelensky': inverted reporting clause
    if not token[:1].isalnum():
        return True  # after a comma, bracket or colon: no subject ("However, claims about ...")
    word = token.lower()
    return word in _NOUN_LEFT or word.endswith(("'s", "\u2019s")) or word.endswith(_ADJ_SUFFIXES)


def is_cue_use(text: str, start: int, end: int, kind: str, entry: str) -> bool:
    """False where a lexicon match is not used as a cue of its kind (see the guards above)."""
    if kind == "attribution" and entry in NOUN_HOMOGRAPHS:
        return not is_noun_use(text, start, end)
    if kind == "hedge" and entry == "possible":
        return not _ENABLING_POSSIBLE.search(text, max(0, start - 50), start)
    return True


@dataclass(frozen=True)
class CueMatcher:
    """Finds booster, hedge and attribution cues; built once (see :func:`cue_matcher`), then read-only."""

    entries: dict[str, tuple[str, ...]]
    patterns: dict[str, re.Pattern[str]]

    @classmethod
    def from_dir(cls, folder: Path = LEXICON_DIR) -> CueMatcher:
        entries = {kind: read_lexicon(folder / name) for kind, name in _FILES.items()}
        return cls(entries, {kind: _pattern(e) for kind, e in entries.items()})

    def search(self, kind: str, text: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
        """The first cue of ``kind`` in ``text[start:end]`` (document offsets) that is used as a cue, or None."""
        end = len(text) if end is None else end
        for m in self.patterns[kind].finditer(text, start, end):
            entry = " ".join(m.group().lower().replace("\u2019", "'").split())
            if is_cue_use(text, m.start(), m.end(), kind, entry):
                return m
        return None

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Cue]:
        """Cues inside ``text[start:end]`` (document offsets), sorted by position.

        Where a hedge and another cue overlap ("I believe" vs "believes"), the longer match wins, so the
        first-person opinion marker is a hedge and not an attribution. Matches that are not used as cues
        (a noun "claims", an enabling "made it possible": :func:`is_cue_use`) are dropped first.
        """
        end = len(text) if end is None else end
        found = []
        for kind, pattern in self.patterns.items():
            for m in pattern.finditer(text, start, end):
                entry = " ".join(m.group().lower().replace("\u2019", "'").split())
                if is_cue_use(text, m.start(), m.end(), kind, entry):
                    found.append(Cue(m.start(), m.end(), kind, entry))
        found.sort(key=lambda c: (c.start, -(c.end - c.start)))
        kept: list[Cue] = []
        for cue in found:
            if kept and cue.start < kept[-1].end:
                continue  # overlaps a longer (or earlier) cue
            kept.append(cue)
        return kept


@cache
def cue_matcher() -> CueMatcher:
    """The shipped lists, loaded once per process (cached; the matcher is immutable, so threads can share it)."""
    return CueMatcher.from_dir()
