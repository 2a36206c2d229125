"""`slant score --engine ray` beside the in-process runner, in the same run, on the PTC dev articles.

    python bench/bench_ray.py                    # 75 PTC dev articles, 4 per batch, one round
    python bench/bench_ray.py --rounds 2         # the engine comparison twice, interleaved (medians printed)
    python bench/bench_ray.py --omp-wait-policy PASSIVE    # OpenMP threads that sleep instead of spinning
    python bench/bench_ray.py --docs 20 --overhead-docs 20 --records 10000       # a quicker run

Each phase runs in its own process (its own Ray instance, its own peak RSS) and calls slant.batch.run,
what `slant score` calls, writing every output:
  inprocess  the in-process engine: one process (torch's default threads, the machine's cores), the model
             loaded before the clock starts as in bench_score.py; or --workers 2, worker processes that load
             their own model in their first batch
  ray        the Ray engine on a local instance with 2 actors x 1 CPU, or 1 actor x 2 CPUs; ray.init is timed,
             and the start-up is the time to the first written batch (the actors load the model inside it)
  records    the driver's part of a large run without its files: N synthetic input records built and handed
             to ray.data.from_items, one block per 16 (seconds and memory per record, for the 1M projection)
Figures:
  docs/s after start-up  documents written after the first batch of every actor (or worker) was written, over
                         the time from then to the last batch: the same rule for every engine; "whole run"
                         counts from the call to slant.batch.run
  per-batch overhead     one-sentence documents, one per batch, one thread each: seconds per batch on Ray
                         (1 actor x 1 CPU) minus seconds per batch in-process
  memory                 each actor's peak RSS (VmHWM, read from /proc every 0.2 s), Ray's own processes (raylet,
                         GCS, agents) added up, the driver's peak RSS
  driver                 wall seconds in Sink.write_batch per row (texts/, spans.jsonl, one fsync per batch), and
                         the driver process's CPU seconds per row after start-up (Ray Data's executor included);
                         and, without Ray (phase driver), the driver's whole per-row path on blocks shaped as the
                         actors return them: Arrow to rows, rows to texts/ and spans.jsonl, 16 per batch
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from slant.config import data_root  # noqa: E402

PTC_DEV = data_root() / "ptc-semeval2020" / "dev" / "articles"
ACTOR_PREFIX = "ray::MapWorker(MapBatches(DocumentScorer"
TINY_TEXT = "The corrupt elite lied again."


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def dev_articles(n: int) -> list[Path]:
    return sorted(PTC_DEV.glob("article*.txt"))[:n]


class ProcessSampler(threading.Thread):
    """Peak RSS (VmHWM) of this process's session-mates: the Ray actors and Ray's own processes."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.sid = os.getsid(0)
        self.peaks: dict[int, float] = {}
        self.actor_pids: set[int] = set()  # a worker process counts as an actor once it has been one
        self.stop = threading.Event()

    def sample(self) -> None:
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                if os.getsid(int(entry)) != self.sid:
                    continue
                name = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
                status = Path(f"/proc/{entry}/status").read_text()
            except OSError:
                continue
            hwm = next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM")), 0.0)
            self.peaks[int(entry)] = max(self.peaks.get(int(entry), 0.0), hwm)
            if name.startswith(ACTOR_PREFIX):
                self.actor_pids.add(int(entry))

    def run(self) -> None:
        while not self.stop.wait(0.2):
            self.sample()

    def actors(self) -> list[float]:
        return sorted(mb for pid, mb in self.peaks.items() if pid in self.actor_pids)

    def ray_system_mb(self) -> float:
        return sum(mb for pid, mb in self.peaks.items() if pid not in self.actor_pids)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)  # this process's threads (not the actors, not workers)
    return usage.ru_utime + usage.ru_stime


