"""CI re-checks the shipped model's headline numbers against the card (a drop of more than 0.01 fails)."""

from __future__ import annotations

import json

import pytest
from conftest import require_data

from slant import config
from slant.evaluation import DATASET_PROFILE, TaggerSystem, evaluate, load_split

EVAL_DIR = config.DEFAULT_MODEL_DIR / "eval"
CARD = config.DEFAULT_MODEL_DIR / "MODEL_CARD.md"
TOLERANCE = 0.01


def recorded(dataset: str) -> dict:
    path = EVAL_DIR / f"{dataset}-dev.json"
    if not path.is_file():
        pytest.fail(
            f"{path} is missing: run `python evaluate.py run --dataset {dataset} --split dev --json {path}`"
        )
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["ptc2020", "semeval2021"])
def test_shipped_model_still_reaches_the_card(dataset):
    from slant.tagger import Tagger

    require_data(config.data_root())
    card = recorded(dataset)["model"]
    docs = load_split(dataset, "dev")
    fresh = evaluate(TaggerSystem(Tagger.load(profile=DATASET_PROFILE[dataset])), docs, dataset, "dev")
    for key, value in card["headline"].items():
        assert fresh.headline()[key] >= value - TOLERANCE, (
            f"{dataset} {key}: {fresh.headline()[key]} < card {value}"
        )


@pytest.mark.parametrize("dataset", ["ptc2020", "semeval2021"])
def test_card_shows_the_recorded_numbers(dataset):
    text = CARD.read_text(encoding="utf-8")
    report = recorded(dataset)["model"]
    for key in ("si", "flc"):
        assert f"**{report[key]['f1']:.3f}**" in text, (
            f"MODEL_CARD.md lacks {dataset} {key} F1 {report[key]['f1']:.3f}"
        )
    assert f"**{report['tc']['micro_f1']:.3f}**" in text
