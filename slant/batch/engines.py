"""Which engine scores a ``slant score`` run: the in-process runner's or Ray Data's.

It sits above both engines, so neither imports the other: ``slant.batch.run`` is this module's :func:`run`.
"""

from __future__ import annotations

from typing import Any

from slant.batch.ray_engine import RayEngine
from slant.batch.runner import ENGINES, InProcessEngine, RunStats, ScoreOptions
from slant.batch.runner import run as run_with


def make_engine(options: ScoreOptions) -> Any:
    """The engine named by ``options.engine``: ``.score(done, sink)``, ``.close()`` and a ``.description``.

    The Ray engine starts (or joins) its cluster here: :class:`slant.errors.MissingExtraError` when Ray is not
    installed, :class:`slant.batch.runner.EngineError` when it cannot start or connect.
    """
    if options.engine == "ray":
        return RayEngine(options)
    if options.engine != "inprocess":
        raise ValueError(f"unknown engine {options.engine!r}; choose from {', '.join(ENGINES)}")
    return InProcessEngine(options)


def run(options: ScoreOptions) -> RunStats:
    """Score every input document under ``options.paths`` into ``options.out`` on the engine it names."""
    return run_with(options, make_engine)
