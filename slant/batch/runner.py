"""The scoring loop: read documents in batches, score them (in-process or in workers), append results.

Memory stays bounded: inputs are discovered lazily, read one batch at a time, and at most ``workers + 1``
batches are in flight; results are written as soon as their batch is next in input order, and the summary
files are rebuilt from spans.jsonl by streaming. The parent process writes results in input order, so
spans.jsonl is the same for one process, several workers, or an interrupted run that was resumed.

The Ray engine (:mod:`slant.batch.ray_engine`, ``engine="ray"``) shares everything here but the scoring:
the same :func:`prepare_item` decides what each input needs, the same :func:`score_texts` scores it, and the
same :class:`Sink` writes its row, so resume works across engines.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slant.batch.inputs import DEFAULT_MAX_BYTES, Document, Source, discover, read_document
from slant.batch.manifest import RunManifest, check_resume, write_manifest
from slant.batch.outputs import (
    SPANS_FILE,
    Row,
    SpansWriter,
    count_words,
    repair_tail,
    resume_index,
    save_text,
    sha256_text,
    span_dict,
    write_semeval,
    write_summary,
)
from slant.batch.report import DEFAULT_REPORT_MAX_DOCS, write_report
from slant.errors import SlantError

# A scored document: (span dicts, None) or (None, error message).
Result = tuple[list[dict[str, Any]] | None, str | None]


@dataclass
class ScoreOptions:
    paths: list[Path]
    out: Path
    formats: frozenset[str] = frozenset({"jsonl"})
    resume: bool = False
    workers: int = 1
    batch_size: int = 16  # documents per classify_batch call: windows are batched across them
    strict: bool = False
    globs: tuple[str, ...] = ()
    model: Path | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    report_max_docs: int = DEFAULT_REPORT_MAX_DOCS
    window_batch_size: int | None = None  # windows per forward pass (Tagger.batch_size); None keeps its default
    profile: str = "news"  # decoding profile (slant.model.profiles)
    progress: bool = True
    engine: str = "inprocess"  # "inprocess" (this module, with `workers` processes) or "ray" (slant.batch.ray_engine)
    ray_address: str | None = None  # None: start a local Ray instance; "auto" or HOST:PORT: an existing cluster
    actors: int | None = None  # Ray actors (one model each); None: as many as the CPUs allow
    cpus_per_actor: int = 1  # CPUs (torch threads) each Ray actor reserves


ENGINES = ("inprocess", "ray")


@dataclass
class RunStats:
    documents: int = 0  # inputs seen (scored + skipped + errors)
    scored: int = 0
    skipped: int = 0  # already in spans.jsonl with the same sha256 (--resume)
    errors: int = 0
    chars: int = 0
    spans_by_label: collections.Counter[str] = field(default_factory=collections.Counter)
    seconds: float = 0.0
    interrupted: str | None = None  # "SIGINT" / "SIGTERM" when the run was stopped
    stopped_on_error: bool = False  # --strict stopped the run
    engine: str = "in-process"  # what scored the documents, in words (for the terminal summary)

    @property
    def docs_per_second(self) -> float:
        return self.scored / self.seconds if self.seconds > 0 else 0.0

    @property
    def chars_per_second(self) -> float:
        return self.chars / self.seconds if self.seconds > 0 else 0.0


class Terminated(BaseException):
    """Raised in the main thread by the SIGTERM handler: unwinds the loop like KeyboardInterrupt does."""


class EngineError(SlantError, RuntimeError):
    """The engine could not start or run the job (a cluster unreachable, actors that cannot start, ...).

    Raised by :func:`run` after the outputs were rebuilt from what had finished; the message is one line, and
    the commands print it as such (exit code 2)."""


# ---- scoring (runs in the worker processes, or in-process with one worker) ---------------------------------
def score_texts(tagger: Any, texts: list[str]) -> list[Result]:
    """Spans for each text; if the batch fails, each text is retried alone so a bad text fails only itself."""
    try:
        return [([span_dict(s) for s in spans], None) for spans in tagger.classify_batch(texts)]
    except Exception:
        if len(texts) == 1:
            raise
    results: list[Result] = []
    for text in texts:
        try:
            results.append(([span_dict(s) for s in tagger.classify(text)], None))
        except Exception as exc:
            results.append((None, f"scoring failed: {type(exc).__name__}: {exc}"))
    return results


def score_or_fail(tagger: Any, texts: list[str]) -> list[Result]:
    """:func:`score_texts`, with a failure of the whole batch turned into one error result per text."""
    try:
        return score_texts(tagger, texts)
    except Exception as exc:
        return [(None, f"scoring failed: {type(exc).__name__}: {exc}")] * len(texts)


def load_tagger(model: Path | None, window_batch_size: int | None, profile: str = "news") -> Any:
    from slant.pipeline.tagger import Tagger  # torch loads only once scoring starts (--help stays instant)

    # Tagger.load keeps the encoder's load report and weight-loading bars off the progress bar (slant.quiet).
    tagger = Tagger.load(model, profile=profile)
    if window_batch_size:
        tagger.batch_size = window_batch_size
    return tagger


_worker_tagger: Any = None


def _init_worker(model: Path | None, window_batch_size: int | None, profile: str, threads: int) -> None:
    # Ctrl-C reaches the whole process group: the parent handles it and stops the workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import torch

    torch.set_num_threads(threads)  # N workers share the cores instead of each taking all of them
    global _worker_tagger
    _worker_tagger = load_tagger(model, window_batch_size, profile)


def _worker_score(texts: list[str]) -> list[Result]:
    return score_or_fail(_worker_tagger, texts)


# ---- the loop ----------------------------------------------------------------------------------------------
@dataclass
class Item:
    """A document in a batch, with what to do with it."""

    doc: Document
    action: str  # "score" | "error" | "skip"
    sha256: str | None = None


# What a resumed run knows of a document: (sha256, error) of its current row in spans.jsonl.
Previous = tuple[str | None, str | None]


def prepare_item(source: Source, previous: Previous | None, max_bytes: int = DEFAULT_MAX_BYTES) -> Item:
    """Read one input and decide its fate: score it, write its error row, or skip it (``previous`` says it is
    already in spans.jsonl with the same text, or the same error)."""
    doc = read_document(source, max_bytes)
    if doc.error is not None:
        return Item(doc, "skip" if previous == (None, doc.error) else "error")
    assert doc.text is not None
    digest = sha256_text(doc.text)
    if previous is not None and previous == (digest, None):
        # Already done: only the id is needed from here on, so the text is not kept in the batch.
        return Item(Document(doc.id, doc.path, None), "skip", digest)
    return Item(doc, "score", digest)


def _batches(options: ScoreOptions, done: dict[str, Previous]) -> Iterator[list[Item]]:
    """Batches of up to batch_size documents to score (plus the error/skip rows that come between them)."""
    batch: list[Item] = []
    n_score = 0
    for source in discover(options.paths, options.globs, exclude=[options.out]):
        item = prepare_item(source, done.get(source.id), options.max_bytes)
        batch.append(item)
        n_score += item.action == "score"
        # A long run of skipped or failed inputs also closes a batch, so the progress bar keeps moving.
        if n_score >= options.batch_size or len(batch) >= 8 * options.batch_size:
            yield batch
            batch, n_score = [], 0
    if batch:
        yield batch


def count_inputs(options: ScoreOptions) -> int:
    """How many documents discovery finds (folder listings only; nothing is read)."""
    return sum(1 for _ in discover(options.paths, options.globs, exclude=[options.out]))


@dataclass
class Sink:
    """Writes a finished batch: saves texts, appends rows, counts; says whether to stop (--strict)."""

    out: Path
    writer: SpansWriter
    stats: RunStats
    strict: bool
    on_doc: Callable[[], None]

    def write_batch(self, items: list[Item], results: list[Result]) -> bool:
        """Rows for ``items`` (``results`` holds one result per item whose action is "score"), synced to disk."""
        scored = iter(results)
        stop = False
        for item in items:
            self.stats.documents += 1
            doc = item.doc
            if item.action == "skip":
                self.stats.skipped += 1
                self.on_doc()
                continue
            spans, error = next(scored) if item.action == "score" else (None, doc.error)
            if error is None and spans is not None:
                assert doc.text is not None
                text_file = save_text(self.out, doc.id, doc.text)
                row = Row(
                    doc.id,
                    doc.path,
                    item.sha256,
                    len(doc.text),
                    count_words(doc.text),
                    spans,
                    None,
                    text_file,
                )
                self.stats.scored += 1
                self.stats.chars += len(doc.text)
                self.stats.spans_by_label.update(s["label"] for s in spans)
            else:
                n_chars = len(doc.text) if doc.text is not None else 0
                row = Row(doc.id, doc.path, item.sha256 if doc.text is not None else None, n_chars, 0, [], error)
                self.stats.errors += 1
            self.writer.write(row)
            self.on_doc()
            if row.error and self.strict:
                stop = True
                break
        self.writer.sync()
        return stop


def _terminate_pool(pool: ProcessPoolExecutor) -> None:
    # shutdown(cancel_futures=True) still waits for the batches already running; on Ctrl-C the user wants out
    # now, and the unfinished batches are simply not written (resume redoes them).
    pool.shutdown(wait=False, cancel_futures=True)
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()


def _score_loop(options: ScoreOptions, batches: Iterator[list[Item]], sink: Sink) -> None:
    if options.workers <= 1:
        tagger = load_tagger(options.model, options.window_batch_size, options.profile)
        for items in batches:
            texts = [i.doc.text for i in items if i.action == "score"]
            results = score_texts(tagger, texts) if texts else []  # type: ignore[arg-type]
            if sink.write_batch(items, results):
                return
        return
    threads = max(1, (os.cpu_count() or 1) // options.workers)
    pool = ProcessPoolExecutor(
        max_workers=options.workers,
        mp_context=multiprocessing.get_context("spawn"),  # no fork of a process that may hold threads
        initializer=_init_worker,
        initargs=(options.model, options.window_batch_size, options.profile, threads),
    )
    pending: collections.deque[tuple[list[Item], Future | None]] = collections.deque()
    try:
        for items in batches:
            texts = [i.doc.text for i in items if i.action == "score"]
            pending.append((items, pool.submit(_worker_score, texts) if texts else None))
            # Keep every worker busy with one batch queued behind, but no more: memory stays bounded.
            while len(pending) > options.workers:
                done_items, future = pending.popleft()
                if sink.write_batch(done_items, future.result() if future else []):
                    return
        while pending:
            done_items, future = pending.popleft()
            if sink.write_batch(done_items, future.result() if future else []):
                return
    except BaseException:
        _terminate_pool(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def finish_outputs(out: Path, formats: frozenset[str], report_max_docs: int = DEFAULT_REPORT_MAX_DOCS) -> None:
    """Rebuild summary.csv, report.html (and the SemEval files, the Parquet tables) from the whole spans.jsonl."""
    write_summary(out)
    write_report(out, report_max_docs)
    if "semeval" in formats:
        write_semeval(out)
    if "parquet" in formats:
        from slant.batch.tables import write_parquet  # pyarrow loads only when the tables are asked for

        write_parquet(out)


class InProcessEngine:
    """Scores in this process (``workers`` == 1) or in a pool of worker processes, writing in input order."""

    description = "in-process"

    def __init__(self, options: ScoreOptions):
        self.options = options
        if options.workers > 1:
            self.description = f"in-process, {options.workers} worker processes"

    def score(self, done: dict[str, Previous], sink: Sink) -> None:
        _score_loop(self.options, _batches(self.options, done), sink)

    def close(self) -> None:
        pass


def in_process_engine(options: ScoreOptions) -> InProcessEngine:
    """The in-process engine; another engine is chosen one layer up (``slant.batch.engines.make_engine``)."""
    if options.engine != "inprocess":
        raise ValueError(f"engine {options.engine!r} is made by slant.batch.engines.make_engine, not by the runner")
    return InProcessEngine(options)


def run(options: ScoreOptions, make_engine: Callable[[ScoreOptions], Any] = in_process_engine) -> RunStats:
    """Score every input document under ``options.paths`` into ``options.out`` with the engine ``make_engine``
    builds (it must have ``.score(done, sink)``, ``.close()`` and a ``.description``; the Ray engine starts or
    joins its cluster there, raising :class:`EngineError` when it cannot)."""
    options.out.mkdir(parents=True, exist_ok=True)
    spans_path = options.out / SPANS_FILE
    manifest = RunManifest.current(options.model, options.profile)
    done: dict[str, tuple[str | None, str | None]] = {}
    if options.resume:
        check_resume(options.out, manifest)  # raises ValueError rather than mix two models' rows
        repair_tail(spans_path)
        done = resume_index(spans_path)
    write_manifest(options.out, manifest)
    stats = RunStats()
    total = count_inputs(options)

    from tqdm import tqdm

    bar = tqdm(total=total, unit="doc", disable=not options.progress, dynamic_ncols=True, smoothing=0.1)
    writer = SpansWriter(spans_path, append=options.resume)
    sink = Sink(options.out, writer, stats, options.strict, lambda: bar.update(1))
    previous_handler = None
    if threading.current_thread() is threading.main_thread():

        def on_sigterm(signum: int, frame: Any) -> None:
            raise Terminated()

        previous_handler = signal.signal(signal.SIGTERM, on_sigterm)
    started = time.perf_counter()
    engine = None
    failure: EngineError | None = None
    try:
        engine = make_engine(options)  # inside the try: Ctrl-C while Ray starts is an interrupt like any other
        stats.engine = engine.description
        engine.score(done, sink)
        stats.stopped_on_error = options.strict and stats.errors > 0
    except KeyboardInterrupt:
        stats.interrupted = "SIGINT"
    except Terminated:
        stats.interrupted = "SIGTERM"
    except EngineError as exc:
        failure = exc
    finally:
        stats.seconds = time.perf_counter() - started
        bar.close()
        writer.close()
        if engine is not None:
            engine.close()  # Ray: shut down (also after Ctrl-C); what had finished is already in spans.jsonl
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    # Reached after an interrupt or an engine failure too: the summary and report cover every finished document.
    finish_outputs(options.out, options.formats, options.report_max_docs)
    if failure is not None:
        raise failure
    return stats


def exit_code(stats: RunStats) -> int:
    """0 all scored, 1 some failed, 130 / 143 interrupted by SIGINT / SIGTERM (128 + signal number)."""
    if stats.interrupted == "SIGINT":
        return 130
    if stats.interrupted == "SIGTERM":
        return 143
    return 1 if stats.errors else 0
