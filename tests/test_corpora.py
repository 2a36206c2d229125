"""Corpus readers: counts against SOURCE.md, offsets, encoding quirks, and errors on malformed input."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from conftest import require_data

from slant.corpora import (
    CorpusFormatError,
    read_corpus,
    read_emnlp2019,
    read_ptc2020,
    read_semeval2021,
    read_semeval2023,
)
from slant.taxonomy import SEMEVAL2020_LABELS

# ---------------------------------------------------------------- real corpora


def _n_spans(docs) -> int:
    return sum(len(d.spans) for d in docs)


def _assert_in_range(docs) -> None:
    for d in docs:
        for s in d.spans:
            assert 0 <= s.start < s.end <= len(d.text), (d.id, s)
            assert s.label is not None


@pytest.mark.data
@pytest.mark.parametrize(
    ("split", "n_docs", "n_tc", "n_si"), [("train", 371, 6128, 5468), ("dev", 75, 1063, 940)]
)
def test_ptc2020_counts(data_root: Path, split: str, n_docs: int, n_tc: int, n_si: int) -> None:
    require_data(data_root / "ptc-semeval2020" / split)
    docs = read_ptc2020(split)
    assert len(docs) == n_docs
    assert _n_spans(docs) == n_tc
    assert sum(len(d.si_spans or []) for d in docs) == n_si
    assert [d.id for d in docs] == sorted(d.id for d in docs)
    _assert_in_range(docs)
    for d in docs:
        assert all(0 <= s < e <= len(d.text) for s, e in d.si_spans or [])
    assert read_ptc2020(split, si=False)[0].si_spans is None


@pytest.mark.data
def test_ptc2020_quirks(data_root: Path) -> None:
    require_data(data_root / "ptc-semeval2020" / "train")
    docs = {d.id: d for d in read_ptc2020("train")}
    for bom_id in ("705409419", "712382330"):
        assert docs[bom_id].text[0] == "\ufeff"
    assert sum(not d.spans for d in docs.values()) == 14
    assert any(ord(c) > 0xFFFF for c in docs["696246189"].text)  # offsets are code points
    dev = {d.id: d for d in read_ptc2020("dev")}
    assert dev["730081389"].spans == [] and dev["730081389"].si_spans == []
    assert {s.label for d in dev.values() for s in d.spans} == set(SEMEVAL2020_LABELS)


@pytest.mark.data
def test_emnlp2019_counts_and_erratum(data_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    require_data(data_root / "ptc-semeval2020" / "emnlp2019-release")
    with caplog.at_level(logging.WARNING):
        train = read_emnlp2019("train")
    assert "776368676" in caplog.text and "erratum" in caplog.text
    # SOURCE.md counts 5,114 train rows; the documented out-of-range row is skipped.
    assert (len(train), _n_spans(train)) == (293, 5113)
    assert (len(read_emnlp2019("dev")), _n_spans(read_emnlp2019("dev"))) == (57, 927)
    test = read_emnlp2019("test")
    assert (len(test), _n_spans(test)) == (101, 1439)
    _assert_in_range(train + test)


@pytest.mark.data
@pytest.mark.parametrize(("split", "n_docs", "n_spans"), [("train", 688, 1498), ("dev", 63, 182)])
def test_semeval2021_counts_and_fragments(data_root: Path, split: str, n_docs: int, n_spans: int) -> None:
    require_data(data_root / "semeval2021-task6" / split)
    docs = read_semeval2021(split)
    assert (len(docs), _n_spans(docs)) == (n_docs, n_spans)
    _assert_in_range(docs)
    name = "train/training_set_task2.txt" if split == "train" else "dev/dev_set_task2.txt"
    raw = json.loads((data_root / "semeval2021-task6" / name).read_text(encoding="utf-8"))
    for doc, item in zip(docs, raw, strict=True):
        assert doc.id == item["id"]
        for span, lab in zip(doc.spans, item["labels"], strict=True):
            assert doc.text[span.start : span.end] == lab["text_fragment"]


@pytest.mark.data
@pytest.mark.parametrize(
    ("split", "lang", "n_docs", "n_spans", "n_crlf"),
    [("train", "en", 446, 7201, 0), ("train", "fr", 158, 5595, 102), ("dev", "fr", 53, 1586, 32)],
)
def test_semeval2023_counts(
    data_root: Path, split: str, lang: str, n_docs: int, n_spans: int, n_crlf: int
) -> None:
    require_data(data_root / "semeval2023-task3" / split / lang)
    docs = read_semeval2023(split, lang)
    assert (len(docs), _n_spans(docs)) == (n_docs, n_spans)
    assert sum("\r\n" in d.text for d in docs) == n_crlf  # CRLF kept: non-English offsets count it
    _assert_in_range(docs)


@pytest.mark.data
def test_semeval2023_en_bom_and_missing_split(data_root: Path) -> None:
    require_data(data_root / "semeval2023-task3" / "train" / "en")
    assert sum(d.text.startswith("\ufeff") for d in read_semeval2023("train", "en")) == 2
    with pytest.raises(FileNotFoundError, match="dev/en"):
        read_semeval2023("dev", "en")
    with pytest.raises(FileNotFoundError, match="train/xx"):
        read_semeval2023("train", "xx")


@pytest.mark.data
def test_registry(data_root: Path) -> None:
    require_data(data_root / "semeval2021-task6")
    assert len(read_corpus("semeval2021", "dev")) == 63
    assert len(read_corpus("semeval2023", "dev", lang="fr")) == 53
    with pytest.raises(ValueError, match="valid corpora"):
        read_corpus("ptc2019", "train")


# ---------------------------------------------------------------- fake corpora (no data needed)


def _write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8"))  # bytes: no newline translation
    return path


def _fake_ptc(root: Path, tc: str, si: str = "") -> Path:
    base = root / "ptc-semeval2020" / "train"
    _write(base / "articles" / "article1.txt", "\ufeffTitle\n\nHello big world.\n")
    _write(base / "labels-si" / "article1.task-si.labels", si)
    return _write(base / "labels-tc" / "article1.task-flc-tc.labels", tc)


def test_fake_ptc_ok(tmp_path: Path) -> None:
    _fake_ptc(tmp_path, "1\tLoaded_Language\t14\t17\n1\tName_Calling,Labeling\t1\t6\n", "1\t14\t17\n")
    (doc,) = read_ptc2020("train", root=tmp_path)
    assert doc.text[0] == "\ufeff"
    assert doc.text[doc.spans[0].start : doc.spans[0].end] == "big"
    assert doc.spans[0].label == "loaded_language"
    assert doc.spans[1].technique == "Name_Calling,Labeling"  # commas in names: split on TAB only
    assert doc.si_spans == [(14, 17)]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1\tLoaded_Language\t14\n", "expected 4 tab-separated columns, got 3"),
        ("1\tLoaded_Language\tx4\t17\n", "start offset 'x4' is not a non-negative integer"),
        ("1\tLoaded_Language\t14\t999\n", "outside the text"),
        ("1\tLoaded_Language\t17\t14\n", "outside the text"),
        ("1\tLoaded Language\t14\t17\n", "unknown semeval2020 technique 'Loaded Language'"),
        ("2\tLoaded_Language\t14\t17\n", "row is for article '2'"),
    ],
)
def test_fake_ptc_malformed(tmp_path: Path, row: str, message: str) -> None:
    path = _fake_ptc(tmp_path, "1\tDoubt\t1\t6\n" + row)
    with pytest.raises(CorpusFormatError) as exc:
        read_ptc2020("train", root=tmp_path)
    assert f"{path}:2:" in str(exc.value)
    assert message in str(exc.value)


def test_fake_ptc_malformed_si(tmp_path: Path) -> None:
    _fake_ptc(tmp_path, "", "1\t14\t17\t5\n")
    with pytest.raises(CorpusFormatError, match=r"article1\.task-si\.labels:1: expected 3"):
        read_ptc2020("train", root=tmp_path)


def _fake_emnlp(root: Path, article_id: str, text: str, rows: str) -> Path:
    base = root / "ptc-semeval2020" / "emnlp2019-release" / "train"
    _write(base / "articles" / f"article{article_id}.txt", text)
    return _write(base / "labels" / f"article{article_id}.labels.tsv", rows)


def test_fake_emnlp_erratum_skipped_only_when_listed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    good = "776368676\tDoubt\t0\t4\n" * 35  # line 36 is the documented erratum
    bad = "776368676\tLoaded_Language\t4187\t4225\n"
    _fake_emnlp(tmp_path, "776368676", "x" * 4185, good + bad)
    with caplog.at_level(logging.WARNING):
        (doc,) = read_emnlp2019("train", root=tmp_path)
    assert len(doc.spans) == 35 and "erratum" in caplog.text
    # The same row on another line is not the erratum: it must raise.
    path = _fake_emnlp(tmp_path, "776368676", "x" * 4185, bad + good)
    with pytest.raises(CorpusFormatError, match=rf"{re.escape(str(path))}:1: span \(4187, 4225\) is outside"):
        read_emnlp2019("train", root=tmp_path)


def test_fake_emnlp_other_bad_row_raises(tmp_path: Path) -> None:
    path = _fake_emnlp(tmp_path, "5", "short text", "5\tBandwagon\t0\t5\n5\tRed_Herring\t3\t11\n")
    with pytest.raises(CorpusFormatError, match=rf"{re.escape(str(path))}:2:"):
        read_emnlp2019("train", root=tmp_path)


def _fake_2023(root: Path, text: str, rows: str) -> Path:
    base = root / "semeval2023-task3" / "train" / "fr"
    _write(base / "train-articles-subtask-3" / "article7.txt", text)
    return _write(base / "train-labels-subtask-3-spans" / "article7-labels-subtask-3.txt", rows)


def test_fake_2023_crlf_offsets(tmp_path: Path) -> None:
    _fake_2023(tmp_path, "Titre\r\n\r\nUn texte honteux.\r\n", "7\tLoaded_Language\t18\t25\n")
    (doc,) = read_semeval2023("train", "fr", root=tmp_path)
    assert "\r\n" in doc.text
    assert doc.text[18:25] == "honteux"
    assert doc.spans[0].label == "loaded_language"


def test_fake_2023_malformed(tmp_path: Path) -> None:
    path = _fake_2023(tmp_path, "Titre\r\n", "7\tDoubt\t0\t3\n7\tDoubt\t0\n")
    with pytest.raises(CorpusFormatError, match=rf"{re.escape(str(path))}:2: expected 4"):
        read_semeval2023("train", "fr", root=tmp_path)
    path = _fake_2023(tmp_path, "Titre\r\n", "7\tDoubt\t0\t30\n")
    with pytest.raises(CorpusFormatError, match=rf"{re.escape(str(path))}:1: span \(0, 30\)"):
        read_semeval2023("train", "fr", root=tmp_path)


def _fake_2021(root: Path, labels: list[dict]) -> Path:
    items = [{"id": "10", "text": "OK", "labels": []}, {"id": "42", "text": "I HATE IT\n", "labels": labels}]
    return _write(root / "semeval2021-task6" / "train" / "training_set_task2.txt", json.dumps(items))


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ({"start": "2", "end": 6, "technique": "Loaded Language"}, "not integers"),
        ({"start": 2, "end": 60, "technique": "Loaded Language"}, "outside the text"),
        ({"start": 2, "end": 6, "technique": "Loaded_Language"}, "unknown semeval2021 technique"),
        ({"start": 2, "technique": "Loaded Language"}, "needs 'start'"),
    ],
)
def test_fake_2021_malformed(tmp_path: Path, label: dict, message: str) -> None:
    path = _fake_2021(tmp_path, [{"start": 2, "end": 6, "technique": "Loaded Language"}, label])
    with pytest.raises(CorpusFormatError) as exc:
        read_semeval2021("train", root=tmp_path)
    assert f"{path}: item 1 (id '42'), label 1" in str(exc.value)
    assert message in str(exc.value)


def test_fake_2021_ok(tmp_path: Path) -> None:
    _fake_2021(tmp_path, [{"start": 2, "end": 6, "technique": "Loaded Language", "text_fragment": "HATE"}])
    docs = read_semeval2021("train", root=tmp_path)
    assert [d.id for d in docs] == ["10", "42"]
    assert docs[1].spans[0].label == "loaded_language"


def test_bad_split_names() -> None:
    with pytest.raises(ValueError, match="valid splits"):
        read_ptc2020("test")
    with pytest.raises(ValueError, match="valid splits"):
        read_semeval2023("test")
