"""The quotation-function classifier (scare / direct / title / mention) and the scare-quote spans it yields."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slant.quotes import Quotation
from slant.rhetoric.assertion_features import is_boilerplate
from slant.rhetoric.context import TextContext
from slant.rhetoric.linear import LinearModel
from slant.rhetoric.quote_features import quote_features
from slant.rhetoric.vectors import SpanVectors, VectorModel, quote_vector
from slant.spans import Span

QUOTE_CLASSES = ("scare", "direct", "title", "mention")
SCARE_LABEL = "scare_quote"


@dataclass(frozen=True, slots=True)
class QuoteDecision:
    quotation: Quotation
    label: str  # one of QUOTE_CLASSES
    score: float  # calibrated probability of "scare"
    probabilities: dict[str, float]


@dataclass(frozen=True)
class QuoteClassifier:
    model: LinearModel
    vector_model: VectorModel | None = None  # the tagger's second opinion (slant.rhetoric.vectors)

    @classmethod
    def load(cls, path: Path, vector_path: Path | None = None) -> QuoteClassifier:
        vectors = VectorModel.load(vector_path) if vector_path and vector_path.exists() else None
        return cls(LinearModel.load(path), vectors)

    @property
    def reads_vectors(self) -> bool:
        """Whether ``decide`` uses the tagger's vectors (then they are worth pooling)."""
        return self.vector_model is not None

    @property
    def inner_words(self) -> bool:
        return bool(self.model.meta.get("inner_words", False))

    def decide(self, ctx: TextContext, q: Quotation, vectors: SpanVectors | None = None) -> QuoteDecision:
        """With ``vectors`` from the tagger the vector model was trained on, both models decide together."""
        probs = self.model.probabilities(quote_features(ctx, q, self.inner_words))
        vm = self.vector_model
        if vm is not None and vm.usable(vectors):
            score, threshold = vm.score_and_threshold(self.model, probs, quote_vector(ctx, q, vectors))
        else:
            score, threshold = self.model.score(probs), None
        return QuoteDecision(
            q,
            self.model.decide(probs, score, threshold),
            score,
            dict(zip(self.model.labels, map(float, probs), strict=True)),
        )

    def spans(self, ctx: TextContext, vectors: SpanVectors | None = None) -> list[Span]:
        """``scare_quote`` spans: the quotation with its marks, scored with the calibrated probability."""
        out = []
        for q in ctx.quotations:
            if is_boilerplate(ctx.text[slice(*ctx.sentence_span(q.start, q.end))]):
                continue  # site furniture ('under the provisions of "fair use"'): not the author's wording
            d = self.decide(ctx, q, vectors)
            if d.label == "scare":
                out.append(Span.from_text(ctx.text, q.start, q.end, SCARE_LABEL, d.score))
        return out
