"""Mean hidden state of the tagger over character spans, gathered while the windows are scored.

A token's hidden state is the mean over the windows that saw it (as for its probabilities). Keeping every
token's hidden state of a long article would cost 1.5 KB per token, so the pooler adds each window's
contribution straight into the span sums instead: memory grows with the number of spans, not of tokens.
"""

from __future__ import annotations

import numpy as np

from slant.model.windows import char_span_to_tokens


class SpanPooler:
    """For spans [(start, end)] of one text: the mean, over the tokens that overlap each span, of the tokens'
    window-averaged hidden states, L2-normalised (``None`` for a span no token overlaps)."""

    def __init__(self, offsets: np.ndarray, window_counts: np.ndarray, spans: list[tuple[int, int]], hidden: int):
        ranges = [char_span_to_tokens(offsets, start, end) for start, end in spans]
        self.valid = np.array([r is not None for r in ranges], dtype=bool)
        self.first = np.array([r[0] if r else 0 for r in ranges], dtype=np.int64)
        self.last = np.array([r[1] if r else 0 for r in ranges], dtype=np.int64)
        self.window_counts = np.maximum(window_counts, 1).astype(np.float32)
        self.sums = np.zeros((len(spans), hidden), dtype=np.float32)

    def add(self, token_start: int, token_end: int, hidden: np.ndarray) -> None:
        """One window's hidden states for tokens [token_start, token_end) (special tokens removed)."""
        if not len(self.sums):
            return
        hit = self.valid & (self.first < token_end) & (self.last > token_start)
        if not hit.any():
            return
        scaled = hidden / self.window_counts[token_start:token_end, None]
        prefix = np.concatenate([np.zeros((1, scaled.shape[1]), np.float32), np.cumsum(scaled, axis=0)])
        lo = np.maximum(self.first[hit], token_start) - token_start
        hi = np.minimum(self.last[hit], token_end) - token_start
        self.sums[hit] += prefix[hi] - prefix[lo]

    def vectors(self) -> list[np.ndarray | None]:
        n_tokens = np.maximum(self.last - self.first, 1)[:, None]
        means = self.sums / n_tokens
        norms = np.linalg.norm(means, axis=1, keepdims=True)
        unit = means / np.maximum(norms, 1e-9)
        return [unit[i] if ok else None for i, ok in enumerate(self.valid)]
