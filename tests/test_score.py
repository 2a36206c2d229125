"""`slant score` end to end: every kind of input, bad inputs as error rows, exit codes, resume, workers."""

from __future__ import annotations

import csv
import functools
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slant.batch import inputs as inputs_module
from slant.batch import runner as runner_module
from slant.batch.outputs import repair_tail, semeval_article_id
from slant.batch.report import render_text, segments
from slant.cli import app
from slant.evaluation.formats import read_si, read_tc
from slant.resolve import data_root, shipped_dir
from tests.conftest import require_data

REPO_DIR = Path(__file__).resolve().parents[1]

SCRIPT_HTML = (
    "<html><head><title>t</title><script>var tracker = 1;</script></head><body><nav>Home | About</nav>"
    "<article><h1>Outrage</h1><p>The radical elite wants to destroy our great nation, they will not stop. "
    "Someone wrote &lt;script&gt;alert('x')&lt;/script&gt; in the comments.</p>"
    "<p>Everyone knows the truth: this corrupt scheme is a disaster for every hard-working family.</p>"
    "</article></body></html>"
)
CRLF_TEXT = "The corrupt elite lied again.\r\nThey always lie! 😀 Shameful, disgraceful traitors.\r\n"
MD_TEXT = "# A title\n\nThis *outrageous* scheme will destroy everything we love. Wake up, patriots!\n"
LONG_TEXT = (
    "Officials said the plan would be reviewed next week. Critics called it a reckless betrayal of people. "
    "Nobody in their right mind would support such a catastrophic, shameful proposal. "
) * 6


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped model when it exists, else a smoke model trained once for the session.

    $SLANT_TEST_MODEL names an already trained model folder instead (saves the training on repeated runs)."""
    if os.environ.get("SLANT_TEST_MODEL"):
        return Path(os.environ["SLANT_TEST_MODEL"])
    shipped = shipped_dir("model")
    if (shipped / "config.json").is_file():
        return shipped
    require_data(data_root() / "ptc-semeval2020")
    out = tmp_path_factory.mktemp("smoke-model")
    subprocess.run(
        [sys.executable, "train.py", "--smoke", "--output-dir", str(out), "--run-dir", str(out / "run")],
        cwd=REPO_DIR,
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(autouse=True)
def cached_tagger(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runs share one loaded model (worker processes still load their own)."""
    monkeypatch.setattr(runner_module, "load_tagger", _cached_load)


@functools.cache
def _cached_load(model: Path | None, window_batch_size: int | None, profile: str = "news"):
    return _original_load(model, window_batch_size, profile)


_original_load = runner_module.load_tagger


def make_clean(root: Path) -> Path:
    (root / "nested" / "deeper").mkdir(parents=True)
    (root / "crlf.txt").write_bytes(CRLF_TEXT.encode("utf-8"))
    (root / "notes.md").write_text(MD_TEXT, encoding="utf-8")
    (root / "page.html").write_text(SCRIPT_HTML, encoding="utf-8")
    (root / "nested" / "deeper" / "article111.txt").write_text(LONG_TEXT, encoding="utf-8")
    (root / "nested" / "skip.json").write_text("{}", encoding="utf-8")  # not a document type: ignored
    return root


