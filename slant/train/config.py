"""Every setting of a training run, in one place. ``train.py`` exposes each field as a flag."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields

from slant.corpora.split import HELD_OUT_FRACTION, HELD_OUT_SEED

TECHNIQUE_THRESHOLD_METHODS = ("shared", "per_channel")  # see slant.train.tuning
WEIGHT_DTYPES = ("float32", "float16")
DEVICE_PATTERN = re.compile(r"auto|cpu|cuda(:\d+)?|mps")


@dataclass
class TrainConfig:
    base_model: str | None = None  # None: all-MiniLM-L6-v2 from its pip package; else a HF encoder folder
    output_dir: str = "model"
    run_dir: str = "runs/default"  # checkpoints and logs; never committed
    data_root: str | None = None
    seed: int = HELD_OUT_SEED
    # Articles held out of PTC train to tune thresholds and calibration (dev is never used for tuning).
    val_fraction: float = HELD_OUT_FRACTION
    # How the technique channels' decoding thresholds are fitted on those articles (slant.train.tuning):
    # "shared" fits one threshold for all of them, "per_channel" one each (fits ~45 articles, carries over worse).
    technique_thresholds: str = "shared"
    multitask_semeval2021: bool = True  # add the SemEval-2021 meme texts as extra training documents
    # Windows: MiniLM attends over 512 positions, 256 keeps CPU training fast; overlap gives every token context.
    max_tokens: int = 254
    stride: int = 190
    epochs: float = 10.0
    batch_size: int = 16
    learning_rate: float = 1e-3  # LoRA adapters and fresh heads learn faster than a full fine-tune
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    dropout: float = 0.1
    lora: bool = True  # False: full fine-tune (too large to ship in git; used to measure what LoRA gives up)
    lora_r: int = 32
    lora_alpha: int = 64
    lora_dropout: float = 0.0  # adapter dropout costs CPU time and the heads already use dropout
    # Module names differ by encoder: BERT-style (MiniLM) "query", "key", "value", "dense"; MPNet "q", "k", "v", "o".
    lora_targets: list[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])
    span_hidden: int | None = None  # span head width; None: the encoder's hidden size
    # float16 halves the shipped file (a large encoder's adapters must fit the 10 MB of weights kept in git);
    # the Tagger computes in float32 either way.
    weights_dtype: str = "float32"
    device: str = "auto"  # auto: the GPU when torch sees one
    # Class balance: positive tokens of rare techniques are up-weighted by sqrt(neg/pos), capped.
    max_pos_weight: float = 8.0
    span_loss_weight: float = 1.0
    # Candidate heads (quotation function, sentence stance; slant.model.heads), fitted on the finished encoder's states
    # in the same run; settings chosen on the TUNE items alone (python -m slant.train.head_selection). Off by default:
    # the shipped model keeps its separate rhetoric models until a one-pass model meets the card's rule.
    heads: bool = False
    head_layers: list[int] = field(default_factory=lambda: [-3])  # hidden states the state reader pools (-1: last)
    head_c_states: float = 0.003  # inverse L2 strength of the state reader (standardised states)
    head_c_cues: float = 0.1  # and of the cue reader
    head_weak_weight: float = 0.1  # weight of a weak label in the cue reader (0: hand labels only)
    # TUNE items from documents that also hold REPORT items train the heads, as they trained the separate rhetoric
    # models (False: held out, so no REPORT document was read; slant.train.head_data says which items are which).
    head_report_documents: bool = True
    init_from: str | None = None  # a model folder whose weights stand for the technique phase (not re-run)
    head_max_hand: int | None = None  # limit for smoke runs
    checkpoint_every: int = 100  # optimiser steps
    max_train_docs: int | None = None  # limit for smoke runs
    threads: int = 0  # 0: torch default
    smoke: bool = False

    def __post_init__(self) -> None:
        # Checked here, not after an hour of training when the thresholds are fitted.
        if self.technique_thresholds not in TECHNIQUE_THRESHOLD_METHODS:
            raise ValueError(
                f"technique_thresholds is {self.technique_thresholds!r}: "
                f"choose one of {', '.join(TECHNIQUE_THRESHOLD_METHODS)}"
            )
        if self.weights_dtype not in WEIGHT_DTYPES:
            raise ValueError(f"weights_dtype is {self.weights_dtype!r}: choose one of {', '.join(WEIGHT_DTYPES)}")
        if not DEVICE_PATTERN.fullmatch(self.device):
            raise ValueError(f"device is {self.device!r}: choose auto, cpu, cuda, cuda:N or mps")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def smoke_version(self) -> TrainConfig:
        """A tiny run for tests: a few documents, short windows, one pass."""
        return TrainConfig(
            **{
                **self.to_dict(),
                "smoke": True,
                "max_train_docs": 6,
                "max_tokens": 62,
                "stride": 48,
                "epochs": 1.0,
                "batch_size": 8,
                "learning_rate": 1e-3,
                "checkpoint_every": 5,
                "multitask_semeval2021": False,
                "val_fraction": 0.34,
                "heads": True,  # smoke models exercise the one-pass candidate heads too
                "head_max_hand": 40,
            }
        )
