"""The network: a (LoRA-adapted) encoder with a multi-label token head, a span-classification head and the
candidate heads (quotations, sentences), all reading one encoder pass; ``build_network`` builds it from a base
encoder folder, with or without LoRA adapters."""

from __future__ import annotations

from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from torch import nn
from transformers import AutoModel

from slant.errors import UsageError
from slant.quiet import quiet_loading

ANY_CHANNEL = "any"  # channel 0: "some technique here" (the SemEval SI task)

# Features appended to a pooled span before its technique is predicted. Repetition is the one technique a
# reader recognises by looking elsewhere in the article, so the span head is told how often the phrase recurs.
N_SPAN_FEATURES = 3


class SpanTagger(nn.Module):
    """Token head: one sigmoid per channel (channel 0 = any technique, the SI task), so spans may overlap and
    carry several techniques. Span head: softmax over the techniques for a given span (the TC task). Candidate
    heads: the function of a quotation and the stance of a sentence (``slant.model.heads``)."""

    def __init__(
        self,
        encoder: nn.Module,
        hidden_size: int,
        n_channels: int,
        n_span_labels: int,
        dropout: float,
        span_hidden: int | None = None,
    ):
        super().__init__()
        # A narrower span head keeps a large encoder's shipped weights small (its first layer is 2*hidden wide).
        span_hidden = span_hidden or hidden_size
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.token_head = nn.Linear(hidden_size, n_channels)
        self.span_head = nn.Sequential(
            nn.Linear(2 * hidden_size + N_SPAN_FEATURES, span_hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(span_hidden, n_span_labels),
        )
        # Candidate heads (slant.model.heads), one per kind of candidate, reading the same encoder states.
        self.candidate_heads = nn.ModuleDict()

    def add_candidate_head(self, kind: str, head: nn.Module) -> None:
        self.candidate_heads[kind] = head

    def encode(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    def encode_layers(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, layers: list[int]
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """One pass: the last layer's states (the token and span heads read them) and the states of ``layers``
        side by side (batch, tokens, len(layers) * hidden), which the candidate heads pool."""
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask, output_hidden_states=True)
        return out.last_hidden_state, torch.cat([out.hidden_states[i] for i in layers], dim=-1)

    def token_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.token_head(self.dropout(hidden))

    def span_logits(self, pooled: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        return self.span_head(torch.cat([self.dropout(pooled), features], dim=-1))


def pool_span(hidden: torch.Tensor, start: int, end: int) -> torch.Tensor:
    """Mean and max of the token states over [start, end): the mean carries the gist, the max the loudest word."""
    piece = hidden[start:end]
    return torch.cat([piece.mean(dim=0), piece.max(dim=0).values])


def span_features(text: str, start: int, end: int, n_tokens: int) -> list[float]:
    phrase = text[start:end].strip().lower()
    occurrences = text.lower().count(phrase) if phrase else 1
    return [
        float(torch.log1p(torch.tensor(float(max(occurrences - 1, 0))))),
        float(occurrences > 1),
        float(torch.log1p(torch.tensor(float(n_tokens)))) / 5.0,
    ]


def resolve_device(name: str | None = None) -> torch.device:
    """ "auto" or None: the GPU when torch sees one, else the CPU; otherwise the torch device named."""
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
        name: param.detach().cpu().contiguous() for name, param in network.named_parameters() if param.requires_grad
    }
