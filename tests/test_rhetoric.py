"""Tests for slant.rhetoric and the candidate heads: cue finding, features, the shipped heads' decisions,
offsets, and the recorded figures."""

from __future__ import annotations

import json
import math
import threading

import pytest
from conftest import require_data
from hypothesis import given, settings
from hypothesis import strategies as st

from slant.candidates import quote_candidate, sentence_candidate
from slant.head_spans import decisions
from slant.quotes import find_quotations
from slant.resolve import data_root, shipped_dir
from slant.rhetoric.assertion_features import assertion_features, is_boilerplate, is_headline, is_site_furniture
from slant.rhetoric.baselines import assertion_baseline, quote_baseline
from slant.rhetoric.context import TextContext
from slant.rhetoric.lexicons import cue_matcher
from slant.rhetoric.quote_features import quote_features
from slant.tagger import default_tagger

DATA_DIR = shipped_dir("data")
RESULTS = DATA_DIR / "annotations" / "RESULTS.json"
RHETORIC_LABELS = ("scare_quote", "unhedged_assertion")


def rhetoric_spans(text: str):
    """The shipped model's scare-quote and unhedged-assertion spans, as ``classify()`` returns them."""
    return [s for s in default_tagger().classify(text) if s.label in RHETORIC_LABELS]


def head_decision(text: str, start: int, end: int) -> tuple[str, float]:
    """(label, calibrated score) of the quotation or sentence at [start, end), decided as ``classify()`` decides
    it: the shipped model's head over the same encoder pass."""
    tagger = default_tagger()
    ctx = TextContext.build(text)
    quote = next((q for q in ctx.quotations if (q.start, q.end) == (start, end)), None)
    candidate = quote_candidate(ctx, quote) if quote is not None else sentence_candidate(ctx, start, end)
    decided = decisions(tagger, tagger.predict_tokens([text], with_hidden=True)[0], [candidate])[0]
    assert decided is not None
    return decided


def quote_label(text: str, quoted: str) -> str:
    q = next(q for q in TextContext.build(text).quotations if text[q.inner_start : q.inner_end] == quoted)
    return head_decision(text, q.start, q.end)[0]


# ---------------------------------------------------------------- lexicons and features


def test_cues_with_offsets() -> None:
    text = "Russia certainly sees it; I believe he believes it. It could\u2019ve been, could be."
    cues = cue_matcher().find(text)
    assert [(text[c.start : c.end], c.kind) for c in cues] == [
        ("certainly", "booster"),
        ("I believe", "hedge"),  # the first-person opinion marker, not the attribution "believes"
        ("believes", "attribution"),
        ("could", "hedge"),
        ("could be", "hedge"),
    ]


def test_cues_respect_bounds_and_word_edges() -> None:
    text = "Maybe. Mayday is not may-be; definitely."
    cues = cue_matcher().find(text, 7)
    assert [text[c.start : c.end] for c in cues] == ["definitely"]


def test_quote_features_read_the_context() -> None:
    text = 'Critics mocked the so-called "experts" on the panel. "We will not retreat," the minister told reporters.'
    ctx = TextContext.build(text)
    experts, retreat = ctx.quotations
    f = quote_features(ctx, experts)
    assert f["so_called"] == 1.0 and f["len=1"] == 1.0 and "said_after" not in f
    g = quote_features(ctx, retreat)
    assert g["said_after"] == 1.0 and g["inner_end_comma"] == 1.0 and g["inner_first_second_person"] == 1.0


def test_assertion_features_read_the_cues() -> None:
    text = "The minister said the sanctions had clearly failed."
    f = assertion_features(TextContext.build(text), 0, len(text))
    assert f["a:said"] == 1.0 and f["b:clearly"] == 1.0 and f["booster_any"] == 1.0


def test_baselines() -> None:
    text = (
        'They praised the "reform" again, at length and in every provincial newspaper of the country.\n'
        '"This is a long quotation of five words," he said.'
    )
    ctx = TextContext.build(text)
    assert [quote_baseline(ctx, q) for q in ctx.quotations] == ["scare", "direct"]
    s = "The plan is clearly a failure."
    assert assertion_baseline(TextContext.build(s), 0, len(s)) == "unhedged"
    s = "The plan may clearly fail."
    assert assertion_baseline(TextContext.build(s), 0, len(s)) == "hedged"


