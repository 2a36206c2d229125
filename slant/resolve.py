"""Where slant's files are: the shipped models, the shipped data, and the corpora. No other module knows.

The shipped model (``model/`` of the repository, with ``model/accurate``) and the data the code reads at run
time (``data/taxonomy.json``, ``data/lexicons/``, ``data/corpus_errata.json``) are package data under
``slant/_shipped/``. In the repository ``slant/_shipped/model`` and ``slant/_shipped/data`` are links to the
top-level ``model/`` and ``data/`` folders; a wheel (``pip install .``) carries copies of those files. So one
lookup, ``importlib.resources.files("slant") / "_shipped"``, finds them in a checkout, in an editable install
and in an installed wheel alike.

The hand-labelled sets (``data/annotations/``) are repository tools' input, like the corpora: they are not
package data, and :func:`annotation_dir` says so when run from an installed wheel.
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

__all__ = [
    "NAMED_MODELS",
    "ModelNotFoundError",
    "annotation_dir",
    "checkout_dir",
    "data_path",
    "data_root",
    "model_folder",
    "shipped_dir",
]

# A named model -> its folder under the shipped model folder ("" is that folder itself).
NAMED_MODELS: dict[str, str] = {"default": "", "accurate": "accurate"}
MODEL_ENV = "SLANT_MODEL"
DATA_ENV = "SLANT_DATA"
CORPORA = Path("shared") / "datasets"  # beside the repository (or the working directory): ../shared/datasets


class ModelNotFoundError(FileNotFoundError):
    """A model name or folder that names no slant model (a FileNotFoundError, as Tagger.load raised before)."""


def shipped_dir(name: str) -> Path:
    """The shipped ``model`` or ``data`` folder: package data of the installed slant, or in a checkout the
    repository's own folder (the link resolved, so paths in messages are the ones a developer edits)."""
    folder = importlib.resources.files("slant") / "_shipped" / name
    if not isinstance(folder, Path) or not folder.is_dir():
        raise FileNotFoundError(
            f"slant's shipped {name!r} folder is missing from {folder}: reinstall slant "
            "(pip install .), or in a checkout restore the link slant/_shipped/" + name
        )
    return folder.resolve()


def data_path(*parts: str) -> Path:
    """A file or folder of the shipped data, e.g. ``data_path("taxonomy.json")``; existence is not checked."""
    return shipped_dir("data").joinpath(*parts)


def model_folder(name_or_path: str | os.PathLike[str] | None = None) -> Path:
    """The folder of a slant model, checked to hold ``config.json``.

    None: ``$SLANT_MODEL`` (itself a name or a folder) when set, else the shipped default model. A name in
    ``NAMED_MODELS`` ("default", "accurate"): that shipped folder. Anything else: a folder path, returned as
    given. Raises ModelNotFoundError naming the folder (and ``$SLANT_MODEL`` when that is where it came from).
    """
    source = ""
    if name_or_path is None or str(name_or_path) == "":
        env = os.environ.get(MODEL_ENV, "")
        if not env:
            return _checked(shipped_dir("model"), "")
        name_or_path, source = env, f" (from ${MODEL_ENV})"
    key = str(name_or_path)
    if key in NAMED_MODELS:
        return _checked(shipped_dir("model") / NAMED_MODELS[key], source)
    return _checked(Path(name_or_path).expanduser(), source)


def _checked(folder: Path, source: str) -> Path:
    config = folder / "config.json"
    if config.is_file():
        return folder
    if not folder.exists():
        raise ModelNotFoundError(f"no slant model at {folder}{source}: no such folder")
    named = ", ".join(repr(n) for n in NAMED_MODELS)
    raise ModelNotFoundError(f"no slant model at {folder}{source}: {config} is missing (named models: {named})")


def checkout_dir() -> Path | None:
    """The repository root when slant is imported from a checkout (editable install or none), else None."""
    root = Path(__file__).resolve().parent.parent
    is_checkout = (root / "pyproject.toml").is_file() and (root / "model").is_dir() and (root / "data").is_dir()
    return root if is_checkout else None


def annotation_dir() -> Path:
    """``data/annotations`` of the checkout: the hand-labelled sets that evaluation and training read."""
    folder = data_path("annotations")
    if not folder.is_dir():
        raise FileNotFoundError(
            f"no hand-labelled sets at {folder}: data/annotations ships with slant's repository, not with the "
            "installed package; run this from a checkout"
        )
    return folder


def default_data_root() -> Path:
    """Where the corpora are when neither an override nor ``$SLANT_DATA`` says: ``../shared/datasets`` beside
    the checkout slant runs from, else beside the working directory (an installed package has no checkout)."""
    checkout = checkout_dir()
    base = checkout.parent if checkout is not None else Path.cwd().parent
    return base / CORPORA


def data_root(override: str | os.PathLike[str] | None = None) -> Path:
    """The corpus root: ``override`` (a ``--data-root`` / ``root=`` argument), else ``$SLANT_DATA``, else
    :func:`default_data_root`. Existence is not checked: each corpus reader names what it misses."""
    if override:
        return Path(override)
    env = os.environ.get(DATA_ENV)
    if env:
        return Path(env)
    return default_data_root()
