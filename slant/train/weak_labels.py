"""Weak supervision for both classifiers, built from the corpora at training time only (never shipped).

Every labelling rule is deliberately conservative: it keeps the cases it is sure of and skips the rest.
Documents that hold a hand-labelled candidate (and, for BASIL, every article of the same story triplet,
which repeats the same quotations) are left out, so no REPORT text reaches training through this back door.

Quotations:
- PolNeAR train: a quotation inside an attributed Content span is ``direct``.
- BASIL: a loaded-wording (lexical) span inside a speaker's quote is ``direct``; a short quotation that is a
  lexical span outside any speaker's quote and has no reporting verb nearby is ``scare``.
- PTC train: a short quotation covered by a technique span, with no reporting verb, "call" or ", he said"
  nearby (and, when other quotations share its sentence, no speech verb in the sentence), is ``scare``.
- All of these: a Title-Case quotation after "the film", "titled", "Operation" ... is ``title``; one after
  "the word", "the term" ... is ``mention``; a plain phrase after "so-called", "supposedly", "what they
  call" is ``scare`` (rules from the guidelines, to give the rare classes some weight).

Sentences: SFU and BioScope speculation cues (epistemic ones only) and Pei & Jurgens low certainty give
``hedged``; PolNeAR content spans give ``attributed``; PTC technique spans, BASIL lexical spans, Pei & Jurgens
high certainty and subjective words (MPQA, Recasens, used here only) without hedge or attribution give
``unhedged``; the CoNLL-2010 Wikipedia "certain" sentences and cue-free, technique-free news sentences give
``neutral``.
"""

from __future__ import annotations

import csv
import html
import json
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from slant.corpora.annotations import ANNOTATION_DIR
from slant.corpora.base import Document, GoldSpan
from slant.resolve import data_root
from slant.text.assertion_features import assertion_features
from slant.text.context import TextContext
from slant.text.lexicons import cue_matcher
from slant.text.quote_features import quote_features

# Speculation cues that are hedges of a claim in news; "if", "or", "can", "should", "whether" are not.
EPISTEMIC = frozenset(
    [
        "may",
        "might",
        "could",
        "possibly",
        "possible",
        "perhaps",
        "probably",
        "probable",
        "likely",
        "unlikely",
        "apparently",
        "appear",
        "appears",
        "appeared",
        "seem",
        "seems",
        "seemed",
        "suggest",
        "suggests",
        "suggested",
        "suggesting",
        "presumably",
        "maybe",
        "think",
        "believe",
        "guess",
        "suspect",
        "doubt",
        "unclear",
        "potentially",
        "putative",
        "putatively",
        "allegedly",
        "reportedly",
        "supposedly",
        "indicate",
        "indicates",
        "seemingly",
        "conceivably",
    ]
)
# PTC techniques whose spans carry the author's evaluation (unhedged claims when not attributed).
EVALUATIVE_TECHNIQUES = frozenset(
    {
        "Loaded_Language",
        "Name_Calling,Labeling",
        "Exaggeration,Minimisation",
        "Doubt",
        "Black-and-White_Fallacy",
        "Causal_Oversimplification",
        "Thought-terminating_Cliches",
        "Appeal_to_fear-prejudice",
        "Whataboutism,Straw_Men,Red_Herring",
    }
)
SHORT_QUOTE_WORDS = 4


@dataclass(slots=True)
class WeakExample:
    features: dict[str, float]
    label: str
    source: str
    group: str  # document id, for grouped splits
    # Where the example lies: the candidate heads read its tokens from the encoder, the feature models not.
    text: str = ""
    start: int = 0
    end: int = 0


# ---------------------------------------------------------------- which documents to leave out


