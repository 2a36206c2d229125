"""Tests for slant.model.rhetoric: cue finding, features, the shipped classifiers, offsets, and the recorded figures."""

from __future__ import annotations

import json
import math
import threading
from types import SimpleNamespace

import pytest
from conftest import require_data
from hypothesis import given, settings
from hypothesis import strategies as st

from slant.evaluation.rhetoric_baselines import assertion_baseline, quote_baseline
from slant.model.rhetoric import QUOTES_FILE, load_classifiers, model_dir, rhetoric_dir_for, rhetoric_spans
from slant.model.rhetoric.linear import LinearModel
from slant.pipeline.tagger import default_tagger
from slant.resolve import data_root, shipped_dir
from slant.text.assertion_features import assertion_features, is_boilerplate, is_headline, is_site_furniture
from slant.text.context import TextContext
from slant.text.lexicons import cue_matcher
from slant.text.quote_features import quote_features
from slant.text.quotes import find_quotations

DEFAULT_MODEL_DIR = shipped_dir("model")
DATA_DIR = shipped_dir("data")
RESULTS = DATA_DIR / "annotations" / "RESULTS.json"


def classifiers():
    loaded = load_classifiers(DEFAULT_MODEL_DIR / "rhetoric")
    assert loaded is not None, "model/rhetoric/{quotes,assertions}.json must ship with slant"
    return loaded


def quote_label(text: str, quoted: str) -> str:
    ctx = TextContext.build(text)
    q = next(q for q in ctx.quotations if text[q.inner_start : q.inner_end] == quoted)
    return quote_decision(ctx, q).label


def quote_decision(ctx: TextContext, q):
    """As ``classify()`` decides a quotation: with the shipped tagger's vectors and the cross-encoder."""
    from slant.model.rhetoric.vectors import span_vectors

    loaded = classifiers()
    vectors = span_vectors(default_tagger(), [ctx], [loaded.vector_spans(ctx)])[0]
    return loaded.quotes.decide(ctx, q, vectors, loaded.quotes.cross_scores([(ctx, q)])[0])


def sentence_decision(text: str):
    """As ``classify()`` decides a sentence: with the cross-encoder's probability when the model ships one."""
    ctx = TextContext.build(text)
    assertions = classifiers().assertions
    return assertions.decide(ctx, 0, len(text), cross=assertions.cross_scores([(ctx, 0, len(text))])[0])


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


# ---------------------------------------------------------------- the shipped classifiers


def test_models_load_from_model_dir() -> None:
    from slant.train.rhetoric import TRAINED_BY

    for name in ("quotes.json", "assertions.json"):
        model = LinearModel.load(DEFAULT_MODEL_DIR / "rhetoric" / name)
        assert model.positive in model.labels and 0.0 < model.threshold < 1.0
        assert model.meta["trained_by"] == TRAINED_BY


def test_unhedged_with_booster_cue() -> None:
    text = "Russia certainly sees South Korea as a vassal."
    d = sentence_decision(text)
    assert d.label == "unhedged"
    assert [(text[c.start : c.end], c.kind) for c in d.cues] == [("certainly", "booster")]


def test_hedged_is_not_unhedged() -> None:
    text = "Russia may see South Korea as a vassal."
    d = sentence_decision(text)
    assert d.label != "unhedged"
    assert [(text[c.start : c.end], c.kind) for c in d.cues] == [("may", "hedge")]


def test_attributed() -> None:
    assert sentence_decision("Smith said the plan was a disaster.").label == "attributed"


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
    assert ("scare_quote", '"experts"') in {(s.label, s.text) for s in rhetoric_spans(sneer, default_tagger())}
    text = (
        "Clearly, the minister lied to parliament.\n"
        '"We will not retreat from the villages," the minister told reporters on Tuesday.'
    )
    spans = rhetoric_spans(text, default_tagger())
    labels = {(s.label, s.text) for s in spans}
    assert ("unhedged_assertion", "Clearly, the minister lied to parliament.") in labels
    assert not any("retreat" in s.text for s in spans)  # a direct quote, and an attributed sentence
    unhedged = next(s for s in spans if s.text.startswith("Clearly"))
    assert [(t, text[a:b]) for a, b, t in unhedged.cues] == [("Clearly", "Clearly")]
    assert all(0.0 <= s.score <= 1.0 for s in spans)