# ---------------------------------------------------------------- the shipped model's candidate heads


def test_unhedged_with_booster_cue() -> None:
    text = "Russia certainly sees South Korea as a vassal."
    assert head_decision(text, 0, len(text))[0] == "unhedged"
    (span,) = rhetoric_spans(text)
    assert [(text[a:b], word) for a, b, word in span.cues] == [("certainly", "certainly")]


def test_hedged_is_not_unhedged() -> None:
    text = "Russia may see South Korea as a vassal."
    assert head_decision(text, 0, len(text))[0] != "unhedged"


def test_attributed() -> None:
    text = "Smith said the plan was a disaster."
    assert head_decision(text, 0, len(text))[0] == "attributed"


def test_scare_quote() -> None:
    text = (
        "Once again the capital was praised as a \u201cbeacon of democracy\u201d while protesters were "
        "beaten in its squares."
    )
    assert quote_label(text, "beacon of democracy") == "scare"


def test_direct_quote() -> None:
    text = (
        "\u201cWe will not retreat from the eastern villages, whatever the cost to the army,\u201d the minister said."
    )
    assert quote_label(text, "We will not retreat from the eastern villages, whatever the cost to the army,") == (
        "direct"
    )


def test_title() -> None:
    text = "The documentary \u201cA Quiet Winter In The North\u201d opens in cinemas next week."
    assert quote_label(text, "A Quiet Winter In The North") == "title"


def test_rhetoric_spans_on_a_paragraph() -> None:
    sneer = 'The so-called "experts" on the panel had never visited the region.'
    assert ("scare_quote", '"experts"') in {(s.label, s.text) for s in rhetoric_spans(sneer)}
    text = (
        "Clearly, the minister lied to parliament.\n"
        '"We will not retreat from the villages," the minister told reporters on Tuesday.'
    )
    spans = rhetoric_spans(text)
    labels = {(s.label, s.text) for s in spans}
    assert ("unhedged_assertion", "Clearly, the minister lied to parliament.") in labels
    assert not any("retreat" in s.text for s in spans)  # a direct quote, and an attributed sentence
    unhedged = next(s for s in spans if s.text.startswith("Clearly"))
    assert [(t, text[a:b]) for a, b, t in unhedged.cues] == [("Clearly", "Clearly")]
    assert all(0.0 <= s.score <= 1.0 for s in spans)


def test_empty_and_blank_text() -> None:
    assert rhetoric_spans("") == []
    assert rhetoric_spans(" \n\t ") == []


def test_thread_safe() -> None:
    text = 'The so-called "experts" clearly failed. They may be right.\n' * 20
    expected = rhetoric_spans(text)
    results: list[list] = []

    def work() -> None:
        results.append(rhetoric_spans(text))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


