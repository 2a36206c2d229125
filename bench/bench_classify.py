"""Load time and `classify()` latency of the shipped model on the example article (2 cores).

    python bench/bench_classify.py [--model DIR] [--repeat 5] [--threads 2]

Targets: loading under 5 s, classify() on the example article under 0.6 s, and the encoder compute of one
classify() at most 1.25x that of the technique-only pass (the tagger's own windows). Compute is counted as the
word pieces (padding included) that enter any encoder's embedding layer: the tagger's, and the rhetoric
cross-encoders' where a model has them. The rhetoric models are read on the first classify(); that call is
timed on its own line.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
from torch import nn

EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "examples" / "north-korean-troops-opinion.txt"


class EncoderTokens:
    """Counts the word pieces entering every encoder's word-embedding table (a vocabulary of 10,000 or more)."""

    def __init__(self) -> None:
        self.count = 0
        self._handle = nn.modules.module.register_module_forward_pre_hook(self._hook)

    def _hook(self, module: nn.Module, args: tuple) -> None:
        if isinstance(module, nn.Embedding) and module.num_embeddings >= 10_000 and args:
            self.count += int(args[0].numel())

    def close(self) -> None:
        self._handle.remove()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=None)
    ap.add_argument("--text", type=Path, default=EXAMPLE)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    text = args.text.read_text(encoding="utf-8")

    started = time.perf_counter()
    from slant.pipeline.tagger import Tagger

    tagger = Tagger.load(args.model)
    load_s = time.perf_counter() - started
    t0 = time.perf_counter()
    tagger.classify("warm-up.")  # the first call also reads the rhetoric models (the assertion cross-encoder)
    first_s = time.perf_counter() - t0
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        spans = tagger.classify(text)
        times.append(time.perf_counter() - t0)
    counter = EncoderTokens()
    tagger.predict_tokens([text])
    technique, counter.count = counter.count, 0
    tagger.classify(text)
    full = counter.count
    counter.close()
    print(f"model: {tagger.model_dir}  threads: {torch.get_num_threads()}")
    print(f"load (import + weights + merge): {load_s:.2f} s   (target < 5 s)")
    print(f"first classify() (reads the rhetoric models): {first_s:.2f} s; load + first call {load_s + first_s:.2f} s")
    print(
        f"classify() on {args.text.name} ({len(text)} chars, {len(spans)} spans): "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s over {args.repeat}   (target < 0.6 s)"
    )
    print(
        f"encoder word pieces of one classify(): {full:,}; of the technique-only pass: {technique:,}; "
        f"ratio {full / max(technique, 1):.2f}x   (target <= 1.25x)"
    )


if __name__ == "__main__":
    main()