@cache
def candidate_documents() -> frozenset[tuple[str, str]]:
    """(corpus, doc id) of every hand-label candidate, and ("basil-story", triplet id) of their stories."""
    out: set[tuple[str, str]] = set()
    for kind in ("quotes", "assertions"):
        with open(ANNOTATION_DIR / f"{kind}.candidates.jsonl", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    out.add((row["corpus"], row["doc_id"]))
                    if row["corpus"] == "basil":
                        out.add(("basil-story", row["doc_id"].rsplit("_", 1)[0]))
    return frozenset(out)


def _basil_docs(root: str | None) -> list[Document]:
    from slant.corpora.basil import read_basil

    skip = candidate_documents()
    return [d for d in read_basil("all", root) if ("basil-story", d.id.rsplit("_", 1)[0]) not in skip]


def _ukraine_articles(root: str | None) -> list:
    from slant.corpora.ukraine_news import read_ukraine_news

    skip = candidate_documents()
    return [a for a in read_ukraine_news(root) if ("ukraine-news-bias", a.id) not in skip]


def _cap(examples: list[WeakExample], n: int, rng: random.Random) -> list[WeakExample]:
    return examples if len(examples) <= n else rng.sample(examples, n)


# ---------------------------------------------------------------- quotations


def _quote_rule_label(f: dict[str, float]) -> str | None:
    """Title, mention and the guidelines' explicit scare cues by rule (the corpora do not label them)."""
    if f.get("title_before") and f.get("title_case"):
        return "title"
    if (f.get("so_called") or f.get("distance_before") or f.get("what_they_call")) and not f.get("title_case"):
        return "scare"  # guidelines 2.4: "so-called", "alleged", "supposed", "what they call" + a plain phrase
    if f.get("mention_cue") and not f.get("attr_sentence") and f.get("len=1", 0) + f.get("len=2", 0):
        return "mention"
    return None


def _attributed(f: dict[str, float]) -> bool:
    keys = ("attr_left", "attr_right", "attr_sentence", "said_after", "call_before", "colon_before")
    return any(f.get(k) for k in keys)


def _words(text: str, q) -> int:
    return len(text[q.inner_start : q.inner_end].split())


def _polnear_quotes(root: str | None, inner_words: bool) -> Iterator[WeakExample]:
    from slant.corpora.polnear import read_polnear

    for doc in read_polnear("train", root):
        ctx = TextContext.build(doc.text)
        contents = [s for s in doc.spans if s.technique == "content"]
        for q in ctx.quotations:
            f = quote_features(ctx, q, inner_words)
            label = _quote_rule_label(f)
            if label is None and any(s.start <= q.inner_start and q.inner_end <= s.end + 1 for s in contents):
                label = "direct"
            if label:
                yield WeakExample(f, label, "polnear", f"polnear/{doc.id}", doc.text, q.start, q.end)


def _basil_quotes(root: str | None, inner_words: bool) -> Iterator[WeakExample]:
    for doc in _basil_docs(root):
        ctx = TextContext.build(doc.text)
        lexical = [s for s in doc.spans if s.technique == "lexical"]
        for q in ctx.quotations:
            f = quote_features(ctx, q, inner_words)
            label = _quote_rule_label(f)
            if label is None:
                for s in lexical:
                    if not (s.start < q.inner_end and q.inner_start < s.end):
                        continue
                    if getattr(s, "in_quote", False):
                        label = "direct"
                    elif _words(doc.text, q) <= SHORT_QUOTE_WORDS and not _attributed(f):
                        label = "scare"
                    break
            if label:
                yield WeakExample(f, label, "basil", f"basil/{doc.id}", doc.text, q.start, q.end)


def _ptc_quotes(root: str | None, inner_words: bool) -> Iterator[WeakExample]:
    from slant.corpora.ptc import read_ptc2020

    for doc in read_ptc2020("train", root):
        ctx = TextContext.build(doc.text)
        for q in ctx.quotations:
            f = quote_features(ctx, q, inner_words)
            label = _quote_rule_label(f)
            if label is None and _words(doc.text, q) <= SHORT_QUOTE_WORDS and not _attributed(f):
                covered = any(
                    s.start <= q.inner_start + 1 and q.inner_end - 1 <= s.end and s.end - s.start < q.end - q.start + 40
                    for s in doc.spans
                )
                # Several quotations in one sentence are usually one speaker's words, unless no speaker is
                # in the sentence at all (an author stringing their own scare quotes together).
                several = f.get("other_quotes_in_sentence") and not f.get("no_speech_in_sentence")
                if covered and not f.get("sentence_whole") and not several:
                    label = "scare"
            if label:
                yield WeakExample(f, label, "ptc", f"ptc/{doc.id}", doc.text, q.start, q.end)


def weak_quotes(root: str | None = None, seed: int = 0, inner_words: bool = False) -> list[WeakExample]:
    """Weakly labelled quotations; ``direct`` is capped so that it does not drown the rare classes."""
    rng = random.Random(seed)
    root = str(data_root(root))
    examples = [
        *_polnear_quotes(root, inner_words),
        *_basil_quotes(root, inner_words),
        *_ptc_quotes(root, inner_words),
    ]
    by_label: dict[str, list[WeakExample]] = {}
    for ex in examples:
        by_label.setdefault(ex.label, []).append(ex)
    caps = {"direct": 1500, "scare": 1500, "title": 400, "mention": 400}
    out = []
    for label in sorted(by_label):
        out.extend(_cap(by_label[label], caps[label], rng))
    return out


# ---------------------------------------------------------------- sentences

_SUBJ_RE: re.Pattern[str] | None = None


def _subjective_pattern(root: str) -> re.Pattern[str]:
    """Strongly subjective words (MPQA, training time only: GPL, so never shipped) as one regex."""
    global _SUBJ_RE
    if _SUBJ_RE is None:
        words = set()
        path = Path(root) / "mpqa-subjectivity-lexicon" / "subjclueslen1-HLTEMNLP05.tff"
        with open(path, encoding="utf-8", errors="ignore") as fh:
            for line in fh:
                kv = dict(p.split("=", 1) for p in line.split() if "=" in p)
                if kv.get("type") == "strongsubj" and kv.get("priorpolarity") in ("negative", "positive"):
                    words.add(kv["word1"])
        alternation = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
        _SUBJ_RE = re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)
    return _SUBJ_RE


