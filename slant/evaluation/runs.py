"""Run a system over a corpus split and score it with the organisers' metrics (SI, TC, FLC)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from slant import taxonomy
from slant.corpora import read_corpus
from slant.corpora.base import Document
from slant.corpora.split import HELD_OUT_FRACTION, HELD_OUT_SEED, split_documents
from slant.evaluation.baseline import LexiconBaseline
from slant.evaluation.formats import SIRecord, TCRecord, write_si, write_tc
from slant.evaluation.metrics import flc_score, si_score, tc_score

# The scheme each dataset's gold is written in; predictions are converted into it with taxonomy.convert.
DATASET_SCHEME = {"ptc2020": "semeval2020", "semeval2021": "semeval2021", "semeval2023": "semeval2023"}
# The decoding profile (slant.model.profiles) that matches each dataset's genre.
DATASET_PROFILE = {"ptc2020": "news", "semeval2021": "memes", "semeval2023": "news"}


@dataclass
class DocOutput:
    si: list[tuple[int, int]]
    flc: list[tuple[int, int, str]]  # canonical labels
    tc: list[dict[str, float]]  # per gold span, canonical label -> score


class System(Protocol):
    name: str

    def run(self, docs: list[Document], tc_spans: list[list[tuple[int, int]]]) -> list[DocOutput]: ...


@dataclass
class BaselineSystem:
    """The lexicon baseline, fitted on the train split of the same dataset."""

    baseline: LexiconBaseline
    name: str = "baseline (train lexicon)"

    def run(self, docs: list[Document], tc_spans: list[list[tuple[int, int]]]) -> list[DocOutput]:
        outputs = []
        for doc, spans in zip(docs, tc_spans, strict=True):
            flc = self.baseline.predict(doc.text)
            outputs.append(
                DocOutput(
                    si=[(s, e) for s, e, _ in flc],
                    flc=flc,
                    tc=[self.baseline.span_label_scores(doc.text, s, e) for s, e in spans],
                )
            )
        return outputs


@dataclass
class TaggerSystem:
    """A trained slant model: SI from its any-technique channel, FLC from the technique channels, TC from the
    span head. One forward pass per article serves all three."""

    tagger: Any
    name: str = "slant tagger"
    batch_docs: int = 8

    def run(self, docs: list[Document], tc_spans: list[list[tuple[int, int]]]) -> list[DocOutput]:
        from slant.model.network import ANY_CHANNEL  # torch loads only when a tagger is scored

        outputs = []
        for i in range(0, len(docs), self.batch_docs):
            chunk = docs[i : i + self.batch_docs]
            preds = self.tagger.predict_tokens([d.text for d in chunk], with_hidden=True)
            for pred, spans in zip(preds, tc_spans[i : i + self.batch_docs], strict=True):
                outputs.append(
                    DocOutput(
                        si=[(s.start, s.end) for s in self.tagger.channel_spans(pred, ANY_CHANNEL)],
                        flc=[(s.start, s.end, s.label) for s in self.tagger.spans_from_predictions(pred)],
                        tc=self.tagger.span_probabilities(pred, spans),
                    )
                )
        return outputs


@dataclass
class EvalReport:
    dataset: str
    split: str
    system: str
    n_docs: int
    si: dict
    tc: dict
    flc: dict
    seconds: float
    notes: list[str] = field(default_factory=list)

    def headline(self) -> dict[str, float]:
        return {
            "si_f1": round(self.si["f1"], 4),
            "tc_micro_f1": round(self.tc["micro_f1"], 4),
            "flc_f1": round(self.flc["f1"], 4),
        }

    def to_dict(self) -> dict:
        return {
            "dataset": self.dataset,
            "split": self.split,
            "system": self.system,
            "n_docs": self.n_docs,
            "headline": self.headline(),
            "si": self.si,
            "tc": self.tc,
            "flc": self.flc,
            "seconds": round(self.seconds, 1),
            "notes": self.notes,
        }


def article_id(doc: Document) -> str:
    return doc.id


def gold_records(docs: list[Document]) -> tuple[list[SIRecord], list[TCRecord]]:
    si, tc = [], []
    for doc in docs:
        si_spans = doc.si_spans if doc.si_spans is not None else sorted({(s.start, s.end) for s in doc.spans})
        si.extend(SIRecord(article_id(doc), s, e) for s, e in si_spans)
        tc.extend(TCRecord(article_id(doc), s.technique, s.start, s.end) for s in doc.spans)
    return si, tc


def tc_spans_of(docs: list[Document]) -> list[list[tuple[int, int]]]:
    """Each document's gold spans in file order, one entry per gold line (a span with two techniques twice)."""
    return [[(s.start, s.end) for s in doc.spans] for doc in docs]


