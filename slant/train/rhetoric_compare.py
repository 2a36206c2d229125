"""Compare the second opinions of the rhetoric classifiers on the TUNE part (out-of-fold F1, grouped folds).

    python -m slant.train.rhetoric_compare [--only quotes|assertions] [--cache DIR]
        [--left-chars N] [--right-chars N] [--max-tokens N]     # another cross-encoder window

For each kind: the feature model alone, the tagger-vector model (default tagger) and the cross-encoder, each
alone and mixed with the feature model (mean of the positive-class probabilities), and the three-way mean.
The best F1 over thresholds of each score is printed; this is the table that chose which second opinion each
kind ships with (data/annotations/README.md). The REPORT part is never read. About 25 minutes on 2 CPU cores.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

from slant.model.rhetoric.cross_encoder import CrossConfig
from slant.pipeline.tagger import Tagger
from slant.train.rhetoric import (
    DEFAULTS,
    POSITIVE,
    SEED,
    best_threshold,
    cross_out_of_fold,
    cross_windows,
    hand_examples,
    hand_items,
    hand_vectors,
    out_of_fold,
    vector_out_of_fold,
    weak_examples,
)


def compare_kind(kind: str, root: str | None, cache: Path | None, config: CrossConfig) -> dict[str, float]:
    """Out-of-fold best F1 of every single model and mix, for one kind (``config``: the cross-encoder's)."""
    weak = weak_examples(kind, root, cache)
    items = hand_items(kind, root)
    hand = hand_examples(kind, root, items)
    positive = np.array([ex.label == POSITIVE[kind] for ex in hand])
    feature = out_of_fold(kind, weak, hand, DEFAULTS[kind], SEED)
    vector = vector_out_of_fold(hand_vectors(kind, items, Tagger.load()), hand, positive, SEED)
    cross = cross_out_of_fold(kind, cross_windows(kind, items, config), hand, config, print)
    scores = {
        "feature model alone": feature,
        "vector model alone": vector,
        "cross-encoder alone": cross,
        "feature + vector": (feature + vector) / 2,
        "feature + cross-encoder": (feature + cross) / 2,
        "feature + vector + cross-encoder": (feature + vector + cross) / 3,
    }
    return {name: best_threshold(s, positive)[1] for name, s in scores.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("quotes", "assertions"), default=None)
    parser.add_argument("--root", default=None, help="corpus root (default: slant.resolve.data_root())")
    parser.add_argument("--cache", type=Path, default=None, help="folder to cache the weak examples in")
    shipped = CrossConfig(seed=SEED)
    for name in ("left_chars", "right_chars", "max_tokens"):
        flag = "--" + name.replace("_", "-")
        parser.add_argument(
            flag, type=int, default=getattr(shipped, name), help=f"cross-encoder {name} (default %(default)s)"
        )
    args = parser.parse_args(argv)
    config = replace(shipped, left_chars=args.left_chars, right_chars=args.right_chars, max_tokens=args.max_tokens)
    for kind in ("quotes", "assertions"):
        if args.only and kind != args.only:
            continue
        results = compare_kind(kind, args.root, args.cache, config)
        print(f"{kind} ({POSITIVE[kind]} vs rest), TUNE out-of-fold best F1:")
        for name, f1 in results.items():
            print(f"  {name:34s} {f1:.3f}")


if __name__ == "__main__":
    main()
