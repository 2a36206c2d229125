"""Load test for ``slant serve``: a bounded burst against a server on a free loopback port.

    python bench/bench_serve.py                       # 200 requests, 8 concurrent, shipped model
    python bench/bench_serve.py --model /tmp/slant-smoke --requests 50

Starts ``python -m slant.serve_cli`` in a subprocess (so client and server do not share a GIL), posts the
paragraphs of the example article round-robin, and meanwhile probes /healthz to show the event loop stays free
while the model is busy. Prints p50/p95 latency; exits 1 on any 5xx or transport error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO.parent / "shared" / "examples" / "north-korean-troops-opinion.txt"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def start_server(port: int, model: str | None, max_waiting: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "slant.serve_cli", "--port", str(port), "--log-level", "warning"]
    cmd += ["--max-waiting", str(max_waiting)]
    if model:
        cmd += ["--model", model]
    return subprocess.Popen(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})


def wait_ready(proc: subprocess.Popen, base: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode} before it was ready")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"server not ready after {timeout:.0f} s")


async def load(base: str, texts: list[str], requests: int, concurrency: int) -> dict:
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    health: list[float] = []
    queue = asyncio.Queue()
    for i in range(requests):
        queue.put_nowait(texts[i % len(texts)])
    done = asyncio.Event()

    async with httpx.AsyncClient(base_url=base, timeout=120) as client:

        async def worker() -> None:
            while not queue.empty():
                text = queue.get_nowait()
                started = time.perf_counter()
                try:
                    response = await client.post("/api/classify", json={"text": text})
                    statuses[response.status_code] += 1
                except httpx.TransportError as exc:
                    statuses[type(exc).__name__] += 1
                latencies.append(time.perf_counter() - started)

        async def prober() -> None:
            while not done.is_set():
                started = time.perf_counter()
                response = await client.get("/healthz")
                if response.status_code == 200:
                    health.append(time.perf_counter() - started)
                await asyncio.sleep(0.2)

        probe = asyncio.create_task(prober())
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        done.set()
        await probe
    return {"latencies": latencies, "statuses": statuses, "health": health, "wall": wall}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--model", default=None, help="model folder (default: $SLANT_MODEL or model/)")
    ap.add_argument("--text", type=Path, default=EXAMPLE, help="article whose paragraphs are posted")
    args = ap.parse_args(argv)
    paragraphs = [p for p in args.text.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # Queue room for every client: a 503 here would be the bench's own misconfiguration, not overload.
    proc = start_server(port, args.model, max_waiting=max(args.concurrency, 16))
    try:
        wait_ready(proc, base)
        result = asyncio.run(load(base, paragraphs, args.requests, args.concurrency))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lat = [x * 1000 for x in result["latencies"]]
    health = [x * 1000 for x in result["health"]]
    chars = sum(len(p) for p in paragraphs) / len(paragraphs)
    print(f"{args.requests} requests, {args.concurrency} concurrent, paragraphs of ~{chars:.0f} characters")
    print(f"statuses: {dict(result['statuses'])}")
    print(
        f"classify latency ms: p50 {statistics.median(lat):.0f}  p95 {percentile(lat, 0.95):.0f}  "
        f"max {max(lat):.0f}; throughput {len(lat) / result['wall']:.1f} req/s over {result['wall']:.1f} s"
    )
    if health:
        print(
            f"/healthz under load ms: p50 {statistics.median(health):.1f}  p95 {percentile(health, 0.95):.1f}"
        )
    failures = {k: v for k, v in result["statuses"].items() if not isinstance(k, int) or k >= 500}
    if failures:
        print(f"FAIL: server errors or transport failures: {failures}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
