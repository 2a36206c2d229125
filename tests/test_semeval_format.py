"""Reading/writing the SemEval-2020 Task 11 TAB formats."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from conftest import require_data

from slant.config import data_root
from slant.evaluation.formats import (
    SemEvalFormatError,
    SIRecord,
    TCRecord,
    format_tc,
    parse_si,
    parse_tc,
    read_si,
    read_tc,
    write_si,
    write_tc,
)

_need = require_data  # skips outside CI, fails under CI=true when ../shared is missing


def _dev(name: str) -> Path:
    return _need(data_root() / "ptc-semeval2020" / "dev" / name)


def test_round_trip_tc_with_commas(tmp_path: Path) -> None:
    records = [
        TCRecord("111", "Name_Calling,Labeling", 0, 5),
        TCRecord("111", "Whataboutism,Straw_Men,Red_Herring", 3, 10),
        TCRecord("222", "Doubt", 7, 8),
    ]
    path = tmp_path / "x.labels"
    write_tc(path, records)
    assert path.read_bytes() == format_tc(records).encode()
    assert path.read_text().splitlines()[0] == "111\tName_Calling,Labeling\t0\t5"
    assert read_tc(path) == records


def test_round_trip_si(tmp_path: Path) -> None:
    records = [SIRecord("1", 0, 3), SIRecord("1", 2, 9), SIRecord("2", 5, 6)]
    path = tmp_path / "si.txt"
    write_si(path, records)
    assert path.read_text() == "1\t0\t3\n1\t2\t9\n2\t5\t6\n"
    assert read_si(path) == records


def test_blank_lines_and_crlf_are_tolerated() -> None:
    assert parse_si(["1\t0\t3\r\n", "\n", "2\t4\t5"]) == [SIRecord("1", 0, 3), SIRecord("2", 4, 5)]


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        (["1\t0\t3\n", "1\t0\n"], "expected 3 TAB-separated columns, found 2"),
        (["1\t0\t3\n", "1\tDoubt\t0\t3\n"], "expected 3 TAB-separated columns, found 4"),
        (["1\t0\t3\n", "1\ta\t3\n"], "offsets must be integers"),
        (["1\t0\t3\n", "1\t5\t5\n"], "0 <= start < end"),
        (["1\t0\t3\n", "1\t-1\t5\n"], "0 <= start < end"),
    ],
)
def test_si_errors_name_file_and_line(lines: list[str], fragment: str) -> None:
    with pytest.raises(SemEvalFormatError, match=r"^pred\.txt:2: ") as info:
        parse_si(lines, "pred.txt")
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)


def test_tc_error_from_file_names_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.labels"
    # A comma-separated row is one column to a TAB-only splitter.
    path.write_text("1\tDoubt\t0\t3\n\n1,Doubt,4,9\n")
    with pytest.raises(SemEvalFormatError, match=re.escape(f"{path}:3: expected 4 TAB-separated columns, found 1")):
        read_tc(path)
    path.write_text("1\tDoubt\t9\t3\n")
    with pytest.raises(SemEvalFormatError, match=r":1: offsets must satisfy 0 <= start < end, got 9, 3"):
        read_tc(path)
    with pytest.raises(SemEvalFormatError, match="offsets must be integers"):
        parse_tc(["1\tDoubt\t0\t3.5"])


def test_records_validate() -> None:
    with pytest.raises(ValueError):
        SIRecord("1", 3, 3)
    with pytest.raises(ValueError):
        TCRecord("1", "Doubt\tX", 0, 1)
    with pytest.raises(ValueError):
        TCRecord("", "Doubt", 0, 1)


@pytest.mark.data
def test_reads_the_dev_gold() -> None:
    si = read_si(_dev("dev-task-si.labels"))
    tc = read_tc(_dev("dev-task-flc-tc.labels"))
    assert len(si) == 940 and len({r.article_id for r in si}) == 74
    assert len(tc) == 1063
    assert len({r.technique for r in tc}) == 14
    assert TCRecord("730093263", "Whataboutism,Straw_Men,Red_Herring", 123, 128) in read_tc(
        _need(_testvectors() / "tc-dev-predictions-peer.txt")
    )


def _testvectors() -> Path:
    env = os.environ.get("SLANT_TESTVECTORS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "testvectors"
