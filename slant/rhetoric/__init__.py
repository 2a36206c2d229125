"""Rhetoric that no public corpus annotates: scare quotes and unhedged assertions.

``rhetoric_spans(text)`` is what the Tagger adds to its technique spans. Both classifiers are small logistic
regressions over hand-made features, stored as JSON in ``model/rhetoric/`` and trained by
``python -m slant.rhetoric.train`` (weak supervision from the corpora plus the TUNE part of the hand labels).
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slant.config import DEFAULT_MODEL_DIR, default_model_dir
from slant.spans import Span

if TYPE_CHECKING:  # imported lazily at run time: the Tagger imports this package on every classify()
    from slant.rhetoric.assertion_classifier import AssertionClassifier
    from slant.rhetoric.quote_classifier import QuoteClassifier

__all__ = ["rhetoric_spans", "load_classifiers", "model_dir", "RhetoricClassifiers"]

QUOTES_FILE = "quotes.json"
ASSERTIONS_FILE = "assertions.json"


@dataclass(frozen=True)
class RhetoricClassifiers:
    quotes: QuoteClassifier
    assertions: AssertionClassifier


def model_dir() -> Path:
    """``$SLANT_MODEL/rhetoric`` when that model ships its own rhetoric files, else the shipped ``model/rhetoric``."""
    chosen = default_model_dir() / "rhetoric"
    return chosen if (chosen / QUOTES_FILE).exists() else DEFAULT_MODEL_DIR / "rhetoric"


_lock = threading.Lock()
_loaded: dict[Path, RhetoricClassifiers | None] = {}


def load_classifiers(folder: Path | None = None) -> RhetoricClassifiers | None:
    """Both classifiers, read once per folder (the lock keeps two threads from reading the files twice)."""
    from slant.rhetoric.assertion_classifier import AssertionClassifier
    from slant.rhetoric.quote_classifier import QuoteClassifier

    folder = folder or model_dir()
    with _lock:
        if folder not in _loaded:
            q, a = folder / QUOTES_FILE, folder / ASSERTIONS_FILE
            if q.exists() and a.exists():
                _loaded[folder] = RhetoricClassifiers(QuoteClassifier.load(q), AssertionClassifier.load(a))
            else:
                warnings.warn(
                    f"no rhetoric model in {folder} (run python -m slant.rhetoric.train); "
                    "no scare_quote / unhedged_assertion spans",
                    stacklevel=2,
                )
                _loaded[folder] = None
        return _loaded[folder]


def rhetoric_spans(text: str) -> list[Span]:
    """``scare_quote`` and ``unhedged_assertion`` spans of ``text``, sorted by (start, -end, label).

    Thread-safe: the models are immutable once loaded and every call builds its own context.
    """
    from slant.rhetoric.context import TextContext

    classifiers = load_classifiers()
    if classifiers is None or not text.strip():
        return []
    ctx = TextContext.build(text)
    spans = classifiers.quotes.spans(ctx) + classifiers.assertions.spans(ctx)
    return sorted(spans, key=lambda s: (s.start, -s.end, s.label))
