"""A fine-tuned reader of one item in its paragraph: a second opinion for both rhetoric classifiers.

The feature model sees cue words; whether a claim is contestable, or whether quotation marks sneer, lies in
what the words mean. This model reads the item's paragraph with the item (a sentence or clause; a quotation
with its marks) marked ("... << item >> ...") through the base MiniLM encoder with small LoRA adapters, pools
the item's tokens and the whole window, and predicts the classifier's classes. Trained on the TUNE hand labels
only (``slant.train.rhetoric``); its positive-class probability is averaged with the other models', calibrated
and thresholded on out-of-fold TUNE scores.

It reads the base encoder, not the span tagger, so one file serves every tagger: a tagger's own rhetoric
folder holds no copy (``slant.model.rhetoric.load_classifiers`` reads ``model/rhetoric``'s). Stored as its LoRA and
head weights rounded to float16 (``{kind}.cross.safetensors``, 155 KB: the model folder has a 10 MB budget)
plus a JSON record of its settings; they are read back as float32.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from slant.model.encoder import MINILM, verified_model_dir
from slant.model.rhetoric.linear import calibrate
from slant.model.windows import tokenizable
from slant.text.context import TextContext

FORMAT = "slant-rhetoric-cross/1"
MARK_OPEN, MARK_CLOSE = " << ", " >> "


@dataclass(frozen=True, slots=True)
class CrossConfig:
    """Settings of the cross-encoder (chosen by grouped cross-validation on the TUNE part)."""

    epochs: int = 6
    r: int = 8
    alpha: int = 16
    lora_dropout: float = 0.1
    targets: tuple[str, ...] = ("query", "value")
    lr: float = 1e-3
    batch_size: int = 16
    max_tokens: int = 192
    left_chars: int = 300  # paragraph context kept before the item
    right_chars: int = 200  # and after it
    seed: int = 20240611


@dataclass(frozen=True, slots=True)
class Window:
    """The text the model reads, and where the item sits in it."""

    text: str
    start: int
    end: int


def item_window(ctx: TextContext, start: int, end: int, config: CrossConfig) -> Window:
    """The item with its marks, inside up to ``left_chars`` / ``right_chars`` of its own paragraph."""
    text = ctx.text
    line_lo, line_hi = ctx.line(start)
    left = text[max(line_lo, start - config.left_chars) : start]
    right = text[end : min(max(line_hi, end), end + config.right_chars)]
    a = len(left) + len(MARK_OPEN)
    return Window(left + MARK_OPEN + text[start:end] + MARK_CLOSE + right, a, a + end - start)


class CrossNetwork(nn.Module):
    """Encoder with LoRA adapters; a linear head over [mean of the item's tokens, mean of the window]."""

    def __init__(self, base_dir: Path, n_labels: int, config: CrossConfig) -> None:
        super().__init__()
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModel

        from slant.quiet import quiet_loading

        with quiet_loading():  # no load report, weight-loading bar or peft's FutureWarning (slant.quiet)
            base = AutoModel.from_pretrained(base_dir)
            lora = LoraConfig(
                r=config.r,
                lora_alpha=config.alpha,
                lora_dropout=config.lora_dropout,
                target_modules=list(config.targets),
            )
            self.encoder = get_peft_model(base, lora)
        hidden = base.config.hidden_size
        self.head = nn.Sequential(nn.Dropout(0.1), nn.Linear(2 * hidden, n_labels))

    def forward(self, ids: torch.Tensor, attention: torch.Tensor, item_mask: torch.Tensor) -> torch.Tensor:
        states = self.encoder(input_ids=ids, attention_mask=attention).last_hidden_state
        every = attention.unsqueeze(-1).to(states.dtype)
        item = item_mask.unsqueeze(-1).to(states.dtype)
        mean_all = (states * every).sum(1) / every.sum(1).clamp(min=1)
        mean_item = (states * item).sum(1) / item.sum(1).clamp(min=1)
        return self.head(torch.cat([mean_item, mean_all], -1))

    def trainable_state(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.state_dict().items() if "lora_" in k or k.startswith("head.")}


@dataclass
class _Encoded:
    ids: list[list[int]]
    masks: list[list[float]]


def _encode(tokenizer: Any, windows: list[Window], max_tokens: int) -> _Encoded:
    texts = [tokenizable(w.text) for w in windows]  # lone surrogates: U+FFFD, offsets unchanged
    enc = tokenizer(texts, truncation=True, max_length=max_tokens, return_offsets_mapping=True)
    masks = []
    for w, offsets in zip(windows, enc["offset_mapping"], strict=True):
        masks.append([1.0 if e > s and s < w.end and e > w.start else 0.0 for s, e in offsets])
    return _Encoded(enc["input_ids"], masks)


def _batch(encoded: _Encoded, idx: list[int] | np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    length = max(len(encoded.ids[i]) for i in idx)
    ids = torch.zeros(len(idx), length, dtype=torch.long)
    attention = torch.zeros(len(idx), length, dtype=torch.long)
    item = torch.zeros(len(idx), length)
    for row, i in enumerate(idx):
        n = len(encoded.ids[i])
        ids[row, :n] = torch.tensor(encoded.ids[i])
        attention[row, :n] = 1
        item[row, :n] = torch.tensor(encoded.masks[i])
    return ids, attention, item


@dataclass
class CrossEncoderModel:
    """A trained cross-encoder: its network, labels, and the mixing threshold and calibration."""

    network: CrossNetwork
    tokenizer: Any
    labels: list[str]
    positive: str
    config: CrossConfig
    threshold: float = 0.5  # on the calibrated mean of the feature and cross models' positive probabilities
    calibration: tuple[float, float] = (1.0, 0.0)
    meta: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def fit(cls, windows: list[Window], labels: list[str], positive: str, config: CrossConfig) -> CrossEncoderModel:
        """Fine-tune on (window, label) pairs; seeded, so a run on the same machine gives the same weights."""
        from transformers import AutoTokenizer

        base_dir = verified_model_dir(MINILM)
        classes = sorted(set(labels))
        torch.manual_seed(config.seed)
        rng = np.random.default_rng(config.seed)
        tokenizer = AutoTokenizer.from_pretrained(base_dir)
        network = CrossNetwork(base_dir, len(classes), config)
        encoded = _encode(tokenizer, windows, config.max_tokens)
        y = np.array([classes.index(label) for label in labels])
        params = [p for p in network.parameters() if p.requires_grad]
        optimiser = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.01)
        steps = config.epochs * -(-len(y) // config.batch_size)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=config.lr, total_steps=steps, pct_start=0.1)
        # Square-root class weights: the rare classes (hedged, unhedged) count more without swamping the rest.
        counts = np.bincount(y, minlength=len(classes))
        weights = torch.tensor((counts.sum() / (len(classes) * np.maximum(counts, 1))) ** 0.5, dtype=torch.float)
        loss_fn = nn.CrossEntropyLoss(weight=weights)
        network.train()
        for _ in range(config.epochs):
            order = rng.permutation(len(y))
            for k in range(0, len(order), config.batch_size):
                idx = order[k : k + config.batch_size]
                loss = loss_fn(network(*_batch(encoded, idx)), torch.tensor(y[idx]))
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        network.eval()
        return cls(network, tokenizer, classes, positive, config)

    def probabilities(self, windows: list[Window], batch_size: int = 32) -> np.ndarray:
        """Class probabilities, one row per window (columns in ``labels`` order)."""
        out = np.zeros((len(windows), len(self.labels)), dtype=np.float32)
        if not windows:
            return out
        # One caller at a time: a fast tokenizer sets its truncation state per call and fails ("Already
        # borrowed") when two threads share it.
        with self._lock:
            encoded = _encode(self.tokenizer, windows, self.config.max_tokens)
        order = np.argsort([len(ids) for ids in encoded.ids])  # similar lengths together: less padding
        with torch.inference_mode():
            for k in range(0, len(order), batch_size):
                idx = order[k : k + batch_size]
                out[idx] = torch.softmax(self.network(*_batch(encoded, idx)), -1).numpy()
        return out

    def mixed_score(self, feature_probability: float, cross_probability: float) -> float:
        """Calibrated positive-class probability from the feature model and this one (the mean of the two), as
        ``VectorModel.mixed_score`` mixes the vector model's; ``threshold`` applies to it."""
        return calibrate((feature_probability + cross_probability) / 2, self.calibration)

    def positive_probabilities(self, windows: list[Window]) -> np.ndarray:
        return self.probabilities(windows)[:, self.labels.index(self.positive)]

    def item_probabilities(self, items: list[tuple[TextContext, int, int]]) -> list[float]:
        """The positive-class probability of each (context, start, end) item, in one batched pass."""
        windows = [item_window(ctx, start, end, self.config) for ctx, start, end in items]
        return [float(p) for p in self.positive_probabilities(windows)]

    # ---------------------------------------------------------------- files

    def save(self, weights_path: Path) -> None:
        from safetensors.torch import save_file

        state = {k: v.detach().to(torch.float16).contiguous() for k, v in self.network.trainable_state().items()}
        save_file(state, str(weights_path))
        record = {
            "format": FORMAT,
            "base": asdict(MINILM),
            "labels": self.labels,
            "positive": self.positive,
            "config": asdict(self.config),
            "threshold": self.threshold,
            "calibration": list(self.calibration),
            "meta": self.meta,
        }
        record_path = weights_path.with_suffix(".json")
        record_path.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, weights_path: Path) -> CrossEncoderModel:
        from safetensors.torch import load_file
        from transformers import AutoTokenizer

        record_path = weights_path.with_suffix(".json")
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if record.get("format") != FORMAT:
            raise ValueError(f"{record_path}: not a {FORMAT} file (format {record.get('format')!r})")
        raw = dict(record["config"])
        raw["targets"] = tuple(raw["targets"])
        config = CrossConfig(**raw)
        base_dir = verified_model_dir(MINILM, record["base"]["sha256"])
        network = CrossNetwork(base_dir, len(record["labels"]), config)
        state = {k: v.to(torch.float32) for k, v in load_file(str(weights_path)).items()}
        missing = set(network.trainable_state()) - set(state)
        if missing:
            raise ValueError(f"{weights_path}: missing weights {sorted(missing)[:3]}")
        network.load_state_dict(state, strict=False)
        network.encoder = network.encoder.merge_and_unload()  # plain encoder at run time: faster, same output
        network.eval()
        return cls(
            network,
            AutoTokenizer.from_pretrained(base_dir),
            list(record["labels"]),
            record["positive"],
            config,
            float(record["threshold"]),
            (float(record["calibration"][0]), float(record["calibration"][1])),
            record.get("meta", {}),
        )
