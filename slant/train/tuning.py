"""Per-channel decoding thresholds and score calibration, fitted on held-out train documents only.

Each channel is tuned on the held-out documents of its *home* corpus: the first corpus (in training order)
that annotates it, so the PTC classes and the `any` channel are tuned on news articles, the meme-only
techniques on memes. The `any` channel (SI) takes the (threshold, max_gap) with the best partial-overlap F1.
The technique channels (FLC) are set by one of two methods:

* ``shared`` (the default): one (threshold, max_gap) for every technique channel of a genre, the one with the
  best FLC F1 over all of them. Two numbers fitted on ~45 articles;
* ``per_channel``: each channel's own best setting, then coordinate ascent on the overall FLC F1 where a
  channel may also be switched off. About thirty numbers fitted on the same articles: it fits the held-out
  articles better and carries over worse (``compare_methods`` measures this by tuning on one half of the
  held-out articles and scoring on the other).

Then an isotonic map turns a span's mean probability into the chance that it overlaps a gold span.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression

from slant.corpora.base import Document
from slant.evaluation.formats import SIRecord, TCRecord
from slant.evaluation.metrics import flc_score, si_score
from slant.pipeline.decoding import decode_runs
from slant.train.config import TECHNIQUE_THRESHOLD_METHODS
from slant.train.data import ANY_CHANNEL, ChannelSpec

THRESHOLDS = [round(float(t), 2) for t in np.arange(0.10, 0.91, 0.05)]
MAX_GAPS = (0, 1, 2, 4)
SETTINGS = [(t, g) for t in THRESHOLDS for g in MAX_GAPS]
OFF = {"threshold": 1.01, "max_gap": 0, "enabled": False}  # never reached by a probability
MIN_CALIBRATION_SPANS = 20
ASCENT_ROUNDS = 2
METHODS = TECHNIQUE_THRESHOLD_METHODS

Setting = tuple[float, int]


@dataclass
class ChannelRuns:
    """Decoded spans of one channel on its home documents, for every (threshold, gap) setting. A record's
    ``article_id`` is the document's index in the held-out list."""

    records: dict[Setting, list[TCRecord]]
    scores: dict[Setting, list[float]]

    def subset(self, setting: Setting, docs: set[int]) -> list[TCRecord]:
        return [r for r in self.records[setting] if int(r.article_id) in docs]


@dataclass
class TuningData:
    """Everything the choice of settings needs, decoded once: runs and gold spans per tuned channel."""

    runs: dict[str, ChannelRuns]
    gold: dict[str, dict[int, list[tuple[int, int]]]]  # channel -> home document index -> gold spans
    home: dict[str, str]  # channel -> corpus

    def gold_records(self, channel: str, docs: set[int]) -> list[TCRecord]:
        return [
            TCRecord(str(i), channel, s, e) for i, spans in self.gold[channel].items() if i in docs for s, e in spans
        ]

    def technique_groups(self) -> dict[str, list[str]]:
        """Technique channels by home corpus: FLC is scored within one genre."""
        groups: dict[str, list[str]] = {}
        for channel in self.runs:
            if channel != ANY_CHANNEL:
                groups.setdefault(self.home[channel], []).append(channel)
        return groups


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


def _decode_all(predictions, docs: list[int], index: int, channel: str) -> ChannelRuns:
    records: dict[Setting, list[TCRecord]] = {}
    scores: dict[Setting, list[float]] = {}
    for setting in SETTINGS:
        recs, raw = [], []
        for i in docs:
            p = predictions[i]
            for run in decode_runs(p.text, p.tokens.offsets, p.probs[:, index], setting[0], max_gap=setting[1]):
                recs.append(TCRecord(str(i), channel, run.start, run.end))
                raw.append(run.score)
        records[setting] = recs
        scores[setting] = raw
    return ChannelRuns(records, scores)


