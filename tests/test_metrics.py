"""slant.evaluation.metrics against hand-computed cases, properties, and the organisers' official figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import require_data
from hypothesis import given
from hypothesis import strategies as st

from slant.config import data_root
from slant.evaluation.formats import SIRecord, TCRecord, read_si, read_tc
from slant.evaluation.metrics import PRF, flc_score, merge_spans, si_score, tc_score

REPO = Path(__file__).resolve().parents[1]


_need = require_data  # skips outside CI, fails under CI=true when ../shared is missing


def _dev(name: str) -> Path:
    return _need(data_root() / "ptc-semeval2020" / "dev" / name)


def _vector(name: str) -> Path:
    env = os.environ.get("SLANT_TESTVECTORS")
    root = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "testvectors"
    return _need(root / name)


def si(*spans: tuple[int, int], article: str = "a") -> list[SIRecord]:
    return [SIRecord(article, s, e) for s, e in spans]


def tc(*rows: tuple[str, int, int], article: str = "a") -> list[TCRecord]:
    return [TCRecord(article, t, s, e) for t, s, e in rows]


# --- SI by hand ---


def test_si_perfect() -> None:
    gold = si((0, 10), (20, 30)) + si((5, 9), article="b")
    assert si_score(gold, gold) == PRF(1.0, 1.0, 1.0, 3, 3)


def test_si_disjoint_and_touching_score_zero() -> None:
    r = si_score(si((10, 20), (20, 25)), si((0, 10)))
    assert (r.precision, r.recall, r.f1) == (0.0, 0.0, 0.0)
    # Same offsets in another article earn nothing: overlap is only counted within an article.
    assert si_score(si((0, 10), article="b"), si((0, 10))).f1 == 0.0


def test_si_half_overlap() -> None:
    # pred [5,15) vs gold [0,10): 5 shared chars, |s| = |t| = 10.
    r = si_score(si((5, 15)), si((0, 10)))
    assert r.precision == pytest.approx(0.5) and r.recall == pytest.approx(0.5) and r.f1 == pytest.approx(0.5)


def test_si_asymmetric() -> None:
    # pred [0,4) inside gold [0,10) and a wrong pred [50,60): P = (1 + 0)/2, R = 4/10.
    r = si_score(si((0, 4), (50, 60)), si((0, 10)))
    assert r.precision == pytest.approx(0.5)
    assert r.recall == pytest.approx(0.4)
    assert r.f1 == pytest.approx(2 * 0.5 * 0.4 / 0.9)


def test_si_merges_overlapping_predictions() -> None:
    # [0,6) + [4,10) merge into [0,10) = the gold; duplicates collapse; [10,12) only touches: stays apart.
    r = si_score(si((0, 6), (4, 10), (4, 10), (10, 12)), si((0, 10)))
    assert r.n_pred == 2
    assert r.precision == pytest.approx(0.5) and r.recall == pytest.approx(1.0)


def test_si_merges_overlapping_gold() -> None:
    # The official SI scorer merges the gold too: [0,6) + [3,10) count as one gold span [0,10).
    r = si_score(si((0, 10)), si((0, 6), (3, 10)))
    assert (r.n_gold, r.f1) == (1, 1.0)


def test_si_counts_gold_of_unpredicted_articles() -> None:
    r = si_score(si((0, 10)), si((0, 10)) + si((0, 5), article="b"))
    assert r.precision == 1.0 and r.recall == pytest.approx(0.5)


def test_si_empty_prediction() -> None:
    assert si_score([], si((0, 10))) == PRF(0.0, 0.0, 0.0, 0, 1)
    # Nothing to find and nothing found: the official scorer reports F1 = 1.
    assert si_score([], []).f1 == 1.0


def test_merge_spans() -> None:
    assert merge_spans([(5, 8), (0, 3), (2, 4), (8, 9), (6, 7)]) == [(0, 4), (5, 8), (8, 9)]
    assert merge_spans([]) == []


# --- TC by hand ---


def test_tc_perfect_and_accuracy() -> None:
    gold = tc(("Doubt", 0, 5), ("Slogans", 6, 9), ("Doubt", 10, 12))
    assert tc_score(gold, gold).micro_f1 == 1.0
    pred = tc(("Doubt", 0, 5), ("Doubt", 6, 9), ("Doubt", 10, 12))
    r = tc_score(pred, gold)
    assert r.micro_f1 == pytest.approx(2 / 3) == r.precision == r.recall
    assert r.per_label["Doubt"].precision == pytest.approx(2 / 3) and r.per_label["Doubt"].recall == 1.0
    assert r.per_label["Slogans"] == PRF(0.0, 0.0, 0.0, 0, 1)
    assert r.macro_f1 == pytest.approx((0.8 + 0.0) / 2)
    assert r.to_dict()["f1"] == r.micro_f1


def test_tc_span_with_two_gold_techniques_pairs_labels() -> None:
    # Gold span carries {Doubt, Slogans}; predicting (Slogans, Doubt) in any order is fully correct, while
    # (Doubt, Doubt) gets one of two right.
    gold = tc(("Doubt", 0, 5), ("Slogans", 0, 5))
    assert tc_score(tc(("Slogans", 0, 5), ("Doubt", 0, 5)), gold).micro_f1 == 1.0
    r = tc_score(tc(("Doubt", 0, 5), ("Doubt", 0, 5)), gold)
    assert r.micro_f1 == pytest.approx(0.5)
    assert r.per_label["Slogans"].recall == 0.0 and r.per_label["Doubt"].precision == pytest.approx(0.5)


def test_tc_needs_exact_span() -> None:
    r = tc_score(tc(("Doubt", 0, 6)), tc(("Doubt", 0, 5)))
    assert r.micro_f1 == 0.0


def test_tc_explicit_labels() -> None:
    r = tc_score(tc(("Doubt", 0, 5)), tc(("Doubt", 0, 5)), labels=["Doubt", "Slogans"])
    assert list(r.per_label) == ["Doubt", "Slogans"]
    assert r.macro_f1 == pytest.approx(0.5)


def test_tc_empty_prediction() -> None:
    r = tc_score([], tc(("Doubt", 0, 5)))
    assert (r.precision, r.recall, r.micro_f1, r.macro_f1) == (0.0, 0.0, 0.0, 0.0)


# --- FLC by hand ---


def test_flc_requires_technique_match() -> None:
    gold = tc(("Doubt", 0, 10), ("Slogans", 20, 30))
    assert flc_score(gold, gold).f1 == 1.0
    r = flc_score(tc(("Slogans", 0, 10), ("Slogans", 25, 35)), gold)
    # Slogans [0,10) earns nothing (gold there is Doubt); [25,35) half-overlaps the Slogans gold.
    assert r.precision == pytest.approx(0.25) and r.recall == pytest.approx(0.25)
    assert r.per_label["Slogans"].precision == pytest.approx(0.25)
    assert r.per_label["Slogans"].recall == pytest.approx(0.5)
    assert r.per_label["Doubt"] == PRF(0.0, 0.0, 0.0, 0, 1)


def test_flc_merges_per_technique_only() -> None:
    # Overlapping spans of the same technique merge; a different technique on the same text does not.
    pred = tc(("Doubt", 0, 6), ("Doubt", 4, 10), ("Slogans", 2, 8))
    r = flc_score(pred, tc(("Doubt", 0, 10)))
    assert r.n_pred == 2
    assert r.precision == pytest.approx(0.5) and r.recall == pytest.approx(1.0)


def test_flc_empty_prediction() -> None:
    r = flc_score([], tc(("Doubt", 0, 10)))
    assert (r.precision, r.recall, r.f1) == (0.0, 0.0, 0.0)


# --- properties ---

_spans = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.integers(0, 60), st.integers(1, 15)).map(
        lambda t: SIRecord(t[0], t[1], t[1] + t[2])
    ),
    max_size=12,
)
_techniques = st.sampled_from(["Doubt", "Slogans", "Name_Calling,Labeling"])
_labelled = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), _techniques, st.integers(0, 60), st.integers(1, 15)).map(
        lambda t: TCRecord(t[0], t[1], t[2], t[2] + t[3])
    ),
    max_size=12,
)


def _in_unit(*xs: float) -> bool:
    return all(0.0 <= x <= 1.0 + 1e-12 for x in xs)


@given(_spans, _spans)
def test_si_scores_in_unit_interval(pred: list[SIRecord], gold: list[SIRecord]) -> None:
    r = si_score(pred, gold)
    assert _in_unit(r.precision, r.recall, r.f1)


@given(_spans.filter(bool))
def test_si_perfect_prediction_scores_one(gold: list[SIRecord]) -> None:
    r = si_score(gold, gold)
    assert r.precision == pytest.approx(1.0) and r.recall == pytest.approx(1.0) and r.f1 == pytest.approx(1.0)


@given(_spans, _spans, st.data())
def test_si_invariant_to_splitting_into_overlapping_pieces(
    pred: list[SIRecord], gold: list[SIRecord], data: st.DataObject
) -> None:
    if not pred:
        return
    i = data.draw(st.integers(0, len(pred) - 1))
    s = pred[i]
    if s.end - s.start < 2:
        return
    cut = data.draw(st.integers(s.start + 1, s.end - 1))
    back = data.draw(st.integers(max(s.start, cut - 3), cut - 1))  # overlap of 1..3 chars
    pieces = [SIRecord(s.article_id, s.start, cut), SIRecord(s.article_id, back, s.end)]
    assert si_score(pred[:i] + pieces + pred[i + 1 :], gold) == pytest.approx(si_score(pred, gold))


@given(_labelled, _labelled)
def test_tc_and_flc_scores_in_unit_interval(pred: list[TCRecord], gold: list[TCRecord]) -> None:
    t = tc_score(pred, gold)
    f = flc_score(pred, gold)
    assert _in_unit(t.precision, t.recall, t.micro_f1, t.macro_f1, f.precision, f.recall, f.f1)
    assert all(_in_unit(p.precision, p.recall, p.f1) for p in [*t.per_label.values(), *f.per_label.values()])


@given(_labelled.filter(bool))
def test_tc_and_flc_perfect_prediction_scores_one(gold: list[TCRecord]) -> None:
    assert tc_score(gold, gold).micro_f1 == pytest.approx(1.0)
    assert tc_score(gold, gold).macro_f1 == pytest.approx(1.0)
    assert flc_score(gold, gold).f1 == pytest.approx(1.0)


@given(_labelled)
def test_flc_ignoring_techniques_is_si(spans: list[TCRecord]) -> None:
    # With one technique everywhere, FLC reduces to SI.
    same = [TCRecord(r.article_id, "X", r.start, r.end) for r in spans]
    gold = [TCRecord("a", "X", 10, 30), TCRecord("b", "X", 0, 5)]
    f, s = flc_score(same, gold), si_score(same, gold)
    assert (f.precision, f.recall, f.f1) == pytest.approx((s.precision, s.recall, s.f1))


# --- official figures (../shared/testvectors/README.md), to 6 decimals ---

SI_VECTORS = {
    "si-dev-pred-shifted.txt": (855, 0.780112, 0.738024, 0.758485),
    "si-dev-pred-noisy.txt": (605, 0.942633, 0.606551, 0.738137),
    "si-dev-pred-overlapping.txt": (300, 1.000000, 0.319149, 0.483871),
}

TC_PER_TECHNIQUE_F1 = {
    "Appeal_to_Authority": 0.285714,
    "Appeal_to_fear-prejudice": 0.452381,
    "Bandwagon,Reductio_ad_hitlerum": 0.375000,
    "Black-and-White_Fallacy": 0.324324,
    "Causal_Oversimplification": 0.304348,
    "Doubt": 0.661871,
    "Exaggeration,Minimisation": 0.589744,
    "Flag-Waving": 0.738095,
    "Loaded_Language": 0.805430,
    "Name_Calling,Labeling": 0.738544,
    "Repetition": 0.681481,
    "Slogans": 0.638889,
    "Thought-terminating_Cliches": 0.416667,
    "Whataboutism,Straw_Men,Red_Herring": 0.384615,
}

FLC_NOISY = (0.651536, 0.498012, 0.564522)


@pytest.mark.data
@pytest.mark.parametrize("name", sorted(SI_VECTORS))
def test_si_official_vectors(name: str) -> None:
    n_pred, p, r, f1 = SI_VECTORS[name]
    res = si_score(read_si(_vector(name)), read_si(_dev("dev-task-si.labels")))
    assert res.n_pred == n_pred
    assert (round(res.precision, 6), round(res.recall, 6), round(res.f1, 6)) == (p, r, f1)


@pytest.mark.data
def test_tc_official_vector() -> None:
    res = tc_score(read_tc(_vector("tc-dev-predictions-peer.txt")), read_tc(_dev("dev-task-flc-tc.labels")))
    assert round(res.micro_f1, 6) == 0.683913
    assert res.precision == res.recall == res.micro_f1  # same spans as gold: micro-F1 is accuracy
    assert {k: round(v.f1, 6) for k, v in res.per_label.items()} == TC_PER_TECHNIQUE_F1


@pytest.mark.data
def test_tc_gold_has_multi_technique_spans() -> None:
    # The 22 duplicate-span lines are what the label pairing exists for; make sure the fixture still has them.
    gold = read_tc(_dev("dev-task-flc-tc.labels"))
    assert len(gold) - len({(r.article_id, r.start, r.end) for r in gold}) == 22


@pytest.mark.data
def test_flc_official_vector() -> None:
    res = flc_score(read_tc(_vector("flc-dev-pred-noisy.txt")), read_tc(_dev("dev-task-flc-tc.labels")))
    assert (round(res.precision, 6), round(res.recall, 6), round(res.f1, 6)) == FLC_NOISY
    assert set(res.per_label) == set(TC_PER_TECHNIQUE_F1)


# --- CLI ---


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    # A wide terminal keeps rich from wrapping long paths in error messages across lines.
    env = {**os.environ, "COLUMNS": "1000"}
    return subprocess.run(
        [sys.executable, str(REPO / "evaluate.py"), *args],
        capture_output=True, text=True, cwd=REPO, timeout=120, env=env,
    )  # fmt: skip


@pytest.mark.data
def test_slant_evaluate_is_evaluate_py() -> None:
    """`slant evaluate` (the installed command) prints exactly what `python evaluate.py` prints."""
    from typer.testing import CliRunner

    from slant.cli import app

    args = ["score", "--task", "si", "--pred", str(_vector("si-dev-pred-shifted.txt")), "--json"]
    args += ["--gold", str(_dev("dev-task-si.labels"))]
    proc = _cli(*args)
    result = CliRunner().invoke(app, ["evaluate", *args])
    assert proc.returncode == 0 and result.exit_code == 0, (proc.stderr, result.output)
    # Equal up to float summation order (sets iterate in a per-process hash order).
    assert json.loads(result.stdout) == pytest.approx(json.loads(proc.stdout), abs=1e-12)


@pytest.mark.data
@pytest.mark.parametrize(
    ("task", "pred", "gold", "expected"),
    [
        (
            "tc",
            "tc-dev-predictions-peer.txt",
            "dev-task-flc-tc.labels",
            {"micro_f1": 0.683913, "f1": 0.683913},
        ),
        ("si", "si-dev-pred-shifted.txt", "dev-task-si.labels", {"precision": 0.780112, "f1": 0.758485}),
        ("si", "si-dev-pred-overlapping.txt", "dev-task-si.labels", {"recall": 0.319149, "n_pred": 300}),
        (
            "flc",
            "flc-dev-pred-noisy.txt",
            "dev-task-flc-tc.labels",
            dict(zip(("precision", "recall", "f1"), FLC_NOISY, strict=True)),
        ),
    ],
)
def test_cli_score_json(task: str, pred: str, gold: str, expected: dict[str, float]) -> None:
    proc = _cli("score", "--task", task, "--pred", str(_vector(pred)), "--gold", str(_dev(gold)), "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)  # exactly one JSON object on stdout
    assert {"precision", "recall", "f1"} <= out.keys()
    for key, value in expected.items():
        assert round(out[key], 6) == value
    if task == "tc":
        assert "macro_f1" in out and len(out["per_label"]) == 14


@pytest.mark.data
def test_cli_score_table() -> None:
    proc = _cli(
        "score", "--task", "tc", "--pred", str(_vector("tc-dev-predictions-peer.txt")),
        "--gold", str(_dev("dev-task-flc-tc.labels")),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "0.683913" in proc.stdout and "Loaded_Language" in proc.stdout and "macro" in proc.stdout


def test_cli_missing_file_exits_2(tmp_path: Path) -> None:
    gold = tmp_path / "gold.txt"
    gold.write_text("1\t0\t5\n")
    proc = _cli("score", "--task", "si", "--pred", str(tmp_path / "nope.txt"), "--gold", str(gold), "--json")
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and proc.stdout == ""


def test_cli_malformed_file_and_bad_task_exit_2(tmp_path: Path) -> None:
    gold = tmp_path / "gold.txt"
    gold.write_text("1\t0\t5\n")
    bad = tmp_path / "bad.txt"
    bad.write_text("1\t0\n")
    proc = _cli("score", "--task", "si", "--pred", str(bad), "--gold", str(gold))
    assert proc.returncode == 2 and "bad.txt:1" in proc.stderr
    proc = _cli("score", "--task", "xx", "--pred", str(gold), "--gold", str(gold))
    assert proc.returncode == 2


def test_cli_small_files_json(tmp_path: Path) -> None:
    gold = tmp_path / "gold.txt"
    pred = tmp_path / "pred.txt"
    gold.write_text("1\t0\t10\n")
    pred.write_text("1\t5\t15\n")
    proc = _cli("score", "--task", "si", "--pred", str(pred), "--gold", str(gold), "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "n_pred": 1, "n_gold": 1}


@pytest.mark.data
def test_run_names_an_unknown_profile() -> None:
    require_data(data_root())  # the split is read before the model
    result = _cli("run", "--dataset", "ptc2020", "--split", "dev", "--profile", "tweets", "--no-baseline")
    assert result.returncode == 2
    assert "unknown decoding profile 'tweets'" in result.stderr + result.stdout
