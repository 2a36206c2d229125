"""Features of one sentence or clause for the assertion classifier (unhedged / hedged / attributed / neutral).

The cue lists give the strongest evidence (boosters, hedges, reporting verbs: see lexicons.py); the rest
covers what the guidelines use to tell a contestable claim from a plain report: numbers and dates (plain
reports), "will" (predictions), questions, quotations (attributed words), the first person (opinion
markers), and a bag of words that the training data weighs.
"""

from __future__ import annotations

import math
import re

from slant.text.context import TextContext
from slant.text.lexicons import Cue, cue_matcher

_WORD = re.compile(r"[^\W_][\w'\u2019-]*")
_NUMBER = re.compile(r"\d")
_DATE = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|june|july|"
    r"august|september|october|november|december|yesterday|today|tomorrow|last week|this week|next week)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|me|my|we|we're|our|us)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|yourself)\b", re.IGNORECASE)
_PREDICTION = re.compile(r"\b(?:will|won't|shall|going to|is set to|are set to)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:not|no|never|none|nothing|nobody|neither|nor)\b|n't\b", re.IGNORECASE)
_COPULA = re.compile(r"\b(?:is|are|was|were|has been|have been)\b", re.IGNORECASE)
_GENERAL = re.compile(
    r"\b(?:all|every|everyone|everybody|everything|nobody|no one|nothing|always|never|any)\b", re.IGNORECASE
)
_COLON_SOURCE = re.compile(r"^[A-Z][\w.'\u2019 -]{1,40}:\s")
_SAID_END = re.compile(r"[,\u201d\"]\s*(?:[\w.'\u2019-]+\s+){0,4}?(?:said|says|added|told|wrote|stated)\b[^.]*\.?$")
_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "and",
        "or",
        "for",
        "on",
        "at",
        "by",
        "with",
        "from",
        "as",
        "that",
        "this",
        "it",
        "its",
        "be",
    ]
)
# Site furniture, not the author's claim (guidelines: a byline or navigation text is not a usable sentence):
# where the article came from, copyright and disclaimer notes, calls to share, subscribe or donate.
_BOILERPLATE = re.compile(
    r"\b(?:(?:original )?source of this article|this article (?:was|is|first) (?:originally |first )?"
    r"(?:published|appeared|posted)|(?:first|originally) (?:published|appeared) (?:on|in|at)\b|"
    r"all rights reserved|copyright\b|copyrighted material|disclaimer\b|click (?:here|the)\b|"
    r"subscribe to|sign up for|our newsletter|follow us on|share this article|forward this article|"
    r"support (?:our|independent) (?:work|journalism|media)|make a donation|donate (?:to|now)|"
    r"for media inquiries|is a regular contributor|research associate of|(?:image|photo|featured image) "
    r"(?:credit|source|is from)|(?:image|photo)s? courtesy of|"
    # calls to repost, and the fair-use and liability notices many sites print under every article
    r"feel free to (?:repost|re-post|share|republish)|(?:repost|republish) (?:this|our)|"
    r"(?:is|are|be) not (?:be )?responsible for any|will not be (?:held )?responsible for|"
    r"distributed without profit|\"?fair use\"?|for (?:research|educational) purposes only)",
    re.IGNORECASE,
)
_LEN_BINS = ((5, "1-5"), (12, "6-12"), (25, "13-25"), (40, "26-40"))


# An author's bio line ("Jane Doe is an independent geopolitical analyst."): a byline, not a claim.
_AUTHOR_BIO = re.compile(
    r"^\W*(?:[A-Z][\w.'’-]*\s){1,3}is an?\s(?:[\w-]+,?\s(?:and\s)?){0,5}"
    r"(?:analyst|journalist|writer|author|columnist|editor|researcher|commentator|contributor|professor|"
    r"reporter|blogger|correspondent|fellow)s?\b"
)
_LINK_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # [words](url), as extracted web pages keep links
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Words a headline leaves in lower case ("a World of Peace, Not War").
_TITLE_SMALL = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "not",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "by",
        "from",
        "as",
        "vs",
        "via",
        "per",
        "up",
        "off",
    ]
)


def is_boilerplate(sentence: str) -> bool:
    """Is this sentence site furniture (source line, copyright, disclaimer, subscribe/donate call)?"""
    return _BOILERPLATE.search(sentence) is not None


def is_headline(sentence: str) -> bool:
    """Is this line in Title Case, as headlines and banner links are? Every word but the small ones is
    capitalised. Lines in capitals are not headlines here: meme captions shout their claims that way."""
    words = [w for w in _WORD.findall(_LINK_MARKUP.sub(r"\1", sentence)) if w.lower() not in _TITLE_SMALL]
    if len(words) < 3 or all(w.isupper() for w in words):
        return False
    return all(w[0].isupper() for w in words)


