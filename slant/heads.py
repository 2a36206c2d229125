"""Candidate heads: quotation function and sentence stance, read from the tagger's own encoder pass.

A head sees, for one candidate (``slant.candidates``): the mean and the max of the encoder's states over the
candidate's tokens, the mean over its context's tokens, and its cue features (a fixed vocabulary, learnt in
training and stored in the model's config). Learned state lives in the network's weights and in ``HeadSpec``
(classes, feature vocabulary, threshold, calibration), so a head is rebuilt exactly from a model folder.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from slant.candidates import ASSERTIONS, QUOTES, Candidate
from slant.windows import char_span_to_tokens

CLASSES = {QUOTES: ("scare", "direct", "title", "mention"), ASSERTIONS: ("unhedged", "hedged", "attributed", "neutral")}
POSITIVE = {QUOTES: "scare", ASSERTIONS: "unhedged"}
SPAN_LABEL = {QUOTES: "scare_quote", ASSERTIONS: "unhedged_assertion"}
FEATURE_WIDTH = 32  # the cue features are squeezed to this width before they meet the pooled states


@dataclass
class HeadSpec:
    """What a head needs beside its weights: its classes, the cue features it reads, and how its positive
    class is decided (Platt scaling ``calibration`` = (a, b) of the positive probability, then ``threshold``)."""

    kind: str
    features: list[str]
    classes: list[str] = field(default_factory=list)
    threshold: float = 0.5
    calibration: tuple[float, float] = (1.0, 0.0)
    hidden: int = 256
    record: dict = field(default_factory=dict)  # how threshold and calibration were fitted

    def __post_init__(self) -> None:
        self.classes = list(self.classes or CLASSES[self.kind])
        self.calibration = (float(self.calibration[0]), float(self.calibration[1]))
        self._index = {name: i for i, name in enumerate(self.features)}

    @property
    def positive(self) -> str:
        return POSITIVE[self.kind]

    def feature_vector(self, features: dict[str, float]) -> np.ndarray:
        """The dense cue-feature vector: known names only, values clipped to [-4, 4]."""
        out = np.zeros(len(self.features), dtype=np.float32)
        for name, value in features.items():
            i = self._index.get(name)
            if i is not None:
                out[i] = min(max(value, -4.0), 4.0)
        return out

    def calibrated(self, p: float) -> float:
        p = min(max(p, 1e-6), 1 - 1e-6)
        a, b = self.calibration
        z = a * math.log(p / (1 - p)) + b
        return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))

    def decide(self, probabilities: np.ndarray) -> tuple[str, float]:
        """(label, calibrated probability of the positive class): the positive class when its calibrated
        probability reaches the threshold, else the likeliest other class."""
        pos = self.classes.index(self.positive)
        score = self.calibrated(float(probabilities[pos]))
        if score >= self.threshold:
            return self.positive, score
        others = [(float(p), c) for i, (p, c) in enumerate(zip(probabilities, self.classes, strict=True)) if i != pos]
        return max(others)[1], score

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("_index", None)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> HeadSpec:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data and not k.startswith("_")})


class CandidateHead(nn.Module):
    """(item mean, item max, context mean, cue features) -> class logits."""

    def __init__(self, hidden_size: int, n_features: int, n_classes: int, width: int, dropout: float):
        super().__init__()
        self.features = nn.Linear(n_features, FEATURE_WIDTH)
        self.mlp = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(3 * hidden_size + FEATURE_WIDTH, width),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(width, n_classes),
        )

    def forward(self, pooled: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat([pooled, torch.tanh(self.features(features))], dim=-1))


def pool_candidate(hidden: torch.Tensor, item: tuple[int, int], context: tuple[int, int]) -> torch.Tensor:
    """Item mean, item max and context mean of token states ``hidden`` (n_tokens, hidden) over token ranges."""
    piece = hidden[item[0] : item[1]]
    around = hidden[context[0] : context[1]]
    return torch.cat([piece.mean(dim=0), piece.max(dim=0).values, around.mean(dim=0)])


def token_ranges(offsets: np.ndarray, c: Candidate) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The token ranges of a candidate and of its context (None when no token covers the candidate)."""
    item = char_span_to_tokens(offsets, c.start, c.end)
    if item is None:
        return None
    context = char_span_to_tokens(offsets, c.context_start, c.context_end) or item
    return item, (min(context[0], item[0]), max(context[1], item[1]))


@torch.inference_mode()
def head_probabilities(
    head: CandidateHead, spec: HeadSpec, hidden: torch.Tensor, offsets: np.ndarray, candidates: list[Candidate]
) -> list[np.ndarray | None]:
    """Class probabilities of each candidate of one text, from its window-averaged token states ``hidden``
    (None for a candidate no token covers)."""
    ranges = [token_ranges(offsets, c) for c in candidates]
    rows = [i for i, r in enumerate(ranges) if r is not None]
    out: list[np.ndarray | None] = [None] * len(candidates)
    if not rows:
        return out
    device = next(head.parameters()).device
    pooled = torch.stack([pool_candidate(hidden, *ranges[i]) for i in rows]).to(device)  # type: ignore[misc]
    feats = torch.from_numpy(np.stack([spec.feature_vector(candidates[i].features) for i in rows])).to(device)
    probs = torch.softmax(head(pooled, feats).float(), dim=-1).cpu().numpy()
    for row, i in enumerate(rows):
        out[i] = probs[row]
    return out


def attach_heads(network: nn.Module, specs: dict[str, dict], dropout: float) -> None:
    """Give ``network`` (a SpanTagger) a fresh head for each spec in a model config's ``heads``, so that the
    weights file's head tensors have somewhere to go."""
    hidden = network.token_head.in_features
    for kind, data in specs.items():
        spec = HeadSpec.from_dict(data)
        network.add_candidate_head(
            kind, CandidateHead(hidden, len(spec.features), len(spec.classes), spec.hidden, dropout)
        )
