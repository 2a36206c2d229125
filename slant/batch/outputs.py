"""The result files: spans.jsonl (the record of the run), texts/, summary.csv and the SemEval-2020 files.

spans.jsonl is the only file written during scoring; everything else is rebuilt from it at the end, so a
resumed or interrupted run reports on all the documents finished so far. Rows are serialised canonically
(sorted keys, rounded scores) so the file is byte-identical however the run was split up.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import IO, Any

from slant import taxonomy
from slant.evaluation.formats import SIRecord, TCRecord, format_si, format_tc

SPANS_FILE = "spans.jsonl"
SUMMARY_FILE = "summary.csv"
REPORT_FILE = "report.html"
TEXTS_DIR = "texts"
SEMEVAL_SI_FILE = "semeval-si.txt"
SEMEVAL_FLC_FILE = "semeval-flc.txt"
# Scores are rounded: window batching differs between runs (resume, workers) and float sums may differ in the
# last bits; four decimals is far more than a calibrated score means and keeps the files identical.
SCORE_DECIMALS = 4


@dataclass(slots=True)
class Row:
    """One document's line in spans.jsonl."""

    id: str
    path: str
    sha256: str | None
    n_chars: int
    n_words: int
    spans: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    text_file: str | None = None  # relative to the output folder

    def to_json(self) -> str:
        data = {
            "id": self.id,
            "path": self.path,
            "sha256": self.sha256,
            "n_chars": self.n_chars,
            "n_words": self.n_words,
            "spans": self.spans,
            "error": self.error,
            "text_file": self.text_file,
        }
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Row:
        data = json.loads(line)
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def count_words(text: str) -> int:
    """The word count behind every "per 1,000 words" figure: whitespace-separated tokens of the scored text."""
    return len(text.split())


def folder_of(doc_id: str) -> str:
    """The top-level subfolder of the input root a document sits in (``bbc/2024/a.txt`` -> ``bbc``).

    ``""`` for a document directly in the input root or given as a file argument. This is the grouping the
    report's per-folder charts, summary.csv's ``folder`` column and the Parquet tables use.
    """
    head, sep, _ = doc_id.partition("/")
    return head if sep else ""


def span_dict(span: Any) -> dict[str, Any]:
    data = span.to_dict()
    data["score"] = round(float(data["score"]), SCORE_DECIMALS)
    return data


def text_file_for(doc_id: str) -> str:
    """Where a document's scored text is saved, relative to the output folder (always ``<id>.txt``)."""
    return f"{TEXTS_DIR}/{doc_id}.txt"