def make_bad(root: Path) -> dict[str, str]:
    """Bad inputs beside the clean ones; returns id -> a word the error message must contain."""
    (root / "binary.txt").write_bytes(b"abc\x00def")
    (root / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (root / "empty.txt").write_bytes(b"")
    with open(root / "huge.txt", "wb") as handle:  # 50 MB, sparse: must be refused without being read
        handle.truncate(50_000_000)
    (root / "locked.txt").write_text("secret", encoding="utf-8")
    os.chmod(root / "locked.txt", 0)
    os.symlink(root / "missing-target.txt", root / "broken.txt")
    os.symlink("..", root / "nested" / "loop")
    return {
        "binary.txt": "binary",
        "latin1.txt": "UTF-8",
        "empty.txt": "empty",
        "huge.txt": "too large",
        "locked.txt": "permission denied",
        "broken.txt": "broken symbolic link",
        "nested/loop": "directory loop",
    }


def deny_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    # root reads a chmod-000 file anyway, so as root the permission error is simulated at open().
    if os.geteuid() != 0:
        return

    def fake_open(path, *args, **kwargs):
        if str(path).endswith("locked.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(inputs_module, "open", fake_open, raising=False)


def score(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["score", *args, "--no-progress"], catch_exceptions=False)
    return result.exit_code, result.output


def unboxed(output: str) -> str:
    """The CLI's error text with rich's panel borders and line wrapping taken out."""
    return " ".join(output.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


def rows(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "spans.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def clean_reference(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One plain run over the clean corpus: the spans.jsonl every other way of running must reproduce."""
    root = make_clean(tmp_path_factory.mktemp("clean"))
    out = tmp_path_factory.mktemp("clean-out") / "out"
    _cached_load(model_dir, None)  # warm the cache outside the autouse fixture's scope
    code, output = score(str(root), "--out", str(out), "--model", str(model_dir), "--batch-size", "2")
    assert code == 0, output
    return root, out


def test_end_to_end_outputs(model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_clean(tmp_path / "in")
    expected_errors = make_bad(root)
    deny_locked(monkeypatch)
    out = tmp_path / "out"
    code, output = score(str(root), "--out", str(out), "--model", str(model_dir), "-f", "semeval")
    assert code == 1, output  # some documents failed
    by_id = {r["id"]: r for r in rows(out)}
    good = {"crlf.txt", "notes.md", "page.html", "nested/deeper/article111.txt"}
    assert set(by_id) == good | set(expected_errors)
    for doc_id, word in expected_errors.items():
        row = by_id[doc_id]
        assert word in row["error"], row
        assert doc_id.rsplit("/", 1)[-1] in row["error"]  # the message names the file
        assert row["spans"] == [] and row["sha256"] is None
    for doc_id in good:
        row = by_id[doc_id]
        assert row["error"] is None
        assert set(row) >= {"id", "path", "sha256", "n_chars", "spans", "error"}
        text = (out / row["text_file"]).read_bytes().decode("utf-8")
        assert len(text) == row["n_chars"]
        for span in row["spans"]:
            assert span["text"] == text[span["start"] : span["end"]]
            assert set(span) >= {"start", "end", "label", "score", "text"}
    # Exact text: CRLF and the emoji survive; the HTML's main text (with its literal <script>) was scored.
    assert (out / by_id["crlf.txt"]["text_file"]).read_bytes() == CRLF_TEXT.encode("utf-8")
    page_text = (out / by_id["page.html"]["text_file"]).read_text(encoding="utf-8")
    assert "radical elite" in page_text and "tracker" not in page_text
    # summary.csv: one row per document
    with open(out / "summary.csv", encoding="utf-8", newline="") as handle:
        summary = list(csv.DictReader(handle))
    assert {r["id"] for r in summary} == set(by_id)
    assert all(0.0 <= float(r["coverage"]) <= 1.0 for r in summary)
    # report.html: document text is escaped, the page has no external resources
    report = (out / "report.html").read_text(encoding="utf-8")
    assert report.count("<script") == 2  # the report's own two: the colour table and the code
    # Undoing the highlighting and the escaping gives back exactly the scored text.
    body = report.split("<h2>page.html</h2>", 1)[1].split('<div class="text">', 1)[1].split("</div></article>")[0]
    assert html.unescape(re.sub(r"</?span[^>]*>", "", body)) == page_text
    assert "http://" not in report and "https://" not in report
    # SemEval files parse with the project's readers and point inside the texts
    si, flc = read_si(out / "semeval-si.txt"), read_tc(out / "semeval-flc.txt")
    assert {r.article_id for r in si} <= {semeval_article_id(i) for i in good}
    for record in flc:
        assert "," in record.technique or record.technique.replace("-", "_").replace("_", "").isalpha()


def test_exit_codes(model_dir: Path, clean_reference: tuple[Path, Path], tmp_path: Path) -> None:
    root, _ = clean_reference
    code, _ = score(str(tmp_path / "nope"), "--out", str(tmp_path / "o1"), "--model", str(model_dir))
    assert code == 2
    code, _ = score(str(root), "--out", str(tmp_path / "o2"), "--model", str(model_dir), "-f", "xml")
    assert code == 2
    code, _ = score(str(root), "--out", str(tmp_path / "o3"), "--workers", "0")
    assert code == 2
    code, output = score(str(root), "--out", str(tmp_path / "o4"), "--model", str(model_dir), "--profile", "tweets")
    assert code == 2 and "tweets" in output
    # An existing spans.jsonl is neither appended to nor clobbered without --resume / --overwrite.
    code, _ = score(str(root), "--out", str(clean_reference[1]), "--model", str(model_dir))
    assert code == 2


def test_strict_stops_at_first_failure(model_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.txt").write_text("Fine text here.", encoding="utf-8")
    (root / "b.txt").write_bytes(b"\x00")
    (root / "c.txt").write_text("More text.", encoding="utf-8")
    code, _ = score(str(root), "--out", str(tmp_path / "out"), "--model", str(model_dir), "--strict")
    assert code == 1
    assert [r["id"] for r in rows(tmp_path / "out")] == ["a.txt", "b.txt"]
    code, _ = score(str(root / "a.txt"), "--out", str(tmp_path / "out2"), "--model", str(model_dir))
    assert code == 0
    assert [r["id"] for r in rows(tmp_path / "out2")] == ["a.txt"]  # a file argument's id is its name


def test_resume_after_partial_run_is_identical(
    model_dir: Path, clean_reference: tuple[Path, Path], tmp_path: Path
) -> None:
    root, reference = clean_reference
    expected = (reference / "spans.jsonl").read_bytes()
    lines = expected.splitlines(keepends=True)
    out = tmp_path / "out"
    out.mkdir()
    # A run killed after two documents, in the middle of writing the third row.
    (out / "spans.jsonl").write_bytes(b"".join(lines[:2]) + lines[2][:15])
    for row in rows_from(lines[:2]):
        (out / row["text_file"]).parent.mkdir(parents=True, exist_ok=True)
        (out / row["text_file"]).write_bytes((reference / row["text_file"]).read_bytes())
    code, output = score(str(root), "--out", str(out), "--model", str(model_dir), "--resume")
    assert code == 0, output
    assert (out / "spans.jsonl").read_bytes() == expected
    assert "skipped" in output
    # Resuming a finished run scores nothing and changes nothing.
    code, _ = score(str(root), "--out", str(out), "--model", str(model_dir), "--resume")
    assert code == 0
    assert (out / "spans.jsonl").read_bytes() == expected
    with open(out / "summary.csv", encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == len(lines)


def test_resume_refuses_another_model_or_profile(
    model_dir: Path, clean_reference: tuple[Path, Path], tmp_path: Path
) -> None:
    root, reference = clean_reference
    manifest = json.loads((reference / "run.json").read_text(encoding="utf-8"))
    assert manifest["profile"] == "news" and len(manifest["model_fingerprint"]) == 16
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    before = (out / "spans.jsonl").read_bytes()
    # The same model, copied elsewhere with one threshold changed: other spans, so no silent mix.
    other_model = tmp_path / "other-model"
    shutil.copytree(model_dir, other_model)
    config = json.loads((other_model / "config.json").read_text(encoding="utf-8"))
    config["thresholds"]["any"]["threshold"] = 0.99
    (other_model / "config.json").write_text(json.dumps(config), encoding="utf-8")
    code, output = score(str(root), "--out", str(out), "--model", str(other_model), "--resume")
    assert code == 2 and "different setup" in unboxed(output), output
    code, output = score(str(root), "--out", str(out), "--model", str(model_dir), "--resume", "--profile", "memes")
    assert code == 2 and "profile news -> memes" in unboxed(output), output
    assert (out / "spans.jsonl").read_bytes() == before
    # The same model from another path is the same model.
    same_model = tmp_path / "same-model"
    shutil.copytree(model_dir, same_model)
    code, output = score(str(root), "--out", str(out), "--model", str(same_model), "--resume")
    assert code == 0, output
    assert (out / "spans.jsonl").read_bytes() == before


def rows_from(lines: list[bytes]) -> list[dict]:
    return [json.loads(line) for line in lines]


def test_workers_give_identical_output(model_dir: Path, clean_reference: tuple[Path, Path], tmp_path: Path) -> None:
    root, reference = clean_reference
    out = tmp_path / "out"
    code, output = score(str(root), "--out", str(out), "--model", str(model_dir), "--workers", "2", "--batch-size", "1")
    assert code == 0, output
    assert (out / "spans.jsonl").read_bytes() == (reference / "spans.jsonl").read_bytes()


def test_sigint_keeps_finished_documents(model_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for i in range(30):
        (root / f"doc{i:02}.txt").write_text(f"Document {i}. " + LONG_TEXT, encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "slant.cli", "score", str(root), "--out", str(out), "--no-progress"]
    command += ["--model", str(model_dir), "--batch-size", "1"]
    proc = subprocess.Popen(command, cwd=REPO_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    spans = out / "spans.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if spans.exists() and spans.stat().st_size > 0:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    output = proc.communicate(timeout=120)[0].decode("utf-8", "replace")
    assert proc.returncode in (130, 0), output  # 0 only if it finished before the signal landed
    partial = rows(out)
    assert partial and [r["id"] for r in partial] == [f"doc{i:02}.txt" for i in range(len(partial))]
    assert (out / "summary.csv").exists() and (out / "report.html").exists()
    code, output = score(str(root), "--out", str(out), "--model", str(model_dir), "--resume")
    assert code == 0, output
    final = rows(out)
    assert [r["id"] for r in final] == [f"doc{i:02}.txt" for i in range(30)]
    assert final[: len(partial)] == partial


def test_glob_filters(model_dir: Path, clean_reference: tuple[Path, Path], tmp_path: Path) -> None:
    root, _ = clean_reference
    code, _ = score(str(root), "--out", str(tmp_path / "out"), "--model", str(model_dir), "--glob", "*.md")
    assert code == 0
    assert [r["id"] for r in rows(tmp_path / "out")] == ["notes.md"]


def test_overlapping_spans_render_as_segments() -> None:
    text = "<b>a</b> bc def"
    spans = [
        {"start": 0, "end": 10, "label": "loaded_language", "score": 0.9, "text": text[0:10]},
        {"start": 9, "end": 15, "label": "doubt", "score": 0.5, "text": text[9:15]},
    ]
    pieces = list(segments(text, spans))
    assert "".join(p for p, _ in pieces) == text
    assert [[s["label"] for s in cover] for _, cover in pieces] == [
        ["loaded_language"],
        ["loaded_language", "doubt"],
        ["doubt"],
    ]
    html_text = render_text(text, spans)
    assert "<b>" not in html_text and "&lt;b&gt;" in html_text


def test_repair_tail_and_article_ids(tmp_path: Path) -> None:
    path = tmp_path / "spans.jsonl"
    path.write_bytes(b'{"id":"a"}\n{"id":"b", "sp')
    repair_tail(path)
    assert path.read_bytes() == b'{"id":"a"}\n'
    assert semeval_article_id("dev/article730081389.txt") == "730081389"
    assert semeval_article_id("12.txt") == "12"
    assert semeval_article_id("notes.md") == "notes.md"
