"""Evaluation CLI (``python evaluate.py`` and ``slant evaluate``): a thin typer layer over
slant.evaluation.metrics, slant.evaluation.formats and slant.evaluation.runs.

    python evaluate.py score --task {si,tc,flc} --pred FILE --gold FILE [--json]
    python evaluate.py run --dataset {ptc2020,semeval2021,semeval2023} --split dev [--model DIR] \
        [--json FILE] [--out DIR]
    python evaluate.py card model/eval/ptc2020-dev.json model/eval/semeval2021-dev.json

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

from slant.cli_errors import SlantGroup
from slant.evaluation.formats import SemEvalFormatError, read_si, read_tc
from slant.evaluation.metrics import PRF, flc_score, si_score, tc_score

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Score and run slant on SemEval-style data.",
    cls=SlantGroup,  # a user error (bad model folder, missing corpus, ...) is one line and exit code 2
)
VERBOSE_HELP = "Show the load reports, progress bars and warnings of the libraries slant loads models with."


def _verbose(on: bool) -> None:
    if on:
        from slant.quiet import set_verbose

        set_verbose(True)


class Task(StrEnum):
    si = "si"
    tc = "tc"
    flc = "flc"


@app.callback()
def _main() -> None:
    """Keeps typer in sub-command mode (``score``, ``run``, ``compare-tuning``, ``card``)."""


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
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of a table.")] = False,
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


class Dataset(StrEnum):
    ptc2020 = "ptc2020"
    semeval2021 = "semeval2021"
    semeval2023 = "semeval2023"
    quotes = "quotes"  # the team's hand-labelled quotations (scare_quote)
    assertions = "assertions"  # the team's hand-labelled sentences (unhedged_assertion)


RHETORIC = {Dataset.quotes, Dataset.assertions}


def run_rhetoric(
    dataset: Dataset,
    split: str,
    data_root: str | None,
    json_path: Path | None,
    model: str | None,
    against: str | None = None,
) -> None:
    """Scare quotes / unhedged assertions on the team's sets: split is the part, "report" unless "tune"."""
    from slant.evaluation.rhetoric import evaluate_rhetoric
    from slant.evaluation.tables import rhetoric_tables
    from slant.pipeline.tagger import Tagger

    part = "report" if split == "dev" else split
    tagger = Tagger.load(model) if model else None  # the tagger whose vectors the rhetoric models read
    other = Tagger.load(against) if against else None
    report = evaluate_rhetoric(dataset.value, part=part, root=data_root, tagger=tagger, against=other)
    console = Console()
    for table in rhetoric_tables(report):
        console.print(table)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def _f(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _run_tables(reports: list[dict[str, Any]]) -> list[Table]:
    """SI, TC and FLC tables with one column group per system (the model first, the baseline beside it)."""
    names = [r["system"] for r in reports]
    si = Table(title=f"SI  ({reports[0]['dataset']} {reports[0]['split']}, {reports[0]['n_docs']} documents)")
    si.add_column("system")
    for col in ("P", "R", "F1", "pred", "gold"):
        si.add_column(col, justify="right")
    for r in reports:
        d = r["si"]
        si.add_row(r["system"], _f(d["precision"]), _f(d["recall"]), _f(d["f1"]), str(d["n_pred"]), str(d["n_gold"]))
    tables = [si]
    for task, title in (("tc", "TC (gold spans given)"), ("flc", "FLC (span + technique)")):
        table = Table(title=title)
        table.add_column("technique", overflow="fold")
        table.add_column("gold", justify="right")
        for name in names:
            for col in ("P", "R", "F1"):
                table.add_column(f"{col} {name}" if col == "F1" else col, justify="right")
        labels = sorted({label for r in reports for label in r[task]["per_label"]})
        for label in labels:
            cells = [label, str(reports[0][task]["per_label"].get(label, {}).get("n_gold", ""))]
            for r in reports:
                d = r[task]["per_label"].get(label)
                cells += [_f(d["precision"]), _f(d["recall"]), _f(d["f1"])] if d else ["", "", ""]
            table.add_row(*cells)
        overall = ["micro" if task == "tc" else "overall", str(reports[0][task]["n_gold"])]
        for r in reports:
            d = r[task]
            overall += [_f(d["precision"]), _f(d["recall"]), _f(d["micro_f1"] if task == "tc" else d["f1"])]
        table.add_row(*overall, style="bold")
        if task == "tc":
            macro = ["macro", ""]
            for r in reports:
                macro += ["", "", _f(r["tc"]["macro_f1"])]
            table.add_row(*macro)
        tables.append(table)
    return tables


@app.command()
def run(
    dataset: Annotated[Dataset, typer.Option(help="Corpus to run on.")],
    split: Annotated[
        str, typer.Option(help="Split to run on (dev; never tune on it). quotes/assertions: report (= dev) or tune.")
    ] = "dev",
    model: Annotated[
        str | None, typer.Option(help="Model folder or name ('accurate'); default: the shipped model/.")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language, for semeval2023.")] = "en",
    profile: Annotated[
        str | None,
        typer.Option(help="Decoding profile (news, memes); default: the dataset's genre (memes for semeval2021)."),
    ] = None,
    baseline: Annotated[bool, typer.Option(help="Also run the train-lexicon baseline, the floor.")] = True,
    baseline_only: Annotated[bool, typer.Option(help="Run only the baseline (no model needed).")] = False,
    data_root: Annotated[
        str | None, typer.Option(help="Corpus root (default $SLANT_DATA or ../shared/datasets).")
    ] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the JSON report with every figure here.")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write predictions in the official TAB formats here.")] = None,
    against: Annotated[
        str | None,
        typer.Option(help="quotes/assertions: a second model scored on the same items, with the paired interval."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help=VERBOSE_HELP)] = False,
) -> None:
    """Run slant (and the baseline) over a split, print SI/TC/FLC tables, write predictions and a JSON report."""
    _verbose(verbose)
    from slant.evaluation.runs import DATASET_PROFILE, TaggerSystem, baseline_for, evaluate, load_split

    if dataset in RHETORIC:
        run_rhetoric(dataset, split, data_root, json_path, model, against)
        return
    if against is not None:
        raise typer.BadParameter("--against is for --dataset quotes or assertions")
    try:
        docs = load_split(dataset.value, split, data_root, lang)
    except (FileNotFoundError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    systems = []
    if not baseline_only:
        from slant.pipeline.tagger import Tagger

        profile = profile or DATASET_PROFILE[dataset.value]
        # A bad --model or --profile raises a SlantError naming it: SlantGroup prints that line, exit code 2.
        tagger = Tagger.load(model, profile=profile)
        systems.append(("model", TaggerSystem(tagger, name=f"slant ({tagger.model_dir.name}, {profile} profile)")))
    if baseline or baseline_only:
        systems.append(("baseline", baseline_for(dataset.value, data_root, lang, split)))
    reports = {}
    for key, system in systems:
        sub_out = out / key if out is not None else None
        reports[key] = evaluate(system, docs, dataset.value, split, out_dir=sub_out).to_dict()
    console = Console()
    for table in _run_tables(list(reports.values())):
        console.print(table)
    for key, report in reports.items():
        console.print(f"{key}: {json.dumps(report['headline'])}  ({report['seconds']} s)")
        for note in report["notes"]:
            console.print(f"  note: {note}")
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(reports, indent=2) + "\n", encoding="utf-8")


