"""Shared test helpers: the corpora live outside the repo, so tests that need them skip (or fail under CI)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from slant import resolve


def require_data(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` if it exists; else fail under CI (CI=true: missing data is a broken setup) or skip."""
    path = Path(path)
    if path.exists():
        return path
    reason = f"test data not found: {path} (set SLANT_DATA or put the corpora in ../shared/datasets)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def require_accurate_encoder() -> Path:
    """The accurate model's base encoder (from the 'accurate' extra): CI installs it, elsewhere a test skips."""
    from slant.model.encoder import MPNET, EncoderError, verified_model_dir

    try:
        return verified_model_dir(MPNET)
    except EncoderError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI installs the accurate extra: {exc}")
        pytest.skip(f"the accurate model's base encoder is not installed: {exc}")


@pytest.fixture
def data_root() -> Path:
    """The corpus root (slant.resolve.data_root()), checked to exist."""
    return require_data(resolve.data_root())


@pytest.fixture
def need_data() -> Callable[[str | os.PathLike[str]], Path]:
    """``require_data`` as a fixture, for test files that prefer not to import conftest."""
    return require_data
