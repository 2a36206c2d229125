"""Corpus readers: each returns ``list[Document]`` with gold spans in the dataset's and slant's labels."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from slant.corpora.base import CorpusFormatError, Document, GoldSpan
from slant.corpora.ptc import read_emnlp2019, read_ptc2020
from slant.corpora.semeval2021 import read_semeval2021
from slant.corpora.semeval2023 import read_semeval2023

READERS: dict[str, Callable[..., list[Document]]] = {
    "ptc2020": read_ptc2020,
    "emnlp2019": read_emnlp2019,
    "semeval2021": read_semeval2021,
    "semeval2023": read_semeval2023,
}


def read_corpus(
    name: str, split: str, root: str | os.PathLike[str] | None = None, **options: Any
) -> list[Document]:
    """Read ``split`` of corpus ``name``; ``options`` go to the reader (``lang="fr"`` for semeval2023)."""
    try:
        reader = READERS[name]
    except KeyError:
        raise ValueError(f"unknown corpus {name!r}; valid corpora: {', '.join(READERS)}") from None
    return reader(split, root=root, **options)


__all__ = [
    "READERS",
    "CorpusFormatError",
    "Document",
    "GoldSpan",
    "read_corpus",
    "read_emnlp2019",
    "read_ptc2020",
    "read_semeval2021",
    "read_semeval2023",
]
