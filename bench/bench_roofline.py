"""The machine's own ceiling for slant's encoder: matrix-multiply throughput at the encoder's shapes, the
model's FLOPs per token, and so the roofline in tokens/s, with the encoder's measured speed beside it.

    python bench/bench_roofline.py                  # shipped model, 30 PTC dev articles
    python bench/bench_roofline.py --model accurate --docs 10

What it prints (run it on an idle machine: every figure is a rate of the cores it finds):
  shapes      each matrix multiply of one encoder layer over a batch of full windows (batch x window rows):
              the four attention projections and the two feed-forward layers (N x K times K x M), and the
              attention's two batched products per head; its FLOPs per token and the best throughput measured
              for it in float32 (torch.matmul) and in int8 (torch._int_mm, int8 x int8 -> int32, and fbgemm's
              dynamically quantised Linear, which also quantises its input; the better of the two counts).
  FLOPs       per encoder position (a word piece of a window, [CLS] and [SEP] included): 2 multiply-adds of
              each of those products, plus the token head. LoRA adapters are merged at load, so they cost
              nothing at inference.
  roofline    positions/s if every product ran at its measured rate and nothing else took time: 1 / sum over
              products of (FLOPs per position / rate). The int8 roofline runs the projections and feed-forward
              layers in int8 and the attention products (activations times activations) in float32, as dynamic
              quantisation does. These GEMMs are compute-bound at this size (MiniLM's weights fit in cache), so
              the roofline is the compute roof.
  measured    the encoder's float32 forward pass (the Tagger's own, over the real windows of the articles) and
              the torch dynamic int8 version of it, in positions/s and as a fraction of their roofline; and the
              article word pieces/s that makes (windows overlap, so positions > word pieces).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from slant.config import data_root  # noqa: E402

PTC_DEV = data_root() / "ptc-semeval2020" / "dev" / "articles"


@dataclass(frozen=True)
class Product:
    """One matrix product of an encoder layer: ``rows`` x ``inner`` times ``inner`` x ``cols``, ``count`` times
    per layer (``batched``: per attention head, activations on both sides)."""

    name: str
    rows: int
    inner: int
    cols: int
    count: int
    batched: bool = False


@dataclass(frozen=True)
class Encoder:
    hidden: int
    intermediate: int
    layers: int
    heads: int
    window: int  # positions of a full window, [CLS] and [SEP] included
    channels: int  # token head outputs

    def products(self, windows: int) -> list[Product]:
        """The products of one layer over ``windows`` full windows."""
        n, h, head = windows * self.window, self.hidden, self.hidden // self.heads
        return [
            Product("q, k, v, attention output", n, h, h, 4),
            Product("feed-forward up", n, h, self.intermediate, 1),
            Product("feed-forward down", n, self.intermediate, h, 1),
            Product("attention scores (per head)", self.window, head, self.window, windows * self.heads, True),
            Product("attention context (per head)", self.window, self.window, head, windows * self.heads, True),
        ]

    def flops_per_position(self, p: Product, windows: int) -> float:
        return 2.0 * p.rows * p.inner * p.cols * p.count * self.layers / (windows * self.window)

    def head_flops(self) -> float:
        return 2.0 * self.hidden * self.channels


def encoder_of(tagger) -> Encoder:
    cfg = tagger.network.encoder.config
    return Encoder(
        hidden=cfg.hidden_size,
        intermediate=cfg.intermediate_size,
        layers=cfg.num_hidden_layers,
        heads=cfg.num_attention_heads,
        window=tagger.config.max_tokens + 2,
        channels=tagger.network.token_head.out_features,
    )


def best_seconds(fn, repeats: int = 7) -> float:
    """Median seconds of ``fn()`` after two warm-up calls (the median, not the minimum: a rate the cores keep)."""
    fn()
    fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def float32_rate(p: Product) -> float:
    """GFLOP/s of the product in float32."""
    import torch

    if p.batched:
        a, b = torch.randn(p.count, p.rows, p.inner), torch.randn(p.count, p.inner, p.cols)
        seconds = best_seconds(lambda: torch.bmm(a, b))
        return 2.0 * p.rows * p.inner * p.cols * p.count / seconds / 1e9
    a, b = torch.randn(p.rows, p.inner), torch.randn(p.inner, p.cols)
    seconds = best_seconds(lambda: a @ b)
    return 2.0 * p.rows * p.inner * p.cols / seconds / 1e9


def int8_rates(p: Product) -> tuple[float, float]:
    """GOP/s of the product in int8: raw (torch._int_mm) and as fbgemm's dynamic Linear runs it (input
    quantised on the fly, float32 out). Attention products are not quantised: (0, 0)."""
    import warnings

    import torch

    if p.batched:
        return 0.0, 0.0
    ops = 2.0 * p.rows * p.inner * p.cols
    a = torch.randint(-128, 128, (p.rows, p.inner), dtype=torch.int8)
    b = torch.randint(-128, 128, (p.inner, p.cols), dtype=torch.int8)
    raw = ops / best_seconds(lambda: torch._int_mm(a, b)) / 1e9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's deprecation notices
        linear = torch.ao.quantization.quantize_dynamic(
            torch.nn.Sequential(torch.nn.Linear(p.inner, p.cols)), {torch.nn.Linear}, dtype=torch.qint8
        )
    x = torch.randn(p.rows, p.inner)
    with torch.inference_mode():
        dynamic = ops / best_seconds(lambda: linear(x)) / 1e9
    return raw, dynamic


@dataclass
class Roofline:
    flops_per_position: float
    float32: float  # positions/s
    int8: float


def roofline(encoder: Encoder, windows: int = 16, show: bool = True) -> Roofline:
    """Measure the products' rates and print them (``show``); the roofline in positions/s."""
    f32_seconds = int8_seconds = 0.0
    total = encoder.head_flops()
    head_rate = None
    for p in encoder.products(windows):
        flops = encoder.flops_per_position(p, windows)
        total += flops
        f32 = float32_rate(p)
        raw, dynamic = int8_rates(p)
        best_int8 = max(raw, dynamic) or f32
        head_rate = head_rate or f32
        f32_seconds += flops / (f32 * 1e9)
        int8_seconds += flops / (best_int8 * 1e9)
        if show:
            int8_text = f"int8 {raw:6.1f} raw, {dynamic:6.1f} dynamic GOP/s" if raw else "int8: stays float32"
            print(
                f"  {p.name:30s} {p.rows}x{p.inner} @ {p.inner}x{p.cols} x{p.count}  {flops / 1e6:6.2f} MFLOP/position"
                f"  float32 {f32:6.1f} GFLOP/s  {int8_text}"
            )
    head_seconds = encoder.head_flops() / (head_rate * 1e9)  # tiny; counted at a projection's float32 rate
    return Roofline(total, 1 / (f32_seconds + head_seconds), 1 / (int8_seconds + head_seconds))


