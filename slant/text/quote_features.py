"""Features of one quotation in its context: what the words look like and what surrounds them.

Every feature answers one question of the decision procedure in data/guidelines/scare_quotes.md: is it a
name (Title Case, "the film", "Operation"), is a speaker attached (reporting verb, ", he said", a colon),
does the author distance themself ("so-called", "supposedly", "what they call", a determiner before a short
lower-case phrase), or is the phrase talked about as a word ("the term", a gloss in brackets).
"""

from __future__ import annotations

import math
import re

from slant.text.context import TextContext
from slant.text.lexicons import NOUN_HOMOGRAPHS, cue_matcher, is_noun_use
from slant.text.quotes import Quotation

_WORD = re.compile(r"[^\W_][\w'\u2019-]*")
_FUNCTION = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "with",
        "by",
        "as",
        "vs",
        "is",
        "are",
        "de",
        "la",
        "le",
        "von",
        "van",
        "der",
        "du",
    ]
)
_DETERMINERS = frozenset(
    [
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "their",
        "its",
        "his",
        "her",
        "our",
        "your",
        "my",
        "such",
        "any",
        "some",
        "every",
    ]
)
_PRONOUNS_1_2 = re.compile(r"\b(?:I|I'm|I've|we|we're|our|us|my|me|you|your)\b", re.IGNORECASE)
_SO_CALLED = re.compile(r"so[- ]called\s*$", re.IGNORECASE)
_DISTANCE_BEFORE = re.compile(
    r"(?:supposedly|supposed|allegedly|alleged|purportedly|purported|ostensibly|self[- ]styled|"
    r"self[- ]proclaimed|would[- ]be|pseudo|quote[- ]unquote)\W*(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
_WHAT_THEY_CALL = re.compile(
    r"what\s+(?:\S+\s+){0,3}(?:call|calls|called|describes?|described|terms?|termed|dubs?|dubbed)\s*(?:as\s+)?$",
    re.IGNORECASE,
)
_TITLE_BEFORE = re.compile(
    r"\b(?:film|movie|book|novel|song|album|show|series|episode|documentary|play|poem|article|essay|column|"
    r"op-ed|headline|report|podcast|programme|program|campaign|operation|act|bill|law|slogan|hashtag|"
    r"titled|entitled|dubbed|nicknamed|named|branded|billed as|known as)\s*[,:]?\s*$",
    re.IGNORECASE,
)
_MENTION_BEFORE = re.compile(
    r"\b(?:word|words|term|terms|phrase|phrases|expression|label|labels|acronym|name|the letter|spelled|"
    r"means|meaning|translates as|translated as|literally|stands for)\s*[,:]?\s*$",
    re.IGNORECASE,
)
_MENTION_AFTER = re.compile(r"^\s*(?:\(|means\b|meaning\b|is (?:a|the) (?:word|term)\b|stands for\b)", re.IGNORECASE)
_SAID_AFTER = re.compile(
    r"^\s*[,\u2014\u2013-]?\s*(?:[\w.'\u2019-]+\s+){0,4}?(?:said|says|told|tells|wrote|writes|added|adds|"
    r"asked|asks|explained|continued|insisted|argued|warned|noted|replied|recalled|stated|declared|tweeted|"
    r"posted|claimed|claims|according)\b",
    re.IGNORECASE,
)
# Speech and stance verbs in any form: a partial quotation inside "calling it X", "objecting that ... X",
# "dismissed Estonia as X" belongs to the speaker even when no "said" is near.
_SPEECH = re.compile(
    r"\b(?:say|says|said|saying|tell|tells|told|telling|call|calls|called|calling|describ\w*|insist\w*|argu\w*|"
    r"warn\w*|claim\w*|urg\w*|object\w*|accus\w*|dismiss\w*|label\w*|dub\w*|brand\w*|prais\w*|slam\w*|"
    r"blast\w*|decr\w*|denounc\w*|condemn\w*|promis\w*|vow\w*|pledg\w*|tweet\w*|wr[io]te|writ\w*|"
    r"add|adds|added|adding|stat(?:e|es|ed|ing)|declar\w*|announc\w*|explain\w*|not(?:e|es|ed|ing)|"
    r"sugges\w*|recall\w*|repl\w*|respond\w*|asked|asking|scream\w*|shout\w*|chant\w*|order\w*|"
    r"according|quot\w*|testif\w*|admit\w*|acknowledg\w*|criticiz\w*|criticis\w*|mock\w*|ridicul\w*|"
    r"compar\w*|characteriz\w*|refer\w*|vow\w*|demand\w*|complain\w*)\b",
    re.IGNORECASE,
)
# Speech words that are also plural nouns ("such claims", "calls for", "the quotes"): no speaker in that use.
_SPEECH_NOUNS = NOUN_HOMOGRAPHS | {"quotes", "calls", "demands", "promises", "pledges", "vows", "orders"}


def _speech(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Speech and stance verbs in ``text[start:end]``, leaving out plural-noun uses of the homographs."""
    return [
        m
        for m in _SPEECH.finditer(text, start, end)
        if m.group().lower() not in _SPEECH_NOUNS or not is_noun_use(text, m.start(), m.end())
    ]


_ACRONYM = re.compile(r"^[A-Z]{2,5}$")
_AS_BEFORE = re.compile(r"\b(?:as|like)\s*$", re.IGNORECASE)
_CALL_BEFORE = re.compile(
    r"\b(?:call|calls|called|calling|describe[sd]?|describing|label(?:l?ed|s)?)\b(?:\s+\S+){0,3}\s*(?:as\s+)?$",
    re.IGNORECASE,
)
_LEN_BINS = ((1, "1"), (2, "2"), (3, "3"), (4, "4"), (8, "5-8"), (15, "9-15"))
# Words of the sentence (outside the marks) that signal irony or doubt about the quoted wording.
_IRONY = re.compile(
    r"\b(?:apparently|supposedly|so-called|alleged(?:ly)?|purported(?:ly)?|ostensibly|ironically|laughabl[ey]|"
    r"so much for|hardly|not exactly|nothing but|masquerad\w*|pretend\w*|pretext|euphemis\w*)\b",
    re.IGNORECASE,
)
# Political and epistemic labels that authors put in scare quotes when they reject the label ("moderates",
# "experts", "reform", "news"): a class of words, not single items, which the bag of quoted words is too
# sparse to learn from a few hundred examples.
_LABEL_WORDS = re.compile(
    r"\b(?:experts?|reforms?|moderates?|progressive|liberal|conservative|left|right|far-right|far-left|"
    r"news|journalis\w+|science|scientific|evidence|proof|facts?|truth|democra\w+|justice|mercy|tolerance|"
    r"peaceful|peace|safe|safety|refugees?|mistake|natural|friend|civili[sz]ed|racis\w*|phobi\w*|"
    r"hate|hateful|extremis\w*|conspiracy|humanitarian|independent|mainstream|elite|victims?)\b",
    re.IGNORECASE,
)


def _len_bin(n: int) -> str:
    for limit, name in _LEN_BINS:
        if n <= limit:
            return name
    return "16+"


def _mark_family(q: Quotation) -> str:
    m = q.open_mark
    if m in ('"', "''"):
        return "straight2"
    if m == "'":
        return "straight1"
    if m in "\u201c\u201e":
        return "curly2"
    if m in "\u2018\u201a":
        return "curly1"
    return "guillemet"


def _last_words(s: str, k: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(s)[-k:]]


def _first_words(s: str, k: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(s)[:k]]


def quote_features(ctx: TextContext, q: Quotation, inner_words: bool = False) -> dict[str, float]:
    """Features of quotation ``q`` of ``ctx.text`` (names are stable: they are the keys of the model file)."""
    text = ctx.text
    inner = text[q.inner_start : q.inner_end]
    words = _WORD.findall(inner)
    n = len(words)
    f: dict[str, float] = {"bias_quote": 1.0}

    # ---- the quoted words themselves
    f[f"len={_len_bin(n)}"] = 1.0
    f["log_len"] = math.log1p(n) / 3.0
    content = [w for w in words if w.lower() not in _FUNCTION]
    caps = sum(w[:1].isupper() for w in content)
    f["cap_ratio"] = caps / len(content) if content else 0.0
    if content and caps == len(content) and n <= 10:
        f["title_case"] = 1.0
    if words and words[0][:1].isupper():
        f["first_upper"] = 1.0
    if words and words[0][:1].islower():
        f["first_lower"] = 1.0
    if words and all(w.isupper() and len(w) > 1 for w in words):
        f["all_caps"] = 1.0
    tail = inner.rstrip()
    if tail.endswith((",", ".", "!", "?", "\u2026")):
        f["inner_end_punct"] = 1.0
    if tail.endswith(","):
        f["inner_end_comma"] = 1.0
    if re.search(r"[.!?]\s+\S", inner):
        f["inner_several_sentences"] = 1.0
    if _PRONOUNS_1_2.search(inner):
        f["inner_first_second_person"] = 1.0
    if any(ch.isdigit() for ch in inner):
        f["inner_digit"] = 1.0
    f[f"mark={_mark_family(q)}"] = 1.0
    if q.depth:
        f["nested"] = 1.0
    if words:
        f[f"F1={words[0].lower()}"] = 1.0  # "to", "be", "has" open a clause: a speaker's partial quote
    stats = ctx.quotation_stats()
    f["doc_long_share"] = stats["long_share"]
    f["doc_many_quotes"] = min(stats["n"], 20.0) / 20.0
    if inner_words and n <= 3:
        for w in words:
            f[f"I={w.lower()}"] = 1.0

    # ---- the context: same line only (a paragraph in news text)
    line_lo, line_hi = ctx.line(q.start)
    left = text[line_lo : q.start]
    right = text[q.end : line_hi]
    near_left, near_right = left[-60:], right[:60]
    matcher = cue_matcher()
    attr_left = matcher.search("attribution", text, q.start - len(near_left), q.start)
    attr_right = matcher.search("attribution", text, q.end, q.end + len(near_right))
    if attr_left:
        f["attr_left"] = 1.0
        if q.start - attr_left.end() <= 25:
            f["attr_left_adjacent"] = 1.0
    if attr_right:
        f["attr_right"] = 1.0
    if _SAID_AFTER.match(right):
        f["said_after"] = 1.0
    sent_lo, sent_hi = ctx.sentence_span(q.start, q.end)
    if matcher.search("attribution", text, sent_lo, sent_hi):
        f["attr_sentence"] = 1.0
    if not (attr_left or attr_right or f.get("attr_sentence")):
        if matcher.search("attribution", text, line_lo, line_hi):
            f["attr_paragraph_only"] = 1.0
        else:
            f["no_attribution"] = 1.0
    if left.rstrip().endswith(":"):
        f["colon_before"] = 1.0
    if right.lstrip().startswith(("(", "[")) or left.rstrip().endswith(("(", "[")):
        f["bracket_near"] = 1.0
    if _SO_CALLED.search(near_left):
        f["so_called"] = 1.0
    if _DISTANCE_BEFORE.search(near_left):
        f["distance_before"] = 1.0
    if _WHAT_THEY_CALL.search(near_left):
        f["what_they_call"] = 1.0
    if _TITLE_BEFORE.search(near_left[-40:]):
        f["title_before"] = 1.0
    if _MENTION_BEFORE.search(near_left[-30:]) or _MENTION_AFTER.match(right):
        f["mention_cue"] = 1.0
    if _AS_BEFORE.search(near_left):
        f["as_before"] = 1.0
    if _CALL_BEFORE.search(near_left):
        f["call_before"] = 1.0
    lw = _last_words(near_left, 2)
    rw = _first_words(near_right, 2)
    if lw:
        f[f"L1={lw[-1]}"] = 1.0
        if lw[-1] in _DETERMINERS or near_left.rstrip().endswith(("'s", "\u2019s", "s'", "s\u2019")):
            f["det_before"] = 1.0
    if len(lw) > 1:
        f[f"L2={lw[-2]}"] = 1.0
    if rw:
        f[f"R1={rw[0]}"] = 1.0
        if near_right[:1] == " " and rw[0][:1].isalpha() and right.lstrip()[:1].islower():
            f["lower_word_after"] = 1.0
    if len(rw) > 1:
        f[f"R2={rw[1]}"] = 1.0
    if not left.strip():
        f["line_start"] = 1.0
    speech_before = _speech(text, sent_lo, q.start)
    if speech_before:
        f["speech_verb_before"] = 1.0
        if q.start - speech_before[-1].end() <= 40:
            f["speech_verb_near_before"] = 1.0
    speech_after = _speech(text, q.end, sent_hi)
    if speech_after:
        f["speech_verb_after"] = 1.0
    if not speech_before and not speech_after and not attr_left and not attr_right:
        f["no_speech_in_sentence"] = 1.0
    if _ACRONYM.match(inner.strip()):
        f["acronym"] = 1.0
    if sent_lo >= q.start - 1:
        f["sentence_start"] = 1.0
    if (q.end - q.start) >= 0.8 * max(1, sent_hi - sent_lo):
        f["sentence_whole"] = 1.0
    line = text[line_lo:line_hi].strip()
    if len(line) < 120 and not line.endswith((".", "!", "?", '"', "\u201d")):
        f["headline_like"] = 1.0
    others = sum(1 for o in ctx.quotations_in(sent_lo, sent_hi) if o is not q and o.depth == 0)
    if others:
        f["other_quotes_in_sentence"] = 1.0
    if n <= 4 and not (attr_left or attr_right or f.get("attr_sentence")):
        f["short_unattributed"] = 1.0
    if n <= 4 and f.get("first_lower") and f.get("det_before"):
        f["short_lower_after_det"] = 1.0
    _author_features(ctx, q, inner, n, (sent_lo, sent_hi), (line_lo, line_hi), f)
    return f


def _author_features(
    ctx: TextContext,
    q: Quotation,
    inner: str,
    n: int,
    sentence: tuple[int, int],
    line: tuple[int, int],
    f: dict[str, float],
) -> None:
    """Is the author distancing themself? The quoted words' own kind (judging words, rejected labels), irony
    or doubt in the sentence around them, and no speaker anywhere in the paragraph."""
    text = ctx.text
    matcher = cue_matcher()
    if matcher.search("evaluative", text, q.inner_start, q.inner_end):
        f["inner_evaluative"] = 1.0
    if n <= 4 and _LABEL_WORDS.search(inner):
        f["inner_label_word"] = 1.0
    if n == 1 and f.get("first_lower"):
        f["single_lower_word"] = 1.0
    lo, hi = sentence
    outside = text[lo : q.start] + " " + text[q.end : hi]
    if _IRONY.search(outside):
        f["irony_in_sentence"] = 1.0
    if "?" in text[q.end : hi] or "!" in text[q.end : hi]:
        f["question_or_exclamation_after"] = 1.0
    if not _speech(text, line[0], line[1]) and not matcher.search("attribution", text, line[0], line[1]):
        f["no_speech_in_paragraph"] = 1.0