@app.command("compare-tuning")
def compare_tuning(
    model: Annotated[
        str | None, typer.Option(help="Model folder or name ('accurate'); default: the shipped model/.")
    ] = None,
    corpus: Annotated[str, typer.Option(help="Whose held-out train documents: ptc2020 or semeval2021.")] = "ptc2020",
    repeats: Annotated[int, typer.Option(min=1, help="Random half splits (each scored both ways).")] = 12,
    data_root: Annotated[
        str | None, typer.Option(help="Corpus root (default $SLANT_DATA or ../shared/datasets).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", help=VERBOSE_HELP)] = False,
) -> None:
    """How well each way of fitting the technique thresholds carries over to unseen articles: fit on half of
    the held-out train documents, score FLC F1 on the other half. Dev is not read."""
    import statistics

    from slant.model.profiles import PROFILES
    from slant.pipeline.tagger import Tagger
    from slant.train.config import TrainConfig
    from slant.train.data import channel_spec
    from slant.train.loop import load_corpora
    from slant.train.tuning import compare_methods

    _verbose(verbose)
    corpora_with_profiles = [profile.corpus for profile in PROFILES.values()]

    if corpus not in corpora_with_profiles:
        message = f"{corpus!r} is not one of {', '.join(corpora_with_profiles)}"
        raise typer.BadParameter(message, param_hint="--corpus")
    config = TrainConfig(data_root=data_root)
    corpora = load_corpora(config)
    spec = channel_spec(["ptc2020", "semeval2021"] if config.multitask_semeval2021 else ["ptc2020"])
    scores = compare_methods(Tagger.load(model), corpora.val, spec, corpus, repeats=repeats)
    table = Table(title=f"FLC F1 on held-out halves of {corpus} train (fit on the other half)")
    for name in ("method", "mean", "std. error", "fits"):
        table.add_column(name)
    for method, values in scores.items():
        error = statistics.stdev(values) / len(values) ** 0.5
        table.add_row(method, f"{statistics.mean(values):.4f}", f"{error:.4f}", str(len(values)))
    Console().print(table)


def _read_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise typer.BadParameter(f"{path} is not a JSON report of `evaluate.py run --json` ({exc})") from None
    if not isinstance(data, dict) or not data or not all(isinstance(v, dict) and "dataset" in v for v in data.values()):
        raise typer.BadParameter(f"{path} is not a JSON report of `evaluate.py run --json` (no systems in it)")
    return data


@app.command()
def card(
    reports: Annotated[list[Path], typer.Argument(help="JSON reports written by `evaluate.py run --json`.", **_FILE)],
    card_path: Annotated[Path, typer.Option("--card", help="The model card to update.")] = Path("model/MODEL_CARD.md"),
    block: Annotated[
        str, typer.Option(help="Which fenced block of the card to rewrite (one per model).")
    ] = "evaluation tables",
    model: Annotated[
        str | None, typer.Option(help="The --model the reports were run with, repeated in the printed commands.")
    ] = None,
) -> None:
    """Write the tables of `run` reports into the model card (between its evaluation-table markers)."""
    from slant.evaluation.card import update_card

    sets = [_read_report(p) for p in reports]
    commands = [
        f"python evaluate.py run --dataset {next(iter(s.values()))['dataset']} --split "
        f"{next(iter(s.values()))['split']}{f' --model {model}' if model else ''} --json {p}"
        for s, p in zip(sets, reports, strict=True)
    ]
    update_card(card_path, sets, commands, block)
    Console().print(f"updated {card_path} with {len(sets)} report(s)")


if __name__ == "__main__":
    app()
