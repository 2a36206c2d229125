"""Where `slant score` spends its time, and what cutting the encoder's compute would cost in agreement.

    python bench/bench_compute.py                 # 30 PTC dev articles
    python bench/bench_compute.py --docs 10 --model /tmp/slant-smoke

Two figures behind the 2x-over-the-pipeline question (bench_score.py):
  forward share  cProfile of the runner: the share of its time inside the encoder's forward pass. The plain
                 pipeline runs the same pass over the same windows, so with the same weights no runner can beat
                 it by more than (pipeline time) / (forward time), however little else it does.
  int8           torch dynamic int8 quantisation of the encoder's Linear layers on the same windows: forward
                 speed-up, the largest change in a token probability, and how many decoded spans stay the same.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from slant.config import data_root  # noqa: E402

PTC_DEV = data_root() / "ptc-semeval2020" / "dev" / "articles"


def forward_share(tagger, files: list[Path]) -> tuple[float, float]:
    from slant.batch import runner

    runner.load_tagger = lambda *args: tagger  # already loaded: profile the scoring only
    profile = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        for f in files:
            shutil.copy(f, inputs / f.name)
        options = runner.ScoreOptions(paths=[inputs], out=Path(tmp) / "out", progress=False)
        profile.enable()
        runner.run(options)
        profile.disable()
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (calls, primitive, tottime, cumtime, callers)
    total = max(cum for _, _, _, cum, _ in stats.values())
    encode = sum(cum for (file, _, name), (_, _, _, cum, _) in stats.items() if name == "encode" and "slant" in file)
    return encode, total


def spans_of(tagger, texts: list[str]) -> set[tuple[int, int, int, str]]:
    return {
        (i, s.start, s.end, s.label)
        for i, pred in enumerate(tagger.predict_tokens(texts))
        for s in tagger.spans_from_predictions(pred)
    }


def int8_comparison(tagger, texts: list[str]) -> dict:
    import torch

    started = time.perf_counter()
    fp32_preds = tagger.predict_tokens(texts)
    fp32_seconds = time.perf_counter() - started
    fp32_spans = spans_of(tagger, texts)
    quantised = copy.copy(tagger)
    quantised.network = copy.deepcopy(tagger.network)
    quantised.network.encoder = torch.ao.quantization.quantize_dynamic(
        quantised.network.encoder, {torch.nn.Linear}, dtype=torch.qint8
    )
    started = time.perf_counter()
    int8_preds = quantised.predict_tokens(texts)
    int8_seconds = time.perf_counter() - started
    int8_spans = spans_of(quantised, texts)
    max_diff = max(float(abs(a.probs - b.probs).max()) for a, b in zip(fp32_preds, int8_preds, strict=True))
    return {
        "speedup": fp32_seconds / int8_seconds,
        "max_prob_diff": max_diff,
        "spans_fp32": len(fp32_spans),
        "spans_same": len(fp32_spans & int8_spans),
        "spans_int8": len(int8_spans),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=30, help="PTC dev articles to use")
    parser.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    args = parser.parse_args()

    from slant.batch.runner import load_tagger

    tagger = load_tagger(Path(args.model) if args.model else None, None)
    files = sorted(PTC_DEV.glob("article*.txt"))[: args.docs]
    texts = [f.read_text(encoding="utf-8") for f in files]
    encode, total = forward_share(tagger, files)
    print(f"{len(files)} PTC dev articles")
    print(f"runner: {total:.1f} s, of which the encoder forward pass {encode:.1f} s ({encode / total:.0%})")
    result = int8_comparison(tagger, texts)
    print(
        f"int8 dynamic quantisation: forward {result['speedup']:.2f}x faster; largest token probability change "
        f"{result['max_prob_diff']:.2f}; technique spans identical {result['spans_same']} of {result['spans_fp32']} "
        f"(int8 gives {result['spans_int8']})"
    )


if __name__ == "__main__":
    main()