def prepare(
    predictions,
    val: list[tuple[str, Document]],
    spec: ChannelSpec,
    output_corpora: tuple[str, ...],
    home: str | None = None,
) -> tuple[TuningData, dict[str, dict]]:
    """Decode every tuned channel at every setting; the report notes the channels left off and why."""
    data = TuningData({}, {}, {})
    report: dict[str, dict] = {}
    for index, channel in enumerate(spec.channels):
        corpus = home or home_corpus(channel, spec)
        if not any(channel in spec.annotated.get(c, ()) for c in output_corpora):
            report[channel] = {"home": corpus, "setting": "off", "note": "not annotated in the output genres"}
            continue
        docs = [i for i, (c, _) in enumerate(val) if c == corpus]
        gold = {i: gold_for_channel(val[i][1], channel, spec) for i in docs}
        if not any(gold.values()):
            report[channel] = {"f1": None, "n_gold": 0, "note": f"no {corpus} validation spans: switched off"}
            continue
        data.runs[channel] = _decode_all(predictions, docs, index, channel)
        data.gold[channel] = gold
        data.home[channel] = corpus
    return data, report


def _best_alone(data: TuningData, channel: str, docs: set[int]) -> tuple[Setting, float]:
    gold = [SIRecord(r.article_id, r.start, r.end) for r in data.gold_records(channel, docs)]
    runs = data.runs[channel]
    f1s = {
        s: si_score([SIRecord(r.article_id, r.start, r.end) for r in runs.subset(s, docs)], gold).f1 for s in SETTINGS
    }
    best = max(SETTINGS, key=lambda s: (f1s[s], s[0]))
    return best, f1s[best]


def _flc_gold(data: TuningData, channels: list[str], docs: set[int]) -> list[TCRecord]:
    return [g for c in channels for g in data.gold_records(c, docs)]


def _flc(
    data: TuningData, chosen: dict[str, Setting | None], channels: list[str], docs: set[int], gold: list[TCRecord]
) -> float:
    """FLC F1 of the ``chosen`` settings on ``docs``; ``gold`` is ``_flc_gold`` of the same, built once per search."""
    preds = [r for c in channels if chosen[c] is not None for r in data.runs[c].subset(chosen[c], docs)]
    return flc_score(preds, gold).f1


def _joint_ascent(
    data: TuningData, channels: list[str], best: dict[str, Setting], docs: set[int]
) -> dict[str, Setting | None]:
    """Coordinate ascent on overall FLC F1 over each channel's setting, `None` meaning switched off."""
    chosen: dict[str, Setting | None] = {c: best[c] for c in channels}
    gold = _flc_gold(data, channels, docs)
    current = _flc(data, chosen, channels, docs, gold)
    for _ in range(ASCENT_ROUNDS):
        improved = False
        for channel in channels:
            for option in [None, *SETTINGS]:
                previous = chosen[channel]
                chosen[channel] = option
                value = _flc(data, chosen, channels, docs, gold)
                if value > current + 1e-9:
                    current, improved = value, True
                else:
                    chosen[channel] = previous
        if not improved:
            break
    return chosen


def _shared_setting(data: TuningData, channels: list[str], docs: set[int]) -> dict[str, Setting | None]:
    gold = _flc_gold(data, channels, docs)
    best = max(SETTINGS, key=lambda s: (_flc(data, dict.fromkeys(channels, s), channels, docs, gold), s[0]))
    return dict.fromkeys(channels, best)


def choose_settings(
    data: TuningData, docs: set[int], method: str = "shared"
) -> tuple[dict[str, Setting | None], dict[str, float]]:
    """Each tuned channel's setting (None: switched off), fitted on the held-out documents ``docs``; and each
    channel's best F1 on its own."""
    if method not in METHODS:
        raise ValueError(f"unknown tuning method {method!r}: choose one of {', '.join(METHODS)}")
    best: dict[str, Setting] = {}
    f1_alone: dict[str, float] = {}
    for channel in data.runs:
        best[channel], f1_alone[channel] = _best_alone(data, channel, docs)
    chosen: dict[str, Setting | None] = {}
    if ANY_CHANNEL in best:
        chosen[ANY_CHANNEL] = best[ANY_CHANNEL]
    for channels in data.technique_groups().values():
        if method == "shared":
            chosen.update(_shared_setting(data, channels, docs))
        else:
            chosen.update(_joint_ascent(data, channels, best, docs))
    return chosen, f1_alone