def _cue_kinds(text: str, start: int, end: int) -> set[str]:
    return {c.kind for c in cue_matcher().find(text, start, end)}


def _sentence_example(ctx: TextContext, start: int, end: int, label: str, source: str, group: str, bag: bool):
    return WeakExample(assertion_features(ctx, start, end, None, bag), label, source, group, ctx.text, start, end)


def _plain_sentences(texts: Iterable[tuple[str, str]], source: str, label: str, bag: bool) -> list[WeakExample]:
    """One-sentence texts (from sentence-level corpora) as examples with the given label."""
    out = []
    for group, s in texts:
        ctx = TextContext.build(s)
        out.append(_sentence_example(ctx, 0, len(s), label, source, group, bag))
    return out


def _detok(tokens: list[str]) -> str:
    s = " ".join(tokens)
    s = re.sub(r" ([.,;:!?%)])", r"\1", s)
    s = re.sub(r"([(]) ", r"\1", s)
    return re.sub(r" (n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", s)


def _sfu_hedged(root: str) -> list[tuple[str, str]]:
    out = []
    for path in sorted((Path(root) / "sfu-review-negation-speculation").glob("*/*.xml")):
        tree = ET.parse(path)
        for sent in tree.iter("SENTENCE"):
            tokens = [html.unescape(w.text or "") for w in sent.iter("W")]
            cues = [
                " ".join((w.text or "").lower() for w in c.iter("W"))
                for c in sent.iter("cue")
                if c.get("type") == "speculation"
            ]
            if 5 <= len(tokens) <= 45 and any(c in EPISTEMIC for c in cues):
                out.append((f"sfu/{path.parent.name}/{path.stem}", _detok(tokens)))
    return out


def _bioscope_hedged(root: str) -> list[tuple[str, str]]:
    out = []
    for name in ("abstracts.xml", "full_papers.xml"):
        tree = ET.parse(Path(root) / "bioscope" / name)
        for doc in tree.iter("Document"):
            doc_id = (doc.findtext("DocID") or "").strip()
            for sent in doc.iter("sentence"):
                cues = [(c.text or "").lower().strip() for c in sent.iter("cue") if c.get("type") == "speculation"]
                if any(c in EPISTEMIC for c in cues):
                    out.append((f"bioscope/{doc_id}", " ".join("".join(sent.itertext()).split())))
    return out


