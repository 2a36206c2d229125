"""Tokenise an article once and cut it into overlapping model windows, keeping every token's character offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True, slots=True)
class TokenizedText:
    """Word pieces of one text with their character offsets (code points into the exact input string)."""

    input_ids: np.ndarray  # (n_tokens,) int64, no special tokens
    offsets: np.ndarray  # (n_tokens, 2) int64, [start, end) per token

    def __len__(self) -> int:
        return len(self.input_ids)


@dataclass(frozen=True, slots=True)
class Window:
    """A slice [token_start, token_end) of a TokenizedText, to be wrapped in [CLS] ... [SEP]."""

    doc_index: int
    token_start: int
    token_end: int


# A lone surrogate (text decoded with errors="surrogateescape", JSON holding "\ud800") is a code point that
# UTF-8 cannot encode, so the Rust tokenizer refuses the whole string.
_SURROGATE = re.compile("[\ud800-\udfff]")


def tokenizable(text: str) -> str:
    """``text`` with each surrogate code point replaced by U+FFFD, one for one: same length, same offsets.

    Only the tokenizer reads the replaced string; spans are still sliced from the caller's own text. A surrogate
    pair (U+D83D U+DE00 as two code points of a Python str) becomes two U+FFFD, which the tokenizer drops like
    any character it cannot read.
    """
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def tokenize(tokenizer, text: str) -> TokenizedText:
    """Tokenise without special tokens; drop pieces that cover no character (they carry no offset to report)."""
    encoding = tokenizer(tokenizable(text), add_special_tokens=False, return_offsets_mapping=True)
    ids = np.asarray(encoding["input_ids"], dtype=np.int64)
    offsets = np.asarray(encoding["offset_mapping"], dtype=np.int64).reshape(-1, 2)
    keep = offsets[:, 1] > offsets[:, 0]
    return TokenizedText(ids[keep], offsets[keep])


def tokenize_batch(tokenizer, texts: list[str]) -> list[TokenizedText]:
    if not texts:
        return []
    encoding = tokenizer([tokenizable(t) for t in texts], add_special_tokens=False, return_offsets_mapping=True)
    result = []
    for ids, offsets in zip(encoding["input_ids"], encoding["offset_mapping"], strict=True):
        ids_arr = np.asarray(ids, dtype=np.int64)
        off_arr = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
        keep = off_arr[:, 1] > off_arr[:, 0]
        result.append(TokenizedText(ids_arr[keep], off_arr[keep]))
    return result


def make_windows(n_tokens: int, doc_index: int, max_tokens: int, stride: int) -> list[Window]:
    """Cover tokens [0, n_tokens) with windows of at most ``max_tokens``, each starting ``stride`` after the last.

    The last window is aligned to the end so no window is needlessly short; every token lies in at least one window.
    """
    if max_tokens < 1 or not 0 < stride <= max_tokens:
        raise ValueError(f"need 0 < stride <= max_tokens, got stride={stride}, max_tokens={max_tokens}")
    if n_tokens <= max_tokens:
        return [Window(doc_index, 0, n_tokens)]
    starts = list(range(0, n_tokens - max_tokens, stride)) + [n_tokens - max_tokens]
    return [Window(doc_index, s, s + max_tokens) for s in starts]


def token_char_labels(offsets: np.ndarray, spans: list[tuple[int, int, int]], n_labels: int) -> np.ndarray:
    """(n_tokens, n_labels) 0/1 targets: a token is inside a span of label k when their character ranges overlap."""
    targets = np.zeros((len(offsets), n_labels), dtype=np.float32)
    if len(offsets) == 0:
        return targets
    starts, ends = offsets[:, 0], offsets[:, 1]
    for start, end, label in spans:
        inside = (starts < end) & (ends > start)
        targets[inside, label] = 1.0
    return targets


def char_span_to_tokens(offsets: np.ndarray, start: int, end: int) -> tuple[int, int] | None:
    """The token range [first, last+1) overlapping characters [start, end), or None when no token does."""
    inside = np.nonzero((offsets[:, 0] < end) & (offsets[:, 1] > start))[0]
    if len(inside) == 0:
        return None
    return int(inside[0]), int(inside[-1]) + 1


def pack_windows(pieces: list, cls_id: int, sep_id: int, pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Wrap each window's word-piece ids in [CLS] ... [SEP] and pad to the longest: (input_ids, attention).

    Training and inference share this, so the model always sees windows laid out the same way.
    """
    width = max(len(ids) for ids in pieces) + 2
    input_ids = torch.full((len(pieces), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(pieces), width), dtype=torch.long)
    for row, ids in enumerate(pieces):
        n = len(ids)
        input_ids[row, 0] = cls_id
        input_ids[row, 1 : n + 1] = torch.as_tensor(ids, dtype=torch.long)
        input_ids[row, n + 1] = sep_id
        attention[row, : n + 2] = 1
    return input_ids, attention
