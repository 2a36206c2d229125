"""Deprecated: where slant's files are is ``slant.resolve``'s job. These names stay importable for older code.

``data_root`` is ``slant.resolve.data_root``. The constants and ``default_model_dir()`` warn and delegate:
``DEFAULT_MODEL_DIR`` -> ``resolve.shipped_dir("model")``, ``DATA_DIR`` -> ``resolve.shipped_dir("data")``,
``default_model_dir()`` -> ``resolve.model_folder(None)``, ``DEFAULT_DATA_ROOT`` ->
``resolve.default_data_root()``, ``REPO_DIR`` -> the folder above the package (``resolve.checkout_dir()`` in
a checkout), ``PACKAGE_DIR`` -> the package folder.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

from slant import resolve
from slant.resolve import data_root

__all__ = ["data_root", "default_model_dir"]

_PACKAGE_DIR = Path(__file__).resolve().parent
_MOVED: dict[str, tuple[str, Callable[[], Path]]] = {
    "PACKAGE_DIR": ("importlib.resources.files('slant')", lambda: _PACKAGE_DIR),
    "REPO_DIR": ("slant.resolve.checkout_dir()", lambda: resolve.checkout_dir() or _PACKAGE_DIR.parent),
    "DEFAULT_MODEL_DIR": ("slant.resolve.shipped_dir('model')", lambda: resolve.shipped_dir("model")),
    "DATA_DIR": ("slant.resolve.shipped_dir('data')", lambda: resolve.shipped_dir("data")),
    "DEFAULT_DATA_ROOT": ("slant.resolve.default_data_root()", resolve.default_data_root),
}


def default_model_dir() -> Path:
    """Deprecated: ``slant.resolve.model_folder(None)`` ($SLANT_MODEL, else the shipped model)."""
    warnings.warn(
        "slant.config.default_model_dir() is deprecated: use slant.resolve.model_folder(None)",
        DeprecationWarning,
        stacklevel=2,
    )
    return resolve.model_folder(None)


def __getattr__(name: str) -> Path:
    if name not in _MOVED:
        raise AttributeError(f"module 'slant.config' has no attribute {name!r}")
    replacement, value = _MOVED[name]
    warnings.warn(f"slant.config.{name} is deprecated: use {replacement}", DeprecationWarning, stacklevel=2)
    return value()
