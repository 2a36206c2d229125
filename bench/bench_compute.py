"""Where `slant score` spends its time, and what cutting the encoder's compute would cost in agreement.

    python bench/bench_compute.py                 # 30 PTC dev articles
    python bench/bench_compute.py --docs 10 --model /tmp/slant-smoke

The figures behind the 2x-over-the-pipeline question (bench_score.py):
  forward share  cProfile of the runner: the share of its time inside the encoder's forward pass. The plain
                 pipeline runs the same pass over the same windows, so with the same weights no runner can beat
                 it by more than (pipeline time) / (forward time), however little else it does.
  variants       other ways to run the same encoder on the same windows, each against the plain float32 pass:
                 speed-up, the largest change in a token probability, and how many decoded spans stay the same.
                   int8         torch dynamic int8 quantisation of the encoder's Linear layers (one scale per
                                weight matrix)
                   int8-channel the same with one scale per output channel of each weight matrix
                   int8-keep-ffn-out  per channel, with each layer's feed-forward output projection (where a
                                transformer's few outlier channels show) left in float32
                   bf16         torch.autocast to bfloat16 on the CPU
                   compile      torch.compile (inductor, dynamic shapes); its compile time is printed apart
                   onnxruntime  the encoder and token head exported to ONNX, run by onnxruntime (only when the
                                onnx and onnxruntime packages are installed; slant does not depend on them)
                   1 thread     the float32 pass on one thread: if two threads are twice as fast, splitting the
                                cores between worker processes (--workers) cannot gain anything
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


def timed_predictions(tagger, texts: list[str]) -> tuple[list, float]:
    tagger.predict_tokens(texts[:2])  # warm-up: lazy initialisation, compilation
    started = time.perf_counter()
    preds = tagger.predict_tokens(texts)
    return preds, time.perf_counter() - started


def int8_variant(tagger, per_channel: bool = False, keep_ffn_out: bool = False):
    """Dynamic int8 of the encoder's Linear layers: one weight scale per matrix, or per output channel; with
    ``keep_ffn_out`` each layer's feed-forward output projection stays in float32."""
    import warnings

    import torch
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig

    qconfig = per_channel_dynamic_qconfig if per_channel else default_dynamic_qconfig
    variant = copy.copy(tagger)
    variant.network = copy.deepcopy(tagger.network)
    encoder = variant.network.encoder
    # BERT-style names: layer.N.attention.output.dense is the attention's output projection, layer.N.output.dense
    # the feed-forward output; only the latter is kept in float32.
    names = {
        name: qconfig
        for name, module in encoder.named_modules()
        if isinstance(module, torch.nn.Linear)
        and not (keep_ffn_out and name.endswith("output.dense") and ".attention." not in name)
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's deprecation notices
        variant.network.encoder = torch.ao.quantization.quantize_dynamic(encoder, names, dtype=torch.qint8)
    return variant


def bf16_variant(tagger):
    import torch

    variant = copy.copy(tagger)
    variant.network = copy.copy(tagger.network)
    encode = tagger.network.encode

    def encode_bf16(input_ids, attention):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            return encode(input_ids, attention).float()

    variant.network.encode = encode_bf16
    return variant


def compile_variant(tagger):
    import torch

    variant = copy.copy(tagger)
    variant.network = copy.copy(tagger.network)
    variant.network._modules = dict(tagger.network._modules)  # a shallow copy shares them: keep the original's
    variant.network.encoder = torch.compile(tagger.network.encoder, dynamic=True)
    return variant


def onnxruntime_variant(tagger):
    try:
        import onnx  # noqa: F401  (the exporter needs it)
        import onnxruntime
    except ImportError:
        return None
    import torch

    class Head(torch.nn.Module):
        def __init__(self, network):
            super().__init__()
            self.network = network

        def forward(self, input_ids, attention):
            return self.network.token_logits(self.network.encode(input_ids, attention))

    ids = torch.randint(1000, 2000, (2, 16))
    mask = torch.ones_like(ids)
    mask[1, 10:] = 0  # a padded row, so the exported graph handles padding
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    with tempfile.TemporaryDirectory() as tmp:  # the session holds the graph in memory once built
        path = Path(tmp) / "tagger.onnx"
        torch.onnx.export(
            Head(tagger.network).eval(),
            (ids, mask),
            str(path),
            input_names=["input_ids", "attention"],
            output_names=["logits"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in ("input_ids", "attention", "logits")},
            dynamo=False,
        )
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    variant = copy.copy(tagger)
    variant.network = copy.copy(tagger.network)
    feeds = lambda i, a: {"input_ids": i.numpy(), "attention": a.numpy()}  # noqa: E731
    variant.network.encode = lambda i, a: torch.from_numpy(session.run(None, feeds(i, a))[0])
    variant.network.token_logits = lambda logits: logits
    return variant


def compare(tagger, variant, texts: list[str], base_preds: list, base_seconds: float) -> dict:
    preds, seconds = timed_predictions(variant, texts)
    base_spans = spans_of(tagger, texts)
    spans = spans_of(variant, texts)
    return {
        "speedup": base_seconds / seconds,
        "max_prob_diff": max(float(abs(a.probs - b.probs).max()) for a, b in zip(base_preds, preds, strict=True)),
        "spans_base": len(base_spans),
        "spans_same": len(base_spans & spans),
        "spans_variant": len(spans),
    }


def one_thread_speed(tagger, texts: list[str], base_seconds: float) -> float:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        _, seconds = timed_predictions(tagger, texts)
    finally:
        torch.set_num_threads(threads)
    return seconds / base_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=30, help="PTC dev articles to use")
    parser.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    parser.add_argument(
        "--variants",
        nargs="*",
        default=["int8", "int8-channel", "int8-keep-ffn-out", "bf16", "compile", "onnxruntime"],
        help="which variants to time",
    )
    args = parser.parse_args()

    from slant.batch.runner import load_tagger

    tagger = load_tagger(Path(args.model) if args.model else None, None)
    files = sorted(PTC_DEV.glob("article*.txt"))[: args.docs]
    texts = [f.read_text(encoding="utf-8") for f in files]
    encode, total = forward_share(tagger, files)
    print(f"{len(files)} PTC dev articles")
    print(f"runner: {total:.1f} s, of which the encoder forward pass {encode:.1f} s ({encode / total:.0%})")
    import torch

    base_preds, base_seconds = timed_predictions(tagger, texts)
    print(f"float32 forward over the windows: {base_seconds:.2f} s on {torch.get_num_threads()} threads")
    variants = {
        "int8": int8_variant,
        "int8-channel": lambda t: int8_variant(t, per_channel=True),
        "int8-keep-ffn-out": lambda t: int8_variant(t, per_channel=True, keep_ffn_out=True),
        "bf16": bf16_variant,
        "compile": compile_variant,
        "onnxruntime": onnxruntime_variant,
    }
    for name in args.variants:
        started = time.perf_counter()
        variant = variants[name](tagger)
        if variant is None:
            print(f"{name}: skipped (pip install onnx onnxruntime to measure it)")
            continue
        r = compare(tagger, variant, texts, base_preds, base_seconds)
        print(
            f"{name}: forward {r['speedup']:.2f}x the float32 speed (set-up {time.perf_counter() - started:.0f} s "
            f"incl. the run); largest token probability change {r['max_prob_diff']:.1e}; technique spans identical "
            f"{r['spans_same']} of {r['spans_base']} ({name} gives {r['spans_variant']})"
        )
    ratio = one_thread_speed(tagger, texts, base_seconds)
    print(f"1 thread: the float32 pass takes {ratio:.2f}x as long as on {torch.get_num_threads()} threads")


if __name__ == "__main__":
    main()