def window_batches(tagger, texts: list[str]):
    """The Tagger's own windows of ``texts``, packed as it packs them: (input_ids, attention) batches, the
    positions they hold and the article word pieces they cover."""
    from slant.model.windows import make_windows, pack_windows, tokenize_batch

    tokenized = tokenize_batch(tagger.tokenizer, texts)
    pieces = []
    for i, tokens in enumerate(tokenized):
        for w in make_windows(len(tokens), i, tagger.config.max_tokens, tagger.config.stride):
            pieces.append(tokens.input_ids[w.token_start : w.token_end])
    tok = tagger.tokenizer
    batches = [
        pack_windows(pieces[i : i + tagger.batch_size], tok.cls_token_id, tok.sep_token_id, tok.pad_token_id or 0)
        for i in range(0, len(pieces), tagger.batch_size)
    ]
    positions = sum(int(ids.numel()) for ids, _ in batches)
    return batches, positions, sum(len(t) for t in tokenized)


def forward_seconds(network, batches) -> float:
    import torch

    with torch.inference_mode():
        network.token_logits(network.encode(*batches[0]))  # warm-up
        started = time.perf_counter()
        for ids, attention in batches:
            network.token_logits(network.encode(ids, attention))
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="model folder or name (default: the shipped model)")
    parser.add_argument("--docs", type=int, default=30, help="PTC dev articles whose windows are timed")
    parser.add_argument("--windows", type=int, default=16, help="windows per batch in the shape measurements")
    args = parser.parse_args()

    import warnings

    import torch

    from slant.pipeline.tagger import Tagger

    tagger = Tagger.load(args.model, device="cpu")
    encoder = encoder_of(tagger)
    print(
        f"{torch.get_num_threads()} threads; encoder {encoder.layers} layers x {encoder.hidden} "
        f"(feed-forward {encoder.intermediate}, {encoder.heads} heads), windows of {encoder.window} positions"
    )
    roof = roofline(encoder, args.windows)
    print(f"FLOPs per encoder position: {roof.flops_per_position / 1e6:.2f} M (token head included)")
    print(f"roofline: float32 {roof.float32:,.0f} positions/s, int8 {roof.int8:,.0f} positions/s")

    texts = [f.read_text(encoding="utf-8") for f in sorted(PTC_DEV.glob("article*.txt"))[: args.docs]]
    batches, positions, pieces = window_batches(tagger, texts)
    seconds = forward_seconds(tagger.network, batches)
    rate = positions / seconds
    print(
        f"measured, float32 forward over {len(texts)} articles' windows: {rate:,.0f} positions/s "
        f"({rate / roof.float32:.0%} of the float32 roofline; {pieces / seconds:,.0f} article word pieces/s, "
        f"{positions / pieces:.2f} positions per word piece)"
    )
    int8 = copy.deepcopy(tagger.network)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        int8.encoder = torch.ao.quantization.quantize_dynamic(int8.encoder, {torch.nn.Linear}, dtype=torch.qint8)
    seconds = forward_seconds(int8, batches)
    rate = positions / seconds
    print(
        f"measured, torch dynamic int8 forward, same windows: {rate:,.0f} positions/s "
        f"({rate / roof.int8:.0%} of the int8 roofline)"
    )


if __name__ == "__main__":
    main()
