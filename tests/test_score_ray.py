"""`slant score --engine ray` on a local Ray instance: the in-process engine's rows, and resume across engines.

The Ray runs are subprocesses (as a user runs them), each with its own Ray temp folder and process session, so
a test can kill the driver and check that no Ray process outlives it. In-process runs share one loaded model.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slant.batch import runner as runner_module
from slant.cli import app
from slant.extras import install_command
from slant.resolve import model_folder
from tests.test_score import make_bad, make_clean

REPO = Path(__file__).resolve().parents[1]
RAY_TIMEOUT = 600  # seconds for one Ray run: the 2-core machine is shared, and start-up alone takes seconds
SHORT_TEXT = "Critics called it a reckless betrayal. Nobody would support such a catastrophic, shameful proposal."


def need_ray() -> None:
    """CI installs the 'ray' extra, so there a missing Ray is a failure; elsewhere the Ray tests skip."""
    try:
        import ray.data  # noqa: F401
    except ImportError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI installs the 'ray' extra: {exc}")
        pytest.skip(f"Ray is not installed ({exc}): pip install -e '.[ray]'")


@functools.cache
def _cached_load(model: Path | None, window_batch_size: int | None, profile: str = "news"):
    return _original_load(model, window_batch_size, profile)


_original_load = runner_module.load_tagger


@pytest.fixture(autouse=True)
def cached_tagger(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs in this process share one loaded model (the Ray actors load their own)."""
    monkeypatch.setattr(runner_module, "load_tagger", _cached_load)


@pytest.fixture(scope="module")
def model() -> Path:
    return model_folder("default")


def score_inprocess(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["score", *args, "--no-progress"], catch_exceptions=False)
    return result.exit_code, result.output


def ray_command(*args: str) -> list[str]:
    actors = str(min(2, os.cpu_count() or 1))  # two actors, so batches come back out of input order
    return [sys.executable, "-m", "slant.cli", "score", *args, "--engine", "ray", "--actors", actors, "--no-progress"]


