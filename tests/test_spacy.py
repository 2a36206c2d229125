"""The spaCy component: ``nlp.add_pipe("slant")`` on any pipeline, spans aligned to the Doc's tokens, batching,
displaCy, saving and loading. CI installs the ``spacy`` extra; elsewhere this module skips without spaCy."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

try:
    import spacy
except ImportError:
    if os.environ.get("CI") == "true":
        raise  # CI installs slant[spacy]: a missing spaCy is a broken setup
    pytest.skip('spaCy is not installed (pip install -e ".[spacy]")', allow_module_level=True)

from spacy import displacy
from spacy.tokens import Doc

from slant import palette, taxonomy
from slant.spacy_component import SlantComponent, shared_tagger, token_span
from slant.spans import Span
from tests.conftest import require_data

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO.parent / "shared" / "examples" / "north-korean-troops-opinion.txt"

# Texts that tokenizers disagree on: a BOM, CRLF, emoji (one with a skin-tone modifier), hyphens and dashes,
# straight and curly quotes, an ellipsis, a combining accent, a no-break space, a tab and URLs.
TEXTS = [
    '\ufeffThe so-called "experts" lied again.\r\nThey always lie! 😀 Shameful, disgraceful traitors... '
    "anti-American thugs—really?!\r\n",
    "Wake up, patriots!!! The corrupt elite's lies—and their 'democracy'—will destroy us all.\r\n\r\nNobody "
    "believes them.",
    "The regime’s “peace plan” is nothing more than propaganda, a cynical ploy by war-mongering Neo-Nazi thugs 👍🏽.",
    "Cafe\u0301 owners\u00a0say the reckless, catastrophic policy will obviously ruin every hard-working family.\t"
    "See https://example.org/a-b?c=d for the “facts”.",
    "",
    "Officials said the plan would be reviewed next week.",
]
BATCH = 4  # nlp.pipe batch size in the fixture: TEXTS arrive as two classify_batch calls (4 + 2)


class Recorder:
    """Wraps a Tagger's classify_batch: keeps every call's texts and the spans it returned."""

    def __init__(self, real):
        self.real = real
        self.calls: list[list[str]] = []
        self.results: dict[str, list[Span]] = {}

    def __call__(self, texts):
        texts = list(texts)
        self.calls.append(texts)
        result = self.real(texts)
        self.results.update(zip(texts, result, strict=True))
        return result


@pytest.fixture(scope="module")
def tagger():
    return shared_tagger()  # the model of spacy.blank("en").add_pipe("slant"): loaded once for the module


@pytest.fixture(scope="module")
def recorded(tagger):
    """Every Doc of TEXTS through a blank English pipeline with a sentencizer before slant, via nlp.pipe."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("slant")
    recorder = Recorder(tagger.classify_batch)
    tagger.classify_batch = recorder
    try:
        docs = list(nlp.pipe(TEXTS, batch_size=BATCH))
    finally:
        del tagger.classify_batch  # the instance attribute shadowed the method
    return nlp, docs, recorder


