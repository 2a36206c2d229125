"""Configuration that more than one module needs: where the data and the shipped model live."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DEFAULT_DATA_ROOT = REPO_DIR.parent / "shared" / "datasets"
DEFAULT_MODEL_DIR = REPO_DIR / "model"
DATA_DIR = REPO_DIR / "data"


def data_root(override: str | os.PathLike[str] | None = None) -> Path:
    """The corpus root: an explicit override, else ``$SLANT_DATA``, else ``../shared/datasets``."""
    if override:
        return Path(override)
    env = os.environ.get("SLANT_DATA")
    if env:
        return Path(env)
    return DEFAULT_DATA_ROOT


def default_model_dir() -> Path:
    """The model ``slant.classify`` uses: ``$SLANT_MODEL`` when set, else the shipped ``model/``."""
    env = os.environ.get("SLANT_MODEL")
    return Path(env) if env else DEFAULT_MODEL_DIR
