"""The benchmarks' own arithmetic (their timings are figures they print, never asserted here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def bench_module(name: str):
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_flops_per_position_count_every_product_of_a_layer() -> None:
    roofline = bench_module("bench_roofline")
    enc = roofline.Encoder(hidden=384, intermediate=1536, layers=6, heads=12, window=256, channels=20)
    for windows in (1, 16):
        per_position = sum(enc.flops_per_position(p, windows) for p in enc.products(windows))
        projections = 2 * (4 * 384 * 384 + 2 * 384 * 1536)  # q, k, v, output; feed-forward up and down
        attention = 2 * 2 * 256 * 384  # scores and context: each position meets every position, per dimension
        assert per_position == pytest.approx(6 * (projections + attention))
    assert enc.head_flops() == 2 * 384 * 20


def test_window_settings_start_with_the_trained_one_and_include_no_overlap() -> None:
    windows = bench_module("bench_windows")
    settings = windows.settings_for(254, 190)
    assert settings[0] == (254, 190)
    assert (254, 254) in settings and len(set(settings)) == len(settings)
    assert all(0 < stride <= size for size, stride in settings)
