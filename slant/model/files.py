"""Read a slant model folder's files, turning a damaged or foreign file into a ModelError that names it.

``Tagger.load`` reads ``config.json`` and ``weights.safetensors`` through these functions. :func:`check_model`
runs the same checks without torch, in well under a second, so a command can refuse a bad ``--model`` before
it creates output or starts worker processes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from slant.errors import ModelError, UsageError
from slant.model.encoder import KNOWN_ENCODERS, package_model_dir
from slant.model.profiles import DEFAULT_PROFILE, get_profile
from slant.resolve import model_folder

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "weights.safetensors"
# What training writes into every config.json; the Tagger cannot decode without any of them.
REQUIRED_KEYS = (
    "base",
    "channels",
    "span_labels",
    "thresholds",
    "calibration",
    "max_tokens",
    "stride",
    "lora",
    "dropout",
)


def read_config(path: Path) -> dict[str, Any]:
    """The JSON object in a model's ``config.json``, checked to hold every key of ``REQUIRED_KEYS``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(f"no slant model at {path.parent}: {path} is missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read {path}: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    if not isinstance(data, dict):
        raise ModelError(f"{path} holds a JSON {type(data).__name__}, not a slant model's settings")
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise ModelError(f"{path} is not a slant model's config.json: it lacks {', '.join(missing)}")
    if not isinstance(data["base"], dict):
        raise ModelError(f"{path}: 'base' should describe the base encoder (an object), got {data['base']!r}")
    return data


def check_profile(path: Path, data: dict[str, Any], profile: str) -> None:
    """Raise UsageError unless the model read from ``path`` has decoding profile ``profile``."""
    get_profile(profile)
    profiles = data.get("profiles") or {}
    if profile != DEFAULT_PROFILE and profile not in profiles:
        has = ", ".join([DEFAULT_PROFILE, *profiles])
        raise UsageError(f"the model at {path.parent} has no {profile!r} decoding profile (it has: {has})")


def load_weights(path: Path) -> dict:
    """The tensors of a ``weights.safetensors`` file (torch tensors, as stored)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    _check_weights_file(path)
    try:
        return load_file(os.fspath(path))
    except (SafetensorError, OSError) as exc:
        raise ModelError(f"{path} is damaged or not a safetensors file ({exc}): copy the model folder again") from None


def _check_weights_file(path: Path) -> None:
    if not path.is_file():
        raise ModelError(f"the model at {path.parent} has no weights: {path} is missing")


def check_weights_header(path: Path) -> list[str]:
    """The tensor names in a safetensors file, from its header alone (no tensor is read; no torch)."""
    from safetensors import SafetensorError, safe_open

    _check_weights_file(path)
    try:
        with safe_open(os.fspath(path), framework="numpy") as handle:
            return list(handle.keys())
    except (SafetensorError, OSError) as exc:
        raise ModelError(f"{path} is damaged or not a safetensors file ({exc}): copy the model folder again") from None


def check_model(name_or_path: str | os.PathLike[str] | None = None, profile: str = "news") -> Path:
    """The model folder for ``name_or_path`` (None: ``$SLANT_MODEL`` or the shipped model; "default",
    "accurate"; or a folder), after the checks that need no torch: config.json is a slant config with
    ``profile``, the weights file's header reads, and the base encoder is installed (its extra, for the
    accurate model). Raises a SlantError naming the file or the extra; returns the folder."""
    try:
        folder = model_folder(name_or_path)
    except FileNotFoundError as exc:
        raise ModelError(str(exc)) from None
    config_path = folder / CONFIG_FILE
    data = read_config(config_path)
    check_profile(config_path, data, profile)
    check_weights_header(folder / WEIGHTS_FILE)
    known = KNOWN_ENCODERS.get(str(data["base"].get("name", "")))
    if known is not None:
        package_model_dir(known)  # EncoderError / MissingExtraError when its package is not installed
    return folder