def _conll(root: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    certain, uncertain = [], []
    with open(Path(root) / "conll2010-wiki-sample" / "uncertainty-conll2010.csv", encoding="utf-8-sig") as fh:
        for i, (label, sentence) in enumerate(csv.reader(fh)):
            sentence = html.unescape(sentence)
            if len(sentence.split()) < 6:
                continue  # section titles
            (certain if label == "1" else uncertain).append((f"conll/{i}", sentence))
    return certain, uncertain


def _pei(root: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    low, high = [], []
    with open(Path(root) / "pei-jurgens-certainty" / "sentence-level-certainty.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            s = re.sub(r" ([.,;:!?%)])", r"\1", row["finding"])
            score = row["sentence-level-certainty"]
            if score <= 3.0:
                low.append((f"pei/{row['id']}", s))
            elif score >= 5.5:
                high.append((f"pei/{row['id']}", s))
    return low, high


SpanPicker = Callable[[Document], list[GoldSpan]]


def _news_sentences(
    docs: Iterable[Document], source: str, subj: re.Pattern[str], bag: bool, evaluative: SpanPicker
) -> Iterator[WeakExample]:
    """Sentences of news documents by rule.

    attributed: a PolNeAR content span covers at least half the sentence and a cue span lies in it.
    unhedged: an evaluative span (or two strongly subjective words), no hedge, no attribution, no quotation.
    neutral: no cue of any kind, no quotation, no subjective word, and no gold span of the corpus at all.
    """
    for doc in docs:
        ctx = TextContext.build(doc.text)
        contents = [s for s in doc.spans if s.technique == "content"]
        cue_spans = [s for s in doc.spans if s.technique == "cue"]
        marked = evaluative(doc)
        group = f"{source}/{doc.id}"
        for sent in ctx.sentences:
            a, b = sent.start, sent.end
            if len(doc.text[a:b].split()) < 5:
                continue
            covered = sum(max(0, min(b, s.end) - max(a, s.start)) for s in contents)
            if contents and covered >= 0.5 * (b - a) and any(s.start < b and a < s.end for s in cue_spans):
                yield _sentence_example(ctx, a, b, "attributed", source, group, bag)
                continue
            if covered:
                continue  # partly attributed: unclear
            kinds = _cue_kinds(doc.text, a, b)
            if "hedge" in kinds or "attribution" in kinds or ctx.quoted_chars(a, b):
                continue
            n_subj = len(subj.findall(doc.text, a, b))
            if any(s.start < b and a < s.end for s in marked) or n_subj >= 2:
                yield _sentence_example(ctx, a, b, "unhedged", source, group, bag)
            elif n_subj == 0 and not kinds and not any(s.start < b and a < s.end for s in doc.spans):
                yield _sentence_example(ctx, a, b, "neutral", source, group, bag)


def _ptc_evaluative(doc: Document) -> list[GoldSpan]:
    return [s for s in doc.spans if s.technique in EVALUATIVE_TECHNIQUES]


def _basil_evaluative(doc: Document) -> list[GoldSpan]:
    return [s for s in doc.spans if s.technique == "lexical" and not getattr(s, "in_quote", False)]


def _no_spans(doc: Document) -> list[GoldSpan]:
    return []


def _ukraine_sentences(root: str, bag: bool) -> Iterator[WeakExample]:
    """Ukraine-news sentences: crowd-subjective (majority) without hedge/attribution -> unhedged; judged
    objective by every worker, without any cue -> neutral."""
    for art in _ukraine_articles(root):
        ctx = TextContext.build(art.document.text)
        for s in art.sentences:
            kinds = _cue_kinds(ctx.text, s.start, s.end)
            if "hedge" in kinds or "attribution" in kinds or ctx.quoted_chars(s.start, s.end):
                continue
            subj_maj = s.scores.get("subjectivity.maj", 0.0)
            subj_int = s.scores.get("subjectivity.intensified", 0.0)
            if subj_maj > 0:
                yield _sentence_example(ctx, s.start, s.end, "unhedged", "ukraine", f"ukraine/{art.id}", bag)
            elif subj_int == 0 and not kinds:
                yield _sentence_example(ctx, s.start, s.end, "neutral", "ukraine", f"ukraine/{art.id}", bag)


# Rules whose labels disagreed with the guidelines' notion when read on TUNE: "two MPQA subjective words in
# PolNeAR" marks many plain reports, and a PTC sentence with no technique span is often still a claim.
DROPPED_RULES = frozenset({("polnear", "unhedged"), ("ptc", "neutral")})


def weak_assertions(root: str | None = None, seed: int = 0, bag: bool = True) -> list[WeakExample]:
    """Weakly labelled sentences from all sources, each source capped (the small domains keep a voice)."""
    from slant.corpora.polnear import read_polnear
    from slant.corpora.ptc import read_ptc2020

    rng = random.Random(seed)
    root = str(data_root(root))
    subj = _subjective_pattern(root)
    out: list[WeakExample] = []
    out += _cap(_plain_sentences(_sfu_hedged(root), "sfu", "hedged", bag), 1200, rng)
    out += _cap(_plain_sentences(_bioscope_hedged(root), "bioscope", "hedged", bag), 400, rng)
    certain, uncertain = _conll(root)
    out += _cap(_plain_sentences(certain, "conll", "neutral", bag), 600, rng)
    hedged_wiki = [(g, s) for g, s in uncertain if "hedge" in _cue_kinds(s, 0, len(s))]
    out += _cap(_plain_sentences(hedged_wiki, "conll", "hedged", bag), 400, rng)
    low, high = _pei(root)
    out += _cap(_plain_sentences(low, "pei", "hedged", bag), 300, rng)
    high = [(g, s) for g, s in high if not _cue_kinds(s, 0, len(s)) & {"hedge", "attribution"}]
    out += _cap(_plain_sentences(high, "pei", "unhedged", bag), 300, rng)
    news = [
        ("polnear", read_polnear("train", root), _no_spans),
        ("ptc", read_ptc2020("train", root), _ptc_evaluative),
        ("basil", _basil_docs(root), _basil_evaluative),
    ]
    caps = {"attributed": 1500, "unhedged": 1000, "neutral": 600}
    for source, docs, picker in news:
        by_label: dict[str, list[WeakExample]] = {}
        for ex in _news_sentences(docs, source, subj, bag, picker):
            by_label.setdefault(ex.label, []).append(ex)
        for label in sorted(by_label):
            if (source, label) not in DROPPED_RULES:
                out += _cap(by_label[label], caps[label], rng)
    out += list(_ukraine_sentences(root, bag))
    return out
