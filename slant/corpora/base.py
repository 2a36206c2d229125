"""The document type every corpus reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field


class CorpusFormatError(ValueError):
    """A corpus file does not parse: the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """A gold annotation: offsets into ``Document.text``, the dataset's own technique name and its canonical id."""

    start: int
    end: int
    technique: str  # as spelled by the dataset
    label: str | None  # canonical slant id (slant.taxonomy), None where the taxonomy has no counterpart


@dataclass(slots=True)
class Document:
    """One article (or meme text) exactly as distributed: ``text`` is never normalised or stripped."""

    id: str
    text: str
    spans: list[GoldSpan] = field(default_factory=list)
    source: str = ""  # path of the file the text came from
    si_spans: list[tuple[int, int]] | None = None  # the organisers' SI gold where a corpus has one (PTC 2020)
