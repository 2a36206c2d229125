"""CI re-checks the shipped model's headline numbers against the card (a drop of more than 0.01 fails)."""

from __future__ import annotations

import json

import pytest
from conftest import require_accurate_encoder, require_data

from slant.evaluation.runs import DATASET_PROFILE, TaggerSystem, evaluate, load_split
from slant.resolve import data_root, shipped_dir

SHIPPED = shipped_dir("model")
CARD = SHIPPED / "MODEL_CARD.md"
TOLERANCE = 0.01
# Each shipped model keeps its dev reports in its own eval/ folder; the card shows both.
EVAL_DIRS = {"default": SHIPPED / "eval", "accurate": SHIPPED / "accurate" / "eval"}
CASES = [(model, dataset) for model in EVAL_DIRS for dataset in ("ptc2020", "semeval2021")]


def recorded(dataset: str, model: str = "default") -> dict:
    path = EVAL_DIRS[model] / f"{dataset}-dev.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `python evaluate.py run --dataset {dataset} --split dev --json {path}`")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize(("model", "dataset"), CASES)
def test_shipped_model_still_reaches_the_card(model, dataset):
    from slant.pipeline.tagger import Tagger

    require_data(data_root())
    if model == "accurate":
        require_accurate_encoder()
    card = recorded(dataset, model)["model"]
    docs = load_split(dataset, "dev")
    fresh = evaluate(TaggerSystem(Tagger.load(model, profile=DATASET_PROFILE[dataset])), docs, dataset, "dev")
    for key, value in card["headline"].items():
        assert fresh.headline()[key] >= value - TOLERANCE, f"{dataset} {key}: {fresh.headline()[key]} < card {value}"


@pytest.mark.parametrize(("model", "dataset"), CASES)
def test_card_shows_the_recorded_numbers(model, dataset):
    text = CARD.read_text(encoding="utf-8")
    report = recorded(dataset, model)["model"]
    for key in ("si", "flc"):
        assert f"**{report[key]['f1']:.3f}**" in text, f"MODEL_CARD.md lacks {dataset} {key} F1 {report[key]['f1']:.3f}"
    assert f"**{report['tc']['micro_f1']:.3f}**" in text
