"""Batch scoring of document folders: ``slant score`` is a thin layer over :func:`run`.

from slant.batch import ScoreOptions, run
stats = run(ScoreOptions(paths=[Path("articles")], out=Path("results")))
"""

from __future__ import annotations

from slant.batch.engines import run
from slant.batch.runner import RunStats, ScoreOptions, exit_code, finish_outputs

__all__ = ["RunStats", "ScoreOptions", "exit_code", "finish_outputs", "run"]