def expected_token_bounds(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Independently of spaCy's char_span: the first token ending after the span's first non-space character
    and the last token starting before its last one; their character boundaries."""
    piece = doc.text[start:end]
    a = start + len(piece) - len(piece.lstrip())
    b = end - (len(piece) - len(piece.rstrip()))
    first = next(t for t in doc if t.idx + len(t.text) > a)
    last = [t for t in doc if t.idx < b][-1]
    return first.idx, last.idx + len(last.text)


def assert_covers(doc: Doc, span, start: int, end: int) -> None:
    """The token span holds every character of doc.text[start:end] but whitespace, and ends on token bounds."""
    inside = [i for i in range(start, end) if not doc.text[i].isspace()]
    assert span.start_char <= inside[0] and inside[-1] < span.end_char
    assert (span.start_char, span.end_char) == expected_token_bounds(doc, start, end)
    assert span.start_char == doc[span.start].idx
    assert span.end_char == doc[span.end - 1].idx + len(doc[span.end - 1].text)


def test_spacy_finds_the_factory_and_colours_through_entry_points() -> None:
    # A fresh interpreter that never imports slant, run outside the checkout so that only the installed metadata
    # counts: spaCy itself finds the factory and displaCy the palette, and the model is not loaded for either;
    # then the component loads the model and tags a text without printing anything.
    code = (
        "import json, sys, spacy\n"
        "from spacy import displacy\n"
        "from spacy.language import Language\n"
        "from spacy.tokens import Span\n"
        "nlp = spacy.blank('en')\n"
        "doc = nlp('The corrupt elite lied.')\n"
        "doc.spans['slant'] = [Span(doc, 1, 3, 'loaded_language'), Span(doc, 2, 3, 'scare_quote')]\n"
        "html = displacy.render(doc, style='span', options={'spans_key': 'slant'})\n"
        "found = [Language.has_factory('slant'), 'slant.pipeline.tagger' in sys.modules, html]\n"
        "nlp.add_pipe('slant')\n"
        "doc = nlp('The so-called \"experts\" lied again.')\n"
        "found.append([s.label_ for s in doc.spans['slant']])\n"
        "print(json.dumps(found))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert out.returncode == 0, out.stderr
    has_factory, tagger_loaded, html, labels = json.loads(out.stdout)
    hint = "(reinstall slant so that its entry points are registered: pip install -e .)"
    assert has_factory, hint
    assert not tagger_loaded  # registering the factory costs no model load; add_pipe loads it
    for label in ("loaded_language", "scare_quote"):
        assert f"background: {palette.label_color(label)}" in html, hint
    assert "scare_quote" in labels
    assert out.stderr == ""  # loading the model and tagging print no library warnings, load reports or bars


def test_every_doc_gets_slants_spans_with_aligned_attrs(recorded) -> None:
    nlp, docs, recorder = recorded
    assert nlp.pipe_names == ["sentencizer", "slant"]
    assert sum(len(doc.spans["slant"]) for doc in docs) >= 10  # the model finds rhetoric in these texts
    for text, doc in zip(TEXTS, docs, strict=True):
        assert doc.text == text  # spaCy keeps the exact input: slant's offsets are into doc.text
        assert list(doc.sents) or not text  # the sentencizer's work is kept
        group = doc.spans["slant"]
        slant_spans = recorder.results[text]
        assert [s.label_ for s in group] == [s.label for s in slant_spans]
        assert group.attrs["scores"] == [s.score for s in slant_spans]
        assert group.attrs["char_spans"] == [[s.start, s.end] for s in slant_spans]
        assert group.attrs["cues"] == [[{"start": a, "end": b, "text": t} for a, b, t in s.cues] for s in slant_spans]
        assert group.attrs["unaligned"] == []
        assert {s.label_ for s in group} <= set(taxonomy.LABELS)
        for (start, end), cues in zip(group.attrs["char_spans"], group.attrs["cues"], strict=True):
            assert all(start <= c["start"] < c["end"] <= end and text[c["start"] : c["end"]] == c["text"] for c in cues)
    assert any(group.attrs["cues"] and any(group.attrs["cues"]) for group in (d.spans["slant"] for d in docs))


def test_nlp_pipe_sends_each_batch_to_classify_batch_once(recorded) -> None:
    _, _, recorder = recorded
    assert recorder.calls == [TEXTS[:BATCH], TEXTS[BATCH:]]


def test_token_spans_cover_slants_spans_at_the_token_boundaries(recorded) -> None:
    _, docs, _ = recorded
    spans = 0
    for doc in docs:
        group = doc.spans["slant"]
        for span, (start, end) in zip(group, group.attrs["char_spans"], strict=True):
            assert_covers(doc, span, start, end)
            assert doc.text[start:end].strip() in span.text
            spans += 1
    assert spans >= 10


@pytest.mark.data
def test_the_example_article_aligns(tagger) -> None:
    text = require_data(EXAMPLE).read_bytes().decode("utf-8")
    nlp = spacy.blank("en")
    nlp.add_pipe("slant")
    doc = nlp(text)
    group = doc.spans["slant"]
    assert len(group) >= 20 and group.attrs["unaligned"] == []
    for span, (start, end) in zip(group, group.attrs["char_spans"], strict=True):
        assert_covers(doc, span, start, end)


BLANK = spacy.blank("en")
hostile = st.text(alphabet=st.sampled_from(list("ab -—'\"\r\n\t.😀\ufeff\u00a0\u0301é")), min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(text=hostile, data=st.data())
def test_token_span_is_the_smallest_cover_of_any_range(text: str, data) -> None:
    doc = BLANK.make_doc(text)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    span = token_span(doc, start, end, "loaded_language")
    if not text[start:end].strip():
        assert span is None
        return
    assert span is not None and span.label_ == "loaded_language"
    assert_covers(doc, span, start, end)


def test_labels_and_min_score_filter(recorded, tagger) -> None:
    nlp, _, recorder = recorded
    text = TEXTS[0]
    spans = recorder.results[text]
    labels = sorted({s.label for s in spans})[:2]
    component = SlantComponent(tagger, labels=labels, min_score=0.3)
    doc = component.set_annotations(nlp.make_doc(text), spans)
    group = doc.spans["slant"]
    kept = [s for s in spans if s.label in labels and s.score >= 0.3]
    assert kept and len(kept) < len(spans)
    assert [s.label_ for s in group] == [s.label for s in kept]
    assert group.attrs["scores"] == [s.score for s in kept]


def test_config_options_and_a_bad_label(tagger) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("slant", config={"labels": ["scare_quote"], "spans_key": "rhetoric", "profile": "news"})
    doc = nlp('The so-called "experts" lied again.')
    assert "slant" not in doc.spans and [s.label_ for s in doc.spans["rhetoric"]] == ["scare_quote"]
    with pytest.raises(ValueError, match="no_such_label.*valid labels: loaded_language"):
        spacy.blank("en").add_pipe("slant", config={"labels": ["no_such_label"]})


def test_displacy_draws_the_spans(recorded) -> None:
    _, docs, _ = recorded
    doc = docs[0]
    colors = palette.label_colors()  # what the entry point gives displaCy (checked in a clean interpreter above)
    html = displacy.render(doc, style="span", options={"spans_key": "slant", "colors": colors}, page=True)
    assert len(doc.spans["slant"]) >= 3
    for span in doc.spans["slant"]:
        assert re.search(rf">\s*{span.label_}\s*<", html), span.label_
        assert f"background: {palette.label_color(span.label_)}" in html


def test_save_and_load_keep_the_config_not_the_model(recorded, tmp_path: Path) -> None:
    nlp, docs, _ = recorded
    nlp.to_disk(tmp_path / "pipeline")
    files = [p for p in (tmp_path / "pipeline").rglob("*") if p.is_file()]
    assert sum(p.stat().st_size for p in files) < 200_000  # config and vocab only: no model weights
    loaded = spacy.load(tmp_path / "pipeline")  # the factory comes from the entry point again
    assert loaded.pipe_names == ["sentencizer", "slant"]
    assert loaded.get_pipe("slant").tagger is nlp.get_pipe("slant").tagger  # the same model, not loaded twice
    assert loaded.config["components"]["slant"]["profile"] == "news"
    doc = loaded(TEXTS[0])
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["slant"]] == [
        (s.start_char, s.end_char, s.label_) for s in docs[0].spans["slant"]
    ]


def test_doc_serialisation_keeps_spans_and_attrs(recorded) -> None:
    nlp, docs, _ = recorded
    doc = docs[0]
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    group = again.spans["slant"]
    assert [(s.start, s.end, s.label_) for s in group] == [(s.start, s.end, s.label_) for s in doc.spans["slant"]]
    assert json.dumps(group.attrs, sort_keys=True) == json.dumps(doc.spans["slant"].attrs, sort_keys=True)


def test_an_empty_doc_gets_an_empty_group(recorded) -> None:
    _, docs, _ = recorded
    group = docs[TEXTS.index("")].spans["slant"]
    assert len(group) == 0 and group.attrs == {"scores": [], "cues": [], "char_spans": [], "unaligned": []}


def test_the_pipelines_meta_lists_the_labels(recorded, tagger) -> None:
    nlp, _, _ = recorded
    assert nlp.meta["labels"]["slant"] == list(taxonomy.LABELS)
    assert SlantComponent(tagger, labels=["scare_quote", "doubt"]).labels == ("doubt", "scare_quote")
