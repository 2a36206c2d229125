"""The tagger's reading of a quotation or a sentence, as a second opinion for the rhetoric classifiers.

The feature-based models see cue words and layout; they miss what the words mean. The span tagger, trained on
propaganda techniques, already encodes whether a stretch of text is evaluative. Its hidden states, mean-pooled
over the span (``slant.model.pooling``), feed a small logistic model per kind (``VectorModel``); the classifier's
positive-class probability is the mean of the two models' probabilities, calibrated and thresholded on
out-of-fold TUNE predictions (``slant.train.rhetoric``).

The vectors are only meaningful for the tagger that made them: each ``VectorModel`` records the tagger's
weights hash, and with any other tagger the classifiers leave the vector model out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from slant.model.rhetoric.linear import LinearModel, calibrate, read_model_json, sigmoid, write_model_json
from slant.text.context import TextContext
from slant.text.quotes import Quotation
from slant.text.sentences import split_clauses

if TYPE_CHECKING:
    from slant.corpora.items import LabelledItem
    from slant.model.network import SpanTagger

FORMAT = "slant-rhetoric-vectors/1"
Spans = tuple[int, int]


class PooledPrediction(Protocol):
    """What this module reads of a ``slant.pipeline.tagger.TokenPredictions``: the pooled vector of each span
    asked for (None for a span no token overlaps)."""

    span_vectors: list[np.ndarray | None] | None


class VectorTagger(Protocol):
    """What this package reads of a ``slant.pipeline.tagger.Tagger`` (named here, not imported: the pipeline
    imports the models, never the reverse)."""

    network: SpanTagger

    @property
    def tagger_id(self) -> str | None: ...

    def predict_tokens(
        self, texts: list[str], with_hidden: bool = False, pool_spans: list[list[Spans]] | None = None
    ) -> list[Any]: ...


def candidate_spans(ctx: TextContext, quotes: bool = True, assertions: bool = True) -> list[Spans]:
    """Every span a rhetoric classifier may ask a vector for: each quotation's words and its sentence
    (``quotes``), each sentence and each of its clauses (``assertions``)."""
    seen: dict[Spans, None] = {}
    if quotes:
        for q in ctx.quotations:
            seen[(q.inner_start, q.inner_end)] = None
            seen[ctx.sentence_span(q.start, q.end)] = None
    if assertions:
        for sentence in ctx.sentences:
            seen[(sentence.start, sentence.end)] = None
            for clause in split_clauses(ctx.text, sentence):
                seen[(clause.start, clause.end)] = None
    return list(seen)


@dataclass(frozen=True, slots=True)
class SpanVectors:
    """Pooled tagger vectors of one text's spans, and which tagger made them."""

    tagger_id: str
    by_span: dict[Spans, np.ndarray | None]
    dim: int

    def get(self, start: int, end: int) -> np.ndarray | None:
        """The span's vector (zeros when no token overlaps it); None when it was not computed."""
        if (start, end) not in self.by_span:
            return None
        vector = self.by_span[(start, end)]
        return vector if vector is not None else np.zeros(self.dim, dtype=np.float32)


def span_vectors(
    tagger: VectorTagger, contexts: list[TextContext], spans: list[list[Spans]] | None = None
) -> list[SpanVectors | None]:
    """SpanVectors for each context (``spans`` defaults to ``candidate_spans``); None without a tagger id."""
    if tagger.tagger_id is None:
        return [None] * len(contexts)
    spans = spans if spans is not None else [candidate_spans(ctx) for ctx in contexts]
    preds = tagger.predict_tokens([ctx.text for ctx in contexts], pool_spans=spans)
    return [vectors_from_prediction(tagger, pred, s) for pred, s in zip(preds, spans, strict=True)]


def vectors_from_prediction(tagger: VectorTagger, pred: PooledPrediction, spans: list[Spans]) -> SpanVectors | None:
    if tagger.tagger_id is None or pred.span_vectors is None:
        return None
    dim = tagger.network.token_head.in_features
    return SpanVectors(tagger.tagger_id, dict(zip(spans, pred.span_vectors, strict=True)), dim)


def quote_vector(ctx: TextContext, q: Quotation, vectors: SpanVectors) -> np.ndarray | None:
    """The quoted words' vector next to their sentence's."""
    words = vectors.get(q.inner_start, q.inner_end)
    sentence = vectors.get(*ctx.sentence_span(q.start, q.end))
    return None if words is None or sentence is None else np.concatenate([words, sentence])


def assertion_vector(start: int, end: int, vectors: SpanVectors) -> np.ndarray | None:
    return vectors.get(start, end)


