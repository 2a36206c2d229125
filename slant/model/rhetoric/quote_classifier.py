"""The quotation-function classifier (scare / direct / title / mention) and the scare-quote spans it yields."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slant.model.rhetoric.cross_encoder import CrossEncoderModel
from slant.model.rhetoric.linear import LinearModel
from slant.model.rhetoric.vectors import SpanVectors, VectorModel, quote_vector
from slant.spans import Span
from slant.text.assertion_features import is_boilerplate
from slant.text.context import TextContext
from slant.text.quote_features import quote_features
from slant.text.quotes import Quotation

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
    vector_model: VectorModel | None = None  # the tagger's second opinion (slant.model.rhetoric.vectors)
    # The fine-tuned reader of the quotation in its paragraph (slant.model.rhetoric.cross_encoder), a third opinion:
    # with the tagger's vectors the three models' mean decides (ahead on TUNE out-of-fold F1, see
    # data/annotations/README.md); without them, the feature and cross models'.
    cross_model: CrossEncoderModel | None = None

    @classmethod
    def load(cls, path: Path, vector_path: Path | None = None, cross_path: Path | None = None) -> QuoteClassifier:
        vectors = VectorModel.load(vector_path) if vector_path and vector_path.exists() else None
        cross = CrossEncoderModel.load(cross_path) if cross_path and cross_path.exists() else None
        return cls(LinearModel.load(path), vectors, cross)

    def reads_cross(self, vectors: SpanVectors | None) -> bool:
        """Whether ``decide`` uses the cross-encoder's probability with these vectors (else it is not worth
        computing): always without usable vectors; with them, only where the three-way mix ships."""
        if self.cross_model is None:
            return False
        vm = self.vector_model
        return vm is None or not vm.usable(vectors) or vm.cross_threshold is not None

    def cross_scores(self, items: list[tuple[TextContext, Quotation]]) -> list[float | None]:
        """The cross-encoder's scare probability of each (context, quotation), marks included, in one batched
        pass; None for every item without a cross model."""
        if self.cross_model is None:
            return [None] * len(items)
        return list(self.cross_model.item_probabilities([(ctx, q.start, q.end) for ctx, q in items]))

    @property
    def reads_vectors(self) -> bool:
        """Whether ``decide`` uses the tagger's vectors (then they are worth pooling)."""
        return self.vector_model is not None

    @property
    def inner_words(self) -> bool:
        return bool(self.model.meta.get("inner_words", False))

    def decide(
        self, ctx: TextContext, q: Quotation, vectors: SpanVectors | None = None, cross: float | None = None
    ) -> QuoteDecision:
        """The richest mix at hand decides: with ``vectors`` from the tagger the vector model was trained on and
        the cross-encoder's probability ``cross`` (``cross_scores``), all three models; with one of the two,
        the feature model and that one; else the feature model alone."""
        probs = self.model.probabilities(quote_features(ctx, q, self.inner_words))
        positive = float(probs[self.model.labels.index(self.model.positive)])
        vm, cm = self.vector_model, self.cross_model
        vector = quote_vector(ctx, q, vectors) if vm is not None and vm.usable(vectors) else None
        cross = cross if cm is not None else None
        if vm is not None and vector is not None:
            if cross is not None and vm.cross_threshold is not None:
                score, threshold = vm.three_way_score(positive, vector, cross), vm.cross_threshold
            else:
                score, threshold = vm.score_and_threshold(self.model, probs, vector)
        elif cm is not None and cross is not None:
            score, threshold = cm.mixed_score(positive, cross), cm.threshold
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
        # Site furniture ('under the provisions of "fair use"') is not the author's wording.
        quotations = [
            q for q in ctx.quotations if not is_boilerplate(ctx.text[slice(*ctx.sentence_span(q.start, q.end))])
        ]
        if self.reads_cross(vectors):
            cross_probabilities = self.cross_scores([(ctx, q) for q in quotations])
        else:
            cross_probabilities = [None] * len(quotations)
        for q, cross in zip(quotations, cross_probabilities, strict=True):
            d = self.decide(ctx, q, vectors, cross)
            if d.label == "scare":
                out.append(Span.from_text(ctx.text, q.start, q.end, SCARE_LABEL, d.score))
        return out
