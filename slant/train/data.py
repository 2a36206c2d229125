"""Training documents -> model windows with token targets and gold spans, as a `datasets.Dataset`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from datasets import Dataset

from slant import taxonomy
from slant.corpora.base import Document
from slant.model.network import ANY_CHANNEL, span_features
from slant.model.windows import char_span_to_tokens, make_windows, token_char_labels, tokenize

EXAMPLE_KEYS = (
    "input_ids",
    "targets",
    "channel_mask",
    "span_starts",
    "span_ends",
    "span_labels",
    "span_features",
)


@dataclass(frozen=True)
class ChannelSpec:
    """Output channels: 'any' then one per technique. Each corpus annotates only some of them."""

    channels: list[str]
    annotated: dict[str, list[str]]  # corpus -> channels its gold covers (loss is masked elsewhere)

    @property
    def techniques(self) -> list[str]:
        return self.channels[1:]

    def channel_of(self, label: str | None) -> str | None:
        """The technique channel a canonical label trains: its SemEval-2020 class where one exists."""
        if label is None:
            return None
        name_2020 = taxonomy.convert(label, "semeval2020")
        if name_2020 is not None:
            return taxonomy.from_scheme(name_2020, "semeval2020")
        return label if label in self.channels else None


def channel_spec(corpora: list[str]) -> ChannelSpec:
    channels = [ANY_CHANNEL, *taxonomy.SEMEVAL2020_LABELS]
    annotated = {"ptc2020": list(channels)}
    if "semeval2021" in corpora:
        reach: list[str] = [ANY_CHANNEL]
        for name in taxonomy.scheme_labels("semeval2021"):
            label = taxonomy.from_scheme(name, "semeval2021")
            name_2020 = taxonomy.convert(label, "semeval2020") if label else None
            channel = taxonomy.from_scheme(name_2020, "semeval2020") if name_2020 else label
            if channel is None:
                continue
            if channel not in channels:
                channels.append(channel)
            if channel not in reach:
                reach.append(channel)
        annotated["semeval2021"] = reach
    return ChannelSpec(channels, annotated)


def document_windows(
    doc: Document, corpus: str, spec: ChannelSpec, tokenizer, max_tokens: int, stride: int
) -> list[dict]:
    """One training example per window: token ids, token targets, channel mask, and the gold spans it holds."""
    tokens = tokenize(tokenizer, doc.text)
    index = {name: i for i, name in enumerate(spec.channels)}
    char_spans: list[tuple[int, int, int]] = []
    by_range: dict[tuple[int, int], set[int]] = {}
    for span in doc.spans:
        channel = spec.channel_of(span.label)
        if channel is None:
            continue
        char_spans.append((span.start, span.end, index[channel]))
        by_range.setdefault((span.start, span.end), set()).add(index[channel] - 1)
    # SI gold where the corpus has it (PTC), else the union of the technique spans.
    any_spans = doc.si_spans if doc.si_spans is not None else [(s.start, s.end) for s in doc.spans]
    char_spans.extend((start, end, 0) for start, end in any_spans)
    targets = token_char_labels(tokens.offsets, char_spans, len(spec.channels))
    mask = [1.0 if name in spec.annotated[corpus] else 0.0 for name in spec.channels]

    token_spans = []
    for (start, end), labels in by_range.items():
        token_range = char_span_to_tokens(tokens.offsets, start, end)
        if token_range is not None:
            token_spans.append((token_range, start, end, sorted(labels)))

    examples = []
    for window in make_windows(len(tokens), 0, max_tokens, stride) if len(tokens) else []:
        ws, we = window.token_start, window.token_end
        starts, ends, labels, feats = [], [], [], []
        for (first, last), start, end, span_labels in token_spans:
            if first >= ws and last <= we:  # whole span visible in this window
                starts.append(first - ws + 1)  # +1: [CLS] comes first
                ends.append(last - ws + 1)
                multi_hot = np.zeros(len(spec.techniques), dtype=np.float32)
                multi_hot[span_labels] = 1.0
                labels.append(multi_hot.tolist())
                feats.append(span_features(doc.text, start, end, last - first))
        examples.append(
            {
                "input_ids": tokens.input_ids[ws:we].tolist(),
                "targets": targets[ws:we].tolist(),
                "channel_mask": mask,
                "span_starts": starts,
                "span_ends": ends,
                "span_labels": labels,
                "span_features": feats,
            }
        )
    return examples


def build_dataset(
    docs: list[tuple[str, Document]], spec: ChannelSpec, tokenizer, max_tokens: int, stride: int
) -> Dataset:
    """Windows of all documents, built with `datasets.map` (batched: one document fans out to many windows)."""
    source = Dataset.from_dict({"position": list(range(len(docs)))})

    def to_windows(batch: dict) -> dict:
        rows: dict[str, list] = {key: [] for key in EXAMPLE_KEYS}
        for position in batch["position"]:
            corpus, doc = docs[position]
            for example in document_windows(doc, corpus, spec, tokenizer, max_tokens, stride):
                for key, value in example.items():
                    rows[key].append(value)
        return rows

    return source.map(to_windows, batched=True, batch_size=16, remove_columns=["position"], desc="windows")
