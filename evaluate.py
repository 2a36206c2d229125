"""Evaluation CLI: a thin typer layer over slant.metrics and slant.semeval_format.

    python evaluate.py score --task {si,tc,flc} --pred FILE --gold FILE [--json]

Usage errors (missing/unreadable file, malformed label file, unknown task) exit with code 2.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from slant.metrics import PRF, flc_score, si_score, tc_score
from slant.semeval_format import SemEvalFormatError, read_si, read_tc

app = typer.Typer(
    add_completion=False, no_args_is_help=True, help="Score and run slant on SemEval-style data."
)


class Task(StrEnum):
    si = "si"
    tc = "tc"
    flc = "flc"


@app.callback()
def _main() -> None:
    """Keeps typer in sub-command mode (``score`` / ``run``) even while only one command exists."""


def score_files(task: Task, pred: Path, gold: Path) -> dict[str, Any]:
    """Read both files in the task's format and return the metric's ``to_dict()``."""
    if task is Task.si:
        return si_score(read_si(pred), read_si(gold)).to_dict()
    if task is Task.tc:
        return tc_score(read_tc(pred), read_tc(gold)).to_dict()
    return flc_score(read_tc(pred), read_tc(gold)).to_dict()


def _table(task: Task, result: dict[str, Any]) -> Table:
    table = Table(title=f"{task.value.upper()} scores", show_lines=False)
    # Numbers are never cut; on a narrow terminal the long technique names fold onto a second line instead.
    table.add_column("", overflow="fold")
    for col in ("P", "R", "F1"):
        table.add_column(col, justify="right", no_wrap=True, min_width=8)
    for col in ("pred", "gold"):
        table.add_column(col, justify="right", no_wrap=True)

    def row(name: str, d: dict[str, Any] | PRF) -> None:
        d = d.to_dict() if isinstance(d, PRF) else d
        table.add_row(
            name,
            f"{d['precision']:.6f}",
            f"{d['recall']:.6f}",
            f"{d['f1']:.6f}",
            str(d["n_pred"]),
            str(d["n_gold"]),
        )

    row("micro" if task is Task.tc else "overall", result)
    for name, d in result.get("per_label", {}).items():
        row(name, d)
    if "macro_f1" in result:
        table.add_row("macro", "", "", f"{result['macro_f1']:.6f}", "", "")
    return table


_FILE = {"exists": True, "file_okay": True, "dir_okay": False, "readable": True}


@app.command()
def score(
    task: Annotated[Task, typer.Option(help="Subtask whose format and metric to use.")],
    pred: Annotated[Path, typer.Option(help="Prediction file.", **_FILE)],
    gold: Annotated[Path, typer.Option(help="Gold label file.", **_FILE)],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object instead of a table.")
    ] = False,
) -> None:
    """Score a prediction file against gold with the organisers' SemEval-2020 Task 11 metrics."""
    try:
        result = score_files(task, pred, gold)
    except (SemEvalFormatError, UnicodeDecodeError) as exc:
        # A malformed input file is a bad argument: click reports it and exits with code 2.
        raise typer.BadParameter(str(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result))
    else:
        Console().print(_table(task, result))


# --- `run` sub-command goes here (the lead adds it): run the model over a split, write SemEval files, score.
# Keep it thin like `score`: parse options, call library functions, print.


if __name__ == "__main__":
    app()