def session_pids(sid: int) -> list[int]:
    """Processes whose session id is ``sid`` (the driver's, started with start_new_session): Ray's too."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid pgrp session ...
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def wait_gone(sid: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := session_pids(sid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def kill_session(sid: int) -> None:
    for pid in session_pids(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def ray_env() -> Iterator[dict[str, str]]:
    """Environment for a Ray driver: its own short temp folder (Ray's socket paths must stay short)."""
    need_ray()
    temp = tempfile.mkdtemp(prefix="slray-", dir="/tmp")
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    env["RAY_TMPDIR"] = temp
    yield env
    shutil.rmtree(temp, ignore_errors=True)


def run_ray(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = subprocess.Popen(
        ray_command(*args), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        output = proc.communicate(timeout=RAY_TIMEOUT)[0].decode("utf-8", "replace")
        left = wait_gone(proc.pid, 30)
        assert not left, f"Ray processes outlived the driver: {left}"
        return proc.returncode, output
    finally:
        proc.kill()
        kill_session(proc.pid)


def lines(out: Path) -> list[str]:
    return (out / "spans.jsonl").read_text(encoding="utf-8").splitlines()


def summary_rows(out: Path) -> set[tuple[str, ...]]:
    with open(out / "summary.csv", encoding="utf-8", newline="") as handle:
        return {tuple(row) for row in csv.reader(handle)}


def texts(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in (out / "texts").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def hostile(model: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Ordinary and hostile inputs, and the in-process engine's run over them (the rows to reproduce)."""
    root = make_clean(tmp_path_factory.mktemp("hostile"))
    make_bad(root)
    out = tmp_path_factory.mktemp("hostile-out") / "out"
    code, output = score_inprocess(str(root), "--out", str(out), "--model", str(model), "-f", "semeval")
    assert code == 1, output  # the hostile files are error rows
    return root, out


def test_ray_rows_equal_inprocess(model: Path, hostile: tuple[Path, Path], ray_env: dict, tmp_path: Path) -> None:
    root, reference = hostile
    out = tmp_path / "out"
    code, output = run_ray(ray_env, str(root), "--out", str(out), "--model", str(model), "-f", "semeval")
    assert code == 1, output  # same exit code: some documents failed
    assert "Ray (local)" in output, output
    assert list(Path(ray_env["RAY_TMPDIR"]).glob("ray/session_*")), "no Ray session was started"
    ray_lines, expected = lines(out), lines(reference)
    assert len(ray_lines) == len(set(ray_lines))  # no document twice
    # Rows carry no timings: byte-identical rows, as a set (Ray writes batches in the order they finish).
    assert sorted(ray_lines) == sorted(expected)
    errors = [json.loads(line) for line in ray_lines if json.loads(line)["error"]]
    assert {r["id"] for r in errors} >= {"binary.txt", "latin1.txt", "empty.txt", "huge.txt", "broken.txt"}
    assert texts(out) == texts(reference)
    assert summary_rows(out) == summary_rows(reference)
    for name in ("semeval-si.txt", "semeval-flc.txt"):
        a = (out / name).read_text(encoding="utf-8").splitlines()
        b = (reference / name).read_text(encoding="utf-8").splitlines()
        assert sorted(a) == sorted(b)
    assert (out / "report.html").stat().st_size > 0
    assert json.loads((out / "run.json").read_text()) == json.loads((reference / "run.json").read_text())


def test_inprocess_run_resumed_on_ray(model: Path, hostile: tuple[Path, Path], ray_env: dict, tmp_path: Path) -> None:
    root, reference = hostile
    expected = lines(reference)
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    kept = 4
    # An in-process run killed after four rows, in the middle of writing the fifth.
    (out / "spans.jsonl").write_text("\n".join(expected[:kept]) + "\n" + expected[kept][:20], encoding="utf-8")
    code, output = run_ray(ray_env, str(root), "--out", str(out), "--model", str(model), "--resume")
    assert code == 1, output
    final = lines(out)
    assert final[:kept] == expected[:kept]  # finished rows are kept as they were
    assert len({json.loads(line)["id"] for line in final}) == len(final)  # nothing twice
    assert sorted(final) == sorted(expected)  # nothing lost
    assert "skipped" in output


def test_ray_driver_killed_then_resumed(model: Path, ray_env: dict, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    n_docs = 24
    for i in range(n_docs):
        (root / f"doc{i:02}.txt").write_text(f"Document {i}. {SHORT_TEXT}", encoding="utf-8")
    clean = tmp_path / "clean"
    code, output = score_inprocess(str(root), "--out", str(clean), "--model", str(model))
    assert code == 0, output

    out = tmp_path / "out"
    command = ray_command(str(root), "--out", str(out), "--model", str(model), "--batch-size", "1")
    proc = subprocess.Popen(
        command, cwd=REPO, env=ray_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    spans = out / "spans.jsonl"
    try:
        deadline = time.monotonic() + RAY_TIMEOUT
        while time.monotonic() < deadline and proc.poll() is None:
            if spans.exists() and spans.stat().st_size > 0:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the Ray run ended before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and the Ray processes it started, all at once
        proc.wait(timeout=30)
        left = wait_gone(proc.pid, 30)
        assert not left, f"Ray processes outlived the killed driver: {left}"
    finally:
        proc.kill()
        kill_session(proc.pid)
    partial = lines(out)
    assert 0 < len(partial) < n_docs, len(partial)  # killed mid-run

    code, output = score_inprocess(str(root), "--out", str(out), "--model", str(model), "--resume")
    assert code == 0, output
    final = lines(out)
    complete = [line for line in partial if line.endswith("}")]  # a row torn by the kill is cut by resume
    assert final[: len(complete)] == complete
    ids = [json.loads(line)["id"] for line in final]
    assert len(ids) == len(set(ids)) == n_docs  # nothing lost, nothing twice
    assert sorted(final) == sorted(lines(clean))


def test_missing_ray_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_clean(tmp_path / "in")
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` now raises ImportError
    out = tmp_path / "out"
    code, output = score_inprocess(str(root), "--out", str(out), "--engine", "ray")
    assert code == 2
    assert output.strip().count("\n") == 0, output
    assert f"needs the 'ray' extra: {install_command('ray')}" in output and "Traceback" not in output
    assert not out.exists()  # refused before anything was written


def test_ray_flags_need_the_ray_engine(tmp_path: Path) -> None:
    root = make_clean(tmp_path / "in")
    out = str(tmp_path / "out")
    for extra in (["--actors", "2"], ["--cpus-per-actor", "2"], ["--ray-address", "auto"], ["--engine", "spark"]):
        code, output = score_inprocess(str(root), "--out", out, *extra)
        assert code == 2, (extra, output)
    code, output = score_inprocess(str(root), "--out", out, "--engine", "ray", "--workers", "2")
    assert code == 2 and "--actors" in output, output
    assert not Path(out).exists()


def test_unreachable_cluster_is_one_line(ray_env: dict, tmp_path: Path) -> None:
    root = make_clean(tmp_path / "in")
    command = ray_command(str(root), "--out", str(tmp_path / "out"), "--ray-address", "auto")
    proc = subprocess.run(command, cwd=REPO, env=ray_env, capture_output=True, text=True, timeout=RAY_TIMEOUT)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "could not connect to Ray at auto" in proc.stderr, proc.stderr
