"""Per-channel decoding thresholds and score calibration, fitted on held-out train documents only."""

from __future__ import annotations

import numpy as np
from sklearn.isotonic import IsotonicRegression

from slant.corpora.base import Document
from slant.decoding import decode_runs
from slant.metrics import si_score
from slant.semeval_format import SIRecord
from slant.training_data import ANY_CHANNEL, ChannelSpec

THRESHOLDS = [round(t, 2) for t in np.arange(0.10, 0.91, 0.05)]
MAX_GAPS = (0, 1, 2)
MIN_CALIBRATION_SPANS = 20


def gold_for_channel(doc: Document, channel: str, spec: ChannelSpec) -> list[tuple[int, int]]:
    if channel == ANY_CHANNEL:
        if doc.si_spans is not None:
            return list(doc.si_spans)
        return [(s.start, s.end) for s in doc.spans]
    return [(s.start, s.end) for s in doc.spans if spec.channel_of(s.label) == channel]


def _overlaps(span: tuple[int, int], gold: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and span[1] > s for s, e in gold)


def tune(tagger, val: list[tuple[str, Document]], spec: ChannelSpec) -> tuple[dict, dict, dict]:
    """For each channel, the (threshold, max_gap) with the best partial-overlap F1 on the validation documents,
    then an isotonic map from a span's mean probability to the chance that it overlaps a gold span."""
    predictions = tagger.predict_tokens([doc.text for _, doc in val])
    thresholds: dict[str, dict] = {}
    calibration: dict[str, dict] = {}
    report: dict[str, dict] = {}
    for index, channel in enumerate(spec.channels):
        docs = [(i, doc) for i, (corpus, doc) in enumerate(val) if channel in spec.annotated[corpus]]
        gold = {i: gold_for_channel(doc, channel, spec) for i, doc in docs}
        gold_records = [SIRecord(str(i), s, e) for i, spans in gold.items() for s, e in spans]
        if not gold_records:
            thresholds[channel] = {"threshold": 0.5, "max_gap": 0}
            report[channel] = {"f1": None, "n_gold": 0, "note": "no validation spans: default threshold"}
            continue
        best: tuple[float, float, int] | None = None
        for threshold in THRESHOLDS:
            for gap in MAX_GAPS:
                pred_records = []
                for i, _ in docs:
                    p = predictions[i]
                    for run in decode_runs(
                        p.text, p.tokens.offsets, p.probs[:, index], threshold, max_gap=gap
                    ):
                        pred_records.append(SIRecord(str(i), run.start, run.end))
                f1 = si_score(pred_records, gold_records).f1
                if best is None or f1 > best[0] + 1e-9:
                    best = (f1, threshold, gap)
        f1, threshold, gap = best
        thresholds[channel] = {"threshold": threshold, "max_gap": gap}
        raw, hit = [], []
        for i, _ in docs:
            p = predictions[i]
            for run in decode_runs(p.text, p.tokens.offsets, p.probs[:, index], threshold, max_gap=gap):
                raw.append(run.score)
                hit.append(float(_overlaps((run.start, run.end), gold[i])))
        report[channel] = {
            "f1": round(f1, 4),
            "threshold": threshold,
            "max_gap": gap,
            "n_gold": len(gold_records),
            "n_pred": len(raw),
        }
        if len(raw) >= MIN_CALIBRATION_SPANS and 0 < sum(hit) < len(hit):
            iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, hit)
            calibration[channel] = {
                "x": [round(float(x), 5) for x in iso.X_thresholds_],
                "y": [round(float(y), 5) for y in iso.y_thresholds_],
            }
    return thresholds, calibration, report
