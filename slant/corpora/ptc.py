"""Readers for the Propaganda Techniques Corpus: SemEval-2020 Task 11 final release and EMNLP-2019 release.

Also home of the TSV helpers that the SemEval-2023 reader shares, since both use the organisers'
``id<TAB>technique<TAB>start<TAB>end`` per-article format.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from slant import taxonomy
from slant.corpora.base import CorpusFormatError, Document, GoldSpan
from slant.resolve import data_path, data_root

log = logging.getLogger(__name__)

ERRATA_PATH = data_path("corpus_errata.json")
_INT = re.compile(r"[0-9]+")  # int() would also accept "+3", " 3" and "3_0": too lenient for gold offsets


@dataclass(frozen=True, slots=True)
class Erratum:
    corpus: str
    file: str  # posix path relative to the data root
    line: int
    row: str
    reason: str


@cache
def errata() -> tuple[Erratum, ...]:
    """The documented bad rows in ``data/corpus_errata.json``."""
    with open(ERRATA_PATH, encoding="utf-8") as fh:
        return tuple(Erratum(**e) for e in json.load(fh)["entries"])


def read_text(path: Path) -> str:
    # utf-8 (not utf-8-sig) so a BOM stays character 0, and newline="" so CRLF is kept: offsets count both.
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def id_key(doc_id: str) -> tuple[int, str]:
    """Sort key that orders numeric ids numerically (ids differ in length) and keeps the order total."""
    return (len(doc_id), doc_id) if doc_id.isdigit() else (1 << 30, doc_id)


def _offset(value: str, path: Path, lineno: int, what: str) -> int:
    if not _INT.fullmatch(value):
        raise CorpusFormatError(f"{path}:{lineno}: {what} offset {value!r} is not a non-negative integer")
    return int(value)


def _check_range(start: int, end: int, text: str, path: Path, lineno: int) -> None:
    if not 0 <= start < end <= len(text):
        raise CorpusFormatError(
            f"{path}:{lineno}: span ({start}, {end}) is outside the text "
            f"(need 0 <= start < end <= {len(text)})"
        )


def read_span_file(
    path: Path,
    text: str,
    doc_id: str,
    scheme: str | None,
    skip: frozenset[tuple[int, str]] = frozenset(),
) -> list[tuple[str, int, int]]:
    """Rows of a per-article gold file as (technique, start, end); technique is "" for SI files.

    ``scheme=None`` reads the 3-column SI format. ``skip`` holds (line, row) pairs of documented errata.
    """
    ncols = 3 if scheme is None else 4
    rows: list[tuple[str, int, int]] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for lineno, raw in enumerate(fh, 1):
            line = raw.rstrip("\r\n")
            if not line:  # a trailing blank line is not a row
                continue
            if (lineno, line) in skip:
                log.warning("%s:%d: skipping documented erratum %r", path, lineno, line)
                continue
            cols = line.split("\t")  # TAB only: technique names contain commas and spaces
            if len(cols) != ncols:
                raise CorpusFormatError(
                    f"{path}:{lineno}: expected {ncols} tab-separated columns, got {len(cols)}"
                )
            if cols[0] != doc_id:
                raise CorpusFormatError(
                    f"{path}:{lineno}: row is for article {cols[0]!r}, file is for {doc_id!r}"
                )
            technique = "" if scheme is None else cols[1]
            if scheme is not None:
                try:
                    taxonomy.from_scheme(technique, scheme)
                except ValueError:
                    raise CorpusFormatError(
                        f"{path}:{lineno}: unknown {scheme} technique {technique!r}"
                    ) from None
            start = _offset(cols[-2], path, lineno, "start")
            end = _offset(cols[-1], path, lineno, "end")
            _check_range(start, end, text, path, lineno)
            rows.append((technique, start, end))
    return rows


def gold_spans(rows: list[tuple[str, int, int]], scheme: str) -> list[GoldSpan]:
    return [GoldSpan(s, e, t, taxonomy.from_scheme(t, scheme)) for t, s, e in rows]


def _skips_for(path: Path, root: Path, corpus: str) -> frozenset[tuple[int, str]]:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        return frozenset()
    return frozenset((e.line, e.row) for e in errata() if e.corpus == corpus and e.file == rel)


def _article_ids(folder: Path) -> list[str]:
    if not folder.is_dir():
        raise FileNotFoundError(f"no article folder at {folder}")
    ids = [p.name[len("article") : -len(".txt")] for p in folder.glob("article*.txt")]
    return sorted(ids, key=id_key)


def _check_split(split: str, allowed: tuple[str, ...], corpus: str) -> None:
    if split not in allowed:
        raise ValueError(f"{corpus} has no split {split!r}; valid splits: {', '.join(allowed)}")


def read_ptc2020(split: str, root: str | os.PathLike[str] | None = None, si: bool = True) -> list[Document]:
    """PTC SemEval-2020 final release, ``train`` (371 articles) or ``dev`` (75), sorted by id.

    TC gold goes to ``spans``; with ``si`` the organisers' SI gold goes to ``si_spans``.
    """
    _check_split(split, ("train", "dev"), "ptc2020")
    base = data_root(root) / "ptc-semeval2020" / split
    docs = []
    for doc_id in _article_ids(base / "articles"):
        art = base / "articles" / f"article{doc_id}.txt"
        text = read_text(art)
        tc = read_span_file(
            base / "labels-tc" / f"article{doc_id}.task-flc-tc.labels", text, doc_id, "semeval2020"
        )
        si_spans = None
        if si:
            si_rows = read_span_file(
                base / "labels-si" / f"article{doc_id}.task-si.labels", text, doc_id, None
            )
            si_spans = [(s, e) for _, s, e in si_rows]
        docs.append(Document(doc_id, text, gold_spans(tc, "semeval2020"), str(art), si_spans))
    return docs


def read_emnlp2019(split: str, root: str | os.PathLike[str] | None = None) -> list[Document]:
    """PTC EMNLP-2019 release (18 techniques), ``train``/``dev``/``test``.

    Rows listed in data/corpus_errata.json are skipped with a warning; any other bad row raises.
    """
    _check_split(split, ("train", "dev", "test"), "emnlp2019")
    top = data_root(root)
    base = top / "ptc-semeval2020" / "emnlp2019-release" / split
    docs = []
    for doc_id in _article_ids(base / "articles"):
        art = base / "articles" / f"article{doc_id}.txt"
        text = read_text(art)
        labels = base / "labels" / f"article{doc_id}.labels.tsv"
        rows = read_span_file(labels, text, doc_id, "emnlp2019", _skips_for(labels, top, "emnlp2019"))
        docs.append(Document(doc_id, text, gold_spans(rows, "emnlp2019"), str(art)))
    return docs
