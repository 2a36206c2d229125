"""Reader for the Ukraine-crisis news bias dataset (Färber et al., CIKM 2020): 90 articles, 2,057 sentences.

The corpus has sentences only, no article text. The reader builds a document text by joining an article's
sentences (in ``position_in_article`` order) with a newline, so sentence offsets, quotations and the
candidate sets can refer to it like any other document. Scores are the crowd aggregates of the JSON files.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slant.corpora.base import CorpusFormatError, Document
from slant.resolve import data_root

SENTENCE_SEP = "\n"
DIMENSIONS = ("subjectivity", "hidden_assumptions")


@dataclass(frozen=True, slots=True)
class UkraineSentence:
    """One sentence: its offsets in the article's built text and the crowd scores (``maj`` etc.)."""

    id: str
    position: int
    start: int
    end: int
    scores: dict[str, float] = field(default_factory=dict)  # e.g. "subjectivity.maj", "bias.pro-russia.avg"


@dataclass(slots=True)
class UkraineArticle:
    id: str
    document: Document
    sentences: list[UkraineSentence]


def _flatten(prefix: str, value: Any, out: dict[str, float], where: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("judgements", "cw_origins"):
                continue
            _flatten(f"{prefix}.{k}" if prefix else k, v, out, where)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        out[prefix.replace(".score", "")] = float(value)
    else:
        raise CorpusFormatError(f"{where}: score {prefix!r} is not a number")


def read_article(path: Path) -> UkraineArticle:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        raise CorpusFormatError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    items = data.get("sentences") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise CorpusFormatError(f"{path}: no sentences list")
    ordered = []
    for i, s in enumerate(items):
        where = f"{path}: sentences[{i}]"
        if not (
            isinstance(s, dict)
            and isinstance(s.get("content"), str)
            and isinstance(s.get("position_in_article"), int)
        ):
            raise CorpusFormatError(f"{where}: needs string 'content' and integer 'position_in_article'")
        ordered.append((s["position_in_article"], i, s))
    ordered.sort(key=lambda t: (t[0], t[1]))
    positions = [p for p, _, _ in ordered]
    if len(set(positions)) != len(positions):
        raise CorpusFormatError(f"{path}: duplicate position_in_article values")
    parts: list[str] = []
    sentences: list[UkraineSentence] = []
    pos = 0
    for position, i, s in ordered:
        if parts:
            parts.append(SENTENCE_SEP)
            pos += len(SENTENCE_SEP)
        content = s["content"]
        scores: dict[str, float] = {}
        for dim in ("subjectivity", "hidden_assumptions", "framing", "bias"):
            if dim in s:
                _flatten(
                    dim,
                    s[dim].get("score", {}) if isinstance(s[dim], dict) else None,
                    scores,
                    f"{path}: sentences[{i}]",
                )
        sentences.append(
            UkraineSentence(str(s.get("id", f"sent_{position}")), position, pos, pos + len(content), scores)
        )
        parts.append(content)
        pos += len(content)
    art_id = str(data.get("id", path.stem))
    return UkraineArticle(art_id, Document(art_id, "".join(parts), [], str(path)), sentences)


def _number(path: Path) -> int:
    m = re.search(r"(\d+)$", path.stem)
    return int(m.group(1)) if m else -1


def read_ukraine_news(root: str | os.PathLike[str] | None = None) -> list[UkraineArticle]:
    """All 90 articles, in article-number order."""
    folder = data_root(root) / "ukraine-news-bias" / "all-data-as-json"
    paths = sorted(folder.glob("article_*.json"), key=_number)
    if not paths:
        raise FileNotFoundError(f"no ukraine-news-bias articles under {folder}")
    return [read_article(p) for p in paths]


def read_ukraine_documents(split: str = "all", root: str | os.PathLike[str] | None = None) -> list[Document]:
    """The built article documents (no spans: the corpus labels sentences). Only split "all" exists."""
    if split != "all":
        raise ValueError(f"ukraine-news-bias has no split {split!r}; it has only 'all'")
    return [a.document for a in read_ukraine_news(root)]
