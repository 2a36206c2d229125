"""Per-channel decoding thresholds and score calibration, fitted on held-out train documents only.

Each channel is tuned on the held-out documents of its *home* corpus: the first corpus (in training order)
that annotates it, so the PTC classes and the `any` channel are tuned on news articles, the meme-only
techniques on memes. Two steps:

1. per channel, the (threshold, max_gap) with the best partial-overlap F1 for that channel alone;
2. coordinate ascent on the overall FLC F1 of the home corpus, where a channel may also be switched off:
   a rare technique that fires mostly wrongly costs more precision than it brings recall.

Then an isotonic map turns a span's mean probability into the chance that it overlaps a gold span.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression

from slant.corpora.base import Document
from slant.decoding import decode_runs
from slant.metrics import flc_score, si_score
from slant.semeval_format import SIRecord, TCRecord
from slant.training_data import ANY_CHANNEL, ChannelSpec

THRESHOLDS = [round(float(t), 2) for t in np.arange(0.10, 0.91, 0.05)]
MAX_GAPS = (0, 1, 2, 4)
OFF = {"threshold": 1.01, "max_gap": 0, "enabled": False}  # never reached by a probability
MIN_CALIBRATION_SPANS = 20
ASCENT_ROUNDS = 2


@dataclass
class ChannelRuns:
    """Decoded spans of one channel on the home documents, for every (threshold, gap) setting."""

    settings: list[tuple[float, int]]
    records: dict[tuple[float, int], list[TCRecord]]
    scores: dict[tuple[float, int], list[float]]


def gold_for_channel(doc: Document, channel: str, spec: ChannelSpec) -> list[tuple[int, int]]:
    if channel == ANY_CHANNEL:
        if doc.si_spans is not None:
            return list(doc.si_spans)
        return [(s.start, s.end) for s in doc.spans]
    return [(s.start, s.end) for s in doc.spans if spec.channel_of(s.label) == channel]


def _overlaps(span: tuple[int, int], gold: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and span[1] > s for s, e in gold)


def home_corpus(channel: str, spec: ChannelSpec) -> str:
    return next(corpus for corpus, channels in spec.annotated.items() if channel in channels)


def _decode_all(predictions, docs: list[tuple[int, Document]], index: int, channel: str) -> ChannelRuns:
    settings = [(t, g) for t in THRESHOLDS for g in MAX_GAPS]
    records: dict[tuple[float, int], list[TCRecord]] = {}
    scores: dict[tuple[float, int], list[float]] = {}
    for setting in settings:
        recs, raw = [], []
        for i, _ in docs:
            p = predictions[i]
            for run in decode_runs(p.text, p.tokens.offsets, p.probs[:, index], setting[0], max_gap=setting[1]):
                recs.append(TCRecord(str(i), channel, run.start, run.end))
                raw.append(run.score)
        records[setting] = recs
        scores[setting] = raw
    return ChannelRuns(settings, records, scores)


def _joint_ascent(
    channels: list[str], runs: dict[str, ChannelRuns], best: dict[str, tuple[float, int]], gold: list[TCRecord]
) -> dict[str, tuple[float, int] | None]:
    """Coordinate ascent on overall FLC F1 over each channel's setting, `None` meaning switched off."""
    chosen: dict[str, tuple[float, int] | None] = {c: best[c] for c in channels}

    def total() -> float:
        preds = [r for c in channels if chosen[c] is not None for r in runs[c].records[chosen[c]]]
        return flc_score(preds, gold).f1

    current = total()
    for _ in range(ASCENT_ROUNDS):
        improved = False
        for channel in channels:
            for option in [None, *runs[channel].settings]:
                previous = chosen[channel]
                chosen[channel] = option
                value = total()
                if value > current + 1e-9:
                    current, improved = value, True
                else:
                    chosen[channel] = previous
        if not improved:
            break
    return chosen


def tune(
    tagger,
    val: list[tuple[str, Document]],
    spec: ChannelSpec,
    output_corpora: tuple[str, ...] = ("ptc2020",),
    home: str | None = None,
) -> tuple[dict, dict, dict]:
    """``output_corpora``: the genres slant reports on. A channel none of them annotates (e.g. `smears`, learnt
    from memes only) still shapes the shared encoder in training but is switched off: nothing shows how it
    behaves on news, and on articles it fires on whole paragraphs. ``home``: tune every channel on this
    corpus's documents instead of each channel's first corpus (a decoding profile for one genre)."""
    predictions = tagger.predict_tokens([doc.text for _, doc in val])
    thresholds: dict[str, dict] = {}
    calibration: dict[str, dict] = {}
    report: dict[str, dict] = {}
    by_corpus: dict[str, list[str]] = {}
    runs: dict[str, ChannelRuns] = {}
    best: dict[str, tuple[float, int]] = {}
    gold: dict[str, dict[int, list[tuple[int, int]]]] = {}
    for index, channel in enumerate(spec.channels):
        corpus = home or home_corpus(channel, spec)
        if not any(channel in spec.annotated.get(c, ()) for c in output_corpora):
            thresholds[channel] = dict(OFF)
            report[channel] = {"home": corpus, "setting": "off", "note": "not annotated in the output genres"}
            continue
        docs = [(i, doc) for i, (c, doc) in enumerate(val) if c == corpus]
        gold[channel] = {i: gold_for_channel(doc, channel, spec) for i, doc in docs}
        gold_records = [SIRecord(str(i), s, e) for i, spans in gold[channel].items() for s, e in spans]
        if not gold_records:
            thresholds[channel] = dict(OFF)
            report[channel] = {"f1": None, "n_gold": 0, "note": f"no {corpus} validation spans: switched off"}
            continue
        runs[channel] = _decode_all(predictions, docs, index, channel)
        f1s = {
            s: si_score([SIRecord(r.article_id, r.start, r.end) for r in recs], gold_records).f1
            for s, recs in runs[channel].records.items()
        }
        best[channel] = max(runs[channel].settings, key=lambda s: (f1s[s], s[0]))
        report[channel] = {"home": corpus, "f1_alone": round(f1s[best[channel]], 4), "n_gold": len(gold_records)}
        if channel != ANY_CHANNEL:
            by_corpus.setdefault(corpus, []).append(channel)

    chosen: dict[str, tuple[float, int] | None] = {ANY_CHANNEL: best.get(ANY_CHANNEL)}
    for channels in by_corpus.values():
        flc_gold = [
            TCRecord(str(i), channel, s, e)
            for channel in channels
            for i, spans in gold[channel].items()
            for s, e in spans
        ]
        chosen.update(_joint_ascent(channels, runs, best, flc_gold))

    for channel, setting in chosen.items():
        if setting is None:
            thresholds[channel] = dict(OFF)
            report[channel]["setting"] = "off"
            continue
        thresholds[channel] = {"threshold": setting[0], "max_gap": setting[1], "enabled": True}
        report[channel]["setting"] = {"threshold": setting[0], "max_gap": setting[1]}
        raw = runs[channel].scores[setting]
        hit = [
            float(_overlaps((r.start, r.end), gold[channel][int(r.article_id)])) for r in runs[channel].records[setting]
        ]
        report[channel]["n_pred"] = len(raw)
        if len(raw) >= MIN_CALIBRATION_SPANS and 0 < sum(hit) < len(hit):
            iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, hit)
            calibration[channel] = {
                "x": [round(float(x), 5) for x in iso.X_thresholds_],
                "y": [round(float(y), 5) for y in iso.y_thresholds_],
            }
    return thresholds, calibration, report
