"""Fit a SpanTagger: the training loop with checkpoints and resume. ``train.py`` is the command-line layer."""

from __future__ import annotations

import dataclasses
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from datasets import Dataset
from safetensors.torch import load_file, save_file
from torch.nn import functional as F
from tqdm.auto import tqdm
from transformers import AutoTokenizer, get_linear_schedule_with_warmup

from slant.corpora.base import Document
from slant.corpora.ptc import read_ptc2020
from slant.corpora.semeval2021 import read_semeval2021
from slant.corpora.split import split_documents
from slant.model.config import ModelConfig
from slant.model.encoder import KNOWN_ENCODERS, MINILM, resolve_base_model, sha256_file
from slant.model.network import SpanTagger, build_network, pool_span, resolve_device, trainable_state
from slant.model.profiles import DEFAULT_PROFILE, PROFILES
from slant.model.windows import pack_windows
from slant.pipeline.tagger import Tagger
from slant.train.config import TrainConfig
from slant.train.data import ChannelSpec, build_dataset, channel_spec
from slant.train.heads import HeadSettings, fit_heads
from slant.train.tuning import tune

log = logging.getLogger("slant.train")


def set_seed(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@dataclass
class Corpora:
    fit: list[tuple[str, Document]]
    val: list[tuple[str, Document]]


def load_corpora(config: TrainConfig) -> Corpora:
    """PTC-2020 train (and optionally SemEval-2021 train), each split into fit and validation documents."""
    ptc = read_ptc2020("train", root=config.data_root)
    if config.max_train_docs:
        ptc = [d for d in ptc if d.spans][: config.max_train_docs]
    ptc_fit, ptc_val = split_documents(ptc, config.val_fraction, config.seed)
    fit = [("ptc2020", d) for d in ptc_fit]
    val = [("ptc2020", d) for d in ptc_val]
    if config.multitask_semeval2021:
        memes = read_semeval2021("train", root=config.data_root)
        meme_fit, meme_val = split_documents(memes, config.val_fraction, config.seed)
        fit += [("semeval2021", d) for d in meme_fit]
        val += [("semeval2021", d) for d in meme_val]
    return Corpora(fit, val)


def positive_weights(dataset: Dataset, n_channels: int, cap: float) -> torch.Tensor:
    """sqrt(negatives/positives) per channel, capped: rare techniques get heard without drowning precision."""
    pos = np.zeros(n_channels)
    total = np.zeros(n_channels)
    for targets, mask in zip(dataset["targets"], dataset["channel_mask"], strict=True):
        arr = np.asarray(targets, dtype=np.float32)
        if arr.size == 0:
            continue
        pos += arr.sum(axis=0) * np.asarray(mask)
        total += len(arr) * np.asarray(mask)
    ratio = np.sqrt(np.maximum(total - pos, 1) / np.maximum(pos, 1))
    return torch.tensor(np.clip(ratio, 1.0, cap), dtype=torch.float32)


def bucketed_batches(lengths: list[int], batch_size: int, rng: random.Random, pool: int = 50) -> list[list[int]]:
    """Shuffled batches of windows of similar length: short meme windows are not padded to article length."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    batches = []
    for chunk_start in range(0, len(order), batch_size * pool):
        chunk = sorted(order[chunk_start : chunk_start + batch_size * pool], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def collate(rows: list[dict], cls_id: int, sep_id: int, pad_id: int, n_channels: int) -> dict:
    input_ids, attention = pack_windows([r["input_ids"] for r in rows], cls_id, sep_id, pad_id)
    batch, width = input_ids.shape
    targets = torch.zeros((batch, width, n_channels))
    token_mask = torch.zeros((batch, width))
    for i, row in enumerate(rows):
        n = len(row["input_ids"])
        if n:
            targets[i, 1 : n + 1] = torch.tensor(row["targets"])
        token_mask[i, 1 : n + 1] = 1.0
    channel_mask = torch.tensor([r["channel_mask"] for r in rows])
    spans = [
        (i, s, e, torch.tensor(lab), torch.tensor(f))
        for i, r in enumerate(rows)
        for s, e, lab, f in zip(r["span_starts"], r["span_ends"], r["span_labels"], r["span_features"], strict=True)
    ]
    return {
        "input_ids": input_ids,
        "attention": attention,
        "targets": targets,
        "token_mask": token_mask,
        "channel_mask": channel_mask,
        "spans": spans,
    }


def to_device(batch: dict, device: torch.device) -> dict:
    moved = {k: v.to(device) for k, v in batch.items() if isinstance(v, torch.Tensor)}
    moved["spans"] = [(i, s, e, lab.to(device), f.to(device)) for i, s, e, lab, f in batch["spans"]]
    return moved


def batch_loss(network: SpanTagger, batch: dict, pos_weight: torch.Tensor, span_weight: float) -> torch.Tensor:
    hidden = network.encode(batch["input_ids"], batch["attention"])
    logits = network.token_logits(hidden)
    per_token = F.binary_cross_entropy_with_logits(logits, batch["targets"], pos_weight=pos_weight, reduction="none")
    mask = batch["token_mask"][:, :, None] * batch["channel_mask"][:, None, :]
    loss = (per_token * mask).sum() / mask.sum().clamp(min=1.0)
    if batch["spans"] and span_weight > 0:
        pooled = torch.stack([pool_span(hidden[i], s, e) for i, s, e, _, _ in batch["spans"]])
        feats = torch.stack([f for *_, f in batch["spans"]])
        labels = torch.stack([lab for *_, lab, _ in batch["spans"]])
        soft_targets = labels / labels.sum(dim=-1, keepdim=True).clamp(min=1.0)
        span_logits = network.span_logits(pooled, feats)
        loss = loss + span_weight * F.cross_entropy(span_logits, soft_targets)
    return loss


def base_record(config: TrainConfig, base_dir: Path) -> dict:
    """How the Tagger will find the same base weights again: a pip package + sha256, or a folder path."""
    if config.base_model is None or config.base_model in KNOWN_ENCODERS:
        encoder = KNOWN_ENCODERS.get(config.base_model or MINILM.name, MINILM)
        return dataclasses.asdict(encoder)
    weights = base_dir / "model.safetensors"
    return {
        "name": base_dir.name,
        "path": str(base_dir.resolve()),
        "sha256": sha256_file(weights) if weights.is_file() else None,
    }


@dataclass
class Loop:
    """The optimisation loop of one training phase: AdamW with linear warm-up and decay, a progress bar, a
    checkpoint every ``checkpoint_every`` steps, and ``--resume`` from it with the same batches."""

    config: TrainConfig
    dataset: Dataset
    lengths: list[int]
    pos_weight: torch.Tensor
    tokenizer: object
    n_channels: int
    device: torch.device

    def batches(self, epoch: int) -> list[list[int]]:
        # The order of each epoch depends only on the seed and the epoch: a resumed run sees the same batches.
        rng = random.Random(self.config.seed * 1000 + epoch)
        return bucketed_batches(self.lengths, self.config.batch_size, rng)

    def loss(self, network: SpanTagger, index: list[int]) -> torch.Tensor:
        tok = self.tokenizer
        cls_id, sep_id, pad_id = tok.cls_token_id, tok.sep_token_id, tok.pad_token_id or 0  # type: ignore[attr-defined]
        rows = self.dataset[index]
        rows = [dict(zip(rows, values, strict=True)) for values in zip(*rows.values(), strict=True)]
        batch = to_device(collate(rows, cls_id, sep_id, pad_id, self.n_channels), self.device)
        return batch_loss(network, batch, self.pos_weight, self.config.span_loss_weight)

    def run(
        self, network: SpanTagger, epochs: float, learning_rate: float, checkpoint: Path, resume: bool
    ) -> tuple[float, int]:
        """Train ``network`` for ``epochs``; the seconds it took and the optimiser steps it took them in (0 when
        a finished checkpoint was resumed)."""
        config = self.config
        params = [p for p in network.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=learning_rate, weight_decay=config.weight_decay)
        steps_per_epoch = len(self.batches(0))
        total_steps = max(1, int(steps_per_epoch * epochs))
        scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total_steps), total_steps)
        step = 0
        if resume and checkpoint.is_file():
            state = torch.load(checkpoint, weights_only=False, map_location="cpu")
            network.load_state_dict(state["network"], strict=False)
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            step = state["step"]
            random.setstate(state["python_rng"])
            torch.set_rng_state(state["torch_rng"])
            log.info("resumed from %s at step %d", checkpoint, step)
        network.train()
        started, resumed_at = time.time(), step
        progress = tqdm(total=total_steps, initial=step, desc="train", unit="step", dynamic_ncols=True)
        while step < total_steps:
            epoch = step // steps_per_epoch
            batches = self.batches(epoch)
            for batch_index in range(step % steps_per_epoch, steps_per_epoch):
                if step >= total_steps:
                    break
                loss = self.loss(network, batches[batch_index])
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                step += 1
                progress.update(1)
                progress.set_postfix(loss=f"{loss.item():.4f}", epoch=epoch)
                if step % config.checkpoint_every == 0 or step == total_steps:
                    torch.save(
                        {
                            "network": trainable_state(network),
                            "optimizer": optimizer.state_dict(),
                            "scheduler": scheduler.state_dict(),
                            "step": step,
                            "python_rng": random.getstate(),
                            "torch_rng": torch.get_rng_state(),
                        },
                        checkpoint,
                    )
        progress.close()
        return time.time() - started, step - resumed_at


def fit(config: TrainConfig, resume: bool = False) -> Path:
    """Train, tune thresholds and calibration on the held-out train documents, and write the model folder.

    The encoder and its token and span heads train on the technique corpora (``epochs``; ``init_from`` takes
    that result, weights and tuning, from a model folder instead); then, with ``heads``, the candidate heads
    are fitted on the finished encoder's states (``slant.train.heads``); everything lands in one weights
    file."""
    set_seed(config.seed)
    if config.threads:
        torch.set_num_threads(config.threads)
    run_dir = Path(config.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    base_dir = resolve_base_model(config.base_model)
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    tokenizer.model_max_length = 1 << 30  # slant cuts its own windows; silence the length warning
    corpora = load_corpora(config)
    spec: ChannelSpec = channel_spec(["ptc2020", "semeval2021"] if config.multitask_semeval2021 else ["ptc2020"])
    dataset = build_dataset(corpora.fit, spec, tokenizer, config.max_tokens, config.stride)
    log.info("training windows: %d from %d documents", len(dataset), len(corpora.fit))

    lora = (
        {
            "r": config.lora_r,
            "alpha": config.lora_alpha,
            "dropout": config.lora_dropout,
            "targets": config.lora_targets,
        }
        if config.lora
        else None
    )
    device = resolve_device(config.device)
    torch.backends.cuda.matmul.allow_tf32 = True  # on a GPU: float32 training at tensor-core speed
    network = build_network(
        base_dir, len(spec.channels), len(spec.techniques), config.dropout, lora, config.span_hidden
    ).to(device)
    log.info("training on %s", device)
    pos_weight = positive_weights(dataset, len(spec.channels), config.max_pos_weight).to(device)
    lengths = [len(ids) for ids in dataset["input_ids"]]
    loop = Loop(config, dataset, lengths, pos_weight, tokenizer, len(spec.channels), device)
    seconds: dict[str, float] = {}
    if config.init_from:
        # The technique phase's result taken from a model folder (its adapters and heads), not recomputed.
        state = load_file(str(Path(config.init_from) / "weights.safetensors"))
        network.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
        log.info("technique phase taken from %s", config.init_from)
    else:
        checkpoint = run_dir / "checkpoint.pt"
        seconds["techniques"], _ = loop.run(network, config.epochs, config.learning_rate, checkpoint, resume)
    train_seconds = sum(seconds.values())
    network.eval()

    output = Path(config.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    dtype = getattr(torch, config.weights_dtype)
    state = trainable_state(network)
    save_file({name: t.to(dtype) for name, t in state.items()}, str(output / "weights.safetensors"))
    model_config = ModelConfig(
        base=base_record(config, base_dir),
        channels=spec.channels,
        span_labels=spec.techniques,
        thresholds={c: {"threshold": 0.5, "max_gap": 0} for c in spec.channels},
        calibration={},
        max_tokens=config.max_tokens,
        stride=config.stride,
        lora=lora,
        dropout=config.dropout,
        span_hidden=config.span_hidden,
        extra={
            "train_config": config.to_dict(),
            "train_seconds": round(train_seconds, 1),
            "phase_seconds": {name: round(t, 1) for name, t in seconds.items()},
        },
    )
    model_config.write(output / "config.json")
    if config.init_from:
        # The technique phase's tuning comes with its weights: same weights, same held-out documents, same fit.
        model_config.adopt_tuning(ModelConfig.read(Path(config.init_from) / "config.json"))
        model_config.write(output / "config.json")
    else:
        tune_model(output, corpora, spec, config.technique_thresholds, config.device)
    if config.heads:
        started = time.time()
        tagger = Tagger.load(output, device=config.device)
        specs = fit_heads(tagger, head_settings(config), config.data_root, *held_out_documents(corpora))
        for kind in specs:
            head_state = tagger.network.candidate_heads[kind].state_dict()
            state.update({f"candidate_heads.{kind}.{name}": t.detach().cpu() for name, t in head_state.items()})
        save_file({name: t.to(dtype) for name, t in state.items()}, str(output / "weights.safetensors"))
        model_config = ModelConfig.read(output / "config.json")
        model_config.heads = {kind: s.to_dict() for kind, s in specs.items()}
        model_config.extra["phase_seconds"]["heads"] = round(time.time() - started, 1)
        model_config.write(output / "config.json")
    return output


def head_settings(config: TrainConfig) -> HeadSettings:
    return HeadSettings(
        layers=tuple(config.head_layers),
        c_states=config.head_c_states,
        c_cues=config.head_c_cues,
        weak_weight=config.head_weak_weight,
        report_documents=config.head_report_documents,
        max_hand=config.head_max_hand,
    )


def held_out_documents(corpora: Corpora) -> tuple[set[str], set[tuple[str, str]]]:
    """The held-out train documents (the technique thresholds and calibration are fitted on them, so no head
    learns from them either): their weak-label groups, and their (corpus, doc id) as hand-label items name them."""
    groups = {f"ptc/{doc.id}" for corpus, doc in corpora.val if corpus == "ptc2020"}
    docs = {(f"{corpus}-train", doc.id) for corpus, doc in corpora.val}
    return groups, docs


def tune_model(
    output: Path,
    corpora: Corpora,
    spec: ChannelSpec,
    method: str = "shared",
    device: str | None = None,
) -> None:
    """Fit thresholds and calibration of the model in ``output`` on the held-out train documents: the default
    profile (news) at the top level of its config, each other profile whose corpus was trained on under
    ``profiles``."""
    model_config = ModelConfig.read(output / "config.json")
    tagger = Tagger.load(output, device=device)
    model_config.profiles = {}
    for profile in PROFILES.values():
        if profile.corpus not in spec.annotated:
            continue
        thresholds, calibration, val_report = tune(
            tagger, corpora.val, spec, output_corpora=(profile.corpus,), home=profile.corpus, method=method
        )
        if profile.name == DEFAULT_PROFILE:
            model_config.thresholds = thresholds
            model_config.calibration = calibration
            model_config.extra["validation"] = val_report
        else:
            model_config.profiles[profile.name] = {
                "thresholds": thresholds,
                "calibration": calibration,
                "validation": val_report,
            }
    # A re-tune may use another method than the run that trained the weights: record the one in force.
    model_config.extra.setdefault("train_config", {})["technique_thresholds"] = method
    model_config.write(output / "config.json")


def retune(config: TrainConfig, model_dir: Path) -> Path:
    """Re-fit thresholds and calibration of a trained model (same held-out documents as its training run)."""
    corpora = load_corpora(config)
    spec = channel_spec(["ptc2020", "semeval2021"] if config.multitask_semeval2021 else ["ptc2020"])
    tune_model(model_dir, corpora, spec, config.technique_thresholds, config.device)
    return model_dir
