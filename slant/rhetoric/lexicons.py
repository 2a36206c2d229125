"""Cue word lists shipped with slant (data/lexicons/*.txt) and a matcher that finds them with exact offsets.

The lists are slant's own, written by hand: the public hedge/booster lexicons in ../shared/datasets either
state no licence or are research-only, so they are used at training time only (see weak_labels.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from slant.config import DATA_DIR

LEXICON_DIR = DATA_DIR / "lexicons"
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


@dataclass(frozen=True)
class CueMatcher:
    """Finds booster, hedge and attribution cues; built once (see :func:`cue_matcher`), then read-only."""

    entries: dict[str, tuple[str, ...]]
    patterns: dict[str, re.Pattern[str]]

    @classmethod
    def from_dir(cls, folder: Path = LEXICON_DIR) -> CueMatcher:
        entries = {kind: read_lexicon(folder / name) for kind, name in _FILES.items()}
        return cls(entries, {kind: _pattern(e) for kind, e in entries.items()})

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Cue]:
        """Cues inside ``text[start:end]`` (document offsets), sorted by position.

        Where a hedge and another cue overlap ("I believe" vs "believes"), the longer match wins, so the
        first-person opinion marker is a hedge and not an attribution.
        """
        end = len(text) if end is None else end
        found = []
        for kind, pattern in self.patterns.items():
            for m in pattern.finditer(text, start, end):
                entry = " ".join(m.group().lower().replace("\u2019", "'").split())
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