def test_empty_and_blank_text() -> None:
    assert rhetoric_spans("", default_tagger()) == []
    assert rhetoric_spans(" \n\t ", default_tagger()) == []


def test_thread_safe() -> None:
    text = 'The so-called "experts" clearly failed. They may be right.\n' * 20
    expected = rhetoric_spans(text, default_tagger())
    results: list[list] = []

    def work() -> None:
        results.append(rhetoric_spans(text, default_tagger()))

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
    for span in rhetoric_spans(text, default_tagger()):
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
    from slant.evaluation.rhetoric import f1_bootstrap

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
    from slant.evaluation.rhetoric import evaluate_rhetoric

    require_data(data_root() / "basil")
    require_data(DATA_DIR / "annotations" / f"{kind}.labels.pass1.jsonl")
    recorded = json.loads(RESULTS.read_text(encoding="utf-8"))[kind]
    _close(evaluate_rhetoric(kind, "report"), recorded)


@pytest.mark.data
def test_against_scores_a_second_model_on_the_same_items(monkeypatch) -> None:
    import slant.evaluation.rhetoric as rhetoric
    from slant.evaluation.tables import rhetoric_tables

    require_data(data_root() / "basil")
    first, second = SimpleNamespace(model_dir="first"), SimpleNamespace(model_dir="second")

    def fake_predict(kind, items, tagger):  # "first" finds every unhedged sentence; "second" calls all unhedged
        gold = [it.label for it in items]
        model = gold if tagger is first else ["unhedged"] * len(items)
        return model, ["neutral"] * len(items)

    monkeypatch.setattr(rhetoric, "_predict", fake_predict)
    report = rhetoric.evaluate_rhetoric("assertions", "report", tagger=first, against=second)  # type: ignore[arg-type]
    assert report["model"]["positive"]["f1"] == 1.0
    assert 0 < report["against"]["positive"]["f1"] < 1
    lo, hi = report["bootstrap"]["difference_ci95"]["model - against"]
    assert 0 < lo <= 1 - report["against"]["positive"]["f1"] <= hi
    assert report["by_document_against"] and report["against_model"] == "second"
    titles = [t.title for t in rhetoric_tables(report)]
    assert any("against's unhedged" in str(t) for t in titles)


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
    assert not rhetoric_spans(sentence, default_tagger())  # neither an assertion nor a scare quote ("fair use")


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
    spans = [s for s in rhetoric_spans(text, default_tagger()) if s.label == "unhedged_assertion"]
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


def test_each_tagger_reads_its_own_rhetoric_files_else_the_shipped_ones(tmp_path):
    # A tagger that ships rhetoric/ (its vector models read its hidden states) uses it; any other falls back.
    assert rhetoric_dir_for(tmp_path) == model_dir()
    (tmp_path / "rhetoric").mkdir()
    (tmp_path / "rhetoric" / QUOTES_FILE).write_text("{}", encoding="utf-8")
    assert rhetoric_dir_for(tmp_path) == tmp_path / "rhetoric"
    assert rhetoric_dir_for(None) == model_dir()
    assert rhetoric_dir_for(DEFAULT_MODEL_DIR) == DEFAULT_MODEL_DIR / "rhetoric"


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("kind", ["quotes", "assertions"])
def test_training_reproduces_the_shipped_feature_models(kind: str, tmp_path) -> None:
    # The shipped files must be what `python -m slant.train.rhetoric` writes from this code and data (seeded).
    from slant.model.rhetoric import ASSERTIONS_FILE
    from slant.train.rhetoric import main as train_rhetoric

    require_data(data_root())
    # The cross-encoder (20 minutes of training) is left out here; its files are checked below and by the
    # REPORT figures (test_report_figures_match_results_json).
    train_rhetoric(["--out", str(tmp_path), "--no-vectors", "--no-cross", "--only", kind])
    name = QUOTES_FILE if kind == "quotes" else ASSERTIONS_FILE
    fresh = json.loads((tmp_path / name).read_text(encoding="utf-8"))
    assert fresh == json.loads((DEFAULT_MODEL_DIR / "rhetoric" / name).read_text(encoding="utf-8")), (
        f"model/rhetoric/{name} is not what training writes now: run python -m slant.train.rhetoric"
    )
    # The accurate model's feature models are the same files (they do not read the tagger): never a stale copy.
    accurate = DEFAULT_MODEL_DIR / "accurate" / "rhetoric" / name
    assert fresh == json.loads(accurate.read_text(encoding="utf-8")), (
        f"{accurate} is not what training writes now: "
        "run python -m slant.train.rhetoric --out model/accurate/rhetoric --model accurate"
    )


