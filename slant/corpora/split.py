"""The held-out part of a train split: the articles training keeps out of the fit to tune thresholds and
calibration on, and that ``evaluate.py run --split val`` scores (dev is never used for tuning)."""

from __future__ import annotations

import random

from slant.corpora.base import Document

# The held-out part's size and seed: ``TrainConfig``'s defaults (slant.train.config), and the "val" split.
HELD_OUT_FRACTION = 0.12
HELD_OUT_SEED = 13


def split_documents(docs: list[Document], fraction: float, seed: int) -> tuple[list[Document], list[Document]]:
    """A seeded held-out part of train, for thresholds and calibration (dev is never used for tuning)."""
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    n_val = max(1, round(len(docs) * fraction))
    val = {order[i] for i in range(n_val)}
    return [d for i, d in enumerate(docs) if i not in val], [d for i, d in enumerate(docs) if i in val]