def is_site_furniture(sentence: str) -> bool:
    """Not the author's claim: boilerplate, a headline or banner link, an author's bio line."""
    return is_boilerplate(sentence) or is_headline(sentence) or _AUTHOR_BIO.search(sentence) is not None


def _len_bin(n: int) -> str:
    for limit, name in _LEN_BINS:
        if n <= limit:
            return name
    return "41+"


def assertion_features(
    ctx: TextContext, start: int, end: int, cues: list[Cue] | None = None, bag: bool = True
) -> dict[str, float]:
    """Features of ``ctx.text[start:end]``; ``cues`` may be passed when the caller already found them."""
    text = ctx.text
    s = text[start:end]
    cues = cue_matcher().find(text, start, end) if cues is None else cues
    words = _WORD.findall(s)
    n = len(words)
    f: dict[str, float] = {"bias_assertion": 1.0, f"len={_len_bin(n)}": 1.0, "log_len": math.log1p(n) / 4}

    counts = {"booster": 0, "hedge": 0, "attribution": 0, "evaluative": 0}
    for c in cues:
        counts[c.kind] += 1
        f[f"{c.kind[0]}:{c.entry}"] = 1.0
        if c.start - start < 0.25 * max(1, end - start):
            f[f"{c.kind}_early"] = 1.0
    for kind, k in counts.items():
        if k:
            f[f"{kind}_any"] = 1.0
            f[f"{kind}_n"] = min(k, 3) / 3
    if counts["booster"] and not counts["hedge"]:
        f["booster_no_hedge"] = 1.0
        if not counts["attribution"]:
            f["booster_only"] = 1.0
    if counts["evaluative"] and not counts["hedge"] and not counts["attribution"]:
        f["evaluative_unhedged"] = 1.0
    if not any(counts.values()):
        f["no_cue"] = 1.0

    quoted = ctx.quoted_chars(start, end)
    if quoted:
        f["has_quote"] = 1.0
        f["quote_frac"] = quoted / max(1, end - start)
        if quoted >= 0.9 * (end - start):
            f["inside_quote"] = 1.0
    if s[:1] in "\"'\u201c\u2018\u00ab":
        f["starts_with_quote"] = 1.0
    if _SAID_END.search(s):
        f["said_at_end"] = 1.0
    if _COLON_SOURCE.match(s):
        f["colon_source"] = 1.0
    stripped = s.rstrip("\"'\u201d\u2019\u00bb) ")
    if stripped.endswith("?"):
        f["question"] = 1.0
    if stripped.endswith("!"):
        f["exclamation"] = 1.0
    if not stripped.endswith((".", "?", "!", "\u2026", ":", ";")):
        f["no_final_punct"] = 1.0
    digits = len(_NUMBER.findall(s))
    if digits:
        f["number"] = 1.0
        f["digit_share"] = min(1.0, digits / max(1, len(s)) * 10)
    if _DATE.search(s):
        f["date"] = 1.0
    if _FIRST_PERSON.search(s):
        f["first_person"] = 1.0
    if _PREDICTION.search(s):
        f["prediction"] = 1.0
    if _NEGATION.search(s):
        f["negation"] = 1.0
    if _COPULA.search(s):
        f["copula"] = 1.0
    if _GENERAL.search(s):
        f["generalisation"] = 1.0
    caps = sum(1 for w in words[1:] if w[:1].isupper())
    f["name_share"] = caps / max(1, n - 1)
    lo, hi = ctx.line(start)
    if start > lo + 5 or end < hi - 5:
        f["part_of_paragraph"] = 1.0
    # A sentence inside a multi-sentence quotation has no marks of its own: look at the paragraph.
    before = text[lo:start]
    if before.count("\u201c") > before.count("\u201d") or before.count('"') % 2 == 1:
        f["in_open_quote"] = 1.0
    paragraph = text[lo:hi].lstrip()
    if paragraph[:1] in "\"\u201c\u2018'\u00ab":
        f["paragraph_opens_quote"] = 1.0
        if cue_matcher().search("attribution", text, end, hi):
            f["paragraph_quote_attributed_later"] = 1.0
    if _SECOND_PERSON.search(s):
        f["second_person"] = 1.0
    letters = [ch for ch in s if ch.isalpha()]
    if len(letters) > 10 and sum(ch.isupper() for ch in letters) > 0.6 * len(letters):
        f["shouting"] = 1.0
    if bag:
        for w in {w.lower() for w in words}:
            if w not in _STOP and not any(ch.isdigit() for ch in w):
                f[f"w:{w}"] = 1.0
    return f
