"""A multinomial logistic-regression model stored as readable JSON (weights by feature name).

JSON instead of a pickle: small, diffable, and independent of the scikit-learn version that trained it.
Prediction is a sparse dot product in plain Python/numpy, so loading costs a few milliseconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

Features = Mapping[str, float]
FORMAT = "slant-rhetoric-linear/1"


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def calibrate(p: float, calibration: tuple[float, float]) -> float:
    """Platt scaling: sigmoid(a * logit(p) + b), with p kept off 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    a, b = calibration
    return sigmoid(a * math.log(p / (1 - p)) + b)


def write_model_json(path: Path, data: dict[str, Any]) -> None:
    """A rhetoric model file: indented, readable JSON (``data`` carries its ``format``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1, ensure_ascii=False)
        fh.write("\n")


def read_model_json(path: Path, fmt: str) -> dict[str, Any]:
    """A rhetoric model file's content; a clear error when it is of another format."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    if data.get("format") != fmt:
        raise ValueError(f"{path}: not a {fmt} model file")
    return data


@dataclass(slots=True)
class LinearModel:
    """``labels[k]`` has weights ``weights[name][k]``; the positive label has a tuned threshold.

    ``calibration`` = (a, b): the positive-class score is sigmoid(a * logit(p) + b), fitted on out-of-fold
    predictions for the TUNE part (Platt scaling), so the score a span carries reads as a probability.
    """

    labels: tuple[str, ...]
    positive: str
    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]
    threshold: float = 0.5
    calibration: tuple[float, float] = (1.0, 0.0)
    meta: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, feats: Features) -> np.ndarray:
        """Softmax over the labels for one feature dict (unknown feature names are ignored)."""
        z = np.array(self.bias, dtype=float)
        for name, value in feats.items():
            w = self.weights.get(name)
            if w is not None and value:
                z += value * np.asarray(w)
        z -= z.max()
        e = np.exp(z)
        return e / e.sum()

    def score(self, probs: np.ndarray) -> float:
        """Calibrated probability of the positive label."""
        return calibrate(float(probs[self.labels.index(self.positive)]), self.calibration)

    def decide(self, probs: np.ndarray, score: float | None = None, threshold: float | None = None) -> str:
        """The positive label when its calibrated score reaches the threshold, else the best other label.

        ``score``/``threshold`` replace the model's own (the mixed score of ``slant.model.rhetoric.vectors``)."""
        score = self.score(probs) if score is None else score
        if score >= (self.threshold if threshold is None else threshold):
            return self.positive
        pos = self.labels.index(self.positive)
        order = [k for k in np.argsort(-probs) if k != pos]
        return self.labels[int(order[0])]

    # ---- storage ----
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "labels": list(self.labels),
            "positive": self.positive,
            "threshold": self.threshold,
            "calibration": list(self.calibration),
            "bias": list(self.bias),
            "meta": self.meta,
            "weights": {k: list(v) for k, v in sorted(self.weights.items())},
        }

    def save(self, path: Path) -> None:
        write_model_json(path, self.to_json())

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        data = read_model_json(path, FORMAT)
        return cls(
            labels=tuple(data["labels"]),
            positive=data["positive"],
            weights={k: tuple(v) for k, v in data["weights"].items()},
            bias=tuple(data["bias"]),
            threshold=float(data["threshold"]),
            calibration=(float(data["calibration"][0]), float(data["calibration"][1])),
            meta=data.get("meta", {}),
        )

    @classmethod
    def from_sklearn(
        cls,
        coef: np.ndarray,
        intercept: np.ndarray,
        classes: Sequence[str],
        feature_names: Sequence[str],
        positive: str,
        digits: int = 5,
    ) -> LinearModel:
        """Round the weights (the file stays small) and drop features whose weights are all ~0."""
        weights = {}
        for j, name in enumerate(feature_names):
            w = tuple(round(float(x), digits) for x in coef[:, j])
            if any(abs(x) >= 10**-digits for x in w):
                weights[name] = w
        bias = tuple(round(float(x), digits) for x in intercept)
        return cls(tuple(classes), positive, weights, bias)
