"""Reader for PolNeAR (Newell et al., LREC 2018): attribution relations (source, cue, content) in news.

The .ann files are brat standoff. A ``T`` line's span text may contain newlines, so a record runs until the
next line that starts a new record (``T12<TAB>``, ``E3<TAB>``, ``#1<TAB>`` ...). Discontinuous spans
(``b e;b e``) become one GoldSpan per fragment with the same ``span_id``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from slant.corpora.base import CorpusFormatError, Document, GoldSpan
from slant.resolve import data_root

SPLITS = ("train", "dev", "test")
# brat type -> technique name used in GoldSpan.technique
KINDS = {
    "Source": "source",
    "Cue": "cue",
    "Content": "content",
    "Attribution": "attribution",
    "Attribution-no-source": "attribution-no-source",
    "Discuss": "discuss",
    "Discard": "discard",
}
_RECORD = re.compile(r"^([TERAMN#]\d*|\*)\t")
_T_HEAD = re.compile(r"^(T\d+)\t([\w-]+) ((?:\d+ \d+)(?:;\d+ \d+)*)\t", re.DOTALL)
_ANNOTATOR = re.compile(r"^(?P<stem>.+)_(?P<annotator>[0-9a-f]{4})$")


@dataclass(frozen=True, slots=True)
class AttributionSpan(GoldSpan):
    """One (fragment of a) brat span; ``relations`` are the E lines that use it (a span can serve two)."""

    span_id: str = ""
    relations: tuple[str, ...] = ()
    annotator: str = ""


def _records(path: Path) -> list[tuple[int, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    records: list[tuple[int, str]] = []
    for lineno, line in enumerate(lines, 1):
        if _RECORD.match(line):
            records.append((lineno, line))
        elif records:
            records[-1] = (records[-1][0], records[-1][1] + "\n" + line)
        elif line.strip():
            raise CorpusFormatError(f"{path}:{lineno}: text before the first brat record")
    # The file's final newline leaves a trailing "" continuation on the last record: drop exactly that.
    return [
        (n, r[:-1] if r.endswith("\n") and i == len(records) - 1 else r) for i, (n, r) in enumerate(records)
    ]


def read_ann(path: Path, text: str, annotator: str = "") -> list[AttributionSpan]:
    """All T spans of one .ann file, checked against ``text``, with the E line each belongs to."""
    spans: dict[str, tuple[int, str, list[tuple[int, int]]]] = {}
    relation_of: dict[str, list[str]] = {}
    for lineno, rec in _records(path):
        if rec.startswith("T"):
            m = _T_HEAD.match(rec)
            if not m:
                raise CorpusFormatError(f"{path}:{lineno}: malformed T line {rec[:60]!r}")
            tid, kind, offsets = m.group(1), m.group(2), m.group(3)
            if kind not in KINDS:
                raise CorpusFormatError(f"{path}:{lineno}: unknown span type {kind!r}")
            frags = [(int(b), int(e)) for b, e in (f.split(" ") for f in offsets.split(";"))]
            for b, e in frags:
                if not 0 <= b < e <= len(text):
                    raise CorpusFormatError(
                        f"{path}:{lineno}: offsets {b} {e} outside the text ({len(text)})"
                    )
            want = rec[m.end() :]
            got = " ".join(text[b:e] for b, e in frags)
            if got != want:
                raise CorpusFormatError(
                    f"{path}:{lineno}: span text {want[:40]!r} does not match the article"
                )
            spans[tid] = (lineno, kind, frags)
        elif rec.startswith("E"):
            parts = rec.split("\t")
            if len(parts) < 2:
                raise CorpusFormatError(f"{path}:{lineno}: malformed E line")
            eid = parts[0]
            for arg in parts[1].split():
                if ":" not in arg:
                    raise CorpusFormatError(f"{path}:{lineno}: malformed E argument {arg!r}")
                relation_of.setdefault(arg.split(":", 1)[1], []).append(eid)
    for tid in relation_of:
        if tid not in spans:
            raise CorpusFormatError(f"{path}: relation {relation_of[tid][0]} names missing span {tid}")
    out = [
        AttributionSpan(
            b,
            e,
            KINDS[kind],
            None,
            span_id=tid,
            relations=tuple(relation_of.get(tid, ())),
            annotator=annotator,
        )
        for tid, (_, kind, frags) in spans.items()
        for b, e in frags
    ]
    out.sort(key=lambda s: (s.start, s.end, s.technique))
    return out


def relation_count(doc: Document) -> int:
    """Number of attribution relations (E lines with at least one span) in a document."""
    return len({r for s in doc.spans if isinstance(s, AttributionSpan) for r in s.relations})


def read_polnear(
    split: str, root: str | os.PathLike[str] | None = None, all_annotators: bool = False
) -> list[Document]:
    """PolNeAR ``train`` (840 articles), ``dev`` (84) or ``test`` (84), sorted by file name.

    Doubly annotated articles: by default the annotation file whose name sorts first is used, so there is one
    Document per article (id = text file stem). With ``all_annotators`` there is one Document per .ann file,
    with id ``<stem>_<annotator>``.
    """
    if split not in SPLITS:
        raise ValueError(f"polnear has no split {split!r}; valid splits: {', '.join(SPLITS)}")
    base = data_root(root) / "polnear" / split
    texts = {p.stem: p for p in sorted((base / "text").glob("*.txt"))}
    if not texts:
        raise FileNotFoundError(f"no PolNeAR texts under {base / 'text'}")
    anns: dict[str, list[tuple[str, Path]]] = {stem: [] for stem in texts}
    for ann in sorted((base / "attributions").glob("*.ann")):
        m = _ANNOTATOR.match(ann.stem)
        if not m or m.group("stem") not in texts:
            raise CorpusFormatError(f"{ann}: no matching text file in {base / 'text'}")
        anns[m.group("stem")].append((m.group("annotator"), ann))
    docs = []
    for stem, txt in texts.items():
        with open(txt, encoding="utf-8", newline="") as fh:
            text = fh.read()
        chosen = anns[stem] if all_annotators else anns[stem][:1]
        if not chosen:
            raise CorpusFormatError(f"{txt}: no .ann file for this article")
        for annotator, ann in chosen:
            doc_id = f"{stem}_{annotator}" if all_annotators else stem
            docs.append(Document(doc_id, text, list(read_ann(ann, text, annotator)), str(txt)))
    return docs
