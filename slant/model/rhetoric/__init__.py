"""Rhetoric that no public corpus annotates: scare quotes and unhedged assertions.

``rhetoric_spans(text, tagger)`` is what the Tagger adds to its technique spans. Each classifier is a logistic
regression over hand-made features, mixed with a second opinion: for quotations a logistic regression over
the span tagger's pooled hidden states (``slant.model.rhetoric.vectors``) and a fine-tuned reader of the
quotation in its paragraph (``slant.model.rhetoric.cross_encoder``), all three averaged; for assertions the same
kind of reader of the sentence, or the vector model where no such reader ships. Stored in ``model/rhetoric/``
and trained by ``python -m slant.train.rhetoric`` (weak supervision from the corpora plus the TUNE part of the
hand labels). The tagger is named by what is read of it (``RhetoricTagger``), never imported: the pipeline
(``slant.pipeline.tagger``) imports this package, not the reverse.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from slant.model.rhetoric.assertion_classifier import AssertionClassifier
from slant.model.rhetoric.quote_classifier import QuoteClassifier
from slant.model.rhetoric.vectors import SpanVectors, VectorTagger, candidate_spans, span_vectors
from slant.resolve import model_folder, shipped_dir
from slant.spans import Span
from slant.text.context import TextContext

__all__ = [
    "rhetoric_spans",
    "load_classifiers",
    "model_dir",
    "rhetoric_dir_for",
    "RhetoricClassifiers",
    "RhetoricTagger",
]

QUOTES_FILE = "quotes.json"
ASSERTIONS_FILE = "assertions.json"
QUOTE_VECTORS_FILE = "quotes.vectors.json"
ASSERTION_VECTORS_FILE = "assertions.vectors.json"
ASSERTION_CROSS_FILE = "assertions.cross.safetensors"  # with its record, assertions.cross.json
QUOTE_CROSS_FILE = "quotes.cross.safetensors"  # with its record, quotes.cross.json


class RhetoricTagger(VectorTagger, Protocol):
    """What ``rhetoric_spans`` reads of a ``slant.pipeline.tagger.Tagger``: its vectors (``VectorTagger``) and the
    folder it was loaded from, which may ship its own rhetoric files."""

    model_dir: Path | None


@dataclass(frozen=True)
class RhetoricClassifiers:
    quotes: QuoteClassifier
    assertions: AssertionClassifier

    def wants_vectors(self, tagger: VectorTagger) -> bool:
        """Whether a vector model that ``decide`` reads was trained on this tagger (then its pooled vectors are
        worth computing)."""
        ids = {c.vector_model.tagger_id for c in (self.quotes, self.assertions) if c.reads_vectors}
        if ids and tagger.tagger_id not in ids:
            warnings.warn(
                f"the rhetoric vector models were trained on tagger {sorted(ids)[0]}, not on this one "
                f"({tagger.tagger_id}): they are left out (scare quotes use the feature and cross-encoder models)",
                stacklevel=3,
            )
        return tagger.tagger_id in ids

    def vector_spans(self, ctx: TextContext) -> list[tuple[int, int]]:
        """The spans whose pooled vectors a classifier will read (only those are worth pooling)."""
        return candidate_spans(ctx, quotes=self.quotes.reads_vectors, assertions=self.assertions.reads_vectors)


def model_dir() -> Path:
    """``$SLANT_MODEL/rhetoric`` when that model ships its own rhetoric files, else the shipped ``model/rhetoric``."""
    chosen = model_folder(None) / "rhetoric"
    return chosen if (chosen / QUOTES_FILE).exists() else shipped_dir("model") / "rhetoric"


def rhetoric_dir_for(tagger_dir: Path | None) -> Path:
    """The rhetoric files that go with a tagger: its own ``rhetoric/`` folder when it ships one (its vector
    models read its hidden states), else those of ``model_dir()``."""
    if tagger_dir is not None and (tagger_dir / "rhetoric" / QUOTES_FILE).exists():
        return tagger_dir / "rhetoric"
    return model_dir()


def cross_file(folder: Path, name: str) -> Path:
    """A cross-encoder file of ``folder``, else the shipped ``model/rhetoric``'s: the cross-encoders read the
    base encoder, not a tagger, so a tagger's own rhetoric folder (model/accurate/rhetoric) holds no copy."""
    own = folder / name
    return own if own.exists() else shipped_dir("model") / "rhetoric" / name


_lock = threading.Lock()
_loaded: dict[Path, RhetoricClassifiers | None] = {}


def load_classifiers(folder: Path | None = None) -> RhetoricClassifiers | None:
    """Both classifiers, read once per folder (the lock keeps two threads from reading the files twice)."""
    folder = folder or model_dir()
    with _lock:
        if folder not in _loaded:
            q, a = folder / QUOTES_FILE, folder / ASSERTIONS_FILE
            if q.exists() and a.exists():
                _loaded[folder] = RhetoricClassifiers(
                    QuoteClassifier.load(q, folder / QUOTE_VECTORS_FILE, cross_file(folder, QUOTE_CROSS_FILE)),
                    AssertionClassifier.load(
                        a, folder / ASSERTION_VECTORS_FILE, cross_file(folder, ASSERTION_CROSS_FILE)
                    ),
                )
            else:
                warnings.warn(
                    f"no rhetoric model in {folder} (run python -m slant.train.rhetoric); "
                    "no scare_quote / unhedged_assertion spans",
                    stacklevel=2,
                )
                _loaded[folder] = None
        return _loaded[folder]


def rhetoric_spans(
    text: str,
    tagger: RhetoricTagger | None,
    *,
    ctx: TextContext | None = None,
    vectors: SpanVectors | None = None,
) -> list[Span]:
    """``scare_quote`` and ``unhedged_assertion`` spans of ``text``, sorted by (start, -end, label).

    The classifiers are those that go with ``tagger`` (``rhetoric_dir_for``). The pooled vectors come from
    ``vectors`` when given (the Tagger computes them in its own forward pass), else from ``tagger``
    (``slant.pipeline.tagger.default_tagger()`` for the shipped model; ``classify()`` gives the same spans).
    ``tagger=None`` means no tagger vectors: the classifiers of ``model_dir()`` decide without them. Thread-safe:
    the models are immutable once loaded and every call builds its own context.
    """
    classifiers = load_classifiers(rhetoric_dir_for(tagger.model_dir if tagger is not None else None))
    if classifiers is None or not text.strip():
        return []
    ctx = ctx if ctx is not None else TextContext.build(text)
    if vectors is None and tagger is not None and classifiers.wants_vectors(tagger):
        vectors = span_vectors(tagger, [ctx], [classifiers.vector_spans(ctx)])[0]
    spans = classifiers.quotes.spans(ctx, vectors) + classifiers.assertions.spans(ctx, vectors)
    return sorted(spans, key=lambda s: (s.start, -s.end, s.label))