def test_separator_lines_are_not_assertions() -> None:
    text = "The sanctions have clearly failed.\n\n*\n\n* * *\n\n---\n\nEveryone knows this war is lost.\n"
    claims = [s.text for s in rhetoric_spans(text, default_tagger()) if s.label == "unhedged_assertion"]
    assert claims, "the two claims around the separators should still be found"
    assert all(any(ch.isalpha() for ch in claim) for claim in claims), claims


# ---------------------------------------------------------------- the assertion cross-encoder


def test_cross_encoder_window_marks_the_item_inside_its_paragraph() -> None:
    from slant.model.rhetoric.cross_encoder import CrossConfig, item_window

    text = "Another paragraph.\nThe war is lost. Officials deny it. Prices rose.\nNext paragraph."
    ctx = TextContext.build(text)
    start = text.index("Officials")
    end = text.index("Prices") - 1
    window = item_window(ctx, start, end, CrossConfig(left_chars=10, right_chars=6))
    assert window.text[window.start : window.end] == text[start:end]
    assert window.text == " is lost.  << Officials deny it. >>  Price"  # never crosses into another paragraph
    short = item_window(ctx, start, end, CrossConfig())
    assert short.text == "The war is lost.  << Officials deny it. >>  Prices rose."


@pytest.mark.parametrize("kind", ["quotes", "assertions"])
def test_shipped_cross_encoders_serve_both_models(kind: str) -> None:
    from slant.model.rhetoric import ASSERTION_CROSS_FILE, QUOTE_CROSS_FILE

    name = QUOTE_CROSS_FILE if kind == "quotes" else ASSERTION_CROSS_FILE
    shipped = DEFAULT_MODEL_DIR / "rhetoric" / name
    assert shipped.exists() and shipped.with_suffix(".json").exists()
    # It reads the base encoder, not the tagger: the accurate model holds no copy and uses these very files.
    accurate_dir = DEFAULT_MODEL_DIR / "accurate" / "rhetoric"
    assert not (accurate_dir / name).exists() and not (accurate_dir / name).with_suffix(".json").exists()
    accurate = load_classifiers(accurate_dir)
    assert accurate is not None
    classifier = classifiers().quotes if kind == "quotes" else classifiers().assertions
    twin = accurate.quotes if kind == "quotes" else accurate.assertions
    assert classifier.cross_model is not None and twin.cross_model is not None
    assert twin.cross_model.meta == classifier.cross_model.meta
    # Their mixes were fitted on the feature model's out-of-fold scores: the accurate folder's feature model
    # must be the same file (test_training_reproduces_the_shipped_feature_models checks it against training).
    assert twin.model.meta == classifier.model.meta


def test_shipped_cross_encoder_is_shared_by_both_models_and_changes_decisions() -> None:
    assertions = classifiers().assertions
    cross = assertions.cross_model
    assert cross is not None and cross.labels == sorted(["unhedged", "hedged", "attributed", "neutral"])
    assert cross.meta["tune_out_of_fold_f1_mixed"] > cross.meta["tune_out_of_fold_f1_alone"]
    # It takes the vector model's place for assertions, so it must be ahead of that mix on TUNE.
    assert assertions.vector_model is not None
    assert cross.meta["tune_out_of_fold_f1_mixed"] > assertions.vector_model.meta["tune_out_of_fold_f1_mixed"]
    # Its threshold and calibration were fitted on the feature model's out-of-fold scores: both must come from
    # the same TUNE labels (a sentence round added without retraining it fails here).
    assert cross.meta["n_hand_tune"] == assertions.model.meta["n_hand_tune"], (
        "the cross-encoder is stale: run python -m slant.train.rhetoric --only assertions"
    )
    # Training it again takes 20 minutes, too long for CI: at least its settings must be the ones training
    # uses now (a changed default without a retrained file fails here).
    from slant.model.rhetoric.cross_encoder import CrossConfig
    from slant.train.rhetoric import SEED

    assert cross.config == CrossConfig(seed=SEED), "run python -m slant.train.rhetoric to retrain the cross-encoder"
    text = "The sanctions have clearly failed, and everyone in Brussels knows it."
    ctx = TextContext.build(text)
    p = assertions.cross_scores([(ctx, 0, len(text))])[0]
    assert p is not None and 0.0 <= p <= 1.0
    with_cross = assertions.decide(ctx, 0, len(text), cross=p)
    without = assertions.decide(ctx, 0, len(text))
    assert with_cross.score != without.score  # the mix is really used
    # The probability of a sentence does not depend on the batch it is scored in (padding is masked).
    other = "Officials said on Tuesday that talks may resume next week in Geneva, according to diplomats."
    batch = assertions.cross_scores([(TextContext.build(other), 0, len(other)), (ctx, 0, len(text))])
    assert math.isclose(batch[1], p, abs_tol=1e-5)


