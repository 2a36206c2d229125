"""The label palette: one distinct colour per label, apart under simulated colour-vision deficiencies, readable."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from slant import palette, taxonomy

colorspacious = pytest.importorskip("colorspacious", reason="the test extra installs colorspacious")

MODEL_DIR = Path(__file__).resolve().parent.parent / "model"  # the shipped models, in the checkout
VISIONS = (None, "deuteranomaly", "protanomaly", "tritanomaly")  # severity 100: dichromacy


def emitted_labels() -> list[str]:
    """Every label a shipped model can report, in any decoding profile (read from the model configs)."""
    labels: dict[str, None] = {"scare_quote": None, "unhedged_assertion": None}
    for folder in (MODEL_DIR, MODEL_DIR / "accurate"):
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        for thresholds in [config["thresholds"]] + [p["thresholds"] for p in config["profiles"].values()]:
            for label in config["span_labels"]:
                if thresholds[label].get("enabled", True):
                    labels[label] = None
    return list(labels)


def ucs(color: str, vision: str | None) -> np.ndarray:
    rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    if vision is not None:
        cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
        rgb = np.clip(colorspacious.cspace_convert(rgb, cvd, "sRGB1"), 0, 1)
    return colorspacious.cspace_convert(rgb, "sRGB1", "CAM02-UCS")


def worst_distance(labels: list[str]) -> tuple[float, str, str, str]:
    """The smallest CAM02-UCS distance between two labels' colours over the four visions, and where."""
    worst = (float("inf"), "", "", "")
    for vision in VISIONS:
        points = {label: ucs(palette.label_color(label), vision) for label in labels}
        for a, b in itertools.combinations(labels, 2):
            d = float(np.linalg.norm(points[a] - points[b]))
            worst = min(worst, (d, a, b, vision or "normal"))
    return worst


def test_every_label_has_its_own_colour() -> None:
    colors = palette.label_colors()
    assert set(colors) == set(taxonomy.LABELS)
    assert len(set(colors.values())) == len(colors), "two labels share a colour"
    assert palette.FALLBACK not in colors.values()
    assert palette.label_color("a_label_of_a_custom_model") == palette.FALLBACK


def test_the_pairs_users_confused_now_differ_in_hue() -> None:
    # Before this palette, appeal to fear and unhedged assertion were both pink, doubt and scare quote both pale blue.
    for a, b in [("appeal_to_fear_prejudice", "unhedged_assertion"), ("doubt", "scare_quote")]:
        d, *_ = worst_distance([a, b])
        assert d >= 10.0, (a, b, d)


def test_emitted_labels_stay_apart_under_colour_vision_deficiencies() -> None:
    labels = emitted_labels()
    assert len(labels) >= 16
    d, a, b, vision = worst_distance(labels)
    # 6 CAM02-UCS units: plainly different side by side (about 1 is a just-noticeable difference).
    assert d >= 6.0, f"{a} and {b} are only {d:.1f} apart for {vision} vision"


def test_the_seven_pure_hues_go_to_the_most_reported_labels() -> None:
    pure = set(palette.OKABE_ITO.values())
    first = ["loaded_language", "name_calling", "doubt", "scare_quote", "unhedged_assertion"]
    assert {palette.label_color(label) for label in first} <= pure
    d, a, b, vision = worst_distance([lab for lab in taxonomy.LABELS if palette.label_color(lab) in pure])
    assert d >= 10.0, f"{a} and {b} are only {d:.1f} apart for {vision} vision"


def test_all_labels_distinguishable() -> None:
    d, a, b, vision = worst_distance(list(taxonomy.LABELS))
    assert d >= 3.5, f"{a} and {b} are only {d:.1f} apart for {vision} vision"


@pytest.mark.parametrize("label", taxonomy.LABELS)
def test_text_on_every_colour_is_readable(label: str) -> None:
    background = palette.label_color(label)
    assert palette.contrast(background, palette.text_color(background)) >= 4.5  # WCAG AA for body text


def test_mix_and_contrast() -> None:
    assert palette.mix("#E69F00", 0.0) == "#E69F00"
    assert palette.mix("#000000", 1.0) == "#FFFFFF"
    assert palette.mix("#FFFFFF", -1.0) == "#000000"
    assert palette.mix("#000000", 0.5) == "#808080"
    assert palette.contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert palette.text_color("#F0E442") == "#000000"
    assert palette.text_color("#0072B2") == "#FFFFFF"