def instrument(runner) -> list[tuple[float, int, float, float]]:
    """Record (time written, rows, seconds inside write_batch, driver CPU seconds) for every batch written."""
    log: list[tuple[float, int, float, float]] = []
    original = runner.Sink.write_batch

    def write_batch(self, items, results):
        started = time.perf_counter()
        stop = original(self, items, results)
        done = time.perf_counter()
        log.append((done, len(items), done - started, cpu_seconds()))
        return stop

    runner.Sink.write_batch = write_batch
    return log


def steady(log: list[tuple[float, int, float, float]], warm_batches: int) -> dict:
    """Over the batches after the first ``warm_batches`` written ones: docs/s, seconds, driver CPU per row."""
    figures = {"batches": len(log), "write_s_per_row": sum(e[2] for e in log) / max(1, sum(e[1] for e in log))}
    if len(log) <= warm_batches:
        return figures | {"steady_docs_s": 0.0, "steady_s": 0.0, "driver_cpu_s_per_row": 0.0}
    first, last = log[warm_batches - 1], log[-1]
    docs = sum(entry[1] for entry in log[warm_batches:])
    seconds = last[0] - first[0]
    return figures | {
        "steady_docs_s": docs / seconds if seconds > 0 else 0.0,
        "steady_s": seconds,
        "driver_cpu_s_per_row": (last[3] - first[3]) / docs,
    }


def make_inputs(folder: Path, args: argparse.Namespace, tiny: bool) -> int:
    folder.mkdir(parents=True)
    if tiny:
        for i in range(args.overhead_docs):
            (folder / f"tiny{i:04d}.txt").write_text(f"{TINY_TEXT} ({i})", encoding="utf-8")
        return args.overhead_docs
    files = dev_articles(args.docs)
    for f in files:
        shutil.copy(f, folder / f.name)
    return len(files)


# ---- phases ------------------------------------------------------------------------------------------------
def phase_inprocess(args: argparse.Namespace) -> dict:
    from slant.batch import engines, runner

    if args.workers == 1:  # worker processes load their own model, inside their first batch
        import torch

        tagger = runner.load_tagger(Path(args.model) if args.model else None, None)
        runner.load_tagger = lambda *a: tagger  # loaded before the clock starts, as in bench_score.py
        if args.threads:
            torch.set_num_threads(args.threads)
    log = instrument(runner)
    with tempfile.TemporaryDirectory() as tmp:
        n = make_inputs(Path(tmp) / "in", args, args.tiny)
        options = runner.ScoreOptions(
            paths=[Path(tmp) / "in"],
            out=Path(tmp) / "out",
            batch_size=1 if args.tiny else args.batch_size,
            progress=False,
            model=Path(args.model) if args.model else None,
            workers=args.workers,
        )
        load = os.getloadavg()[0]
        started = time.perf_counter()
        stats = engines.run(options)
        seconds = time.perf_counter() - started
    return {
        "docs": n,
        "scored": stats.scored,
        "seconds": seconds,
        **steady(log, args.workers),
        "first_batch_s": log[0][0] - started if log else None,
        "rss_mb": peak_rss_mb(),
        "load": [load, os.getloadavg()[0]],
    }


