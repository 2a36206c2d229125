"""Candidate heads: quotation function and sentence stance, read from the tagger's own encoder pass.

A head decides one candidate (``slant.text.candidates``) with two linear readers whose class probabilities are
averaged:
- the state reader sees the mean of the encoder's states over the candidate's tokens and the mean over its
  context's tokens, taken from a few of the encoder's layers (``HeadSpec.layers``: the last layer is
  tuned for techniques, earlier ones keep more of what the words mean);
- the cue reader sees the candidate's cue features (a fixed vocabulary, learnt in training).
Learned state lives in the network's weights and in ``HeadSpec`` (classes, feature vocabulary, layers,
threshold, calibration), so a head is rebuilt exactly from a model folder.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from slant.model.windows import char_span_to_tokens
from slant.text.candidates import ASSERTIONS, QUOTES, Candidate

CLASSES = {QUOTES: ("scare", "direct", "title", "mention"), ASSERTIONS: ("unhedged", "hedged", "attributed", "neutral")}
POSITIVE = {QUOTES: "scare", ASSERTIONS: "unhedged"}
SPAN_LABEL = {QUOTES: "scare_quote", ASSERTIONS: "unhedged_assertion"}
POOLS = 2  # item mean, context mean (an item max read the loudest word and carried over worse on TUNE)


@dataclass
class HeadSpec:
    """What a head needs beside its weights: its classes, the cue features it reads, the encoder layers its
    state reader pools, and how its positive class is decided (Platt scaling ``calibration`` = (a, b) of the
    positive probability, then ``threshold``)."""

    kind: str
    features: list[str]
    classes: list[str] = field(default_factory=list)
    layers: list[int] = field(default_factory=lambda: [-1])  # hidden-state indices, -1 = the last layer
    threshold: float = 0.5
    calibration: tuple[float, float] = (1.0, 0.0)
    record: dict = field(default_factory=dict)  # how the readers, threshold and calibration were fitted

    def __post_init__(self) -> None:
        self.classes = list(self.classes or CLASSES[self.kind])
        self.layers = [int(x) for x in self.layers]
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
        return platt_scaled(p, self.calibration)

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


def platt_scaled(p: float, calibration: tuple[float, float]) -> float:
    """sigmoid(a * logit(p) + b), with p kept off 0 and 1."""
    p = min(max(p, 1e-6), 1 - 1e-6)
    a, b = calibration
    z = a * math.log(p / (1 - p)) + b
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


class CandidateHead(nn.Module):
    """(pooled states, cue features) -> class probabilities: the mean of a linear state reader's softmax and a
    linear cue reader's (the state reader's input standardisation is folded into its weights)."""

    def __init__(self, state_size: int, n_features: int, n_classes: int):
        super().__init__()
        self.states = nn.Linear(state_size, n_classes)
        self.cues = nn.Linear(n_features, n_classes)

    def forward(self, pooled: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        return (torch.softmax(self.states(pooled), dim=-1) + torch.softmax(self.cues(features), dim=-1)) / 2


def pool_candidate(states: torch.Tensor, item: tuple[int, int], context: tuple[int, int]) -> torch.Tensor:
    """Item mean and context mean of token states ``states`` (n_tokens, width) over token ranges."""
    return torch.cat([states[item[0] : item[1]].mean(dim=0), states[context[0] : context[1]].mean(dim=0)])


def token_ranges(offsets: np.ndarray, c: Candidate) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The token ranges of a candidate and of its context (None when no token covers the candidate)."""
    item = char_span_to_tokens(offsets, c.start, c.end)
    if item is None:
        return None
    context = char_span_to_tokens(offsets, c.context_start, c.context_end) or item
    return item, (min(context[0], item[0]), max(context[1], item[1]))


def pooled_inputs(
    spec: HeadSpec, states: torch.Tensor, offsets: np.ndarray, candidates: list[Candidate]
) -> tuple[list[int], torch.Tensor, torch.Tensor]:
    """The rows a head can read (candidates some token covers), their pooled states and their cue features."""
    ranges = [token_ranges(offsets, c) for c in candidates]
    rows = [i for i, r in enumerate(ranges) if r is not None]
    if not rows:
        return rows, torch.zeros(0, POOLS * states.shape[-1]), torch.zeros(0, len(spec.features))
    pooled = torch.stack([pool_candidate(states, *ranges[i]) for i in rows])  # type: ignore[misc]
    feats = torch.from_numpy(np.stack([spec.feature_vector(candidates[i].features) for i in rows]))
    return rows, pooled, feats


@torch.inference_mode()
def head_probabilities(
    head: CandidateHead, spec: HeadSpec, states: torch.Tensor, offsets: np.ndarray, candidates: list[Candidate]
) -> list[np.ndarray | None]:
    """Class probabilities of each candidate of one text, from its window-averaged head-layer token states
    ``states`` (None for a candidate no token covers)."""
    rows, pooled, feats = pooled_inputs(spec, states, offsets, candidates)
    out: list[np.ndarray | None] = [None] * len(candidates)
    if not rows:
        return out
    device = next(head.parameters()).device
    probs = head(pooled.to(device), feats.to(device)).float().cpu().numpy()
    for row, i in enumerate(rows):
        out[i] = probs[row]
    return out


def new_head(spec: HeadSpec, hidden_size: int) -> CandidateHead:
    return CandidateHead(POOLS * len(spec.layers) * hidden_size, len(spec.features), len(spec.classes))


def attach_heads(network: nn.Module, specs: dict[str, dict]) -> None:
    """Give ``network`` (a SpanTagger) a fresh head for each spec in a model config's ``heads``, so that the
    weights file's head tensors have somewhere to go."""
    hidden = network.token_head.in_features
    for kind, data in specs.items():
        network.add_candidate_head(kind, new_head(HeadSpec.from_dict(data), hidden))
