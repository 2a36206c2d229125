"""Draw the candidate quotations and sentences for hand labelling (deterministic: fixed seed, sorted input).

    python data/annotations/sample_candidates.py [--root DATA_ROOT] [--seed 20240611]
    python data/annotations/sample_candidates.py --extend [--extend-seed 20250301]
    python data/annotations/sample_candidates.py --extend2 quotes      # the second TUNE-only round of quotations
    python data/annotations/sample_candidates.py --extend2 assertions  # ... and of sentences
    python data/annotations/sample_candidates.py --extend3 quotes      # the third TUNE-only round of quotations
    python data/annotations/sample_candidates.py --second-pass   # second pass over a third of every set
    python data/annotations/sample_candidates.py --extend-report quotes      # a REPORT round of quotations
    python data/annotations/sample_candidates.py --extend-report assertions  # ... and of sentences
    python data/annotations/sample_candidates.py --stratum-rates quotes --first 930   # positives per stratum

Writes data/annotations/quotes.candidates.jsonl and assertions.candidates.jsonl: offsets and document hashes
only, never corpus text. Strata are heuristics meant to over-represent the rare cases (scare quotes, boosted
sentences); they are stored with each item so the sampling can be undone (reweighted) when reporting.

``--extend`` keeps the first BASE_COUNT items of each file as they are and (re)draws the TUNE-only extension
after them (ids continue: q0431…, a0781…; part "tune", second_pass false). Its items come only from documents
that no REPORT item comes from: the train splits of PTC 2020, SemEval-2021 Task 6 and PolNeAR, and the BASIL
stories / ukraine-news-bias articles without a REPORT item (a BASIL story is excluded whole: its three
articles repeat the same quotations). A document whose text hash equals a REPORT document's is excluded too.
The check is made in code (:func:`report_free`) and asserted before writing.

``--extend2 KIND`` is a second TUNE-only round: it keeps the items drawn so far (690 quotations, 1090 sentences)
and appends a fresh draw from the same REPORT-free pool, minus every item already drawn (ids q0691… and a1091…,
seed 20261127; the sentences use seed + 1, as in ``--extend``). Quotations came first (scare quotes stayed the
scarcer class); the sentence round follows because TUNE's 131 unhedged sentences limit the assertion models.

``--extend3 quotes`` is a third round of quotations after the first 930 (ids q0931…, seed 20261129), drawn
only from the strata where TUNE's scare quotes turned up (short_no_verb 22%, gold_overlap 29%, short_with_verb
7%; every other stratum 3% or less, by ``--stratum-rates quotes --first 930``): scare_quote is the label still
far from its target.

``--extend-report KIND`` grows the REPORT part, which held too few positives (25 scare quotes, 75 unhedged
sentences) to tell two models apart: it keeps every item drawn so far and appends a fresh draw (part "report")
from the five original sources only (PTC 2020 dev, SemEval-2021 Task 6 dev, BASIL, PolNeAR dev,
ukraine-news-bias), minus every item already drawn, so no REPORT item comes from a train split that the TUNE
extensions read. Most items come from the strata where REPORT's positives turned up (``--stratum-rates KIND
--part report``); a seeded third of the new items, drawn without looking at any label, gets a second pass.

``--second-pass`` keeps every item and its part, and marks a seeded random sample of the extension items
(which had no second pass) ``second_pass``, so that at least a third of each set is labelled twice. The draw
does not look at any label. Run it after the extensions: ``--extend`` and ``--extend2`` reset the flags.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from anywhere, slant not installed

from slant.corpora.annotations import (  # noqa: E402
    ANNOTATION_DIR,
    CORPORA,
    EXTENSION_CORPORA,
    corpus_documents,
    corpus_sentences,
    independent_unit,
    sha256_text,
)
from slant.corpora.base import Document  # noqa: E402
from slant.text.quotes import Quotation, find_quotations  # noqa: E402
from slant.train.weak_labels import EVALUATIVE_TECHNIQUES  # noqa: E402

SEED = 20240611
TUNE_SHARE = 0.4
SECOND_PASS_SHARE = 0.4

# Quotation strata and how many to draw of each (sum 430 >= 360; the "likely scare" strata make up ~40%).
QUOTE_QUOTAS = {
    "short_no_verb": 130,
    "gold_overlap": 45,
    "title_like": 60,
    "short_with_verb": 55,
    "long_direct": 140,
}
# Sentence strata (sum 780 >= 720).
SENTENCE_QUOTAS = {"booster": 260, "hedge": 160, "attribution": 170, "neutral": 190}

# --extend: the TUNE-only extension. TUNE had only 15 scare quotes and 42 unhedged sentences, so the strata
# where positives are likely get most of the items; every other stratum keeps some (negatives of every kind).
EXTEND_SEED = 20250301
BASE_COUNT = {"quotes": 430, "assertions": 780}  # the original draw, left untouched by --extend
EXTEND_SOURCES = (*EXTENSION_CORPORA, "basil", "ukraine-news-bias")
EXTEND_QUOTE_QUOTAS = {
    "short_no_verb": 110,
    "gold_overlap": 60,
    "title_like": 25,
    "short_with_verb": 30,
    "long_direct": 35,
}
# "gold_overlap" here: a sentence without an attribution word overlapping a PTC evaluative technique span or
# a BASIL lexical (loaded wording) span -- the author's own loaded claims.
EXTEND_SENTENCE_QUOTAS = {"booster": 110, "gold_overlap": 70, "hedge": 40, "attribution": 45, "neutral": 45}
# --extend2: after base + extension (690 quotations, 1090 sentences), mostly the strata where the positives turned up.
EXTEND2_SEED = 20261127
SECOND_PASS_SEED = 20261128
EXTEND2_AFTER = {"quotes": 690, "assertions": 1090}
EXTEND2_QUOTE_QUOTAS = {
    "short_no_verb": 140,
    "gold_overlap": 60,
    "title_like": 10,
    "short_with_verb": 20,
    "long_direct": 10,
}
# The sentence round draws most where unhedged sentences turned up in the first extension (gold_overlap 46%,
# booster 35%, neutral 22%: --stratum-rates assertions --after 780 --first 1090) and keeps some of every stratum
# for the negatives.
EXTEND2_SENTENCE_QUOTAS = {"gold_overlap": 150, "booster": 120, "neutral": 40, "hedge": 30, "attribution": 20}
EXTEND2_QUOTAS = {"quotes": EXTEND2_QUOTE_QUOTAS, "assertions": EXTEND2_SENTENCE_QUOTAS}
# --extend3 quotes: after 930 quotations. short_with_verb keeps a share because TUNE's missed scare quotes
# include sneering words inside attributed sentences.
EXTEND3_SEED = 20261129
EXTEND3_AFTER = 930
EXTEND3_QUOTE_QUOTAS = {"short_no_verb": 170, "gold_overlap": 100, "short_with_verb": 30}
# --extend-report: REPORT's scare quotes turned up in short_no_verb (21%), gold_overlap (14%) and short_with_verb
# (9%); its unhedged sentences in booster (28%) and neutral (16%), and TUNE's in gold_overlap (46%). Every
# stratum keeps some items, so the REPORT part still holds negatives of every kind.
EXTEND_REPORT_SEED = 20261204
EXTEND_REPORT_AFTER = {"quotes": 1230, "assertions": 1450}  # the items drawn before the REPORT round
EXTEND_REPORT_QUOTAS = {
    "quotes": {"short_no_verb": 330, "gold_overlap": 90, "short_with_verb": 80, "title_like": 15, "long_direct": 15},
    "assertions": {"gold_overlap": 140, "booster": 110, "neutral": 40, "hedge": 20, "attribution": 20},
}
# Whataboutism is left out here: its spans are whole arguments rather than loaded wording.
EVALUATIVE_SPANS = (EVALUATIVE_TECHNIQUES - {"Whataboutism,Straw_Men,Red_Herring"}) | {"lexical"}

REPORTING = re.compile(
    r"\b(?:said|says|say|told|tells|wrote|writes|asked|asks|added|adds|stated|states|claimed|claims|declared|"
    r"tweeted|posted|explained|insisted|argued|warned|noted|replied|responded|according to|quoted|"
    r"announced|recalled|continued|shouted|testified|acknowledged|admitted|suggested|promised)\b",
    re.IGNORECASE,
)
BOOSTERS = re.compile(
    r"\b(?:certainly|clearly|undeniably|undoubtedly|obviously|of course|nothing more than|nothing but|"
    r"always|never|surely|definitely|indeed|in fact|without (?:a )?doubt|no doubt|plainly|evidently|"
    r"everyone knows|it is clear|there is no question|unquestionably|absolutely|inevitably|simply|"
    r"just another|mere|merely|entirely|totally|completely|truly|really|proves?|proven|all|every|nobody|"
    r"no one)\b",
    re.IGNORECASE,
)
HEDGES = re.compile(
    r"\b(?:may|might|could|possibly|perhaps|probably|likely|unlikely|appears?|appeared|seems?|seemed|suggests?|"
    r"apparently|allegedly|reportedly|supposedly|I think|I believe|arguably|somewhat|presumably|potentially|"
    r"it is possible|estimated|roughly|about|around|approximately|tend to|unclear)\b",
    re.IGNORECASE,
)
ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|according to|claimed|claims|stated|reported|reports|announced|wrote|added|"
    r"argued|insisted|warned|believes?|accused|denied|alleged)\b",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Candidate:
    corpus: str
    doc_id: str
    doc_sha256: str
    start: int
    end: int
    stratum: str
    inner_start: int | None = None
    inner_end: int | None = None
    item_id: str = ""
    part: str = ""
    second_pass: bool = False


def _overlaps_gold(doc: Document, q: Quotation) -> bool:
    """Does a PTC technique span or a BASIL lexical span overlap the quoted words?"""
    for s in doc.spans:
        if s.technique in ("source", "cue", "content", "attribution", "attribution-no-source", "discuss"):
            continue  # PolNeAR's spans are attribution, not loaded language
        if s.technique == "informational":
            continue  # clause-length BASIL spans overlap nearly everything
        if s.start < q.inner_end and q.inner_start < s.end:
            return True
    return False


def quote_stratum(doc: Document, q: Quotation) -> str:
    inner = doc.text[q.inner_start : q.inner_end]
    words = inner.split()
    window = doc.text[max(0, q.start - 80) : q.start] + " " + doc.text[q.end : q.end + 80]
    near_verb = bool(REPORTING.search(window))
    attributions = [s for s in doc.spans if s.technique == "content"]
    if attributions:
        # PolNeAR: inside an attributed Content span a quotation is a direct quote, outside it rarely is.
        near_verb = any(s.start <= q.start and q.end <= s.end + 1 for s in attributions)
    short = len(words) <= 4
    if short and _overlaps_gold(doc, q):
        return "gold_overlap"
    capitalised = sum(w[:1].isupper() for w in words)
    if (
        1 <= len(words) <= 8
        and capitalised >= max(2, math.ceil(0.6 * len(words)))
        and not inner.rstrip().endswith((",", "."))
    ):
        return "title_like"
    if short:
        return "short_with_verb" if near_verb else "short_no_verb"
    return "long_direct"


def sentence_stratum(sentence: str) -> str:
    if BOOSTERS.search(sentence) and not ATTRIBUTION.search(sentence):
        return "booster"
    if HEDGES.search(sentence) and not ATTRIBUTION.search(sentence):
        return "hedge"
    if ATTRIBUTION.search(sentence):
        return "attribution"
    if BOOSTERS.search(sentence):
        return "booster"
    return "neutral"


def _allocate(pools: dict[str, list[Candidate]], quota: int) -> dict[str, int]:
    """Split ``quota`` over corpora in proportion to sqrt(pool size), so small corpora still get items."""
    weights = {c: math.sqrt(len(p)) for c, p in pools.items() if p}
    total = sum(weights.values()) or 1.0
    want = {c: min(len(pools[c]), int(round(quota * w / total))) for c, w in weights.items()}
    # Hand the shortfall (rounding, small pools) to the corpora that still have items, largest pools first.
    short = quota - sum(want.values())
    for c in sorted(weights, key=lambda c: -len(pools[c])):
        extra = min(short, len(pools[c]) - want[c])
        want[c] += extra
        short -= extra
    return want


def _draw(
    cands: list[Candidate], quotas: dict[str, int], rng: random.Random, sources: tuple[str, ...] = tuple(CORPORA)
) -> list[Candidate]:
    """Per stratum, ``quotas[stratum]`` items spread over ``sources`` (in that order: it fixes the draws)."""
    by: dict[str, dict[str, list[Candidate]]] = defaultdict(lambda: defaultdict(list))
    for c in cands:
        by[c.stratum][c.corpus].append(c)
    out: list[Candidate] = []
    for stratum in quotas:
        pools = {corpus: by[stratum].get(corpus, []) for corpus in sources}
        for corpus, n in _allocate(pools, quotas[stratum]).items():
            out.extend(rng.sample(pools[corpus], n))
    return out


def _assign(items: list[Candidate], prefix: str, rng: random.Random) -> list[Candidate]:
    """Shuffle, number, split tune/report 40/60 within each corpus (and stratum), pick the 40% second pass."""
    rng.shuffle(items)
    for i, item in enumerate(items, 1):
        item.item_id = f"{prefix}{i:04d}"
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for item in sorted(items, key=lambda c: (c.corpus, c.stratum, rng.random())):
        groups[item.corpus].append(item)
    for group in groups.values():
        for i, item in enumerate(group):
            # Interleaved rounding spreads "tune" evenly over the stratum-sorted group.
            item.part = "tune" if math.floor((i + 1) * TUNE_SHARE) > math.floor(i * TUNE_SHARE) else "report"
    for item in rng.sample(items, round(SECOND_PASS_SHARE * len(items))):
        item.second_pass = True
    return sorted(items, key=lambda c: c.item_id)


def quote_candidates(root: str | None) -> list[Candidate]:
    out = []
    for corpus in CORPORA:
        for doc_id, doc in sorted(corpus_documents(corpus, root).items()):
            digest = sha256_text(doc.text)
            for q in find_quotations(doc.text):
                out.append(
                    Candidate(
                        corpus,
                        doc_id,
                        digest,
                        q.start,
                        q.end,
                        quote_stratum(doc, q),
                        q.inner_start,
                        q.inner_end,
                    )
                )
    return out


def sentence_candidates(root: str | None) -> list[Candidate]:
    out = []
    for corpus in CORPORA:
        docs = corpus_documents(corpus, root)
        for doc_id, sents in sorted(corpus_sentences(corpus, root).items()):
            text = docs[doc_id].text
            digest = sha256_text(text)
            for s in sents:
                sentence = text[s.start : s.end]
                if not 5 <= len(sentence.split()) <= 80:
                    continue  # headlines, datelines and run-on fragments make poor items
                out.append(Candidate(corpus, doc_id, digest, s.start, s.end, sentence_stratum(sentence)))
    return out


# ---------------------------------------------------------------- --extend


def _read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def report_free(base_rows: list[dict], root: str | None) -> Callable[[str, str], bool]:
    """A test (corpus, doc id) -> True when no REPORT item comes from that document (or a copy / sibling of it)."""
    report = [r for r in base_rows if r["part"] == "report"]
    docs = {(r["corpus"], r["doc_id"]) for r in report}
    hashes = {r["doc_sha256"] for r in report}
    stories = {r["doc_id"].rsplit("_", 1)[0] for r in report if r["corpus"] == "basil"}

    def ok(corpus: str, doc_id: str) -> bool:
        if (corpus, doc_id) in docs:
            return False
        if corpus == "basil" and doc_id.rsplit("_", 1)[0] in stories:
            return False
        return sha256_text(corpus_documents(corpus, root)[doc_id].text) not in hashes

    return ok


def _evaluative_overlap(doc: Document, start: int, end: int) -> bool:
    return any(s.technique in EVALUATIVE_SPANS and s.start < end and start < s.end for s in doc.spans)


def extension_pool(
    kind: str,
    root: str | None,
    ok: Callable[[str, str], bool],
    taken: set,
    sources: tuple[str, ...] = EXTEND_SOURCES,
) -> list[Candidate]:
    """Every candidate of ``kind`` in the documents of ``sources`` that ``ok`` accepts, minus the items already
    drawn."""
    out = []
    for corpus in sources:
        docs = corpus_documents(corpus, root)
        sentences = corpus_sentences(corpus, root) if kind == "assertions" else {}
        for doc_id, doc in sorted(docs.items()):
            if not ok(corpus, doc_id):
                continue
            digest = sha256_text(doc.text)
            if kind == "quotes":
                for q in find_quotations(doc.text):
                    stratum = quote_stratum(doc, q)
                    out.append(Candidate(corpus, doc_id, digest, q.start, q.end, stratum, q.inner_start, q.inner_end))
                continue
            for s in sentences.get(doc_id, ()):
                sentence = doc.text[s.start : s.end]
                if not 5 <= len(sentence.split()) <= 80:
                    continue
                stratum = sentence_stratum(sentence)
                if (
                    stratum != "attribution"
                    and not ATTRIBUTION.search(sentence)
                    and _evaluative_overlap(doc, s.start, s.end)
                ):
                    stratum = "gold_overlap"
                out.append(Candidate(corpus, doc_id, digest, s.start, s.end, stratum))
    return [c for c in out if (c.corpus, c.doc_id, c.start, c.end) not in taken]


def extend(
    kind: str,
    root: str | None,
    seed: int,
    folder: Path,
    keep: int | None = None,
    quotas: dict[str, int] | None = None,
) -> list[Candidate]:
    """Keep the first ``keep`` items of ``kind`` (default: the base draw), append a freshly drawn TUNE-only
    extension (``quotas``, default: the first extension's) of items not yet drawn; returns the extension."""
    path = folder / f"{kind}.candidates.jsonl"
    rows = _read_rows(path)
    keep = BASE_COUNT[kind] if keep is None else keep
    kept_rows = rows[:keep]
    quotes = kind == "quotes"
    ok = report_free(rows[: BASE_COUNT[kind]], root)  # REPORT items are all in the base draw
    taken = {(r["corpus"], r["doc_id"], r["start"], r["end"]) for r in kept_rows}
    pool = extension_pool(kind, root, ok, taken)
    rng = random.Random(seed + (0 if quotes else 1))
    quotas = quotas or (EXTEND_QUOTE_QUOTAS if quotes else EXTEND_SENTENCE_QUOTAS)
    new = _draw(pool, quotas, rng, EXTEND_SOURCES)
    rng.shuffle(new)
    prefix = "q" if quotes else "a"
    for i, c in enumerate(new, keep + 1):
        c.item_id, c.part, c.second_pass = f"{prefix}{i:04d}", "tune", False
    assert all(ok(c.corpus, c.doc_id) for c in new), "an extension item comes from a REPORT document"
    kept = [Candidate(**{k: r.get(k) for k in Candidate.__dataclass_fields__}) for r in kept_rows]
    _write(path, kept + new, quotes)
    return new


def extend_report(kind: str, root: str | None, folder: Path, seed: int = EXTEND_REPORT_SEED) -> list[Candidate]:
    """Keep the items of ``kind`` drawn before, append a REPORT round (EXTEND_REPORT_QUOTAS) drawn from the
    original sources (CORPORA) minus the items already drawn, and mark a seeded third of it ``second_pass``;
    returns the round."""
    path = folder / f"{kind}.candidates.jsonl"
    rows = _read_rows(path)[: EXTEND_REPORT_AFTER[kind]]
    quotes = kind == "quotes"
    sources = tuple(CORPORA)
    taken = {(r["corpus"], r["doc_id"], r["start"], r["end"]) for r in rows}
    pool = extension_pool(kind, root, lambda corpus, doc_id: True, taken, sources)
    rng = random.Random(seed + (0 if quotes else 1))
    new = _draw(pool, EXTEND_REPORT_QUOTAS[kind], rng, sources)
    rng.shuffle(new)
    prefix = "q" if quotes else "a"
    for i, c in enumerate(new, len(rows) + 1):
        c.item_id, c.part, c.second_pass = f"{prefix}{i:04d}", "report", False
    for c in rng.sample(new, math.ceil(len(new) / 3)):  # drawn before any label exists
        c.second_pass = True
    # Two filters on documents, applied after the draw (the dropped ids stay unused; no label is looked at):
    # - the weak labels read the BASIL stories and ukraine-news-bias articles that hold no candidate, so an item
    #   from one of those would put a weakly labelled copy of a REPORT item into training;
    # - the TUNE extensions come only from documents no REPORT item comes from (a BASIL story counting as one
    #   document: its three articles repeat the same quotations), and that stays true.
    before = [r for k, n in EXTEND_REPORT_AFTER.items() for r in _read_rows(folder / f"{k}.candidates.jsonl")[:n]]
    held = {independent_unit(r["corpus"], r["doc_id"]) for r in before}
    extension = {
        independent_unit(r["corpus"], r["doc_id"])
        for k, n in BASE_COUNT.items()
        for r in _read_rows(folder / f"{k}.candidates.jsonl")[n : EXTEND_REPORT_AFTER[k]]
    }
    new = [
        c
        for c in new
        if (c.corpus not in ("basil", "ukraine-news-bias") or independent_unit(c.corpus, c.doc_id) in held)
        and independent_unit(c.corpus, c.doc_id) not in extension
    ]
    # The filters dropped some second-pass items: top the second pass up to a third of what is kept (seeded,
    # still without looking at any label).
    missing = math.ceil(len(new) / 3) - sum(c.second_pass for c in new)
    if missing > 0:
        for c in random.Random(seed + 2).sample([c for c in new if not c.second_pass], missing):
            c.second_pass = True
    assert all(c.corpus in CORPORA for c in new), "a REPORT item comes from a train split"
    kept = [Candidate(**{k: r.get(k) for k in Candidate.__dataclass_fields__}) for r in rows]
    _write(path, kept + new, quotes)
    return new


def extend_second_pass(kind: str, folder: Path, seed: int = SECOND_PASS_SEED) -> list[Candidate]:
    """Mark extension items ``second_pass`` until at least a third of ``kind``'s items have one; returns them."""
    path = folder / f"{kind}.candidates.jsonl"
    items = [Candidate(**{k: r.get(k) for k in Candidate.__dataclass_fields__}) for r in _read_rows(path)]
    missing = math.ceil(len(items) / 3) - sum(c.second_pass for c in items)
    if missing <= 0:
        return []
    pool = [c for c in items[BASE_COUNT[kind] :] if not c.second_pass]
    chosen = random.Random(seed + (0 if kind == "quotes" else 1)).sample(pool, missing)
    for c in chosen:
        c.second_pass = True
    _write(path, items, kind == "quotes")
    return sorted(chosen, key=lambda c: c.item_id)


def _write(path: Path, items: list[Candidate], quotes: bool) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for c in items:
            row = asdict(c)
            if not quotes:
                row.pop("inner_start")
                row.pop("inner_end")
            order = ["item_id", "corpus", "doc_id", "doc_sha256", "start", "end", "inner_start", "inner_end"]
            ordered = {k: row[k] for k in order if k in row} | {k: row[k] for k in ("stratum", "part", "second_pass")}
            fh.write(json.dumps(ordered, ensure_ascii=False) + "\n")


def stratum_rates(
    kind: str, folder: Path, after: int = 0, first: int | None = None, part: str = "tune"
) -> dict[str, tuple[int, int]]:
    """Per stratum, (positive items, labelled items) among the ``part`` items of ``kind`` (items ``after`` + 1 to
    ``first`` only, when given), by pass 1: where the positives turned up, which each extension round drew from."""
    positive = "scare" if kind == "quotes" else "unhedged"
    labels = {r["item_id"]: r["label"] for r in _read_rows(folder / f"{kind}.labels.pass1.jsonl")}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in _read_rows(folder / f"{kind}.candidates.jsonl")[after:first]:
        if row["part"] == part and row["item_id"] in labels:  # "error" items count: a share of the draw
            counts[row["stratum"]][0] += labels[row["item_id"]] == positive
            counts[row["stratum"]][1] += 1
    return {stratum: (n_pos, n) for stratum, (n_pos, n) in sorted(counts.items())}


def _summary(name: str, items: list[Candidate]) -> None:
    print(f"{name}: {len(items)} items")
    for key in ("corpus", "stratum", "part", "second_pass"):
        print(f"  by {key}: {dict(sorted(Counter(str(getattr(c, key)) for c in items).items()))}")
    print(f"  corpus x part: {dict(sorted(Counter((c.corpus, c.part) for c in items).items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None, help="corpus root (default: slant.config.data_root())")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=ANNOTATION_DIR)
    parser.add_argument("--extend", action="store_true", help="(re)draw the TUNE-only extension, keep the rest")
    parser.add_argument("--extend-seed", type=int, default=EXTEND_SEED)
    parser.add_argument(
        "--extend2", choices=("quotes", "assertions"), help="(re)draw the second TUNE-only round of this kind"
    )
    parser.add_argument("--extend3", choices=("quotes",), help="(re)draw the third TUNE-only round of quotations")
    parser.add_argument("--second-pass", action="store_true", help="mark extension items for a second pass")
    parser.add_argument(
        "--stratum-rates", choices=("quotes", "assertions"), help="print each stratum's positive share on TUNE"
    )
    parser.add_argument("--first", type=int, default=None, help="with --stratum-rates: only the first N items")
    parser.add_argument("--after", type=int, default=0, help="with --stratum-rates: skip the first N items")
    parser.add_argument("--part", choices=("tune", "report"), default="tune", help="with --stratum-rates")
    parser.add_argument("--extend-report", choices=("quotes", "assertions"), help="draw a REPORT round of this kind")
    args = parser.parse_args()
    if args.extend_report:
        _summary(f"{args.extend_report} REPORT round", extend_report(args.extend_report, args.root, args.out))
        return
    if args.stratum_rates:
        rates = stratum_rates(args.stratum_rates, args.out, args.after, args.first, args.part)
        for stratum, (n_pos, n) in rates.items():
            print(f"{stratum:16s} {n_pos:4d} / {n:4d}  {n_pos / n:.0%}")
        return
    if args.second_pass:
        for kind in ("quotes", "assertions"):
            _summary(f"{kind} second-pass extension", extend_second_pass(kind, args.out))
        return
    if args.extend3:
        new = extend("quotes", args.root, EXTEND3_SEED, args.out, EXTEND3_AFTER, EXTEND3_QUOTE_QUOTAS)
        _summary("quotes extension 3", new)
        return
    if args.extend2:
        kind = args.extend2
        new = extend(kind, args.root, EXTEND2_SEED, args.out, EXTEND2_AFTER[kind], EXTEND2_QUOTAS[kind])
        _summary(f"{kind} extension 2", new)
        return
    if args.extend:
        for kind in ("quotes", "assertions"):
            _summary(f"{kind} extension", extend(kind, args.root, args.extend_seed, args.out))
        return

    quotes = _assign(
        _draw(quote_candidates(args.root), QUOTE_QUOTAS, random.Random(args.seed)),
        "q",
        random.Random(args.seed + 1),
    )
    sents = _draw(sentence_candidates(args.root), SENTENCE_QUOTAS, random.Random(args.seed + 2))
    sents = _assign(sents, "a", random.Random(args.seed + 3))
    args.out.mkdir(parents=True, exist_ok=True)
    _write(args.out / "quotes.candidates.jsonl", quotes, quotes=True)
    _write(args.out / "assertions.candidates.jsonl", sents, quotes=False)
    _summary("quotes", quotes)
    _summary("assertions", sents)


if __name__ == "__main__":
    main()
