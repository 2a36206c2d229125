"""The span: the one result type every part of slant returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled region of an input string.

    ``start``/``end`` are Python code-point offsets into the exact input string (end exclusive), so
    ``span.text == original[span.start:span.end]`` always holds. Build spans with :meth:`from_text`
    so the text is sliced, never retyped.
    """

    start: int
    end: int
    label: str
    score: float
    text: str
    cues: tuple[tuple[int, int, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"span offsets must satisfy 0 <= start < end, got ({self.start}, {self.end})")
        if len(self.text) != self.end - self.start:
            raise ValueError(
                f"span text has {len(self.text)} characters but offsets cover {self.end - self.start}"
            )
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"span score must lie in [0, 1], got {self.score}")

    @classmethod
    def from_text(
        cls,
        original: str,
        start: int,
        end: int,
        label: str,
        score: float,
        cues: tuple[tuple[int, int, str], ...] = (),
    ) -> Span:
        if end > len(original):
            raise ValueError(f"span end {end} lies past the end of the text ({len(original)} characters)")
        return cls(start, end, label, float(score), original[start:end], cues)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.cues:
            data["cues"] = [{"start": s, "end": e, "text": t} for s, e, t in self.cues]
        else:
            data.pop("cues")
        return data
