"""Build the SpanTagger network from a base encoder folder, with or without LoRA adapters."""

from __future__ import annotations

from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModel

from slant.errors import UsageError
from slant.model import SpanTagger
from slant.quiet import quiet_loading


def resolve_device(name: str | None = None) -> torch.device:
    """"auto" or None: the GPU when torch sees one, else the CPU; otherwise the torch device named."""
    if name in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError as exc:
        raise UsageError(f"device {name!r} is not a torch device (try auto, cpu or cuda)") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError(f"device {name!r} asked for, but torch sees no GPU")
    return device


def build_network(
    base_dir: Path,
    n_channels: int,
    n_span_labels: int,
    dropout: float,
    lora: dict | None,
    span_hidden: int | None = None,
) -> SpanTagger:
    """``lora`` is None for a full fine-tune, else the LoRA settings (r, alpha, dropout, targets);
    ``span_hidden`` is the span head's width (None: the encoder's hidden size)."""
    with quiet_loading():  # no load report, weight-loading bar or peft's FutureWarning (slant.quiet)
        encoder = AutoModel.from_pretrained(base_dir, add_pooling_layer=False)
        if lora is not None:
            config = LoraConfig(
                r=lora["r"],
                lora_alpha=lora["alpha"],
                lora_dropout=lora["dropout"],
                target_modules=list(lora["targets"]),
                bias="none",
            )
            encoder = get_peft_model(encoder, config)
    hidden = encoder.config.hidden_size
    return SpanTagger(encoder, hidden, n_channels, n_span_labels, dropout, span_hidden)


def trainable_state(network: SpanTagger) -> dict:
    """Only what training changed: the adapters and heads (or everything, for a full fine-tune)."""
    return {
        name: param.detach().cpu().contiguous()
        for name, param in network.named_parameters()
        if param.requires_grad
    }
