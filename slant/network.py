"""Build the SpanTagger network from a base encoder folder, with or without LoRA adapters."""

from __future__ import annotations

from pathlib import Path

from peft import LoraConfig, get_peft_model
from transformers import AutoModel

from slant.model import SpanTagger


def build_network(
    base_dir: Path,
    n_channels: int,
    n_span_labels: int,
    dropout: float,
    lora: dict | None,
) -> SpanTagger:
    """``lora`` is None for a full fine-tune, else the LoRA settings (r, alpha, dropout, targets)."""
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
    return SpanTagger(encoder, hidden, n_channels, n_span_labels, dropout)


def trainable_state(network: SpanTagger) -> dict:
    """Only what training changed: the adapters and heads (or everything, for a full fine-tune)."""
    return {
        name: param.detach().cpu().contiguous()
        for name, param in network.named_parameters()
        if param.requires_grad
    }
