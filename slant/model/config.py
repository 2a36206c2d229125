"""A model's settings: what ``model/config.json`` holds, written by training and read by the Tagger."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from slant.errors import UsageError
from slant.model.files import read_config
from slant.model.profiles import DEFAULT_PROFILE, get_profile


@dataclass
class ModelConfig:
    """What ``model/config.json`` holds; written by training, read by the Tagger."""

    base: dict
    channels: list[str]
    span_labels: list[str]
    thresholds: dict[str, dict]
    calibration: dict[str, dict]
    max_tokens: int
    stride: int
    lora: dict | None
    dropout: float
    extra: dict
    # Other decoding profiles than the default (thresholds/calibration above): name -> the same three keys.
    profiles: dict[str, dict] = field(default_factory=dict)
    span_hidden: int | None = None  # span head width; None: the encoder's hidden size
    # Candidate heads (slant.model.heads): kind -> HeadSpec as a dict (classes, cue features, threshold, calibration).
    heads: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> ModelConfig:
        data = read_config(path)  # ModelError naming the file when it is not a slant config
        optional = {"extra": {}, "profiles": {}, "span_hidden": None, "heads": {}}
        required = {k: data[k] for k in cls.__dataclass_fields__ if k not in optional}
        return cls(**required, **{k: data.get(k, default) for k, default in optional.items()})

    def use_profile(self, name: str) -> None:
        """Decode with the thresholds and calibration of profile ``name``."""
        get_profile(name)
        if name == DEFAULT_PROFILE:
            return
        if name not in self.profiles:
            raise UsageError(f"this model has no {name!r} decoding profile (it has: {', '.join(self.profiles)})")
        self.thresholds = self.profiles[name]["thresholds"]
        self.calibration = self.profiles[name]["calibration"]

    def adopt_tuning(self, other: ModelConfig) -> None:
        """Take the technique channels' thresholds, calibration and profiles (and the record of their fit) from
        ``other``, a model with the same encoder weights."""
        self.thresholds, self.calibration, self.profiles = other.thresholds, other.calibration, other.profiles
        if "validation" in other.extra:
            self.extra["validation"] = other.extra["validation"]
        self.extra.setdefault("train_config", {})["technique_thresholds"] = other.extra.get("train_config", {}).get(
            "technique_thresholds", "shared"
        )

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
