"""The ``slant`` command line. Each command only parses arguments and calls library code (slant.batch, ...).

Exit codes of ``slant score``: 0 every document scored, 1 some failed (or --strict stopped at one), 2 bad
arguments, 130 / 143 stopped by Ctrl-C / SIGTERM (finished documents are kept; rerun with --resume).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from slant.batch.inputs import DEFAULT_MAX_BYTES
from slant.batch.report import DEFAULT_REPORT_MAX_DOCS
from slant.cli_errors import SlantGroup
from slant.evaluate_cli import app as evaluate_app
from slant.train_cli import main as train_main

app = typer.Typer(
    help="Find rhetoric and loaded language in news text.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=SlantGroup,  # a user error (bad model folder, missing extra, ...) is one line and exit code 2
)
# Every command that loads a model takes it: the libraries' load reports and warnings, hidden by default.
VERBOSE_HELP = "Show the load reports, progress bars and warnings of the libraries slant loads models with."

FORMATS = ("jsonl", "csv", "html", "semeval", "parquet")  # jsonl, csv and html are always written


@app.callback()
def main() -> None:
    """slant: tag rhetoric and propaganda techniques in news text."""
    # An explicit callback keeps `score` a named subcommand even while it is the only one.


def parse_formats(values: list[str]) -> frozenset[str]:
    chosen = {v.strip().lower() for value in values for v in value.split(",") if v.strip()}
    unknown = chosen - set(FORMATS)
    if unknown:
        raise typer.BadParameter(
            f"unknown format {', '.join(sorted(unknown))}; choose from {', '.join(FORMATS)}",
            param_hint="--format",
        )
    return frozenset(chosen | {"jsonl", "csv", "html"})


def print_summary(stats, out: Path) -> None:  # stats: slant.batch.RunStats
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    table = Table(title=f"slant score -> {out}", show_header=False)
    table.add_column("", style="bold")
    table.add_column("", justify="right")
    table.add_row("documents", str(stats.documents))
    table.add_row("scored", str(stats.scored))
    if stats.skipped:
        table.add_row("skipped (already done)", str(stats.skipped))
    table.add_row("errors", f"[red]{stats.errors}[/red]" if stats.errors else "0")
    table.add_row("engine", stats.engine)
    table.add_row("time", f"{stats.seconds:.1f} s")
    table.add_row("throughput", f"{stats.docs_per_second:.2f} docs/s, {stats.chars_per_second:,.0f} chars/s")
    for label, n in stats.spans_by_label.most_common():
        table.add_row(f"  {label}", str(n))
    console.print(table)
    if stats.interrupted:
        console.print(f"[yellow]stopped by {stats.interrupted}[/yellow]: finished documents kept; rerun with --resume")
    elif stats.stopped_on_error:
        console.print("[red]stopped at the first failure (--strict)[/red]")
    if stats.errors:
        console.print(f"errors are listed in {out / 'summary.csv'} (column 'error')")


def check_engine(
    engine: str, workers: int, ray_address: str | None, actors: int | None, cpus_per_actor: int | None
) -> None:
    """Usage errors of --engine and its flags; a missing Ray is one line naming the extra, and exit code 2."""
    from slant.batch.ray_engine import require_ray
    from slant.batch.runner import ENGINES

    if engine not in ENGINES:
        raise typer.BadParameter(f"unknown engine {engine}; choose from {', '.join(ENGINES)}", param_hint="--engine")
    if engine != "ray":
        ray_flags = {"--ray-address": ray_address, "--actors": actors, "--cpus-per-actor": cpus_per_actor}
        given = [flag for flag, value in ray_flags.items() if value is not None]
        if given:
            raise typer.BadParameter(f"{', '.join(given)} need --engine ray", param_hint=given[0])
        return
    if workers > 1:
        raise typer.BadParameter("--workers is for the in-process engine; use --actors", param_hint="--workers")
    require_ray()  # slant.errors.MissingExtraError: one line naming the extra (SlantGroup), before any output


def writable_dir(folder: Path, option: str) -> None:
    """Create ``folder`` (with its parents) and check a file can be written in it, or name the problem."""
    probe = folder / ".slant-write-check"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        from slant.errors import UsageError

        raise UsageError(f"{option} {folder}: cannot write there ({exc.strerror or exc})") from None


@app.command()
def score(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively).", show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.", file_okay=False)],
    format: Annotated[
        list[str],
        typer.Option(
            "--format", "-f", help="Extra outputs: semeval, parquet (repeat or comma list); jsonl/csv/html always."
        ),
    ] = [],  # noqa: B006 - typer reads the default, never mutates it
    resume: Annotated[bool, typer.Option(help="Skip documents already in OUT/spans.jsonl with the same text.")] = False,
    overwrite: Annotated[bool, typer.Option(help="Start afresh even if OUT/spans.jsonl exists.")] = False,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (one model each).")] = 1,
    batch_size: Annotated[int, typer.Option(min=1, help="Documents per model call.")] = 16,
    strict: Annotated[bool, typer.Option(help="Stop at the first document that fails.")] = False,
    glob: Annotated[list[str], typer.Option(help="Only files whose relative path or name matches (repeatable).")] = [],  # noqa: B006
    model: Annotated[
        Path | None,
        typer.Option(help="Model folder or name: default, accurate (default: $SLANT_MODEL or the shipped model)."),
    ] = None,
    max_bytes: Annotated[
        int, typer.Option(min=1, help="Files larger than this are reported, not read.")
    ] = DEFAULT_MAX_BYTES,
    report_max_docs: Annotated[
        int, typer.Option(min=0, help="Articles shown in full in report.html.")
    ] = DEFAULT_REPORT_MAX_DOCS,
    window_batch_size: Annotated[int | None, typer.Option(min=1, help="Model windows per forward pass.")] = None,
    profile: Annotated[
        str, typer.Option(help="Decoding profile: news (articles) or memes (short social-media texts).")
    ] = "news",
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    verbose: Annotated[bool, typer.Option("--verbose", help=VERBOSE_HELP)] = False,
    engine: Annotated[
        str, typer.Option(help="inprocess (this machine), or ray: Ray Data actors, one model each (the 'ray' extra).")
    ] = "inprocess",
    ray_address: Annotated[
        str | None, typer.Option(help="With --engine ray: a running cluster (auto or HOST:PORT); default: a local one.")
    ] = None,
    actors: Annotated[
        int | None, typer.Option(min=1, help="With --engine ray: actors (default: the CPUs / --cpus-per-actor).")
    ] = None,
    cpus_per_actor: Annotated[int | None, typer.Option(min=1, help="With --engine ray: CPUs per actor [1].")] = None,
) -> None:
    """Score the .txt, .md and .html documents under PATHS; write spans.jsonl, summary.csv, report.html."""
    if verbose:
        from slant.quiet import set_verbose

        set_verbose(True)
    # Imported here, not at the top: `slant --help` stays instant.
    from slant.batch import ScoreOptions, exit_code, run
    from slant.batch.manifest import RunManifest, check_resume
    from slant.batch.outputs import SPANS_FILE
    from slant.model.files import check_model
    from slant.model.profiles import get_profile
    from slant.resolve import ModelNotFoundError, model_folder

    for path in paths:
        if not os.path.lexists(path):  # lexists: a broken symlink argument becomes an error row, not a usage error
            raise typer.BadParameter(f"{path} does not exist", param_hint="PATHS")
    formats = parse_formats(format)
    check_engine(engine, workers, ray_address, actors, cpus_per_actor)
    try:
        model_folder(model)  # a name ("default", "accurate") or a folder holding config.json
    except ModelNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--model") from exc
    try:
        get_profile(profile)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--profile") from exc
    spans = out / SPANS_FILE
    if resume and overwrite:
        raise typer.BadParameter("--resume and --overwrite exclude each other", param_hint="--resume")
    if spans.exists() and spans.stat().st_size > 0 and not (resume or overwrite):
        raise typer.BadParameter(f"{spans} exists: pass --resume to continue it or --overwrite", param_hint="--out")
    if resume:
        try:
            check_resume(out, RunManifest.current(model, profile))
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--resume") from exc
    check_model(model, profile)  # a damaged config.json or weights file, or a missing extra: before any output
    writable_dir(out, "--out")
    options = ScoreOptions(
        paths=list(paths),
        out=out,
        formats=formats,
        resume=resume,
        workers=workers,
        batch_size=batch_size,
        strict=strict,
        globs=tuple(glob),
        model=model,
        max_bytes=max_bytes,
        report_max_docs=report_max_docs,
        window_batch_size=window_batch_size,
        profile=profile,
        progress=progress,
        engine=engine,
        ray_address=ray_address,
        actors=actors,
        cpus_per_actor=cpus_per_actor or 1,
    )
    stats = run(options)  # an EngineError (Ray could not start, connect or run the job): one line (SlantGroup)
    print_summary(stats, out)
    raise typer.Exit(exit_code(stats))


@app.command()
def classify(
    file: Annotated[
        str, typer.Argument(metavar="FILE|-", help="A .txt, .md or .html file, or - for standard input (UTF-8).")
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the spans as JSON (the fields of spans.jsonl's spans), no view.")
    ] = False,
    labels: Annotated[list[str], typer.Option("--labels", "-l", help="Only these labels (comma list or repeat).")] = [],  # noqa: B006 - typer reads the default, never mutates it
    min_score: Annotated[float, typer.Option(min=0.0, max=1.0, help="Only spans scored at least this.")] = 0.0,
    model: Annotated[
        str | None,
        typer.Option(help="Model folder or name: default, accurate (default: $SLANT_MODEL or the shipped model)."),
    ] = None,
    profile: Annotated[
        str, typer.Option(help="Decoding profile: news (articles) or memes (short social-media texts).")
    ] = "news",
    max_bytes: Annotated[int, typer.Option(min=1, help="Larger inputs are refused.")] = DEFAULT_MAX_BYTES,
) -> None:
    """Show one text with its spans highlighted by label, a legend and the scores (or --json). Exit code 2
    when the input, a label or the model cannot be used."""
    from slant import terminal

    try:
        chosen = terminal.parse_labels(labels)
    except terminal.ClassifyError as exc:
        raise typer.BadParameter(str(exc), param_hint="--labels") from None
    try:
        source = terminal.read_input(file, max_bytes)
        tagger = terminal.load_tagger(model, profile)
    except terminal.ClassifyError as exc:
        typer.echo(f"slant classify: {exc}", err=True)
        raise typer.Exit(2) from None
    spans = terminal.select_spans(tagger.classify(source.text), chosen, min_score)
    if json_output:
        typer.echo(terminal.spans_json(spans))
    else:
        terminal.print_view(source, spans)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    model: Annotated[str | None, typer.Option(help="Model folder (default: $SLANT_MODEL or model/).")] = None,
    max_body_bytes: Annotated[int, typer.Option(min=1, help="Largest request body accepted (413 above).")] = 1_000_000,
    max_waiting: Annotated[int, typer.Option(min=0, help="Requests that may wait for the model (503 above).")] = 16,
    verbose: Annotated[bool, typer.Option("--verbose", help=VERBOSE_HELP)] = False,
) -> None:
    """Serve the local page and JSON API: paste an article, see its rhetoric marked."""
    from slant.extras import require
    from slant.quiet import set_verbose

    if verbose:
        set_verbose(True)
    require("serve", "fastapi", "uvicorn", feature="slant serve")  # one line naming the extra, exit code 2
    from slant.serve_cli import serve as run_server

    run_server(host, port, model, max_body_bytes=max_body_bytes, max_waiting=max_waiting)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
def train(ctx: typer.Context) -> None:
    """Train a model and write its folder: python train.py's flags (slant train --help lists them)."""
    raise typer.Exit(train_main(ctx.args, prog="slant train"))


# slant evaluate score|run|compare-tuning|card: python evaluate.py's commands.
app.add_typer(
    evaluate_app, name="evaluate", help="Score predictions with the organisers' metrics; run slant on a corpus split."
)


if __name__ == "__main__":
    app()
