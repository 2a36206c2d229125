"""Decoding profiles: one network, thresholds per genre, chosen by name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slant.model.config import ModelConfig
from slant.model.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from slant.resolve import shipped_dir

SHIPPED = shipped_dir("model") / "config.json"


def test_unknown_profile_names_the_choices() -> None:
    with pytest.raises(ValueError, match="tweets.*news, memes"):
        get_profile("tweets")


def test_shipped_model_has_every_profile() -> None:
    model = ModelConfig.read(SHIPPED)
    assert set(model.profiles) == set(PROFILES) - {DEFAULT_PROFILE}


def test_memes_profile_replaces_thresholds_and_calibration() -> None:
    news = ModelConfig.read(SHIPPED)
    memes = ModelConfig.read(SHIPPED)
    memes.use_profile("memes")
    assert memes.thresholds == news.profiles["memes"]["thresholds"] != news.thresholds
    assert memes.calibration == news.profiles["memes"]["calibration"]
    # Smears is annotated only in memes: off for news, fitted for memes.
    assert not news.thresholds["smears"]["enabled"]
    assert memes.thresholds["smears"]["enabled"]


def test_default_profile_keeps_the_top_level_settings() -> None:
    model = ModelConfig.read(SHIPPED)
    before = json.dumps(model.thresholds, sort_keys=True)
    model.use_profile(DEFAULT_PROFILE)
    assert json.dumps(model.thresholds, sort_keys=True) == before


def test_config_without_profiles_still_reads(tmp_path: Path) -> None:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    del data["profiles"]
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    model = ModelConfig.read(path)
    assert model.profiles == {}
    with pytest.raises(ValueError, match="no 'memes' decoding profile"):
        model.use_profile("memes")
