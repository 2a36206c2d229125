"""``slant score --engine ray``: the same job, with the documents read and scored by a pool of Ray actors.

Only where documents are read and scored differs from the in-process runner (:mod:`slant.batch.runner`). The
driver lists the inputs (folder listings only, as for the progress bar) and hands Ray Data one small record per
input: its id, its path, and what spans.jsonl already holds for it (``--resume``). ``map_batches`` over
:class:`DocumentScorer`, a stateful class run as an ``ActorPoolStrategy`` pool, reads each input exactly as
the in-process runner does (:func:`~slant.batch.runner.prepare_item`: same extraction, same error messages,
same skip decision), scores the batch with the model each actor loaded once
(:func:`~slant.batch.runner.score_or_fail`), and returns the rows' content. The driver iterates the finished
batches as they arrive and writes each through the runner's :class:`~slant.batch.runner.Sink`: the same rows,
texts and fsync per batch, so a killed driver loses only the batches in flight and ``--resume`` works
across engines. Batches arrive in the order they finish, so spans.jsonl holds the in-process rows as a set,
not in input order; summary.csv, report.html and the SemEval files are rebuilt from it at the end as always.

Inputs are read on the workers, where the CPUs are. On a cluster every node must see the inputs and the
driver's working folder at the same paths (a shared filesystem), since rows and error messages keep paths as
given; an actor that cannot see them stops the run with a message saying so. Each actor checks that its model
files have the driver's fingerprint, so a node with another slant install cannot mix another model's rows in.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import tempfile
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from slant.batch.inputs import Document, Source, discover
from slant.batch.manifest import model_fingerprint
from slant.batch.runner import (
    EngineError,
    Item,
    Previous,
    Result,
    ScoreOptions,
    Sink,
    load_tagger,
    prepare_item,
    score_or_fail,
)
from slant.resolve import MODEL_ENV, NAMED_MODELS

MAX_TASK_RETRIES = 3  # tries of a batch whose actor died, on other actors (see RayEngine._scored)


class RayEngineError(EngineError):
    """Ray cannot start or connect, or the job cannot run on it: one line for the user."""


def require_ray() -> None:
    """Raise :class:`slant.errors.MissingExtraError` naming the 'ray' extra when Ray Data cannot be imported."""
    from slant.extras import require

    require("ray", "ray", "ray.data", feature="slant score --engine ray")


def _model_spec(model: str | Path | None) -> str | None:
    """How an actor names the model: a shipped model by name (each node has its own copy), a folder by its
    absolute path (actors do not run in the driver's working folder, nor with its environment)."""
    spec = str(model) if model is not None else os.environ.get(MODEL_ENV) or None
    if spec is None or spec in NAMED_MODELS:
        return spec
    return str(Path(spec).expanduser().resolve())


def _python_path() -> str:
    """PYTHONPATH for local actors: the folder this slant package is in, then the driver's own PYTHONPATH."""
    import slant

    here = str(Path(slant.__file__).resolve().parent.parent)
    rest = os.environ.get("PYTHONPATH", "")
    return here + (os.pathsep + rest if rest else "")


# ---- the actor ---------------------------------------------------------------------------------------------
class DocumentScorer:
    """One Ray actor: loads the model once, then reads and scores one batch of input records per call."""

    def __init__(
        self,
        model: str | None,
        fingerprint: str,
        profile: str,
        window_batch_size: int | None,
        threads: int,
        max_bytes: int,
        workdir: str,
    ):
        import torch

        from slant.resolve import model_folder

        torch.set_num_threads(threads)  # the CPUs this actor reserved, not every core of the node
        if not os.path.isdir(workdir):
            raise RuntimeError(
                f"node {socket.gethostname()} has no folder {workdir} (the driver's working folder): the Ray "
                "engine reads inputs on the workers, which need them at the same paths (a shared filesystem)"
            )
        os.chdir(workdir)  # relative input paths mean what they mean on the driver (and in its error messages)
        folder = model_folder(model)
        found = model_fingerprint(folder)
        if found != fingerprint:
            raise RuntimeError(
                f"node {socket.gethostname()} has another model at {folder} (fingerprint {found}, the driver's "
                f"is {fingerprint}): install the same slant and model on every node"
            )
        self.tagger = load_tagger(folder, window_batch_size, profile)
        self.max_bytes = max_bytes

    def __call__(self, batch: Any) -> dict[str, list[Any]]:
        import json

        records = batch.to_pylist()  # a pyarrow.Table of input records (see RayEngine._records)
        items = [prepare_item(_source(r), _previous(r), self.max_bytes) for r in records]
        texts = [item.doc.text for item in items if item.action == "score"]
        results = iter(score_or_fail(self.tagger, texts) if texts else [])  # type: ignore[arg-type]
        columns: dict[str, list[Any]] = {name: [] for name in ("id", "path", "action", "sha256", "text", "error")}
        columns["spans"] = []
        for item in items:
            spans, error = next(results) if item.action == "score" else (None, item.doc.error)
            columns["id"].append(item.doc.id)
            columns["path"].append(item.doc.path)
            columns["action"].append(item.action)
            columns["sha256"].append(item.sha256)
            columns["text"].append(item.doc.text if item.action == "score" else None)  # skipped texts stay here
            columns["error"].append(error)
            # JSON, not Arrow structs: spans differ in their keys ("cues"), and rows must come back exactly.
            columns["spans"].append(json.dumps(spans) if spans is not None else None)
        return columns


def _source(record: dict[str, Any]) -> Source:
    return Source(record["id"], Path(record["path"]), record["source_error"])


def _previous(record: dict[str, Any]) -> Previous | None:
    return (record["prev_sha256"], record["prev_error"]) if record["has_prev"] else None


def _received(row: dict[str, Any]) -> tuple[Item, Result | None]:
    """The driver's side of one returned row: the Item and (for a scored document) the Result the Sink wants."""
    import json

    doc = Document(row["id"], row["path"], row["text"], row["error"] if row["action"] == "error" else None)
    item = Item(doc, row["action"], row["sha256"])
    if row["action"] != "score":
        return item, None
    return item, (json.loads(row["spans"]) if row["spans"] is not None else None, row["error"])


# ---- the driver --------------------------------------------------------------------------------------------
def _root_cause(exc: BaseException) -> str:
    """The last line of a Ray error: the remote exception (Ray's own message above it holds its traceback)."""
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", str(exc)).splitlines() if line.strip()]
    return lines[-1] if lines else type(exc).__name__


def _logs_hint() -> str:
    try:  # not a public API: the hint is dropped rather than break the error message
        import ray._private.worker

        return f" (Ray's logs: {ray._private.worker._global_node.get_session_dir_path()}/logs)"
    except Exception:
        return ""


@contextlib.contextmanager
def _stderr_to_file() -> Iterator[Path]:
    """Send this process's file descriptor 2 to a temporary file (Ray's C++ core prints start-up lines there,
    past Python's logging); yields the file, removed afterwards."""
    handle = tempfile.NamedTemporaryFile("w+", prefix="slant-ray-", suffix=".log", delete=False)  # noqa: SIM115
    saved = os.dup(2)
    try:
        os.dup2(handle.fileno(), 2)
        yield Path(handle.name)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        handle.close()
        with contextlib.suppress(OSError):
            os.unlink(handle.name)


def _driver_notices(enabled: bool) -> None:
    """Let Ray print, or not, the notices it pushes to the driver's stdout while a job runs.

    Those are "(raylet) task failed, will be retried" messages with remote tracebacks: for every batch in flight
    when a run is stopped, and for each retry of a failing one. They stay in Ray's logs; a run that fails says
    so in one line naming them. The switch is the one Ray's own debugger uses (not a public API, so skipped if
    this Ray lacks it).
    """
    import ray._private.worker

    if hasattr(ray._private.worker, "_worker_logs_enabled"):
        ray._private.worker._worker_logs_enabled = enabled


def _quiet_ray_data() -> None:
    """No Ray Data progress bars, execution banners or INFO lines over slant's own progress bar."""
    from ray.data import DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False
    context.enable_operator_progress_bars = False
    context.print_on_execution_start = False
    context.enable_auto_log_stats = False
    context.verbose_stats_logs = False
    # Ray Data logs to a file in the session folder and to the console. Not even its errors reach the console
    # (a failed run prints 80 lines of internal traceback): RayEngine turns a failure into one line instead,
    # which names the log folder.
    for handler in logging.getLogger("ray.data").handlers:
        if type(handler).__name__ != "SessionFileHandler":
            handler.setLevel(logging.CRITICAL)


class RayEngine:
    """Starts a local Ray instance (or joins ``options.ray_address``) on creation; ``close()`` shuts it down."""

    def __init__(self, options: ScoreOptions):
        require_ray()
        import ray

        self.options = options
        self._started = False
        # Ray's C++ core prints its own log lines on the driver's stderr (a notice about actor restarts on every
        # run) over the progress bar; failures still reach slant as Python exceptions. RAY_BACKEND_LOG_LEVEL set
        # by the user (info, debug, ...) wins.
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        settings: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,  # the actors' output (model loading, warnings) stays in Ray's log files
            "logging_level": logging.ERROR,
        }
        local = options.ray_address is None
        cpus = os.cpu_count() or 1
        if local:
            # "local": a new instance even if RAY_ADDRESS is set or another one runs; only on loopback.
            settings.update(address="local", num_cpus=cpus, _node_ip_address="127.0.0.1")
            # Ray starts workers 15 nice levels below the driver; here the actors do all the scoring, so they
            # run at the priority the user gave slant, as the in-process engine does.
            os.environ.setdefault("RAY_worker_niceness", "0")
            # The actors import the slant this driver runs, not whatever the interpreter's path finds first (a
            # checkout run in place, beside an installed copy): the same code writes every row.
            settings["runtime_env"] = {"env_vars": {"PYTHONPATH": _python_path()}}
        else:
            settings["address"] = options.ray_address
        in_main_thread = threading.current_thread() is threading.main_thread()
        sigterm = signal.getsignal(signal.SIGTERM) if in_main_thread else None
        with _stderr_to_file() as log:
            try:
                ray.init(**settings)
            except Exception as exc:  # ConnectionError for a wrong address, RuntimeError for a failed start, ...
                said = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
                where = "start a local Ray instance" if local else f"connect to Ray at {options.ray_address}"
                detail = f" ({' / '.join(said)})" if said and not str(exc) else ""
                raise RayEngineError(f"could not {where}: {type(exc).__name__}: {exc}{detail}") from exc
        self._started = True
        _driver_notices(False)
        if sigterm is not None:
            # ray.init replaces the SIGTERM handler with sys.exit; the runner's handler keeps finished work.
            signal.signal(signal.SIGTERM, sigterm)
        _quiet_ray_data()
        available = int(ray.cluster_resources().get("CPU", 0)) if not local else cpus
        self.cpus_per_actor = options.cpus_per_actor
        self.actors = options.actors or max(1, available // self.cpus_per_actor)
        if local and self.actors * self.cpus_per_actor > cpus:
            self.close()
            raise RayEngineError(
                f"--actors {self.actors} x --cpus-per-actor {self.cpus_per_actor} needs "
                f"{self.actors * self.cpus_per_actor} CPUs; this machine has {cpus}"
            )
        where = "local" if local else options.ray_address
        self.description = (
            f"Ray ({where}), {self.actors} actor{'s' * (self.actors != 1)} x "
            f"{self.cpus_per_actor} CPU{'s' * (self.cpus_per_actor != 1)}"
        )

    def _records(self, done: dict[str, Previous]) -> list[dict[str, Any]]:
        """One record per input, in discovery order (paths only: the texts are read by the actors)."""
        options = self.options
        records = []
        for source in discover(options.paths, options.globs, exclude=[options.out]):
            previous = done.get(source.id)
            records.append(
                {
                    "id": source.id,
                    "path": str(source.path),
                    "source_error": source.error,
                    "has_prev": previous is not None,
                    "prev_sha256": previous[0] if previous else None,
                    "prev_error": previous[1] if previous else None,
                }
            )
        return records

    def _scored(self, inputs: Any, fingerprint: str) -> Any:
        """``inputs`` (a Dataset of input records) mapped through a fixed pool of :class:`DocumentScorer`."""
        from ray.data import ActorPoolStrategy

        options = self.options
        with warnings.catch_warnings():
            # max_task_retries is reachable only through map_batches' **ray_remote_args (deprecated for 2.64).
            warnings.simplefilter("ignore", category=DeprecationWarning)
            return inputs.map_batches(
                DocumentScorer,
                batch_size=options.batch_size,
                batch_format="pyarrow",
                compute=ActorPoolStrategy(size=self.actors),
                num_cpus=self.cpus_per_actor,
                fn_constructor_kwargs={
                    "model": _model_spec(options.model),
                    "fingerprint": fingerprint,
                    "profile": options.profile,
                    "window_batch_size": options.window_batch_size,
                    "threads": self.cpus_per_actor,
                    "max_bytes": options.max_bytes,
                    "workdir": os.getcwd(),
                },
                # A batch whose actor dies (a lost node, the memory monitor) is retried on another actor; a
                # document that kills every actor it meets then ends the run (finished rows kept) instead of
                # being retried for ever, Ray Data's default.
                max_task_retries=MAX_TASK_RETRIES,
            )

    def score(self, done: dict[str, Previous], sink: Sink) -> None:
        """Score every input through Ray Data, writing each batch to ``sink`` as it finishes."""
        import ray.data
        import ray.exceptions

        from slant.resolve import model_folder

        options = self.options
        records = self._records(done)
        if not records:
            return
        fingerprint = model_fingerprint(model_folder(options.model))
        # One block per batch: Ray Data hands an actor a whole input block per call and returns its rows when
        # the call ends, so with its default (at most 200 blocks) a large run would come back, and be lost to a
        # killed driver, hundreds of documents at a time, and the last blocks would leave actors idle.
        blocks = -(-len(records) // options.batch_size)
        inputs = ray.data.from_items(records, override_num_blocks=blocks)
        del records  # the object store holds them now (about 60 bytes each); the driver need not
        dataset = self._scored(inputs, fingerprint)
        try:
            # batch_size=None: each block as an actor returned it (one scored batch). prefetch_batches=0: as soon
            # as it is done; with Ray Data's default of 1 a batch reached the driver only once the next one was
            # done too, one batch late on spans.jsonl (and lost to a killed driver).
            for block in dataset.iter_batches(batch_size=None, batch_format="pyarrow", prefetch_batches=0):
                items: list[Item] = []
                results: list[Result] = []
                for row in block.to_pylist():
                    item, result = _received(row)
                    items.append(item)
                    if result is not None:
                        results.append(result)
                if sink.write_batch(items, results):
                    return  # --strict: the first error row stops the run
        except ray.exceptions.RayError as exc:  # actors that cannot start, a batch that failed all its retries
            raise RayEngineError(f"the Ray job failed: {_root_cause(exc)}{_logs_hint()}") from exc

    def close(self) -> None:
        """Shut Ray down (a local instance stops; a cluster is only left). Safe to call twice."""
        if not self._started:
            return
        import ray

        self._started = False
        try:
            ray.shutdown()
        finally:
            _driver_notices(True)
