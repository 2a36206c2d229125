"""Throughput and memory of `slant score`'s runner, beside a plain transformers token-classification pipeline.

    python bench/bench_score.py                       # PTC dev (75 articles) + 10,000 synthetic documents
    python bench/bench_score.py --docs 20 --memory-docs 200 --model /tmp/slant-smoke   # a quick run

Each phase runs in its own process so each peak RSS is its own:
  runner    slant.batch.run over the PTC dev articles (writes spans.jsonl, texts/, summary, report)
  pipeline  transformers.pipeline("token-classification") over the same articles with the same weights (the
            tagger's merged encoder copied into a BertForTokenClassification whose classifier is the tagger's
            token head), aggregation_strategy="simple", windows of the tagger's size with the same overlap;
            then the span check (see compare_spans)
  memory    the runner over N synthetic documents generated on the fly (peak RSS, docs/s)
Model loading is not timed in either throughput figure.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from slant.config import data_root  # noqa: E402

PTC_DEV = data_root() / "ptc-semeval2020" / "dev" / "articles"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def load(model: str | None):
    from slant.batch.runner import load_tagger

    return load_tagger(Path(model) if model else None, None)


def dev_articles(n: int) -> list[Path]:
    return sorted(PTC_DEV.glob("article*.txt"))[:n]


def count_tokens(tagger, texts: list[str]) -> int:
    return sum(len(ids) for ids in tagger.tokenizer(texts, add_special_tokens=False)["input_ids"])


# ---- phases ------------------------------------------------------------------------------------------------
def phase_runner(args: argparse.Namespace) -> dict:
    from slant.batch import engines, runner

    tagger = load(args.model)
    files = dev_articles(args.docs)
    texts = [f.read_text(encoding="utf-8") for f in files]
    tokens = count_tokens(tagger, texts)
    runner.load_tagger = lambda *args: tagger  # already loaded: time the scoring only
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        for f in files:
            shutil.copy(f, inputs / f.name)
        options = runner.ScoreOptions(paths=[inputs], out=Path(tmp) / "out", batch_size=args.batch_size, progress=False)
        started = time.perf_counter()
        stats = engines.run(options)
        seconds = time.perf_counter() - started
    return {
        "docs": stats.scored,
        "errors": stats.errors,
        "seconds": seconds,
        "tokens": tokens,
        "rss_mb": peak_rss_mb(),
    }


def hf_model_from_tagger(tagger, rows: list[tuple[float, float]] | None = None, labels: list[str] | None = None):
    """A BertForTokenClassification with the tagger's (merged) encoder; classifier = its token head, or, given
    ``rows`` [(weight row index, bias shift)], one output per row (used for the binary per-channel models)."""
    import torch
    from transformers import BertForTokenClassification

    encoder = tagger.network.encoder
    head = tagger.network.token_head
    labels = labels or list(tagger.config.channels)
    config = copy.deepcopy(encoder.config)
    config.num_labels = len(labels)
    config.id2label = dict(enumerate(labels))
    config.label2id = {label: i for i, label in enumerate(labels)}
    model = BertForTokenClassification(config)
    missing, unexpected = model.bert.load_state_dict(encoder.state_dict(), strict=False)
    assert not [m for m in missing if "pooler" not in m], missing
    with torch.no_grad():
        if rows is None:
            model.classifier.weight.copy_(head.weight)
            model.classifier.bias.copy_(head.bias)
        else:
            model.classifier.weight.zero_()
            model.classifier.bias.zero_()
            for out_row, (index, shift) in enumerate(rows):
                if index >= 0:
                    model.classifier.weight[out_row] = head.weight[int(index)]
                    model.classifier.bias[out_row] = head.bias[int(index)] - shift
    return model.eval()


def hf_tokenizer(tagger):
    from transformers import AutoTokenizer

    from slant.pipeline.tagger import base_dir_for

    tokenizer = AutoTokenizer.from_pretrained(base_dir_for(tagger.config.base))
    tokenizer.model_max_length = tagger.config.max_tokens + 2  # the tagger's window plus [CLS] and [SEP]
    return tokenizer


def phase_pipeline(args: argparse.Namespace) -> dict:
    import torch
    from transformers import pipeline

    tagger = load(args.model)
    texts = [f.read_text(encoding="utf-8") for f in dev_articles(args.docs)]
    tokens = count_tokens(tagger, texts)
    tokenizer = hf_tokenizer(tagger)
    overlap = tagger.config.max_tokens - tagger.config.stride  # the pipeline's stride is the overlap
    model = hf_model_from_tagger(tagger)
    results = {}
    for batch_size in (1, tagger.batch_size):
        pipe = pipeline("token-classification", model=model, tokenizer=tokenizer, device=-1, batch_size=batch_size)
        started = time.perf_counter()
        with torch.inference_mode():
            pipe(texts, aggregation_strategy="simple", stride=overlap)
        results[f"seconds_batch{batch_size}"] = time.perf_counter() - started
    results.update({"docs": len(texts), "tokens": tokens, "rss_mb": peak_rss_mb()})
    results["check"] = compare_spans(tagger, tokenizer, texts, overlap, args.channels, args.check_paragraphs)
    return results


def compare_spans(tagger, tokenizer, texts: list[str], overlap: int, channels: list[str], max_paragraphs: int) -> dict:
    """Same thresholds on the same probabilities, channel by channel.

    The pipeline's argmax over softmax can't express independent sigmoids, so each channel c gets a binary
    model with logits [0, z_c - logit(t_c)]: softmax picks label c exactly when sigmoid(z_c) >= t_c, the
    tagger's decision. The tagger grows spans to whole words (decoding.snap_to_words); the same snap is
    applied to the pipeline's entities. Comparable exactly: paragraphs that fit one window (no overlap
    handling), for channels with max_gap 0 (the tagger bridges small gaps; "simple" aggregation can't).
    Whole articles are reported as agreement only: the tagger averages overlapping windows, while the
    pipeline keeps the longest of the overlapping entities.
    """
    import torch
    from transformers import pipeline

    from slant.pipeline.decoding import snap_to_words

    paragraphs = []
    for text in texts:
        for line in text.split("\n"):
            n = len(tokenizer(line, add_special_tokens=False)["input_ids"]) if line.strip() else 0
            if 0 < n <= tagger.config.max_tokens:
                paragraphs.append(line)
    paragraphs = paragraphs[:max_paragraphs]
    preds_par = tagger.predict_tokens(paragraphs)
    preds_doc = tagger.predict_tokens(texts)
    report: dict = {"paragraphs": len(paragraphs), "channels": {}}
    # Probabilities: the HF model's sigmoid(logits) against the tagger's, token by token, on the paragraphs.
    full = hf_model_from_tagger(tagger)
    max_diff = 0.0
    with torch.inference_mode():
        for text, pred in zip(paragraphs, preds_par, strict=True):
            enc = tokenizer(text, return_tensors="pt", return_offsets_mapping=True)
            offsets = enc.pop("offset_mapping")[0]
            probs = torch.sigmoid(full(**enc).logits[0])
            keep = offsets[:, 1] > offsets[:, 0]  # the tagger keeps the pieces that cover characters
            max_diff = max(max_diff, float((probs[keep].numpy() - pred.probs).__abs__().max(initial=0.0)))
    report["max_prob_diff"] = max_diff
    for channel in channels:
        settings = tagger.config.thresholds[channel]
        t = settings["threshold"]
        index = tagger.config.channels.index(channel)
        model = hf_model_from_tagger(tagger, rows=[(-1, 0.0), (index, math.log(t / (1 - t)))], labels=["O", channel])
        pipe = pipeline(
            "token-classification", model=model, tokenizer=tokenizer, device=-1, batch_size=tagger.batch_size
        )

        def pipeline_spans(text: str, entities: list[dict]) -> list[tuple[int, int]]:
            return sorted({snap_to_words(text, e["start"], e["end"]) for e in entities})

        def tagger_spans(pred, channel: str = channel) -> list[tuple[int, int]]:
            return sorted({(s.start, s.end) for s in tagger.channel_spans(pred, channel)})

        with torch.inference_mode():
            par_entities = pipe(paragraphs, aggregation_strategy="simple")
            doc_entities = pipe(texts, aggregation_strategy="simple", stride=overlap)
        same_par = sum(
            pipeline_spans(p, e) == tagger_spans(pr)
            for p, e, pr in zip(paragraphs, par_entities, preds_par, strict=True)
        )
        n_tagger = n_pipe = n_both = 0
        for text, ents, pred in zip(texts, doc_entities, preds_doc, strict=True):
            a, b = set(tagger_spans(pred)), set(pipeline_spans(text, ents))
            n_tagger, n_pipe, n_both = n_tagger + len(a), n_pipe + len(b), n_both + len(a & b)
        report["channels"][channel] = {
            "max_gap": settings.get("max_gap", 0),
            "paragraphs_identical": same_par,
            "articles_spans_tagger": n_tagger,
            "articles_spans_pipeline": n_pipe,
            "articles_spans_shared": n_both,
        }
    return report


def synthetic_docs(folder: Path, n: int, length: tuple[int, int] = (200, 500), seed: int = 7) -> None:
    """n documents of length[0]-length[1] words from a small vocabulary with loaded words, in 100-file subfolders."""
    rng = random.Random(seed)
    vocab = " ".join(
        [
            "the a of to and in that is was for on with as by officials said government plan people",
            "report city minister week year new local council vote police court border budget reckless",
            "disgraceful radical corrupt elite shameful catastrophic betrayal patriots everyone knows",
            "truth lie traitors",
        ]
    ).split(" ")
    for i in range(n):
        sub = folder / f"{i // 100:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        words = [rng.choice(vocab) for _ in range(rng.randint(*length))]
        sentences = [" ".join(words[j : j + 15]).capitalize() + "." for j in range(0, len(words), 15)]
        (sub / f"doc{i:05d}.txt").write_text("\n".join(sentences) + "\n", encoding="utf-8")


def phase_memory(args: argparse.Namespace) -> dict:
    from slant.batch import engines, runner

    tagger = load(args.model)
    runner.load_tagger = lambda *args: tagger
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        synthetic_docs(inputs, args.memory_docs, tuple(args.memory_words))
        rss_before = peak_rss_mb()
        options = runner.ScoreOptions(paths=[inputs], out=Path(tmp) / "out", batch_size=args.batch_size, progress=False)
        started = time.perf_counter()
        stats = engines.run(options)
        seconds = time.perf_counter() - started
        out_mb = sum(f.stat().st_size for f in (Path(tmp) / "out").rglob("*") if f.is_file()) / 1e6
    return {
        "docs": stats.scored,
        "errors": stats.errors,
        "seconds": seconds,
        "rss_mb_after_load": rss_before,
        "rss_mb": peak_rss_mb(),
        "output_mb": out_mb,
    }


PHASES = {"runner": phase_runner, "pipeline": phase_pipeline, "memory": phase_memory}


def run_phase(name: str, argv: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--phase", name, *argv], capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"phase {name} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.environ.get("SLANT_MODEL"), help="model folder (default: shipped)")
    ap.add_argument("--docs", type=int, default=75, help="PTC dev articles to score")
    ap.add_argument("--memory-docs", type=int, default=10_000, help="synthetic documents for the memory run (0: skip)")
    ap.add_argument(
        "--memory-words",
        type=int,
        nargs=2,
        default=[200, 500],
        metavar=("MIN", "MAX"),
        help="length range of the synthetic documents (shorter: a quicker memory run over as many documents)",
    )
    ap.add_argument("--batch-size", type=int, default=16, help="documents per classify_batch call")
    ap.add_argument("--channels", nargs="+", default=["any"], help="channels whose spans are compared")
    ap.add_argument("--check-paragraphs", type=int, default=500, help="paragraphs in the exact span check")
    ap.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args)))
        return
    argv = [
        "--docs",
        str(args.docs),
        "--memory-docs",
        str(args.memory_docs),
        "--batch-size",
        str(args.batch_size),
        "--memory-words",
        *map(str, args.memory_words),
    ]
    argv += ["--check-paragraphs", str(args.check_paragraphs), "--channels", *args.channels] + (
        ["--model", args.model] if args.model else []
    )
    print(f"model: {args.model or 'shipped model/'}; torch threads: default; {os.cpu_count()} cores")
    ours = run_phase("runner", argv)
    plain = run_phase("pipeline", argv)
    print(f"\nPTC dev, {ours['docs']} articles, {ours['tokens']:,} tokens")
    print(f"{'':34}{'docs/s':>10}{'tokens/s':>12}{'peak RSS MB':>14}")
    rows = [
        ("slant score runner", ours["seconds"], ours["rss_mb"]),
        ("HF pipeline, batch_size=1", plain["seconds_batch1"], plain["rss_mb"]),
    ]
    rows += [
        (f"HF pipeline, batch_size={k[13:]}", v, plain["rss_mb"])
        for k, v in plain.items()
        if k.startswith("seconds_batch") and k != "seconds_batch1"
    ]
    for name, seconds, rss in rows:
        print(f"{name:34}{ours['docs'] / seconds:>10.2f}{ours['tokens'] / seconds:>12,.0f}{rss:>14,.0f}")
    fastest_plain = min(v for k, v in plain.items() if k.startswith("seconds_batch"))
    print(f"speed-up over the faster pipeline setting: {fastest_plain / ours['seconds']:.2f}x")
    check = plain["check"]
    print(f"\nspan check: max |sigmoid(HF logits) - tagger prob| = {check['max_prob_diff']:.2e} on paragraphs")
    for channel, c in check["channels"].items():
        print(
            f"  {channel} (max_gap {c['max_gap']}): single-window paragraphs with identical spans "
            f"{c['paragraphs_identical']}/{check['paragraphs']}; whole articles (overlapping windows): "
            f"tagger {c['articles_spans_tagger']}, pipeline {c['articles_spans_pipeline']}, "
            f"shared {c['articles_spans_shared']}"
        )
    if args.memory_docs:
        mem = run_phase("memory", argv)
        print(
            f"\nmemory run: {mem['docs']:,} synthetic documents, {mem['docs'] / mem['seconds']:.1f} docs/s, "
            f"peak RSS {mem['rss_mb']:,.0f} MB (after model load {mem['rss_mb_after_load']:,.0f} MB), "
            f"outputs {mem['output_mb']:.0f} MB, errors {mem['errors']}"
        )


if __name__ == "__main__":
    main()
