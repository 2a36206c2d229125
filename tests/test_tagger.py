"""The Tagger API on a smoke model trained here, and the shipped model's promises."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import require_accurate_encoder, require_data

import slant
from slant import resolve, taxonomy
from slant.model.encoder import MINILM, MPNET, EncoderError, verified_model_dir
from slant.model.network import build_network
from slant.pipeline.tagger import Tagger

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO.parent / "shared" / "examples" / "north-korean-troops-opinion.txt"
TEXT = "The “Kiev regime” 🙂 and its Neo-Nazi junta\r\nare, frankly, a disaster. Café crème, naïve e\u0301te."


@pytest.fixture(scope="session")
def smoke_model(tmp_path_factory) -> Path:
    """`train.py --smoke` end to end: a tiny real model, so the API is tested on real weights."""
    require_data(resolve.data_root() / "ptc-semeval2020")
    out = tmp_path_factory.mktemp("smoke")
    cmd = [
        sys.executable,
        str(REPO / "train.py"),
        "--smoke",
        "--output-dir",
        str(out / "model"),
        "--run-dir",
        str(out / "run"),
    ]
    subprocess.run(cmd, check=True, cwd=REPO, capture_output=True)
    return out / "model"


@pytest.fixture(scope="session")
def smoke_tagger(smoke_model) -> Tagger:
    return Tagger.load(smoke_model)


@pytest.fixture(scope="session")
def accurate_tagger() -> Tagger:
    require_accurate_encoder()
    return Tagger.load("accurate")


@pytest.fixture(scope="session")
def shipped_tagger() -> Tagger:
    if not (resolve.shipped_dir("model") / "config.json").is_file():
        pytest.fail("the shipped model/ is missing")  # model/ is in git: its absence is a broken checkout
    return Tagger.load()


def test_smoke_model_is_written_with_config_and_small_weights(smoke_model):
    cfg = json.loads((smoke_model / "config.json").read_text())
    assert cfg["channels"][0] == "any"
    assert set(cfg["channels"][1:]) <= set(taxonomy.LABELS)
    assert set(cfg["thresholds"]) == set(cfg["channels"])
    assert cfg["base"]["sha256"] == MINILM.sha256
    assert (smoke_model / "weights.safetensors").stat().st_size < 10 * 2**20


def test_classify_offsets_are_exact(smoke_tagger):
    spans = smoke_tagger.classify(TEXT)
    for span in spans:
        assert span.text == TEXT[span.start : span.end]
        assert 0.0 <= span.score <= 1.0
        assert span.label in taxonomy.LABELS


def test_classify_batch_equals_one_by_one(smoke_tagger):
    texts = [TEXT, "", "Short.", TEXT * 30]
    batch = smoke_tagger.classify_batch(texts)
    assert batch[1] == []
    for text, spans in zip(texts, batch, strict=True):
        one = smoke_tagger.classify(text)
        assert [(s.start, s.end, s.label) for s in one] == [(s.start, s.end, s.label) for s in spans]
        assert all(abs(a.score - b.score) < 1e-4 for a, b in zip(one, spans, strict=True))


def test_classify_spans_gives_a_distribution_per_span(smoke_tagger):
    result = smoke_tagger.classify_spans(TEXT, [(4, 16), (0, len(TEXT))])
    assert len(result) == 2
    for probs in result:
        assert set(probs) == set(smoke_tagger.config.span_labels)
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError, match="not inside the text"):
        smoke_tagger.classify_spans(TEXT, [(5, 10_000)])


def test_classify_is_thread_safe(smoke_tagger):
    expected = [(s.start, s.end, s.label) for s in smoke_tagger.classify(TEXT)]
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(smoke_tagger.classify(TEXT))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all([(s.start, s.end, s.label) for s in r] == expected for r in results)


def test_bad_input_is_named(smoke_tagger):
    with pytest.raises(TypeError, match="text 0 is bytes"):
        smoke_tagger.classify_batch([b"bytes"])
    with pytest.raises(FileNotFoundError, match="no slant model"):
        Tagger.load("/nonexistent/model")


def test_train_resume_continues_from_checkpoint(tmp_path):
    require_data(resolve.data_root() / "ptc-semeval2020")
    args = [
        sys.executable,
        str(REPO / "train.py"),
        "--smoke",
        "--output-dir",
        str(tmp_path / "m"),
        "--run-dir",
        str(tmp_path / "run"),
    ]
    subprocess.run([*args, "--epochs", "0.5"], check=True, cwd=REPO, capture_output=True)
    assert (tmp_path / "run" / "checkpoint.pt").is_file()
    done = subprocess.run([*args, "--resume"], check=True, cwd=REPO, capture_output=True, text=True)
    assert "resumed from" in done.stderr


def test_half_precision_weights_load_and_predict_like_full_precision(smoke_model, smoke_tagger, tmp_path):
    """--weights-dtype float16 halves the file; the Tagger computes in float32 and predicts as before."""
    from safetensors import safe_open

    args = ["--smoke", "--weights-dtype", "float16", "--output-dir", str(tmp_path / "model")]
    subprocess.run(
        [sys.executable, str(REPO / "train.py"), *args, "--run-dir", str(tmp_path / "run")],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    weights = tmp_path / "model" / "weights.safetensors"
    with safe_open(str(weights), "pt") as handle:
        assert {handle.get_tensor(k).dtype for k in handle.keys()} == {torch.float16}  # noqa: SIM118
    assert weights.stat().st_size < 0.55 * (smoke_model / "weights.safetensors").stat().st_size
    half = Tagger.load(tmp_path / "model").predict_tokens([TEXT])[0].probs
    full = smoke_tagger.predict_tokens([TEXT])[0].probs
    assert np.abs(half - full).max() < 5e-3


def test_span_head_width_is_configurable():
    network = build_network(verified_model_dir(), n_channels=3, n_span_labels=5, dropout=0.1, lora=None, span_hidden=16)
    assert network.span_head[0].out_features == 16
    assert network.span_head[-1].in_features == 16
    assert network.token_head.in_features == network.encoder.config.hidden_size


def test_base_encoder_checksum_is_enforced():
    assert verified_model_dir().name == "model"
    with pytest.raises(EncoderError, match="sha256"):
        verified_model_dir(expected_sha256="0" * 64)


# ---- the shipped model -------------------------------------------------------------------------------------
def test_shipped_weights_fit_the_git_budget():
    size = sum(p.stat().st_size for p in resolve.shipped_dir("model").rglob("*") if p.is_file())
    assert size <= 10 * 2**20, f"model/ holds {size} bytes; the limit is 10 MB"


def _example_name_calling(tagger) -> list[str]:
    text = require_data(EXAMPLE).read_text(encoding="utf-8")
    spans = tagger.classify(text)
    assert all(s.text == text[s.start : s.end] for s in spans)
    return [s.text for s in spans if s.label == "name_calling"]


def test_shipped_model_marks_name_calling_in_the_example(shipped_tagger):
    name_calling = _example_name_calling(shipped_tagger)
    for phrase in ("civilized NATO garden", "loyal vassals", "Neo-Nazi"):
        assert any(phrase in t for t in name_calling), (phrase, name_calling)


@pytest.mark.xfail(
    strict=True,
    reason="known miss of the shipped model (MODEL_CARD.md): of 'mainstream propaganda machine' only 'mainstream' "
    "reaches the shared technique threshold",
)
def test_shipped_model_marks_propaganda_machine(shipped_tagger):
    # strict: the day a model finds it, this test fails until the xfail (and the card) are updated.
    assert any("propaganda machine" in t for t in _example_name_calling(shipped_tagger))


@pytest.mark.xfail(
    strict=True, reason="known miss of the shipped model (MODEL_CARD.md): of 'Neo-Nazi junta' only 'Neo-Nazi' is marked"
)
def test_shipped_model_marks_neo_nazi_junta(shipped_tagger):
    # strict: the day a model finds it, this test fails until the xfail (and the card) are updated.
    assert any("Neo-Nazi junta" in t for t in _example_name_calling(shipped_tagger))


@pytest.mark.xfail(strict=True, reason="known miss of the shipped model (MODEL_CARD.md): 'Kiev regime'")
def test_shipped_model_marks_kiev_regime(shipped_tagger):
    # strict: the day a model finds it, this test fails until the xfail (and the card) are updated.
    assert any("Kiev regime" in t for t in _example_name_calling(shipped_tagger))


def test_module_api_uses_the_default_model(shipped_tagger):
    spans = slant.classify("They call it the Kiev regime.")
    assert isinstance(spans, list)
    assert all(isinstance(s, slant.Span) for s in spans)
    with pytest.raises(TypeError, match="takes a str"):
        slant.classify(None)


# ---- the accurate model (all-mpnet-base-v2) ------------------------------------------------------------------
def test_accurate_model_marks_the_example_and_keeps_offsets(accurate_tagger):
    assert accurate_tagger.config.base["name"] == MPNET.name
    name_calling = _example_name_calling(accurate_tagger)
    for phrase in ("Neo-Nazi junta", "propaganda machine", "Neo-Nazi"):
        assert any(phrase in t for t in name_calling), (phrase, name_calling)


@pytest.mark.xfail(strict=True, reason="known miss of the accurate model too (MODEL_CARD.md): 'Kiev regime'")
def test_accurate_model_marks_kiev_regime(accurate_tagger):
    assert any("Kiev regime" in t for t in _example_name_calling(accurate_tagger))
