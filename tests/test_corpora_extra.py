"""Readers for BASIL, PolNeAR and ukraine-news-bias, and the annotation candidate loader.

Counts are the ones in each corpus's SOURCE.md.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from conftest import require_data

from slant.config import data_root
from slant.corpora.annotations import AnnotationError, independent_unit, load_items, sha256_text
from slant.corpora.base import CorpusFormatError
from slant.corpora.basil import BasilSpan, read_basil, read_basil_article
from slant.corpora.polnear import read_ann, read_polnear, relation_count
from slant.corpora.ukraine_news import read_article, read_ukraine_news

REPO = Path(__file__).resolve().parents[1]


def _in_range(docs) -> None:
    for d in docs:
        for s in d.spans:
            assert 0 <= s.start < s.end <= len(d.text), (d.id, s)
            assert s.label is None


# ---------------------------------------------------------------- BASIL


@pytest.mark.data
def test_basil_counts() -> None:
    require_data(data_root() / "basil")
    docs = read_basil()
    assert len(docs) == 300
    spans = [s for d in docs for s in d.spans]
    assert len(spans) == 1726
    kinds = Counter(s.technique for s in spans)
    assert kinds == {"lexical": 480, "informational": 1246}
    assert sum(1 for s in spans if isinstance(s, BasilSpan) and s.technique == "lexical" and s.in_quote) == 116
    _in_range(docs)
    assert len({d.id for d in docs}) == 300


def _write_basil(tmp_path: Path, article: object, annotation: object) -> tuple[Path, Path]:
    art, ann = tmp_path / "x_1.json", tmp_path / "x_1_ann.json"
    art.write_text(json.dumps(article), encoding="utf-8")
    ann.write_text(json.dumps(annotation), encoding="utf-8")
    return art, ann


def test_basil_offsets_move_into_document(tmp_path: Path) -> None:
    article = {"title": "T 'x'", "body-paragraphs": [["One two.", 'Three "four".'], ["Five."]]}
    items = [
        {"id": "p1", "start": 6, "end": 12, "txt": '"four"', "bias": "lex", "quote": "no"},
        {"id": "title", "start": 2, "end": 5, "txt": "'x'", "bias": "inf", "quote": "yes"},
    ]
    doc, sents = read_basil_article(*_write_basil(tmp_path, article, {"phrase-level-annotations": items}))
    assert doc.text == "T 'x'\n\nOne two. Three \"four\".\n\nFive."
    assert [doc.text[s.start : s.end] for s in doc.spans] == ["'x'", '"four"']
    assert [s.key for s in sents] == ["title", "p0", "p1", "p2"]
    assert doc.spans[0].in_quote and doc.spans[0].technique == "informational"


@pytest.mark.parametrize(
    "item",
    [
        {"id": "p9", "start": 0, "end": 1, "txt": "O", "bias": "lex", "quote": "no"},
        {"id": "p0", "start": 0, "end": 3, "txt": "Two", "bias": "lex", "quote": "no"},
        {"id": "p0", "start": 0, "end": 3, "txt": "One", "bias": "xyz", "quote": "no"},
        {"id": "p0", "start": 0, "end": 3, "txt": "One", "bias": "lex", "quote": "maybe"},
    ],
)
def test_basil_malformed(tmp_path: Path, item: dict) -> None:
    paths = _write_basil(tmp_path, {"title": "T", "body-paragraphs": [["One."]]}, {"phrase-level-annotations": [item]})
    with pytest.raises(CorpusFormatError, match=r"x_1_ann\.json: phrase-level-annotations\[0\]"):
        read_basil_article(*paths)


# ---------------------------------------------------------------- PolNeAR


@pytest.mark.data
@pytest.mark.parametrize(("split", "n_articles", "n_ann", "n_rel"), [("dev", 84, 94, 2320), ("test", 84, 94, 2231)])
def test_polnear_counts(split: str, n_articles: int, n_ann: int, n_rel: int) -> None:
    require_data(data_root() / "polnear")
    assert len(read_polnear(split)) == n_articles
    docs = read_polnear(split, all_annotators=True)
    assert len(docs) == n_ann
    assert sum(relation_count(d) for d in docs) == n_rel
    _in_range(docs)
    assert {s.technique for d in docs for s in d.spans} >= {"source", "cue", "content"}


@pytest.mark.data
@pytest.mark.slow
def test_polnear_train_counts() -> None:
    require_data(data_root() / "polnear")
    docs = read_polnear("train", all_annotators=True)
    assert len(docs) == 919
    assert sum(relation_count(d) for d in docs) == 22501


def test_polnear_multiline_and_discontinuous(tmp_path: Path) -> None:
    text = 'He said "a\nb" and\nthen "c".'
    ann = tmp_path / "a_ab12.ann"
    ann.write_text(
        'T1\tSource 0 2\tHe\nT2\tCue 3 7\tsaid\nT3\tContent 8 13;23 26\t"a\nb" "c"\n'
        "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n#1\tAnnotatorNotes T3\tnote\n",
        encoding="utf-8",
    )
    spans = read_ann(ann, text)
    content = [s for s in spans if s.technique == "content"]
    assert [text[s.start : s.end] for s in content] == ['"a\nb"', '"c"']
    assert all(s.relations == ("E1",) for s in content)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ("T1\tSource 0 2\tXX\n", r"a_ab12\.ann:1: span text"),
        ("T1\tSource 0 99\the\n", r"a_ab12\.ann:1: offsets"),
        ("T1\tSource zero 2\the\n", r"a_ab12\.ann:1: malformed T line"),
        ("T1\tSpeaker 0 2\tHe\n", r"a_ab12\.ann:1: unknown span type"),
        ("E1\tAttribution:T9\n", r"names missing span T9"),
    ],
)
def test_polnear_malformed(tmp_path: Path, body: str, match: str) -> None:
    ann = tmp_path / "a_ab12.ann"
    ann.write_text(body, encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=match):
        read_ann(ann, "He said it.")


# ---------------------------------------------------------------- ukraine-news-bias


@pytest.mark.data
def test_ukraine_counts() -> None:
    require_data(data_root() / "ukraine-news-bias")
    arts = read_ukraine_news()
    assert len(arts) == 90
    sents = [s for a in arts for s in a.sentences]
    assert len(sents) == 2057
    assert sum(1 for s in sents if s.scores["subjectivity.maj"] > 0) == 84
    assert sum(1 for s in sents if s.scores["subjectivity.intensified"] > 0) == 371
    for a in arts:
        for s in a.sentences:
            assert 0 <= s.start < s.end <= len(a.document.text)


def test_ukraine_malformed(tmp_path: Path) -> None:
    bad = tmp_path / "article_1.json"
    bad.write_text(json.dumps({"id": "article_1", "sentences": [{"content": 3, "position_in_article": 0}]}))
    with pytest.raises(CorpusFormatError, match=r"article_1\.json: sentences\[0\]"):
        read_article(bad)
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CorpusFormatError, match=r"article_1\.json:1"):
        read_article(bad)


# ---------------------------------------------------------------- candidate sets and the loader


FIRST_SAMPLE = {"quotes": 430, "assertions": 780}  # items drawn before the TUNE extension
REPORT_ROUND_AFTER = {"quotes": 1230, "assertions": 1450}  # items drawn before the REPORT round


@pytest.mark.data
@pytest.mark.parametrize(("kind", "minimum"), [("quotes", 360), ("assertions", 720)])
def test_candidates_resolve(kind: str, minimum: int) -> None:
    require_data(data_root())
    items = load_items(kind)  # type: ignore[arg-type]
    assert len(items) >= minimum
    evaluation_sources = {"ptc2020-dev", "semeval2021-dev", "basil", "polnear-dev", "ukraine-news-bias"}
    train_sources = {"ptc2020-train", "semeval2021-train", "polnear-train"}
    first_sample = [it for it in items if int(it.item_id[1:]) <= FIRST_SAMPLE[kind]]
    extension = [it for it in items if FIRST_SAMPLE[kind] < int(it.item_id[1:]) <= REPORT_ROUND_AFTER[kind]]
    report_round = [it for it in items if int(it.item_id[1:]) > REPORT_ROUND_AFTER[kind]]
    # The first sample: the five evaluation sources, 40% TUNE, 40% labelled twice.
    assert {it.corpus for it in first_sample} == evaluation_sources
    share_tune = sum(it.part == "tune" for it in first_sample) / len(first_sample)
    share_second = sum(it.second_pass for it in first_sample) / len(first_sample)
    assert 0.35 < share_tune < 0.45 and 0.38 < share_second < 0.42
    # With the extensions' second pass (sample_candidates.py --second-pass), a third of all items twice.
    assert sum(it.second_pass for it in items) >= len(items) / 3
    # The extension (sample_candidates.py --extend): TUNE only, never from a document with a REPORT item.
    assert {it.corpus for it in extension} <= evaluation_sources | train_sources
    assert {it.part for it in extension} == {"tune"}
    report_documents = {(it.corpus, it.doc_id) for it in items if it.part == "report"}
    assert not {(it.corpus, it.doc_id) for it in extension} & report_documents
    # The REPORT round (--extend-report): REPORT only, from the five evaluation sources, never in a document
    # (a BASIL story counting as one) that holds a TUNE extension item; a third of it labelled twice.
    assert report_round, "the REPORT round is part of the set"
    assert {it.part for it in report_round} == {"report"}
    assert {it.corpus for it in report_round} <= evaluation_sources
    extension_units = {independent_unit(it.corpus, it.doc_id) for it in extension}
    assert not {independent_unit(it.corpus, it.doc_id) for it in report_round} & extension_units
    assert abs(sum(it.second_pass for it in report_round) / len(report_round) - 1 / 3) < 0.03
    for it in items:
        assert it.text == it.document.text[it.start : it.end]
        if kind == "quotes":
            assert it.start < it.inner_start <= it.inner_end < it.end


def test_candidate_files_hold_no_text() -> None:
    allowed = {
        "item_id",
        "corpus",
        "doc_id",
        "doc_sha256",
        "start",
        "end",
        "inner_start",
        "inner_end",
        "stratum",
        "part",
        "second_pass",
    }
    for kind in ("quotes", "assertions"):
        with open(REPO / "data" / "annotations" / f"{kind}.candidates.jsonl", encoding="utf-8") as fh:
            for line in fh:
                assert set(json.loads(line)) <= allowed


@pytest.mark.data
def test_loader_merges_labels_and_checks_hash(tmp_path: Path) -> None:
    require_data(data_root())
    src = REPO / "data" / "annotations"
    rows = [json.loads(x) for x in (src / "assertions.candidates.jsonl").read_text(encoding="utf-8").splitlines()[:3]]
    (tmp_path / "assertions.candidates.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = load_items("assertions", annotation_dir=tmp_path)[0]
    word = first.text.split()[0]
    (tmp_path / "assertions.labels.pass1.jsonl").write_text(
        json.dumps({"item_id": first.item_id, "label": "unhedged", "cues": [word]}) + "\n", encoding="utf-8"
    )
    merged = load_items("assertions", annotation_dir=tmp_path)[0]
    assert merged.label_pass1 == "unhedged" and merged.label_pass2 is None
    ((s, e),) = merged.cues_pass1
    assert merged.document.text[s:e].lower() == word.lower()

    (tmp_path / "assertions.labels.pass2.jsonl").write_text(
        json.dumps({"item_id": first.item_id, "label": "scare"}) + "\n", encoding="utf-8"
    )
    with pytest.raises(AnnotationError, match="pass2.jsonl:1: label 'scare'"):
        load_items("assertions", annotation_dir=tmp_path)
    (tmp_path / "assertions.labels.pass2.jsonl").unlink()

    rows[0]["doc_sha256"] = sha256_text("something else")
    (tmp_path / "assertions.candidates.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(AnnotationError, match="sha256 mismatch"):
        load_items("assertions", annotation_dir=tmp_path)
