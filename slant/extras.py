"""Optional dependencies ("extras"): check that a feature's packages import, or say which extra installs them.

    from slant.extras import require
    require("serve", "fastapi", "uvicorn", feature="slant serve")

raises :class:`slant.errors.MissingExtraError` (an ImportError) with one line such as
``slant serve needs the 'serve' extra: pip install "slant[serve]"``; every slant command prints that line and
exits with code 2. Call it before importing the optional packages, once per feature that needs them.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from slant.errors import MissingExtraError

__all__ = ["install_command", "missing_extra", "require"]


def _checkout() -> Path | None:
    """The source folder slant is installed from (``pip install -e .``), or None for an installed wheel."""
    root = Path(__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    try:
        return root if pyproject.is_file() and 'name = "slant"' in pyproject.read_text(encoding="utf-8") else None
    except OSError:
        return None


def install_command(extra: str) -> str:
    """The pip command that installs ``extra`` into this installation of slant.

    From a source checkout that is ``pip install -e ".[extra]"`` (the path spelled out unless it is the working
    directory): ``pip install "slant[extra]"`` there would fetch a published slant instead of adding to this one.
    """
    checkout = _checkout()
    if checkout is None:
        return f'pip install "slant[{extra}]"'
    try:
        here = Path.cwd().resolve() == checkout
    except OSError:  # the working directory was removed
        here = False
    where = "." if here else os.fspath(checkout)
    return f'pip install -e "{where}[{extra}]"'


def missing_extra(extra: str, feature: str, cause: str = "", name: str | None = None) -> MissingExtraError:
    """The error for ``feature`` without the ``extra``; ``cause`` (what failed) is added only when given."""
    why = f" ({cause})" if cause else ""
    return MissingExtraError(
        f"{feature} needs the '{extra}' extra{why}: {install_command(extra)}", extra=extra, name=name
    )


def require(extra: str, *modules: str, feature: str) -> None:
    """Import each of ``modules``; if one cannot be imported, raise MissingExtraError naming ``extra``.

    A module that is simply absent gives the plain message; one that is installed but fails to import (a
    broken or mismatched version) adds that error, so the user is not told to install what is there.
    """
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            absent = isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] == module.split(".")[0]
            cause = "" if absent else f"{module}: {exc}"
            raise missing_extra(extra, feature, cause, name=module) from exc