@dataclass(slots=True)
class VectorModel:
    """Binary logistic regression (positive class vs the rest) over pooled tagger vectors.

    ``threshold`` and ``calibration`` apply to the *mixed* probability (mean of this model's and the feature
    model's positive-class probability); they replace the feature model's own when the vectors are usable.
    """

    weights: np.ndarray
    bias: float
    tagger_id: str
    threshold: float = 0.5
    calibration: tuple[float, float] = (1.0, 0.0)
    meta: dict[str, Any] = field(default_factory=dict)
    # The three-way mix (feature, vector and cross-encoder models), where the classifier ships a cross-encoder:
    # its threshold and calibration, fitted like the two-way ones. Tagger-specific, so they live here.
    cross_threshold: float | None = None
    cross_calibration: tuple[float, float] = (1.0, 0.0)

    def probability(self, vector: np.ndarray) -> float:
        return sigmoid(float(vector @ self.weights) + self.bias)

    def mixed_score(self, feature_probability: float, vector: np.ndarray) -> float:
        """Calibrated probability of the positive class from both models."""
        return calibrate((feature_probability + self.probability(vector)) / 2, self.calibration)

    def three_way_score(self, feature_probability: float, vector: np.ndarray, cross_probability: float) -> float:
        """Calibrated probability of the positive class from the feature, vector and cross-encoder models (the
        mean of the three); ``cross_threshold`` applies to it."""
        mean = (feature_probability + self.probability(vector) + cross_probability) / 3
        return calibrate(mean, self.cross_calibration)

    def score_and_threshold(
        self, feature_model: LinearModel, probs: np.ndarray, vector: np.ndarray | None
    ) -> tuple[float, float | None]:
        """The mixed score and its threshold, or the feature model's own score (and None) without a vector."""
        if vector is None:
            return feature_model.score(probs), None
        positive = float(probs[feature_model.labels.index(feature_model.positive)])
        return self.mixed_score(positive, vector), self.threshold

    def usable(self, vectors: SpanVectors | None) -> bool:
        """Vectors from the tagger this model was trained on (another tagger's hidden states mean nothing here)."""
        return vectors is not None and vectors.tagger_id == self.tagger_id

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "tagger_id": self.tagger_id,
            "threshold": self.threshold,
            "calibration": list(self.calibration),
            "bias": self.bias,
            "meta": self.meta,
            "weights": [round(float(x), 6) for x in self.weights],
        } | (
            {}
            if self.cross_threshold is None
            else {"with_cross": {"threshold": self.cross_threshold, "calibration": list(self.cross_calibration)}}
        )

    def save(self, path: Path) -> None:
        write_model_json(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> VectorModel:
        data = read_model_json(path, FORMAT)
        three_way = data.get("with_cross")
        return cls(
            weights=np.asarray(data["weights"], dtype=np.float32),
            bias=float(data["bias"]),
            tagger_id=data["tagger_id"],
            threshold=float(data["threshold"]),
            calibration=(float(data["calibration"][0]), float(data["calibration"][1])),
            meta=data.get("meta", {}),
            cross_threshold=None if three_way is None else float(three_way["threshold"]),
            cross_calibration=(1.0, 0.0)
            if three_way is None
            else (float(three_way["calibration"][0]), float(three_way["calibration"][1])),
        )


def item_span(item: LabelledItem) -> list[tuple[int, int]]:
    """The spans a vector model reads for this item: the quoted words and their sentence, or the sentence."""
    if item.quotation is not None:
        q = item.quotation
        return [(q.inner_start, q.inner_end), item.ctx.sentence_span(q.start, q.end)]
    return [(item.item.start, item.item.end)]


def item_vectors(items: list[LabelledItem], tagger: VectorTagger, docs_per_batch: int = 16) -> list[SpanVectors | None]:
    """Each hand-labelled item's SpanVectors from ``tagger`` (one forward pass per document, shared by its items)."""
    by_doc: dict[int, list[tuple[int, int]]] = {}
    contexts: dict[int, TextContext] = {}
    for it in items:
        by_doc.setdefault(id(it.ctx), []).extend(item_span(it))
        contexts[id(it.ctx)] = it.ctx
    keys = list(by_doc)
    found: dict[int, SpanVectors | None] = {}
    for i in range(0, len(keys), docs_per_batch):
        chunk = keys[i : i + docs_per_batch]
        spans = [list(dict.fromkeys(by_doc[k])) for k in chunk]
        for key, vectors in zip(chunk, span_vectors(tagger, [contexts[k] for k in chunk], spans), strict=True):
            found[key] = vectors
    return [found[id(it.ctx)] for it in items]