def phase_ray(args: argparse.Namespace) -> dict:
    from slant.batch import engines, ray_engine, runner

    log = instrument(runner)
    timings: dict[str, float] = {}
    init, close = ray_engine.RayEngine.__init__, ray_engine.RayEngine.close

    def timed_init(self, options):
        t = time.perf_counter()
        init(self, options)
        timings["ray_init_s"] = time.perf_counter() - t

    def timed_close(self):
        t = time.perf_counter()
        close(self)
        timings.setdefault("shutdown_s", time.perf_counter() - t)

    ray_engine.RayEngine.__init__, ray_engine.RayEngine.close = timed_init, timed_close
    sampler = ProcessSampler()
    sampler.start()
    with tempfile.TemporaryDirectory() as tmp:
        n = make_inputs(Path(tmp) / "in", args, args.tiny)
        options = runner.ScoreOptions(
            paths=[Path(tmp) / "in"],
            out=Path(tmp) / "out",
            batch_size=1 if args.tiny else args.batch_size,
            progress=False,
            model=Path(args.model) if args.model else None,
            engine="ray",
            actors=args.actors,
            cpus_per_actor=args.cpus_per_actor,
        )
        load = os.getloadavg()[0]
        started = time.perf_counter()
        stats = engines.run(options)
        seconds = time.perf_counter() - started
        out = Path(tmp) / "out"
        spans_bytes = (out / "spans.jsonl").stat().st_size
        text_bytes = sum(p.stat().st_size for p in (out / "texts").rglob("*") if p.is_file())
    sampler.stop.set()
    sampler.join()
    return {
        "docs": n,
        "scored": stats.scored,
        "errors": stats.errors,
        "seconds": seconds,
        **steady(log, args.actors),
        "first_batch_s": log[0][0] - started if log else None,
        **timings,
        "actor_rss_mb": sampler.actors(),
        "ray_system_rss_mb": sampler.ray_system_mb(),
        "driver_rss_mb": peak_rss_mb(),
        "bytes_per_row": (spans_bytes + text_bytes) / max(1, stats.documents),
        "load": [load, os.getloadavg()[0]],
    }


