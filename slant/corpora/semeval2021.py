"""Reader for SemEval-2021 Task 6 subtask 2: technique spans in meme text (JSON)."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from slant import taxonomy
from slant.corpora.base import CorpusFormatError, Document, GoldSpan
from slant.resolve import data_root

log = logging.getLogger(__name__)

FILES = {
    "train": "train/training_set_task2.txt",
    "dev": "dev/dev_set_task2.txt",
    "test": "test/test_set_task2.txt",  # kept apart by the project; read only where present
}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_semeval2021(split: str, root: str | os.PathLike[str] | None = None) -> list[Document]:
    """Memes of ``train`` (688) or ``dev`` (63) in file order, with their span gold."""
    if split not in FILES:
        raise ValueError(f"semeval2021 has no split {split!r}; valid splits: {', '.join(FILES)}")
    path = data_root(root) / "semeval2021-task6" / FILES[split]
    with open(path, encoding="utf-8") as fh:
        try:
            items = json.load(fh)
        except json.JSONDecodeError as exc:
            raise CorpusFormatError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(items, list):
        raise CorpusFormatError(f"{path}: expected a JSON list of memes")
    docs = []
    for index, item in enumerate(items):
        where = f"{path}: item {index} (id {item.get('id') if isinstance(item, dict) else None!r})"
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or "id" not in item:
            raise CorpusFormatError(f"{where}: needs string 'text' and an 'id'")
        text = item["text"]
        spans = []
        for j, lab in enumerate(item.get("labels", [])):
            at = f"{where}, label {j}"
            if not isinstance(lab, dict) or not {"start", "end", "technique"} <= lab.keys():
                raise CorpusFormatError(f"{at}: needs 'start', 'end' and 'technique'")
            start, end, technique = lab["start"], lab["end"], lab["technique"]
            if not (_is_int(start) and _is_int(end)):
                raise CorpusFormatError(f"{at}: offsets {start!r}, {end!r} are not integers")
            if not 0 <= start < end <= len(text):
                raise CorpusFormatError(
                    f"{at}: span ({start}, {end}) is outside the text (need 0 <= start < end <= {len(text)})"
                )
            try:
                label = taxonomy.from_scheme(technique, "semeval2021")
            except ValueError:
                raise CorpusFormatError(f"{at}: unknown semeval2021 technique {technique!r}") from None
            # Offsets are the gold (SOURCE.md); a differing fragment (5 test spans) is only reported.
            if "text_fragment" in lab and text[start:end] != lab["text_fragment"]:
                log.warning("%s: text_fragment differs from text[%d:%d]", at, start, end)
            spans.append(GoldSpan(start, end, technique, label))
        docs.append(Document(str(item["id"]), text, spans, str(path)))
    return docs