def pick_tc_labels(spans: list[tuple[int, int]], scores: list[dict[str, float]], scheme: str) -> list[str]:
    """The best technique for each gold line; a span listed k times gets its k best distinct techniques."""
    seen: dict[tuple[int, int], int] = {}
    names: list[str] = []
    for span, score in zip(spans, scores, strict=True):
        ranked = [taxonomy.convert(label, scheme) for label, _ in sorted(score.items(), key=lambda kv: -kv[1])]
        ranked = [name for name in dict.fromkeys(ranked) if name is not None]
        k = seen.get(span, 0)
        seen[span] = k + 1
        names.append(ranked[min(k, len(ranked) - 1)])
    return names


def evaluate(
    system: System,
    docs: list[Document],
    dataset: str,
    split: str,
    out_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> EvalReport:
    scheme = DATASET_SCHEME[dataset]
    started = time.time()
    spans = tc_spans_of(docs)
    outputs = system.run(docs, spans)
    si_pred, flc_pred, tc_pred = [], [], []
    dropped = 0
    for doc, out, doc_spans in zip(docs, outputs, spans, strict=True):
        aid = article_id(doc)
        si_pred.extend(SIRecord(aid, s, e) for s, e in out.si)
        for s, e, label in out.flc:
            name = taxonomy.convert(label, scheme)
            if name is None:
                dropped += 1  # e.g. scare_quote, or a SemEval-2020 group with no single counterpart
                continue
            flc_pred.append(TCRecord(aid, name, s, e))
        for (s, e), name in zip(doc_spans, pick_tc_labels(doc_spans, out.tc, scheme), strict=True):
            tc_pred.append(TCRecord(aid, name, s, e))
    si_gold, tc_gold = gold_records(docs)
    report = EvalReport(
        dataset=dataset,
        split=split,
        system=system.name,
        n_docs=len(docs),
        si=si_score(si_pred, si_gold).to_dict(),
        tc=tc_score(tc_pred, tc_gold, labels=sorted({r.technique for r in tc_gold})).to_dict(),
        flc=flc_score(flc_pred, tc_gold).to_dict(),
        seconds=time.time() - started,
    )
    if dropped:
        report.notes.append(f"{dropped} predicted spans have no {scheme} counterpart and were left out of FLC")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_si(out_dir / "si-predictions.txt", si_pred)
        write_tc(out_dir / "tc-predictions.txt", tc_pred)
        write_tc(out_dir / "flc-predictions.txt", flc_pred)
    return report


def load_split(dataset: str, split: str, root: str | None = None, lang: str = "en") -> list[Document]:
    """A corpus split; "val" is the part of train that training holds out for tuning (for model selection)."""
    if split == "val":
        return split_documents(load_split(dataset, "train", root, lang), HELD_OUT_FRACTION, HELD_OUT_SEED)[1]
    if dataset == "semeval2023":
        return read_corpus(dataset, split, root=root, lang=lang)
    return read_corpus(dataset, split, root=root)


def baseline_for(dataset: str, root: str | None = None, lang: str = "en", split: str = "dev") -> BaselineSystem:
    """The baseline learns from the train split of the dataset it is evaluated on (minus the held-out part
    when it is evaluated on that part)."""
    train = load_split(dataset, "train", root, lang)
    if split == "val":
        held_out = {doc.id for doc in load_split(dataset, "val", root, lang)}
        train = [doc for doc in train if doc.id not in held_out]
    return BaselineSystem(LexiconBaseline().fit(train))