def phase_records(args: argparse.Namespace) -> dict:
    """The driver's cost per input before any scoring: one record each, handed to Ray Data."""
    import logging

    import ray
    import ray.data

    rss_before = peak_rss_mb()
    started = time.perf_counter()
    records = [
        {
            "id": f"{i // 1000:04d}/article{i:07d}.txt",
            "path": f"corpus/{i // 1000:04d}/article{i:07d}.txt",
            "source_error": None,
            "has_prev": False,
            "prev_sha256": None,
            "prev_error": None,
        }
        for i in range(args.records)
    ]
    built = time.perf_counter() - started
    rss_records = peak_rss_mb()
    ray.init(
        address="local",
        num_cpus=1,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.ERROR,
        _node_ip_address="127.0.0.1",
    )
    started = time.perf_counter()
    # One block per batch of 16 (slant score's default --batch-size), as the Ray engine makes them.
    dataset = ray.data.from_items(records, override_num_blocks=-(-args.records // 16))
    handed = time.perf_counter() - started
    rss_after = peak_rss_mb()
    store = dataset.size_bytes()
    ray.shutdown()
    return {
        "records": args.records,
        "build_s": built,
        "from_items_s": handed,
        "rss_before_mb": rss_before,
        "rss_records_mb": rss_records,
        "rss_after_from_items_mb": rss_after,
        "object_store_bytes": store,
    }


def phase_driver(args: argparse.Namespace) -> dict:
    """The driver's work per row without Ray: Arrow blocks shaped as the actors return them (a PTC dev article
    of the mean length, 20 spans), turned into rows and written through the Sink (texts/, spans.jsonl, an fsync
    per batch)."""
    import pyarrow as pa

    from slant.batch import ray_engine, runner
    from slant.batch.outputs import SPANS_FILE, SpansWriter, sha256_text

    texts = [f.read_text(encoding="utf-8") for f in dev_articles(75)]
    mean = sum(map(len, texts)) / len(texts)
    text = min(texts, key=lambda t: abs(len(t) - mean))  # an article of the mean length
    spans = json.dumps(
        [
            {"start": i, "end": i + 10, "label": "loaded_language", "score": 0.5, "text": text[i : i + 10]}
            for i in range(20)
        ]
    )
    blocks = []
    for b in range(args.driver_rows // 16):
        ids = [f"{b:05d}/doc{i:02d}.txt" for i in range(16)]
        blocks.append(
            pa.table(
                {
                    "id": ids,
                    "path": [f"in/{i}" for i in ids],
                    "action": ["score"] * 16,
                    "sha256": [sha256_text(text)] * 16,
                    "text": [text] * 16,
                    "error": pa.array([None] * 16, pa.string()),
                    "spans": [spans] * 16,
                }
            )
        )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        sink = runner.Sink(out, SpansWriter(out / SPANS_FILE, append=False), runner.RunStats(), False, lambda: None)
        cpu, started = cpu_seconds(), time.perf_counter()
        for block in blocks:
            items, results = [], []
            for row in block.to_pylist():
                item, result = ray_engine._received(row)
                items.append(item)
                if result is not None:
                    results.append(result)
            sink.write_batch(items, results)
        seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    rows = 16 * len(blocks)
    return {"rows": rows, "seconds": seconds, "cpu_s": cpu, "chars": len(text)}


PHASES = {"inprocess": phase_inprocess, "ray": phase_ray, "records": phase_records, "driver": phase_driver}


def run_phase(name: str, argv: list[str]) -> dict:
    command = [sys.executable, __file__, "--phase", name, *argv]
    # Its own session: the process sampler tells this phase's Ray processes from any other Ray on the machine.
    proc = subprocess.run(command, capture_output=True, text=True, cwd=REPO, start_new_session=True)
    if proc.returncode != 0:
        raise SystemExit(f"phase {name} {' '.join(argv)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.environ.get("SLANT_MODEL"), help="model folder (default: shipped)")
    ap.add_argument("--docs", type=int, default=75, help="PTC dev articles to score")
    ap.add_argument("--batch-size", type=int, default=4, help="documents per batch (both engines)")
    ap.add_argument("--rounds", type=int, default=1, help="times to repeat the engine comparison, interleaved")
    ap.add_argument(
        "--omp-wait-policy",
        choices=["PASSIVE", "ACTIVE"],
        help="OMP_WAIT_POLICY for every phase (unset: OpenMP's default, spinning threads)",
    )
    ap.add_argument("--overhead-docs", type=int, default=60, help="tiny documents for the per-batch overhead (0: skip)")
    ap.add_argument("--records", type=int, default=100_000, help="synthetic records for the driver probe (0: skip)")
    ap.add_argument("--driver-rows", type=int, default=3_200, help="rows written by the driver probe (0: skip)")
    ap.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    ap.add_argument("--actors", type=int, default=2, help=argparse.SUPPRESS)
    ap.add_argument("--cpus-per-actor", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return
    common = ["--docs", str(args.docs), "--batch-size", str(args.batch_size)]
    common += ["--overhead-docs", str(args.overhead_docs), "--records", str(args.records)]
    common += ["--driver-rows", str(args.driver_rows)]
    common += ["--model", args.model] if args.model else []
    if args.omp_wait_policy:
        os.environ["OMP_WAIT_POLICY"] = args.omp_wait_policy  # the phases inherit it, and Ray's workers from them
    print(
        f"model: {args.model or 'shipped'}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}; "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}"
    )
    print(f"\nPTC dev, {args.docs} articles, {args.batch_size} documents per batch")
    print(f"{'engine':26}{'docs/s':>8}{'whole run':>11}{'first batch':>13}{'ray.init':>10}   peak RSS MB")
    configs = [
        ("in-process (2 threads)", "inprocess", []),
        ("ray, 2 actors x 1 CPU", "ray", ["--actors", "2", "--cpus-per-actor", "1"]),
        ("ray, 1 actor x 2 CPUs", "ray", ["--actors", "1", "--cpus-per-actor", "2"]),
        ("in-process, --workers 2", "inprocess", ["--workers", "2"]),
    ]
    results: dict[str, list[dict]] = {label: [] for label, *_ in configs}
    for _ in range(args.rounds):
        for label, phase, extra in configs:
            r = run_phase(phase, common + extra)
            results[label].append(r)
            whole = r["scored"] / r["seconds"]
            init = f"{r['ray_init_s']:.1f} s" if "ray_init_s" in r else "-"
            if phase == "inprocess":
                rss = f"{r['rss_mb']:,.0f}" + (" (parent)" if extra else "")
            else:
                actors = "/".join(f"{mb:,.0f}" for mb in r["actor_rss_mb"])
                rss = f"actors {actors}; driver {r['driver_rss_mb']:,.0f}; Ray's own {r['ray_system_rss_mb']:,.0f}"
            print(
                f"{label:26}{r['steady_docs_s']:>8.2f}{whole:>11.2f}{r['first_batch_s']:>11.1f} s{init:>10}   {rss}"
                f"   (load {r['load'][0]:.1f} -> {r['load'][1]:.1f})"
            )
    base = statistics.median(r["steady_docs_s"] for r in results["in-process (2 threads)"])
    print(f"\nmedians over {args.rounds} round(s), docs/s after start-up against the in-process engine's {base:.2f}:")
    for label, runs in results.items():
        rate = statistics.median(r["steady_docs_s"] for r in runs)
        line = f"  {label}: {rate:.2f} docs/s = {rate / base:.2f}x"
        if label.startswith("ray"):
            first = statistics.median(r["first_batch_s"] for r in runs)
            init = statistics.median(r["ray_init_s"] for r in runs)
            shutdown = statistics.median(r["shutdown_s"] for r in runs)
            write = statistics.median(r["write_s_per_row"] for r in runs)
            cpu = statistics.median(r["driver_cpu_s_per_row"] for r in runs)
            line += (
                f"; start-up to the first batch {first:.1f} s (ray.init {init:.1f} s), shutdown {shutdown:.1f} s; "
                f"driver: {1000 * write:.2f} ms/row in write_batch, {1000 * cpu:.1f} ms CPU/row; "
                f"{runs[-1]['bytes_per_row']:,.0f} B/row to the driver"
            )
        print(line)
    if args.overhead_docs:
        # One thread each: a loaded machine slows a 2-thread torch far more than two 1-thread processes.
        tiny = ["--tiny"]
        a = run_phase("inprocess", common + tiny + ["--threads", "1"])
        b = run_phase("ray", common + tiny + ["--actors", "1", "--cpus-per-actor", "1"])
        per_a, per_b = 1 / a["steady_docs_s"], 1 / b["steady_docs_s"]
        print(
            f"\nper-batch overhead, {args.overhead_docs} one-sentence documents, one per batch, one thread: "
            f"in-process {1000 * per_a:.0f} ms/batch, Ray 1 actor x 1 CPU {1000 * per_b:.0f} ms/batch: "
            f"{1000 * (per_b - per_a):.0f} ms of Ray per batch; driver {1000 * b['driver_cpu_s_per_row']:.1f} ms "
            f"CPU per batch (in-process {1000 * a['driver_cpu_s_per_row']:.1f}, scoring included)"
        )
    if args.driver_rows:
        r = run_phase("driver", common)
        print(
            f"\ndriver, {r['rows']:,} rows of a {r['chars']:,}-character article with 20 spans, 16 per batch, no Ray: "
            f"{r['rows'] / r['seconds']:,.0f} rows/s ({1000 * r['seconds'] / r['rows']:.2f} ms/row, "
            f"{1000 * r['cpu_s'] / r['rows']:.2f} ms CPU/row)"
        )
    if args.records:
        r = run_phase("records", common)
        print(
            f"\ndriver, {r['records']:,} synthetic input records: built in {r['build_s']:.2f} s, "
            f"ray.data.from_items {r['from_items_s']:.2f} s; peak RSS {r['rss_before_mb']:,.0f} -> "
            f"{r['rss_records_mb']:,.0f} (records) -> {r['rss_after_from_items_mb']:,.0f} MB (handed over); "
            f"{r['object_store_bytes'] / r['records']:.0f} B/record in the object store"
        )


if __name__ == "__main__":
    main()