def tune(
    tagger,
    val: list[tuple[str, Document]],
    spec: ChannelSpec,
    output_corpora: tuple[str, ...] = ("ptc2020",),
    home: str | None = None,
    method: str = "shared",
) -> tuple[dict, dict, dict]:
    """``output_corpora``: the genres slant reports on. A channel none of them annotates (e.g. `smears`, learnt
    from memes only) still shapes the shared encoder in training but is switched off: nothing shows how it
    behaves on news, and on articles it fires on whole paragraphs. ``home``: tune every channel on this
    corpus's documents instead of each channel's first corpus (a decoding profile for one genre)."""
    predictions = tagger.predict_tokens([doc.text for _, doc in val])
    data, report = prepare(predictions, val, spec, output_corpora, home)
    chosen, f1_alone = choose_settings(data, set(range(len(val))), method)
    thresholds: dict[str, dict] = {c: dict(OFF) for c in spec.channels if c not in data.runs}
    calibration: dict[str, dict] = {}
    for channel, setting in chosen.items():
        report[channel] = {
            "home": data.home[channel],
            "f1_alone": round(f1_alone[channel], 4),
            "n_gold": sum(len(spans) for spans in data.gold[channel].values()),
        }
        if setting is None:
            thresholds[channel] = dict(OFF)
            report[channel]["setting"] = "off"
            continue
        thresholds[channel] = {"threshold": setting[0], "max_gap": setting[1], "enabled": True}
        report[channel]["setting"] = {"threshold": setting[0], "max_gap": setting[1]}
        records = data.runs[channel].records[setting]
        raw = data.runs[channel].scores[setting]
        hit = [float(_overlaps((r.start, r.end), data.gold[channel][int(r.article_id)])) for r in records]
        report[channel]["n_pred"] = len(raw)
        if len(raw) >= MIN_CALIBRATION_SPANS and 0 < sum(hit) < len(hit):
            iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, hit)
            calibration[channel] = {
                "x": [round(float(x), 5) for x in iso.X_thresholds_],
                "y": [round(float(y), 5) for y in iso.y_thresholds_],
            }
    return thresholds, calibration, report


def compare_methods(
    tagger,
    val: list[tuple[str, Document]],
    spec: ChannelSpec,
    corpus: str,
    repeats: int = 12,
    seed: int = 0,
) -> dict[str, list[float]]:
    """How well each method's FLC settings carry over to unseen articles, without touching dev: the held-out
    documents of ``corpus`` are split in random halves, settings are fitted on one half and FLC F1 is scored
    on the other (both ways, ``repeats`` times)."""
    predictions = tagger.predict_tokens([doc.text for _, doc in val])
    data, _ = prepare(predictions, val, spec, output_corpora=(corpus,), home=corpus)
    channels = data.technique_groups()[corpus]
    docs = [i for i, (c, _) in enumerate(val) if c == corpus]
    rng = random.Random(seed)
    scores: dict[str, list[float]] = {m: [] for m in METHODS}
    for _ in range(repeats):
        order = docs[:]
        rng.shuffle(order)
        half = len(order) // 2
        for fit_docs, test_docs in ((order[:half], order[half:]), (order[half:], order[:half])):
            test = set(test_docs)
            gold = _flc_gold(data, channels, test)
            for method in METHODS:
                chosen, _ = choose_settings(data, set(fit_docs), method)
                scores[method].append(_flc(data, chosen, channels, test, gold))
    return scores
