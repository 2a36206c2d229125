"""The hand-labelled scare-quote and assertion sets: candidates, their text, and the labels of both passes.

The repository stores no corpus text: ``data/annotations/{kind}.candidates.jsonl`` holds offsets and the
sha256 of each document's UTF-8 text. :func:`load_items` re-reads the corpora, checks the hash (a changed
corpus or reader would silently shift every offset) and merges the labels the annotators wrote to
``data/annotations/{kind}.labels.pass1.jsonl`` and ``.pass2.jsonl``.

Label files: one JSON object per line.
- quotes: ``{"item_id": "q0001", "label": "scare"}``; label one of QUOTE_LABELS.
- assertions: ``{"item_id": "a0001", "label": "unhedged", "cues": ["clearly", "nothing more than"]}``; label
  one of ASSERTION_LABELS; ``cues`` (optional) lists booster / hedge / attribution words exactly as they
  appear in the sentence. A cue that occurs more than once is written ``["never", 2]`` (its 2nd
  occurrence). The loader turns cues into document offsets and rejects a cue that is not in the sentence.
Optional ``"note"`` strings are kept. Unknown keys are an error (they are usually typos of "label").
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import slant.resolve as resolve
from slant.corpora.base import Document
from slant.resolve import data_path
from slant.text.sentences import Segment, split_sentences

Kind = Literal["quotes", "assertions"]
QUOTE_LABELS = ("scare", "direct", "title", "mention", "error")
ASSERTION_LABELS = ("unhedged", "hedged", "attributed", "neutral", "error")
LABELS: dict[str, tuple[str, ...]] = {"quotes": QUOTE_LABELS, "assertions": ASSERTION_LABELS}
ANNOTATION_DIR = data_path("annotations")  # in a checkout only: see slant.resolve


class AnnotationError(ValueError):
    """A candidate or label file does not match the corpora or the label scheme."""


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- corpora the candidates come from


def _reader(module: str, function: str, split: str) -> Callable[[str | None], list[Document]]:
    """A loader for one corpus split; the reader module is imported only when the corpus is read."""

    def read(root: str | None) -> list[Document]:
        return getattr(importlib.import_module(module), function)(split, root)

    return read


CORPORA: dict[str, Callable[[str | None], list[Document]]] = {
    "ptc2020-dev": _reader("slant.corpora.ptc", "read_ptc2020", "dev"),
    "semeval2021-dev": _reader("slant.corpora.semeval2021", "read_semeval2021", "dev"),
    "basil": _reader("slant.corpora.basil", "read_basil", "all"),
    "polnear-dev": _reader("slant.corpora.polnear", "read_polnear", "dev"),
    "ukraine-news-bias": _reader("slant.corpora.ukraine_news", "read_ukraine_documents", "all"),
}
# Sources of the TUNE-only extension (sample_candidates.py --extend): train splits, never used by REPORT items.
EXTENSION_CORPORA: dict[str, Callable[[str | None], list[Document]]] = {
    "ptc2020-train": _reader("slant.corpora.ptc", "read_ptc2020", "train"),
    "semeval2021-train": _reader("slant.corpora.semeval2021", "read_semeval2021", "train"),
    "polnear-train": _reader("slant.corpora.polnear", "read_polnear", "train"),
}
ALL_CORPORA = {**CORPORA, **EXTENSION_CORPORA}


@cache
def corpus_documents(corpus: str, root: str | None = None) -> dict[str, Document]:
    """Documents of one candidate source by id (cached: the sampler, loader and renderer all need them)."""
    if corpus not in ALL_CORPORA:
        raise AnnotationError(f"unknown corpus {corpus!r}; known: {', '.join(ALL_CORPORA)}")
    return {d.id: d for d in ALL_CORPORA[corpus](root)}


@cache
def corpus_sentences(corpus: str, root: str | None = None) -> dict[str, tuple[Segment, ...]]:
    """Sentences of each document: the corpus's own for ukraine-news-bias, slant.text.sentences for the rest."""
    if corpus == "ukraine-news-bias":
        from slant.corpora.ukraine_news import read_ukraine_news  # read only when asked for, like CORPORA's readers

        return {a.id: tuple(Segment(s.start, s.end) for s in a.sentences) for a in read_ukraine_news(root)}
    return {doc_id: tuple(split_sentences(d.text)) for doc_id, d in corpus_documents(corpus, root).items()}


# ---------------------------------------------------------------- items


@dataclass(slots=True)
class AnnotatedItem:
    """One candidate with its text resolved and whatever labels exist (None: not labelled in that pass)."""

    item_id: str
    kind: str
    corpus: str
    doc_id: str
    start: int
    end: int
    text: str  # document[start:end]
    document: Document
    part: str  # "tune" or "report"
    second_pass: bool
    inner_start: int | None = None
    inner_end: int | None = None
    stratum: str = ""
    label_pass1: str | None = None
    label_pass2: str | None = None
    cues_pass1: list[tuple[int, int]] = field(default_factory=list)
    cues_pass2: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def independent_unit(corpus: str, doc_id: str) -> str:
    """The unit that items must be kept together by, in cross-validation folds and bootstrap resamples: the
    document, except that BASIL's three articles on one story (three outlets, ids ``<story>_<k>``) share
    quotations and claims, so they count as one."""
    if corpus == "basil":
        return "basil-story/" + doc_id.rsplit("_", 1)[0]
    return f"{corpus}/{doc_id}"


