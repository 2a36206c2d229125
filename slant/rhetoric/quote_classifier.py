"""The quotation-function classifier (scare / direct / title / mention) and the scare-quote spans it yields."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from slant.quotes import Quotation
from slant.rhetoric.context import TextContext
from slant.rhetoric.linear import LinearModel
from slant.rhetoric.quote_features import quote_features
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

    @classmethod
    def load(cls, path: Path) -> QuoteClassifier:
        return cls(LinearModel.load(path))

    @property
    def inner_words(self) -> bool:
        return bool(self.model.meta.get("inner_words", False))

    def decide(self, ctx: TextContext, q: Quotation) -> QuoteDecision:
        probs = self.model.probabilities(quote_features(ctx, q, self.inner_words))
        return QuoteDecision(
            q,
            self.model.decide(probs),
            self.model.score(probs),
            dict(zip(self.model.labels, map(float, probs), strict=True)),
        )

    def spans(self, ctx: TextContext) -> list[Span]:
        """``scare_quote`` spans: the quotation with its marks, scored with the calibrated probability."""
        out = []
        for q in ctx.quotations:
            d = self.decide(ctx, q)
            if d.label == "scare":
                out.append(Span.from_text(ctx.text, q.start, q.end, SCARE_LABEL, d.score))
        return out
