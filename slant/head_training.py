"""The candidate heads' part of a training run: their data, their loss, and their thresholds afterwards.

``slant.training.fit`` calls these: ``prepare_heads`` before the loop (vocabularies, windows, fresh heads on
the network), ``head_loss`` inside it (on batches of candidate windows, interleaved with the technique
batches), ``tune_heads`` after it (Platt scaling and the best-F1 threshold of the positive class, fitted on the
held-out TUNE items read through the finished model, as ``classify()`` reads them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from slant.candidates import KINDS, QUOTES
from slant.head_data import HeadRows, build_rows, feature_vocabulary, hand_example, split_tune, weak_head_examples
from slant.head_spans import item_probabilities
from slant.heads import CLASSES, POSITIVE, CandidateHead, HeadSpec, pool_candidate
from slant.model import SpanTagger
from slant.rhetoric.items import LabelledItem
from slant.windows import pack_windows

log = logging.getLogger("slant.train")
WEAK_SEED = 20240611  # the weak labels' own seed (their caps), as the feature models use it


@dataclass
class HeadData:
    spec: HeadSpec
    rows: HeadRows
    held_out: list[LabelledItem]


def prepare_heads(config, tokenizer, skip_groups: set[str], skip_docs: set[tuple[str, str]]) -> dict[str, HeadData]:
    """Training rows and held-out items of each head. ``skip_groups`` (weak-label groups) and ``skip_docs``
    ((corpus, doc id) of hand items) name the documents the encoder must not read."""
    from slant.rhetoric.weak_labels import weak_assertions, weak_quotes

    out = {}
    for kind in KINDS:
        train_items, held = split_tune(kind, config.data_root)
        train_items = [it for it in train_items if (it.item.corpus, it.item.doc_id) not in skip_docs]
        if config.head_max_hand:
            train_items, held = train_items[: config.head_max_hand], held[: config.head_max_hand]
        examples = [hand_example(kind, it) for it in train_items]
        if config.head_weak_per_epoch > 0:
            weak = (
                weak_quotes(config.data_root, WEAK_SEED, inner_words=True)
                if kind == QUOTES
                else weak_assertions(config.data_root, WEAK_SEED)
            )
            examples += weak_head_examples(kind, weak, skip_groups)
        spec = HeadSpec(kind, feature_vocabulary(kind, examples), hidden=config.head_hidden)
        rows = build_rows(kind, examples, spec, tokenizer, config.head_max_tokens)
        log.info(
            "%s head: %d hand, %d weak training items, %d cue features, %d held out",
            kind,
            sum(rows.hand),
            len(rows) - sum(rows.hand),
            len(spec.features),
            len(held),
        )
        out[kind] = HeadData(spec, rows, held)
    return out


def new_head(spec: HeadSpec, hidden_size: int, dropout: float) -> CandidateHead:
    return CandidateHead(hidden_size, len(spec.features), len(spec.classes), spec.hidden, dropout)


def collate_heads(rows: HeadRows, index: list[int], cls_id: int, sep_id: int, pad_id: int, weak_weight: float):
    input_ids, attention = pack_windows([rows.input_ids[i] for i in index], cls_id, sep_id, pad_id)
    return {
        "input_ids": input_ids,
        "attention": attention,
        "items": [rows.items[i] for i in index],
        "contexts": [rows.contexts[i] for i in index],
        "features": torch.from_numpy(np.stack([rows.features[i] for i in index])),
        "labels": torch.tensor([rows.labels[i] for i in index]),
        "weights": torch.tensor([1.0 if rows.hand[i] else weak_weight for i in index]),
    }


def head_loss(network: SpanTagger, kind: str, batch: dict, device: torch.device) -> torch.Tensor:
    """Weighted cross-entropy of one head over a batch of candidate windows."""
    hidden = network.encode(batch["input_ids"].to(device), batch["attention"].to(device))
    ranges = zip(batch["items"], batch["contexts"], strict=True)
    pooled = torch.stack([pool_candidate(hidden[i], item, ctx) for i, (item, ctx) in enumerate(ranges)])
    logits = network.candidate_heads[kind](pooled, batch["features"].to(device))
    weights = batch["weights"].to(device)
    losses = F.cross_entropy(logits, batch["labels"].to(device), reduction="none")
    return (losses * weights).sum() / weights.sum().clamp(min=1e-6)


# ---------------------------------------------------------------- after training


def held_out_probabilities(tagger, kind: str, items: list[LabelledItem]) -> np.ndarray:
    """Each held-out item's positive-class probability, read as ``classify()`` reads it."""
    pos = tagger.head_specs[kind].classes.index(POSITIVE[kind])
    return np.array([0.0 if p is None else float(p[pos]) for p in item_probabilities(tagger, kind, items)])


def tune_heads(tagger, held_out: dict[str, list[LabelledItem]]) -> dict[str, dict]:
    """Platt scaling and the best-F1 threshold of each head's positive class on its held-out items; returns the
    updated head specs (as stored in config.json)."""
    from slant.rhetoric.train import calibrated_threshold

    out = {}
    for kind, items in held_out.items():
        spec: HeadSpec = tagger.head_specs[kind]
        positive = np.array([it.label == POSITIVE[kind] for it in items])
        if len(items) < 10 or positive.sum() < 2 or positive.all():
            log.warning("%s head: %d held-out items, too few to fit a threshold; left at 0.5", kind, len(items))
            out[kind] = spec.to_dict()
            continue
        scores = held_out_probabilities(tagger, kind, items)
        calibration, threshold, f1 = calibrated_threshold(scores, positive)
        spec.calibration, spec.threshold = calibration, threshold
        spec.record = {
            "fitted_on": "held-out TUNE items (PTC / SemEval-2021 dev documents and REPORT documents)",
            "items": len(items),
            "positives": int(positive.sum()),
            "held_out_f1": round(f1, 4),
        }
        log.info("%s head: held-out F1 %.3f at threshold %.3f (%d items)", kind, f1, threshold, len(items))
        out[kind] = spec.to_dict()
    return out


__all__ = ["CLASSES", "HeadData", "collate_heads", "head_loss", "new_head", "prepare_heads", "tune_heads"]