def _read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise AnnotationError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise AnnotationError(f"{path}:{lineno}: not a JSON object")
            rows.append((lineno, row))
    return rows


def resolve_cues(sentence: str, offset: int, cues: Any, where: str) -> list[tuple[int, int]]:
    """Turn cue words (``"clearly"`` or ``["never", 2]``) into document offsets inside the sentence."""
    if not isinstance(cues, list):
        raise AnnotationError(f"{where}: cues must be a list")
    out = []
    lowered = sentence.lower()
    for cue in cues:
        word, nth = (
            (cue, 1)
            if isinstance(cue, str)
            else (cue[0], cue[1])
            if isinstance(cue, list) and len(cue) == 2
            else (None, 0)
        )
        if not isinstance(word, str) or not word or not isinstance(nth, int) or nth < 1:
            raise AnnotationError(f"{where}: cue {cue!r} is neither a string nor [string, occurrence]")
        pos = -1
        for _ in range(nth):
            pos = lowered.find(word.lower(), pos + 1)
            if pos < 0:
                raise AnnotationError(f"{where}: cue {word!r} (occurrence {nth}) is not in the sentence")
        out.append((offset + pos, offset + pos + len(word)))
    return out


def _merge_labels(items: dict[str, AnnotatedItem], path: Path, kind: str, pass_no: int) -> None:
    allowed = LABELS[kind]
    for lineno, row in _read_jsonl(path):
        where = f"{path}:{lineno}"
        extra = set(row) - {"item_id", "label", "cues", "note"}
        if extra:
            raise AnnotationError(f"{where}: unknown keys {sorted(extra)}")
        item = items.get(str(row.get("item_id")))
        if item is None:
            raise AnnotationError(f"{where}: unknown item_id {row.get('item_id')!r}")
        label = row.get("label")
        if label not in allowed:
            raise AnnotationError(f"{where}: label {label!r} not one of {', '.join(allowed)}")
        if getattr(item, f"label_pass{pass_no}") is not None:
            raise AnnotationError(f"{where}: item {item.item_id} labelled twice in pass {pass_no}")
        setattr(item, f"label_pass{pass_no}", label)
        if "cues" in row:
            if kind != "assertions":
                raise AnnotationError(f"{where}: cues are only for assertions")
            setattr(item, f"cues_pass{pass_no}", resolve_cues(item.text, item.start, row["cues"], where))
        if isinstance(row.get("note"), str):
            item.notes.append(f"pass{pass_no}: {row['note']}")


def load_items(
    kind: Kind,
    root: str | os.PathLike[str] | None = None,
    annotation_dir: str | os.PathLike[str] | None = None,
) -> list[AnnotatedItem]:
    """All candidates of ``kind`` with their text, checked against the corpora, and the labels found."""
    if kind not in LABELS:
        raise ValueError(f"kind must be 'quotes' or 'assertions', got {kind!r}")
    folder = Path(annotation_dir) if annotation_dir else resolve.annotation_dir()  # clear error in a wheel
    root_key = str(root) if root is not None else None
    path = folder / f"{kind}.candidates.jsonl"
    items: dict[str, AnnotatedItem] = {}
    for lineno, row in _read_jsonl(path):
        where = f"{path}:{lineno}"
        try:
            doc = corpus_documents(row["corpus"], root_key).get(row["doc_id"])
            start, end = int(row["start"]), int(row["end"])
            item_id = str(row["item_id"])
        except KeyError as exc:
            raise AnnotationError(f"{where}: missing key {exc}") from None
        if doc is None:
            raise AnnotationError(f"{where}: no document {row['doc_id']!r} in {row['corpus']}")
        if sha256_text(doc.text) != row.get("doc_sha256"):
            raise AnnotationError(
                f"{where}: document {row['corpus']}/{row['doc_id']} has changed (sha256 mismatch): the "
                "offsets no longer apply; re-read the corpus with the reader version that made the candidates"
            )
        if not 0 <= start < end <= len(doc.text):
            raise AnnotationError(f"{where}: offsets {start}..{end} outside the document")
        if item_id in items:
            raise AnnotationError(f"{where}: duplicate item_id {item_id}")
        items[item_id] = AnnotatedItem(
            item_id=item_id,
            kind=kind,
            corpus=row["corpus"],
            doc_id=row["doc_id"],
            start=start,
            end=end,
            text=doc.text[start:end],
            document=doc,
            part=str(row.get("part", "")),
            second_pass=bool(row.get("second_pass", False)),
            inner_start=row.get("inner_start"),
            inner_end=row.get("inner_end"),
            stratum=str(row.get("stratum", "")),
        )
    for pass_no in (1, 2):
        labels = folder / f"{kind}.labels.pass{pass_no}.jsonl"
        if labels.exists():
            _merge_labels(items, labels, kind, pass_no)
    return list(items.values())
