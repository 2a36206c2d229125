"""Threshold tuning on held-out documents: the shared and per-channel methods, and their held-out comparison.

Synthetic token probabilities stand in for a model, so each test knows which setting is right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from slant.corpora.base import Document, GoldSpan
from slant.train.config import TrainConfig
from slant.train.data import ChannelSpec
from slant.train.tuning import METHODS, compare_methods, tune

REPO = Path(__file__).resolve().parents[1]
CHANNELS = ["any", "loaded_language", "doubt"]
SPEC = ChannelSpec(channels=CHANNELS, annotated={"ptc2020": CHANNELS})
N_WORDS = 40
LOADED = (5, 8)  # gold loaded language: words 5-7
DOUBT = (20, 23)  # gold doubt: words 20-22
DOUBT_FIRES = (30, 33)  # where the doubt channel fires instead: always wrong


def _doc(i: int) -> tuple[Document, SimpleNamespace]:
    words = [f"w{k}" for k in range(N_WORDS)]
    text = " ".join(words)
    starts = np.cumsum([0] + [len(w) + 1 for w in words[:-1]])
    offsets = np.stack([starts, starts + [len(w) for w in words]], axis=1)

    def char_span(first: int, last: int) -> tuple[int, int]:
        return int(offsets[first, 0]), int(offsets[last - 1, 1])

    spans = [
        GoldSpan(*char_span(*LOADED), "Loaded_Language", "loaded_language"),
        GoldSpan(*char_span(*DOUBT), "Doubt", "doubt"),
    ]
    probs = np.full((N_WORDS, len(CHANNELS)), 0.05, dtype=np.float32)
    probs[slice(*LOADED), 0] = probs[slice(*DOUBT), 0] = 0.7
    probs[slice(*LOADED), 1] = 0.8
    probs[slice(*DOUBT_FIRES), 2] = 0.9
    doc = Document(id=f"doc{i}", text=text, spans=spans)
    prediction = SimpleNamespace(text=text, tokens=SimpleNamespace(offsets=offsets), probs=probs)
    return doc, prediction


class FakeTagger:
    def __init__(self, n_docs: int):
        pairs = [_doc(i) for i in range(n_docs)]
        self.val = [("ptc2020", doc) for doc, _ in pairs]
        self.predictions = {doc.text: pred for doc, pred in pairs}

    def predict_tokens(self, texts: list[str]) -> list[SimpleNamespace]:
        return [self.predictions[t] for t in texts]


def test_shared_method_gives_every_technique_channel_one_setting():
    tagger = FakeTagger(4)
    thresholds, calibration, report = tune(tagger, tagger.val, SPEC, method="shared")
    loaded, doubt = thresholds["loaded_language"], thresholds["doubt"]
    assert loaded == doubt and loaded["enabled"]
    # Highest threshold that still keeps the only right channel (loaded language fires at 0.8).
    assert loaded["threshold"] == 0.8
    # The any channel (SI) is tuned on its own: a threshold between its 0.05 and 0.7.
    assert 0.05 < thresholds["any"]["threshold"] <= 0.7 and thresholds["any"]["enabled"]
    assert report["doubt"]["n_gold"] == 4 and report["doubt"]["f1_alone"] == 0.0


def test_per_channel_method_switches_off_a_channel_that_only_fires_wrongly():
    tagger = FakeTagger(4)
    thresholds, _, report = tune(tagger, tagger.val, SPEC, method="per_channel")
    assert not thresholds["doubt"]["enabled"] and report["doubt"]["setting"] == "off"
    assert thresholds["loaded_language"]["enabled"] and thresholds["loaded_language"]["threshold"] <= 0.8


def test_unknown_method_is_named():
    tagger = FakeTagger(2)
    with pytest.raises(ValueError, match="unknown tuning method 'median'"):
        tune(tagger, tagger.val, SPEC, method="median")


def test_compare_methods_scores_unseen_halves():
    tagger = FakeTagger(8)
    scores = compare_methods(tagger, tagger.val, SPEC, "ptc2020", repeats=3)
    assert set(scores) == set(METHODS)
    assert all(len(values) == 6 for values in scores.values())
    # Here switching the wrong channel off is right, and every half looks alike, so it carries over exactly.
    assert min(scores["per_channel"]) > max(scores["shared"])
    assert all(0.0 < v <= 1.0 for values in scores.values() for v in values)


def test_training_config_names_a_wrong_method_before_training():
    with pytest.raises(ValueError, match="technique_thresholds is 'median'"):
        TrainConfig(technique_thresholds="median")
    # The command line stops at once, not after an hour of training when the thresholds are fitted.
    cmd = [sys.executable, str(REPO / "train.py"), "--smoke", "--technique-thresholds", "median"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "choose one of shared, per_channel" in done.stderr


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("weights_dtype", "bf16", "choose one of float32, float16"), ("device", "gpu", "choose auto, cpu, cuda")],
)
def test_training_config_names_a_wrong_dtype_or_device_before_training(field, value, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**{field: value})
    assert TrainConfig(device="cuda:1").device == "cuda:1"
