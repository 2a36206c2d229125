"""slant: find the spans of a news text where the writer persuades instead of informs.

>>> import slant
>>> spans = slant.classify(text)          # list[Span], exact character offsets into `text`
>>> slant.classify_spans(text, [(0, 12)])  # technique probabilities for given spans
>>> tagger = slant.Tagger.load()           # or Tagger.load("accurate"), or a model folder
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slant.spans import Span

if TYPE_CHECKING:
    from slant.pipeline.tagger import Tagger, classify, classify_spans

__all__ = ["Span", "Tagger", "classify", "classify_spans"]
__version__ = "0.1.0"

_LAZY = {"Tagger", "classify", "classify_spans"}


def __getattr__(name: str) -> Any:
    # torch and transformers load only when the model is first needed: `import slant` stays instant.
    if name in _LAZY:
        from slant.pipeline import tagger

        return getattr(tagger, name)
    raise AttributeError(f"module 'slant' has no attribute {name!r}")
