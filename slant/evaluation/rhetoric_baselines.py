"""The two keyword baselines the issue asks for, so the classifiers' gain can be read off one table.

- quotes: a short quotation (at most 4 words) with no reporting verb nearby is ``scare``; otherwise a
  Title-Case one is ``title`` and the rest ``direct``.
- assertions: a booster and no hedge is ``unhedged``; otherwise a hedge is ``hedged``, an attribution cue
  ``attributed``, and the rest ``neutral``.
Only the first rule of each is the baseline proper (the positive class); the rest lets it fill the
per-class table.
"""

from __future__ import annotations

import re

from slant.text.context import TextContext
from slant.text.lexicons import cue_matcher
from slant.text.quotes import Quotation

SHORT_WORDS = 4
WINDOW = 80  # characters on each side searched for a reporting verb
_REPORTING = re.compile(
    r"\b(?:said|says|say|told|tells|wrote|writes|asked|asks|added|adds|stated|states|claimed|claims|declared|"
    r"tweeted|posted|explained|insisted|argued|warned|noted|replied|responded|according to|quoted|"
    r"announced|recalled|continued|called|calls|described)\b",
    re.IGNORECASE,
)
_MINOR = frozenset(["a", "an", "the", "of", "and", "or", "in", "on", "at", "to", "for", "with", "by"])


def quote_baseline(ctx: TextContext, q: Quotation) -> str:
    text = ctx.text
    words = text[q.inner_start : q.inner_end].split()
    window = text[max(0, q.start - WINDOW) : q.start] + " " + text[q.end : q.end + WINDOW]
    if len(words) <= SHORT_WORDS and not _REPORTING.search(window):
        return "scare"
    content = [w for w in words if w.lower() not in _MINOR]
    if content and all(w[:1].isupper() for w in content) and len(words) <= 8:
        return "title"
    return "direct"


def assertion_baseline(ctx: TextContext, start: int, end: int) -> str:
    kinds = {c.kind for c in cue_matcher().find(ctx.text, start, end)}
    if "booster" in kinds and "hedge" not in kinds:
        return "unhedged"
    if "hedge" in kinds:
        return "hedged"
    if "attribution" in kinds:
        return "attributed"
    return "neutral"
