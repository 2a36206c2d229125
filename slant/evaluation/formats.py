"""Read and write the SemEval-2020 Task 11 label formats (TAB-separated, no header).

* SI: ``article_id<TAB>start<TAB>end``
* TC / FLC: ``article_id<TAB>technique<TAB>start<TAB>end``

Offsets are Python code-point offsets, start inclusive, end exclusive. Technique names contain commas
(``Name_Calling,Labeling``), so rows are split on TAB only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from slant.corpora.base import CorpusFormatError

__all__ = [
    "SIRecord",
    "SemEvalFormatError",
    "TCRecord",
    "format_si",
    "format_tc",
    "parse_si",
    "parse_tc",
    "read_si",
    "read_tc",
    "write_si",
    "write_tc",
]


class SemEvalFormatError(CorpusFormatError):
    """A label file does not parse: the message names the file and the 1-based line."""


def _check_offsets(start: int, end: int) -> None:
    if not 0 <= start < end:
        raise ValueError(f"offsets must satisfy 0 <= start < end, got ({start}, {end})")


def _check_field(name: str, value: str) -> None:
    # A TAB or newline inside a field would silently shift every column of the written file.
    if not value or any(c in value for c in "\t\r\n"):
        raise ValueError(f"{name} must be non-empty and free of TAB/newline, got {value!r}")


@dataclass(frozen=True, slots=True)
class SIRecord:
    """One span of the SI format."""

    article_id: str
    start: int
    end: int

    def __post_init__(self) -> None:
        _check_field("article_id", self.article_id)
        _check_offsets(self.start, self.end)


@dataclass(frozen=True, slots=True)
class TCRecord:
    """One labelled span of the TC/FLC format (the technique is the dataset's spelling)."""

    article_id: str
    technique: str
    start: int
    end: int

    def __post_init__(self) -> None:
        _check_field("article_id", self.article_id)
        _check_field("technique", self.technique)
        _check_offsets(self.start, self.end)


def _rows(lines: Iterable[str], source: str, ncols: int) -> Iterable[tuple[int, list[str]]]:
    for lineno, line in enumerate(lines, 1):
        # The official scorers do line.rstrip().split("\t"); blank lines (e.g. a trailing one) carry nothing.
        stripped = line.rstrip()
        if not stripped:
            continue
        row = stripped.split("\t")
        if len(row) != ncols:
            raise SemEvalFormatError(
                f"{source}:{lineno}: expected {ncols} TAB-separated columns, found {len(row)}: {stripped!r}"
            )
        yield lineno, row


def _offsets(source: str, lineno: int, start: str, end: str) -> tuple[int, int]:
    try:
        s, e = int(start), int(end)
    except ValueError:
        raise SemEvalFormatError(f"{source}:{lineno}: offsets must be integers, got {start!r}, {end!r}") from None
    if not 0 <= s < e:
        raise SemEvalFormatError(f"{source}:{lineno}: offsets must satisfy 0 <= start < end, got {s}, {e}")
    return s, e


def parse_si(lines: Iterable[str], source: str = "<string>") -> list[SIRecord]:
    """Parse SI rows; ``source`` names the input in error messages."""
    out: list[SIRecord] = []
    for lineno, (article_id, start, end) in _rows(lines, source, 3):
        s, e = _offsets(source, lineno, start, end)
        out.append(SIRecord(article_id, s, e))
    return out


def parse_tc(lines: Iterable[str], source: str = "<string>") -> list[TCRecord]:
    """Parse TC/FLC rows; ``source`` names the input in error messages."""
    out: list[TCRecord] = []
    for lineno, (article_id, technique, start, end) in _rows(lines, source, 4):
        s, e = _offsets(source, lineno, start, end)
        if not technique:
            raise SemEvalFormatError(f"{source}:{lineno}: empty technique name")
        out.append(TCRecord(article_id, technique, s, e))
    return out


def read_si(path: str | os.PathLike[str]) -> list[SIRecord]:
    """Read an SI label/prediction file."""
    with open(path, encoding="utf-8") as f:
        return parse_si(f, str(path))


def read_tc(path: str | os.PathLike[str]) -> list[TCRecord]:
    """Read a TC or FLC label/prediction file (same format)."""
    with open(path, encoding="utf-8") as f:
        return parse_tc(f, str(path))


def format_si(records: Iterable[SIRecord]) -> str:
    """The SI file contents for ``records`` (one line each, in the given order)."""
    return "".join(f"{r.article_id}\t{r.start}\t{r.end}\n" for r in records)


def format_tc(records: Iterable[TCRecord]) -> str:
    """The TC/FLC file contents for ``records`` (one line each, in the given order)."""
    return "".join(f"{r.article_id}\t{r.technique}\t{r.start}\t{r.end}\n" for r in records)


def write_si(path: str | os.PathLike[str], records: Iterable[SIRecord]) -> None:
    """Write ``records`` in the SI format (LF line endings, UTF-8)."""
    Path(path).write_text(format_si(records), encoding="utf-8", newline="\n")


def write_tc(path: str | os.PathLike[str], records: Iterable[TCRecord]) -> None:
    """Write ``records`` in the TC/FLC format (LF line endings, UTF-8)."""
    Path(path).write_text(format_tc(records), encoding="utf-8", newline="\n")
