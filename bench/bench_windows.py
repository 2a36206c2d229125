"""What the window size and the overlap between windows cost, against what they buy, on held-out train.

    python bench/bench_windows.py                   # shipped model
    python bench/bench_windows.py --model accurate

For each (window, stride) setting the same model reads the PTC-2020 train articles that training held out for
its thresholds (``--split val``; never dev), as ``classify()`` reads them, and prints:
  positions/piece  encoder positions per article word piece ([CLS] and [SEP] and the overlap included): what
                   the setting costs in compute, whatever the hardware
  seconds          the forward passes and decoding, on this machine
  SI / TC / FLC    F1 with the organisers' metrics, at the model's own thresholds (fitted at its trained
                   setting, which if anything favours that setting)

Rule, fixed before the figures: the setting kept is the cheapest (fewest positions per piece) whose SI and FLC
F1 are both within 0.005 of the trained setting's; so the overlap stays only where it buys F1.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TOLERANCE = 0.005


def settings_for(max_tokens: int, stride: int) -> list[tuple[int, int]]:
    """The trained setting first, then the same window with no / less / more overlap and a shorter window."""
    candidates = [
        (max_tokens, stride),
        (max_tokens, max_tokens),  # no overlap
        (max_tokens, (max_tokens + stride) // 2),  # half the overlap
        (max_tokens, max_tokens // 2),  # every token seen twice
        (max_tokens // 2, max_tokens // 2),  # short windows, no overlap
    ]
    return list(dict.fromkeys(candidates))


def positions_per_piece(tagger, texts: list[str]) -> float:
    from slant.model.windows import make_windows, tokenize_batch

    tokens = tokenize_batch(tagger.tokenizer, texts)
    pieces = sum(len(t) for t in tokens)
    positions = sum(
        (w.token_end - w.token_start + 2)
        for i, t in enumerate(tokens)
        if len(t)
        for w in make_windows(len(t), i, tagger.config.max_tokens, tagger.config.stride)
    )
    return positions / max(1, pieces)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model folder or name (default: the shipped model)")
    parser.add_argument("--data-root", default=None)
    args = parser.parse_args()

    import torch

    from slant.evaluation.runs import TaggerSystem, evaluate, load_split
    from slant.pipeline.tagger import Tagger

    tagger = Tagger.load(args.model, device="cpu")
    docs = load_split("ptc2020", "val", args.data_root)
    texts = [d.text for d in docs]
    trained = (tagger.config.max_tokens, tagger.config.stride)
    print(f"{len(docs)} held-out PTC-2020 train articles; {torch.get_num_threads()} threads; trained at {trained}")
    rows = []
    for max_tokens, stride in settings_for(*trained):
        tagger.config.max_tokens, tagger.config.stride = max_tokens, stride
        started = time.perf_counter()
        report = evaluate(TaggerSystem(tagger), docs, "ptc2020", "val")
        seconds = time.perf_counter() - started
        h = report.headline()
        rows.append(((max_tokens, stride), positions_per_piece(tagger, texts), h))
        print(
            f"  window {max_tokens:3d}, stride {stride:3d}: {rows[-1][1]:.2f} positions/piece, {seconds:5.1f} s, "
            f"SI {h['si_f1']:.4f}  TC {h['tc_micro_f1']:.4f}  FLC {h['flc_f1']:.4f}",
            flush=True,
        )
    base = rows[0][2]
    kept = min(
        (
            r
            for r in rows
            if r[2]["si_f1"] >= base["si_f1"] - TOLERANCE and r[2]["flc_f1"] >= base["flc_f1"] - TOLERANCE
        ),
        key=lambda r: r[1],
    )
    print(
        f"kept by the rule (cheapest within {TOLERANCE} SI and FLC of the trained setting): window {kept[0][0]}, "
        f"stride {kept[0][1]} ({kept[1]:.2f} positions/piece against {rows[0][1]:.2f})"
    )


if __name__ == "__main__":
    main()
