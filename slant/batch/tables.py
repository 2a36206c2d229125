"""spans.parquet and documents.parquet (``slant score --format parquet``): the run as two tables for pandas,
DuckDB, Polars or Spark.

Both are rebuilt from spans.jsonl at the end of a run, like summary.csv, so an interrupted or resumed run's
tables cover every document finished so far. They stream: rows go out in batches of ``BATCH_ROWS``, so a
100,000-document run never holds its spans in memory. Schemas are explicit (a column's type never depends
on what the first batch happened to hold), and the files are written beside the final name and renamed into
place, so a reader never opens half a table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slant import taxonomy
from slant.batch.outputs import SPANS_FILE, current_rows, folder_of, summary_header, summary_record

if TYPE_CHECKING:
    import pyarrow as pa

SPANS_PARQUET = "spans.parquet"
DOCUMENTS_PARQUET = "documents.parquet"
BATCH_ROWS = 8192


def spans_schema() -> pa.Schema:
    """One row per span. ``id``/``path``/``folder`` are the document's (join on ``id`` with documents.parquet);
    ``start``/``end`` are code-point offsets into the saved text (end exclusive); ``cues`` are the booster and
    hedge words an unhedged_assertion span found, each with its own offsets (empty for other labels)."""
    import pyarrow as pa

    cue = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])
    return pa.schema(
        [
            pa.field("id", pa.string(), nullable=False),
            pa.field("path", pa.string(), nullable=False),
            pa.field("folder", pa.string(), nullable=False),
            pa.field("start", pa.int64(), nullable=False),
            pa.field("end", pa.int64(), nullable=False),
            pa.field("label", pa.string(), nullable=False),
            pa.field("score", pa.float64(), nullable=False),
            pa.field("text", pa.string(), nullable=False),
            pa.field("cues", pa.list_(cue), nullable=False),
        ]
    )


def documents_schema(labels: tuple[str, ...] = taxonomy.LABELS) -> pa.Schema:
    """summary.csv's columns with their types: counts int64, densities and coverage float64, ``error`` null
    for a scored document, ``folder`` the top-level subfolder ("" for a document in the input root)."""
    import pyarrow as pa

    types: dict[str, pa.DataType] = {"n_chars": pa.int64(), "n_words": pa.int64(), "n_spans": pa.int64()}
    types.update({"spans_per_1k_words": pa.float64(), "coverage": pa.float64()})
    types.update({label: pa.int64() for label in labels})
    types.update({f"{label}_per_1k_words": pa.float64() for label in labels})
    fields = []
    for column in summary_header(labels):
        kind = types.get(column, pa.string())
        fields.append(pa.field(column, kind, nullable=column == "error"))
    return pa.schema(fields)


def _span_rows(out_dir: Path) -> Iterator[dict[str, Any]]:
    for row in current_rows(out_dir / SPANS_FILE):
        folder = folder_of(row.id)
        for span in row.spans:
            yield {
                "id": row.id,
                "path": row.path,
                "folder": folder,
                "start": span["start"],
                "end": span["end"],
                "label": span["label"],
                "score": span["score"],
                "text": span["text"],
                "cues": [{"start": c["start"], "end": c["end"], "text": c["text"]} for c in span.get("cues", [])],
            }


def _document_rows(out_dir: Path) -> Iterator[dict[str, Any]]:
    for row in current_rows(out_dir / SPANS_FILE):
        yield summary_record(row)


def _write(path: Path, schema: pa.Schema, rows: Iterator[dict[str, Any]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    tmp = path.with_name(path.name + ".tmp")
    n = 0
    with pq.ParquetWriter(tmp, schema) as writer:
        batch: list[dict[str, Any]] = []
        for record in rows:
            batch.append(record)
            if len(batch) >= BATCH_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                n += len(batch)
                batch = []
        # Always one write, even of no rows: a run with no spans still gives a table with its columns.
        writer.write_table(pa.Table.from_pylist(batch, schema=schema))
        n += len(batch)
    tmp.replace(path)
    return n


def write_parquet(out_dir: Path) -> tuple[int, int]:
    """Write spans.parquet and documents.parquet from spans.jsonl; returns (span rows, document rows)."""
    n_spans = _write(out_dir / SPANS_PARQUET, spans_schema(), _span_rows(out_dir))
    n_docs = _write(out_dir / DOCUMENTS_PARQUET, documents_schema(), _document_rows(out_dir))
    return n_spans, n_docs
