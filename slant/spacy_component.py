"""slant as a spaCy pipeline component: ``nlp.add_pipe("slant")`` puts slant's spans in ``doc.spans["slant"]``.

The factory is registered through spaCy's ``spacy_factories`` entry point (``pip install "slant[spacy]"``), so
``spacy.blank("en").add_pipe("slant")`` works in any pipeline without importing slant first.

What a Doc gets, in ``doc.spans[spans_key]`` (a SpanGroup; spans may overlap, one phrase may carry several
labels), in slant's order (start, longest first, label):

- each span is a token span whose ``label_`` is slant's label (``slant.taxonomy.LABELS``);
- ``attrs["scores"]``: each span's calibrated score, aligned with the spans (as spaCy's span categorizer does);
- ``attrs["cues"]``: each span's cues (``[{"start", "end", "text"}]``, character offsets into ``doc.text``;
  ``[]`` where a span has none, as only ``unhedged_assertion`` spans have them);
- ``attrs["char_spans"]``: slant's own character offsets ``[start, end]`` of each span, exact into ``doc.text``;
- ``attrs["unaligned"]``: slant spans that no token span could hold (each as in ``spans.jsonl``); none with
  spaCy's own tokenizers.

Alignment: slant finds character spans with its own (subword) tokenizer. A span becomes the smallest run of
the Doc's tokens that covers every character of it except whitespace at its edges
(``doc.char_span(..., alignment_mode="expand")`` on the span without that whitespace): a span that ends
inside a spaCy token ("'democracy'" where spaCy keeps "'democracy'—will" as one token) takes the whole token.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

try:
    from spacy.language import Language
    from spacy.tokens import Doc, SpanGroup
    from spacy.tokens import Span as SpacySpan
    from spacy.util import minibatch
except ImportError as exc:  # pragma: no cover - the extra is installed wherever this module is imported on purpose
    raise ImportError('slant\'s spaCy component needs spaCy: pip install "slant[spacy]"') from exc

from slant.model.profiles import DEFAULT_PROFILE
from slant.spans import Span

if TYPE_CHECKING:
    from slant.pipeline.tagger import Tagger

DEFAULT_SPANS_KEY = "slant"
DEFAULT_CONFIG: dict[str, Any] = {
    "model": None,
    "profile": DEFAULT_PROFILE,
    "labels": None,
    "min_score": 0.0,
    "spans_key": DEFAULT_SPANS_KEY,
    "device": None,
}

_taggers: dict[tuple, Tagger] = {}
_taggers_lock = threading.Lock()


def shared_tagger(model: str | None = None, profile: str = DEFAULT_PROFILE, device: str | None = None) -> Tagger:
    """``Tagger.load(model, profile=profile, device=device)``, loaded once per process and shared by every
    component that asks for the same model: the Tagger is thread-safe, and a second pipeline (or
    ``spacy.load`` of a saved one) costs no second load."""
    # A relative folder and $SLANT_MODEL mean different models from different places: both are in the key.
    key = (model, os.environ.get("SLANT_MODEL"), os.getcwd(), profile, device)
    with _taggers_lock:
        if key not in _taggers:
            from slant.pipeline.tagger import Tagger  # torch loads on add_pipe, not when spaCy finds the factory

            _taggers[key] = Tagger.load(model, profile=profile, device=device)
        return _taggers[key]


def check_labels(labels: Iterable[str] | None) -> frozenset[str] | None:
    """``labels`` as a set (None: every label), or ValueError naming the unknown ones and the valid ones."""
    if labels is None:
        return None
    from slant.taxonomy import LABELS

    chosen = frozenset(labels)
    unknown = sorted(chosen - set(LABELS))
    if unknown:
        raise ValueError(f"unknown slant label(s) {', '.join(unknown)}; valid labels: {', '.join(LABELS)}")
    return chosen


def token_span(doc: Doc, start: int, end: int, label: str) -> SpacySpan | None:
    """The smallest token span of ``doc`` covering ``doc.text[start:end]`` but the whitespace at its edges;
    None if that is only whitespace (or a tokenizer left a character outside every token)."""
    piece = doc.text[start:end]
    core_start = start + len(piece) - len(piece.lstrip())
    core_end = end - (len(piece) - len(piece.rstrip()))
    if core_start >= core_end:
        return None
    return doc.char_span(core_start, core_end, label=label, alignment_mode="expand")


class SlantComponent:
    """The pipeline component: classify each Doc's text with a slant Tagger and store the spans.

    ``nlp.pipe`` sends each batch of Docs to ``Tagger.classify_batch`` in one call (``batch_size`` of
    ``nlp.pipe``), which batches the model windows of all of them together.
    """

    def __init__(
        self,
        tagger: Tagger,
        name: str = "slant",
        labels: Iterable[str] | None = None,
        min_score: float = 0.0,
        spans_key: str = DEFAULT_SPANS_KEY,
    ):
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must lie in [0, 1], got {min_score}")
        self.tagger = tagger
        self.name = name
        self.label_filter = check_labels(labels)
        self.min_score = min_score
        self.spans_key = spans_key

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels this component may set (spaCy lists them in the pipeline's meta)."""
        from slant.taxonomy import LABELS

        return tuple(label for label in LABELS if self.label_filter is None or label in self.label_filter)

    def keep(self, span: Span) -> bool:
        return span.score >= self.min_score and (self.label_filter is None or span.label in self.label_filter)

    def set_annotations(self, doc: Doc, spans: list[Span]) -> Doc:
        """Store ``spans`` (slant spans of ``doc.text``) in ``doc.spans[self.spans_key]``, attrs aligned."""
        kept, scores, cues, char_spans, unaligned = [], [], [], [], []
        for span in spans:
            if not self.keep(span):
                continue
            tokens = token_span(doc, span.start, span.end, span.label)
            if tokens is None:
                unaligned.append(span.to_dict())
                continue
            kept.append(tokens)
            scores.append(span.score)
            cues.append([{"start": s, "end": e, "text": t} for s, e, t in span.cues])
            char_spans.append([span.start, span.end])
        attrs = {"scores": scores, "cues": cues, "char_spans": char_spans, "unaligned": unaligned}
        doc.spans[self.spans_key] = SpanGroup(doc, name=self.spans_key, attrs=attrs, spans=kept)
        return doc

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations(doc, self.tagger.classify_batch([doc.text])[0])

    def pipe(self, stream: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for batch in minibatch(stream, size=batch_size):
            docs = list(batch)
            for doc, spans in zip(docs, self.tagger.classify_batch([doc.text for doc in docs]), strict=True):
                yield self.set_annotations(doc, spans)


@Language.factory("slant", default_config=DEFAULT_CONFIG, assigns=["doc.spans"])
def make_slant(
    nlp: Language,
    name: str,
    model: str | None,
    profile: str,
    labels: list[str] | None,
    min_score: float,
    spans_key: str,
    device: str | None,
) -> SlantComponent:
    """The ``slant`` factory. Config: ``model`` (None: ``$SLANT_MODEL`` or the shipped model; "accurate"; or a
    model folder), ``profile`` ("news" or "memes"), ``labels`` (keep only these; None: all), ``min_score``
    (drop spans scored below it), ``spans_key`` (the ``doc.spans`` key) and ``device`` (None: the GPU when
    torch sees one). Only this config is saved with ``nlp.to_disk``; the model loads from ``model`` again."""
    check_labels(labels)  # a bad label fails before the model loads
    return SlantComponent(shared_tagger(model, profile, device), name, labels, min_score, spans_key)
