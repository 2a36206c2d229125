"""What the text layer proposes for the candidate heads: every quotation, sentence and clause of a text.

No torch here. A candidate is a character range of the exact input text, the range of its context (the
sentence a quotation stands in, the paragraph a sentence stands in) and the cue features the hand-made
feature models read (``slant.text.quote_features`` / ``assertion_features``). The network pools the
encoder's states over both ranges and reads the features beside them (``slant.model.heads``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slant.text.assertion_features import assertion_features, is_boilerplate, is_site_furniture
from slant.text.context import TextContext
from slant.text.lexicons import Cue, cue_matcher
from slant.text.quote_features import quote_features
from slant.text.quotes import Quotation
from slant.text.sentences import split_clauses

QUOTES = "quotes"
ASSERTIONS = "assertions"
KINDS = (QUOTES, ASSERTIONS)
MIN_CLAUSE_WORDS = 4  # shorter clauses ("he said") carry no claim of their own
CONTEXT_CHARS = 400  # a paragraph context is cut to this many characters either side of its sentence


@dataclass(frozen=True, slots=True)
class Candidate:
    """One item a candidate head decides. ``clause`` marks a clause of a sentence: it is decided only when its
    sentence is not marked (a contrastive clause may carry the author's claim inside an attributed sentence)."""

    kind: str  # QUOTES or ASSERTIONS
    start: int
    end: int
    context_start: int
    context_end: int
    features: dict[str, float] = field(repr=False)
    cues: tuple[Cue, ...] = ()
    clause: bool = False
    sentence: int = -1  # assertions: index of the sentence a clause belongs to (its own index for a sentence)


def quote_candidate(ctx: TextContext, q: Quotation) -> Candidate:
    """A quotation (marks included) in its sentence."""
    lo, hi = ctx.sentence_span(q.start, q.end)
    return Candidate(QUOTES, q.start, q.end, lo, hi, quote_features(ctx, q, inner_words=True))


def sentence_candidate(ctx: TextContext, start: int, end: int, clause: bool = False, sentence: int = -1) -> Candidate:
    """A sentence (or clause) in its paragraph, with the booster, hedge and attribution cues found in it."""
    cues = cue_matcher().find(ctx.text, start, end)
    line_start, line_end = ctx.line(start)
    lo = max(min(line_start, start), start - CONTEXT_CHARS)
    hi = min(max(line_end, end), end + CONTEXT_CHARS)
    feats = assertion_features(ctx, start, end, cues, bag=True)
    return Candidate(ASSERTIONS, start, end, lo, hi, feats, tuple(cues), clause, sentence)


def propose(ctx: TextContext) -> list[Candidate]:
    """Every candidate of a text: its quotations, its sentences and the clauses of its multi-clause sentences.

    Site furniture (source lines, copyright notes, headlines, author bios) is not the author's wording and is
    not proposed; neither is a line without a letter (a separator, a bare number)."""
    text = ctx.text
    out = [
        quote_candidate(ctx, q)
        for q in ctx.quotations
        if not is_boilerplate(text[slice(*ctx.sentence_span(q.start, q.end))])
    ]
    for index, sent in enumerate(ctx.sentences):
        sentence = text[sent.start : sent.end]
        if not any(ch.isalpha() for ch in sentence) or is_site_furniture(sentence):
            continue
        out.append(sentence_candidate(ctx, sent.start, sent.end, sentence=index))
        parts = split_clauses(text, sent)
        if len(parts) < 2:
            continue
        for c in parts:
            if len(text[c.start : c.end].split()) >= MIN_CLAUSE_WORDS:
                out.append(sentence_candidate(ctx, c.start, c.end, clause=True, sentence=index))
    return out
