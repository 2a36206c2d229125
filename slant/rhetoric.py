"""Rhetoric that no public corpus annotates: scare quotes and unhedged assertions (rule/feature models)."""

from __future__ import annotations

from slant.spans import Span


def rhetoric_spans(text: str) -> list[Span]:
    """Spans of `scare_quote` and `unhedged_assertion`; filled in by the quotation and assertion classifiers."""
    return []
