"""Reader for SemEval-2023 Task 3 subtask 3 span gold (23 techniques, several languages).

The English train split is PTC train+dev re-annotated: never train on it when reporting PTC dev.
"""

from __future__ import annotations

import os

from slant.corpora.base import Document
from slant.corpora.ptc import gold_spans, id_key, read_span_file, read_text
from slant.resolve import data_root

SPLITS = ("train", "dev")  # the test release has no gold


def read_semeval2023(
    split: str, lang: str = "en", root: str | os.PathLike[str] | None = None
) -> list[Document]:
    """Articles of one split and language with their span gold, sorted by id.

    Texts keep CRLF and any BOM, because the non-English offsets were computed on the CRLF text.
    """
    if split not in SPLITS:
        raise ValueError(
            f"semeval2023 has no span gold for split {split!r}; valid splits: {', '.join(SPLITS)}"
        )
    base = data_root(root) / "semeval2023-task3" / split / lang
    articles = base / f"{split}-articles-subtask-3"
    spans = base / f"{split}-labels-subtask-3-spans"
    if not articles.is_dir() or not spans.is_dir():
        raise FileNotFoundError(
            f"semeval2023 {split}/{lang} is not present under {base.parent.parent} "
            "(the English dev split and the test split are kept apart by the project)"
        )
    ids = sorted((p.name[len("article") : -len(".txt")] for p in articles.glob("article*.txt")), key=id_key)
    docs = []
    for doc_id in ids:
        art = articles / f"article{doc_id}.txt"
        text = read_text(art)
        rows = read_span_file(spans / f"article{doc_id}-labels-subtask-3.txt", text, doc_id, "semeval2023")
        docs.append(Document(doc_id, text, gold_spans(rows, "semeval2023"), str(art)))
    return docs