def save_text(out_dir: Path, doc_id: str, text: str) -> str:
    rel = text_file_for(doc_id)
    target = out_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    # newline="" writes the string as is (no CRLF translation): offsets stay valid against the saved file.
    with open(target, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return rel


def read_saved_text(out_dir: Path, row: Row) -> str | None:
    if not row.text_file:
        return None
    try:
        with open(out_dir / row.text_file, encoding="utf-8", newline="") as handle:
            return handle.read()
    except OSError:
        return None


class SpansWriter:
    """Appends rows to spans.jsonl; rows are flushed and each batch fsync'd: a finished document is kept."""

    def __init__(self, path: Path, append: bool):
        self.path = path
        self._handle: IO[str] = open(path, "a" if append else "w", encoding="utf-8", newline="\n")  # noqa: SIM115

    def write(self, row: Row) -> None:
        self._handle.write(row.to_json() + "\n")
        self._handle.flush()

    def sync(self) -> None:
        # The rows of one batch finish together: one fsync per batch gives the same guarantee as one per row.
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if not self._handle.closed:
            self.sync()
            self._handle.close()


def repair_tail(path: Path) -> None:
    """Cut a partly written last line (a run killed mid-write) so appending continues on a clean line."""
    if not path.exists():
        return
    with open(path, "rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size == 0:
            return
        handle.seek(size - 1)
        if handle.read(1) == b"\n":
            return
        # Walk back to the last newline; everything after it is an incomplete row.
        pos = size
        while pos > 0:
            step = min(65536, pos)
            handle.seek(pos - step)
            chunk = handle.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                handle.truncate(pos - step + nl + 1)
                return
            pos -= step
        handle.truncate(0)


def iter_rows(path: Path) -> Iterator[tuple[int, Row]]:
    """(line number, row) for each parseable line of spans.jsonl, streaming."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle):
            if not line.strip():
                continue
            try:
                yield lineno, Row.from_json(line)
            except (json.JSONDecodeError, TypeError):
                continue  # a torn last line: repair_tail removes it before a resume appends


def last_row_lines(path: Path) -> dict[str, int]:
    """id -> line number of that id's last row: a later row (a resumed run rescoring a changed file) wins."""
    return {row.id: lineno for lineno, row in iter_rows(path)}


def current_rows(path: Path) -> Iterator[Row]:
    """The current row of every document, in file order (two streaming passes; only ids are held)."""
    latest = last_row_lines(path)
    for lineno, row in iter_rows(path):
        if latest.get(row.id) == lineno:
            yield row


def resume_index(path: Path) -> dict[str, tuple[str | None, str | None]]:
    """id -> (sha256, error) of each document's current row, for deciding what a resumed run can skip."""
    return {row.id: (row.sha256, row.error) for row in current_rows(path)}


# ---- summary.csv -------------------------------------------------------------------------------------------
def coverage(spans: list[dict[str, Any]], n_chars: int) -> float:
    """Share of the characters inside at least one span (overlaps counted once)."""
    if not n_chars or not spans:
        return 0.0
    covered, cur_start, cur_end = 0, -1, -1
    for start, end in sorted((s["start"], s["end"]) for s in spans):
        if start > cur_end:
            covered += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    covered += cur_end - cur_start
    return covered / n_chars


def density(n_spans: int, n_words: int) -> float:
    return 1000.0 * n_spans / n_words if n_words else 0.0


def summary_header(labels: tuple[str, ...] = taxonomy.LABELS) -> list[str]:
    """summary.csv's columns (documents.parquet has the same ones); ``folder`` was added last, so older readers
    that index columns by position keep working."""
    header = ["id", "path", "error", "n_chars", "n_words", "n_spans", "spans_per_1k_words", "coverage"]
    return header + list(labels) + [f"{label}_per_1k_words" for label in labels] + ["folder"]


def summary_record(row: Row, labels: tuple[str, ...] = taxonomy.LABELS) -> dict[str, Any]:
    """One document's summary values, unrounded and typed (counts int, densities float, no error None)."""
    counts = dict.fromkeys(labels, 0)
    for span in row.spans:
        if span["label"] in counts:
            counts[span["label"]] += 1
    words = row.n_words or 0
    record: dict[str, Any] = {
        "id": row.id,
        "path": row.path,
        "error": row.error or None,
        "n_chars": row.n_chars,
        "n_words": words,
        "n_spans": len(row.spans),
        "spans_per_1k_words": density(len(row.spans), words),
        "coverage": coverage(row.spans, row.n_chars),
    }
    record.update(counts)
    record.update({f"{label}_per_1k_words": density(counts[label], words) for label in labels})
    record["folder"] = folder_of(row.id)
    return record


def write_summary(out_dir: Path) -> int:
    """summary.csv: per document, span counts per label and per 1,000 words, the covered share, the folder."""
    labels = taxonomy.LABELS
    header = summary_header(labels)
    n = 0
    tmp = out_dir / (SUMMARY_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in current_rows(out_dir / SPANS_FILE):
            record = summary_record(row, labels)
            record["error"] = record["error"] or ""
            record["spans_per_1k_words"] = f"{record['spans_per_1k_words']:.3f}"
            record["coverage"] = f"{record['coverage']:.4f}"
            for label in labels:
                record[f"{label}_per_1k_words"] = f"{record[f'{label}_per_1k_words']:.3f}"
            writer.writerow([record[column] for column in header])
            n += 1
    tmp.replace(out_dir / SUMMARY_FILE)  # a reader never sees a half-written summary
    return n


# ---- SemEval-2020 ------------------------------------------------------------------------------------------
_ARTICLE_ID = re.compile(r"^(?:article)?(\d+)$")


def semeval_article_id(doc_id: str) -> str:
    """``dev/article111111.txt`` -> ``111111`` (the PTC naming); any other id is kept as it is."""
    stem = PurePosixPath(doc_id).name.split(".", 1)[0]
    match = _ARTICLE_ID.match(stem)
    return match.group(1) if match else doc_id


def _semeval_name(label: str) -> str | None:
    try:
        return taxonomy.convert(label, "semeval2020")
    except ValueError:  # a label this taxonomy doesn't know: nothing to map it to
        return None


def _is_technique(label: str) -> bool:
    try:
        return taxonomy.get(label).kind != "rhetoric"
    except KeyError:
        return False


def semeval_records(row: Row) -> tuple[list[SIRecord], list[TCRecord]]:
    article = semeval_article_id(row.id)
    flc: set[tuple[str, int, int]] = set()
    intervals: list[tuple[int, int]] = []
    for span in row.spans:
        if not _is_technique(span["label"]):
            continue
        intervals.append((span["start"], span["end"]))
        name = _semeval_name(span["label"])
        if name is not None:
            flc.add((name, span["start"], span["end"]))
    merged: list[list[int]] = []
    for start, end in sorted(intervals):  # SI is the union of all technique spans
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    si = [SIRecord(article, s, e) for s, e in merged]
    tc = [TCRecord(article, name, s, e) for name, s, e in sorted(flc, key=lambda t: (t[1], t[2], t[0]))]
    return si, tc


def write_semeval(out_dir: Path) -> tuple[int, int]:
    """semeval-si.txt and semeval-flc.txt from the current rows (error rows contribute nothing)."""
    n_si = n_tc = 0
    si_tmp, tc_tmp = out_dir / (SEMEVAL_SI_FILE + ".tmp"), out_dir / (SEMEVAL_FLC_FILE + ".tmp")
    with (
        open(si_tmp, "w", encoding="utf-8", newline="\n") as si_handle,
        open(tc_tmp, "w", encoding="utf-8", newline="\n") as tc_handle,
    ):
        for row in current_rows(out_dir / SPANS_FILE):
            if row.error:
                continue
            try:
                si, tc = semeval_records(row)
            except ValueError:  # an id with a TAB or newline can't be written in a TAB format
                continue
            si_handle.write(format_si(si))
            tc_handle.write(format_tc(tc))
            n_si += len(si)
            n_tc += len(tc)
    si_tmp.replace(out_dir / SEMEVAL_SI_FILE)
    tc_tmp.replace(out_dir / SEMEVAL_FLC_FILE)
    return n_si, n_tc