def test_scare_quotes_are_decided_by_three_models_with_the_taggers_vectors() -> None:
    from slant.model.rhetoric.cross_encoder import CrossConfig
    from slant.model.rhetoric.vectors import span_vectors
    from slant.train.rhetoric import SEED

    quotes = classifiers().quotes
    cross, vm = quotes.cross_model, quotes.vector_model
    assert cross is not None and vm is not None and vm.cross_threshold is not None
    assert cross.config == CrossConfig(seed=SEED), "run python -m slant.train.rhetoric --only quotes"
    # Fitted on the same TUNE labels as the feature model (a quotation round added without retraining fails).
    assert cross.meta["n_hand_tune"] == quotes.model.meta["n_hand_tune"]
    # The three-way mean is used only where it led both two-way mixes on TUNE out-of-fold F1 by the margin: in the
    # default model; not in the accurate one, whose feature + vector mix was ahead.
    from slant.train.rhetoric import THREE_WAY_MARGIN

    accurate = load_classifiers(DEFAULT_MODEL_DIR / "accurate" / "rhetoric")
    assert accurate is not None and accurate.quotes.vector_model is not None
    for folder_vm in (vm, accurate.quotes.vector_model):
        best_pair = max(folder_vm.meta["tune_out_of_fold_f1_mixed"], cross.meta["tune_out_of_fold_f1_mixed"])
        leads = folder_vm.meta["tune_out_of_fold_f1_with_cross"] > best_pair + THREE_WAY_MARGIN
        assert leads == (folder_vm.cross_threshold is not None)
    text = 'The regime celebrated its "free and fair" election, in which the only opposing candidate was in prison.'
    ctx = TextContext.build(text)
    q = ctx.quotations[0]
    vectors = span_vectors(default_tagger(), [ctx], [classifiers().vector_spans(ctx)])[0]
    p = quotes.cross_scores([(ctx, q)])[0]
    assert p is not None and 0.0 <= p <= 1.0
    three = quotes.decide(ctx, q, vectors, p)
    assert three.score != quotes.decide(ctx, q, vectors).score  # the cross-encoder is really mixed in
    assert three.score != quotes.decide(ctx, q, cross=p).score  # and so are the vectors
    assert three.label == "scare"
    # classify() runs the same mix.
    assert [s.text for s in rhetoric_spans(text, default_tagger()) if s.label == "scare_quote"] == ['"free and fair"']


@pytest.mark.xfail(
    strict=True,
    reason="known miss of the quotation cross-encoder (data/annotations/README.md): with a reported speech "
    "sentence in the same short paragraph it scores these scare quotes near 0, and the three-way mix follows",
)
def test_scare_quotes_beside_a_reported_speech_sentence() -> None:
    # strict: the day a model finds them, this test fails until the xfail (and the README) are updated.
    text = (
        'Officials presented rather unclear satellite images as "proof" of the build-up. The sanctions have '
        'clearly failed; "We will not retreat," he told reporters. Critics of the so-called "reform" say pensions '
        "may fall.\n"
    )
    ctx = TextContext.build(text)
    labels = {text[q.inner_start : q.inner_end]: quote_decision(ctx, q).label for q in ctx.quotations}
    assert labels["proof"] == "scare" and labels["reform"] == "scare"