_ALPHABET = st.sampled_from(
    list("abcdefgh ABC.,;:!?\n\u2014-'\"\u201c\u201d\u2018\u2019\u00ab\u00bb()0123")
    + ["certainly ", "may ", "said ", "so-called ", "clearly ", "\u2019s ", "I think "]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_offsets_exact_on_arbitrary_text(text: str) -> None:
    for span in rhetoric_spans(text):
        assert span.text == text[span.start : span.end]
        assert span.text == span.text.strip() and span.text
        for start, end, word in span.cues:
            assert span.start <= start < end <= span.end
            assert text[start:end] == word
        if span.label == "scare_quote":
            assert any((q.start, q.end) == (span.start, span.end) for q in find_quotations(text))


# ---------------------------------------------------------------- the recorded figures


def _close(a, b, path: str = "") -> None:
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None and b is not None and math.isclose(a, b, abs_tol=1e-6), path
    else:
        assert a == b, path


def test_f1_bootstrap_resamples_documents_and_pairs_the_systems() -> None:
    from slant.rhetoric.evaluation import f1_bootstrap

    gold = ["scare", "direct"] * 20
    perfect, flipped = list(gold), ["direct" if g == "scare" else "scare" for g in gold]
    half = [g if i % 4 < 2 else "direct" for i, g in enumerate(gold)]  # finds every other scare quote
    groups = [f"doc{i // 4}" for i in range(len(gold))]
    boot = f1_bootstrap(gold, {"perfect": perfect, "half": half, "flipped": flipped, "same": perfect}, "scare", groups)
    assert boot["units"] == 10
    assert boot["f1_ci95"]["perfect"] == [1.0, 1.0]
    assert boot["f1_ci95"]["flipped"] == [0.0, 0.0]
    assert boot["difference_ci95"]["perfect - same"] == [0.0, 0.0]  # paired: the same resamples for both
    # Each document holds one found and one missed scare quote, so resampling documents cannot move recall.
    assert boot["f1_ci95"]["half"] == pytest.approx([2 / 3, 2 / 3])
    uneven = ["scare" if i < 8 else "direct" for i in range(len(gold))]  # 4 found, all in two documents
    lo, hi = f1_bootstrap(gold, {"uneven": uneven}, "scare", groups)["f1_ci95"]["uneven"]
    assert lo < 8 / 28 < hi and hi - lo > 0.2  # F1 = 2 * 4 / (8 + 20), and which documents are drawn matters


@pytest.mark.data
@pytest.mark.parametrize("kind", ["quotes", "assertions"])
def test_report_figures_match_results_json(kind: str) -> None:
    from slant.rhetoric.evaluation import evaluate_rhetoric

    require_data(data_root() / "basil")
    require_data(DATA_DIR / "annotations" / f"{kind}.labels.pass1.jsonl")
    recorded = json.loads(RESULTS.read_text(encoding="utf-8"))[kind]
    _close(evaluate_rhetoric(kind, "report"), recorded)


@pytest.mark.parametrize(
    "sentence",
    [
        "The original source of this article is The Daily Example.",
        "Feel free to repost and share widely our articles.",
        "The Example Institute will not be responsible for any inaccurate statement in this article.",
        "This material is distributed without profit to readers interested in research.",
        'We make such material available under the provisions of "fair use".',
        "Copyright Example Media, 2024.",
    ],
)
def test_site_furniture_is_not_an_assertion(sentence: str) -> None:
    assert is_boilerplate(sentence)
    assert not rhetoric_spans(sentence)  # neither an assertion nor a scare quote ("fair use")


@pytest.mark.parametrize(
    "sentence",
    [
        "The ministry is responsible for the budget, and it clearly failed.",
        "The sanctions have clearly failed.",
        "Officials shared the report with reporters.",
    ],
)
def test_claims_are_not_site_furniture(sentence: str) -> None:
    assert not is_boilerplate(sentence)
    assert not is_site_furniture(sentence)


@pytest.mark.parametrize(
    "line",
    [
        "[Birds Not Bombs: Let's Fight for a World of Peace, Not War](#)",  # a banner link
        "Kiev's Refusal to Maintain Ceasefire Violates UNSC Resolution - Russia",  # a headline
        "Jane Doe is an independent geopolitical and military analyst.",  # an author's bio line
        "John Smith is a senior fellow at the Example Institute.",
    ],
)
def test_headlines_and_bios_are_site_furniture(line: str) -> None:
    assert is_site_furniture(line)
    text = f"The sanctions have clearly failed, and everyone knows it.\n\n{line}\n"
    start = text.index(line)
    spans = [s for s in rhetoric_spans(text) if s.label == "unhedged_assertion"]
    assert all(s.end <= start for s in spans), [s.text for s in spans]


@pytest.mark.parametrize(
    "sentence",
    [
        "BIDEN BLACKMAILED UKRAINE WITH A BILLION IN TAX DOLLARS.",  # meme captions shout their claims
        "His rival, Hillary Clinton, captured Virginia, Georgia, Arkansas, Alabama, Texas and Tennessee.",
        "[As long as the narrative is kept alive, anything goes](#).",  # a linked claim in the author's prose
        "Putin is a war criminal.",
    ],
)
def test_shouted_or_linked_claims_are_not_headlines(sentence: str) -> None:
    assert not is_headline(sentence)
    assert not is_site_furniture(sentence)


def test_separator_lines_are_not_assertions() -> None:
    text = "The sanctions have clearly failed.\n\n*\n\n* * *\n\n---\n\nEveryone knows this war is lost.\n"
    claims = [s.text for s in rhetoric_spans(text) if s.label == "unhedged_assertion"]
    assert claims, "the two claims around the separators should still be found"
    assert all(any(ch.isalpha() for ch in claim) for claim in claims), claims
