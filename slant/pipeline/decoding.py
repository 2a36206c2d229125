"""Turn per-token probabilities into character spans snapped to word boundaries."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class CharSpan:
    start: int
    end: int
    score: float


# Words that carry no rhetoric on their own: articles, pronouns, auxiliaries, prepositions, conjunctions. A span of
# these alone ("the", "be", "it is") is a fragment of a phrase the tagger only half saw. (Evaluative function
# words such as "very", "most", "never" are left out on purpose: alone they can be the exaggeration.)
FUNCTION_WORDS = frozenset(
    """a an the this that these those some any each
    i me my we us our you your he him his she her it its they them their one
    who whom whose which what there here
    be am is are was were been being have has had having do does did done
    can could may might must shall should will would
    of to in on at by for with from into onto upon about as than over under between through during
    and or but nor so if then because while though although
    not no yes s t""".split()  # noqa: SIM905 (a word list reads better as prose)
)
_WORD = re.compile(r"[^\W_]+")  # letters or digits: a bare number ("100%") may be the exaggeration

WORD_JOINERS = frozenset("-'\u2019\u2010\u2011")  # hyphens and apostrophes inside a word: Neo-Nazi, Kyiv's


def _in_word(text: str, i: int) -> bool:
    """Whether character ``i`` belongs to a word: a letter or digit, or a joiner between two of them."""
    char = text[i]
    if char.isalnum():
        return True
    return char in WORD_JOINERS and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow [start, end) so it neither starts nor ends inside a word (a word piece never splits a reported word;
    a hyphenated compound such as "Neo-Nazi" counts as one word)."""
    while start > 0 and _in_word(text, start - 1) and _in_word(text, start):
        start -= 1
    while end < len(text) and _in_word(text, end) and _in_word(text, end - 1):
        end += 1
    return start, end


def decode_runs(
    text: str,
    offsets: np.ndarray,
    probs: np.ndarray,
    threshold: float,
    max_gap: int = 0,
    min_tokens: int = 1,
) -> list[CharSpan]:
    """Runs of tokens whose probability reaches ``threshold`` become spans.

    ``max_gap`` bridges runs separated by at most that many low tokens (annotators mark whole phrases while a
    tagger often dips on a function word inside them). The score is the mean probability over the run.
    """
    above = probs >= threshold
    spans: list[CharSpan] = []
    n = len(probs)
    i = 0
    while i < n:
        if not above[i]:
            i += 1
            continue
        j = i + 1
        while j < n:
            if above[j]:
                j += 1
                continue
            gap_end = j
            while gap_end < n and not above[gap_end] and gap_end - j < max_gap:
                gap_end += 1
            if gap_end < n and above[gap_end] and gap_end - j <= max_gap:
                j = gap_end
                continue
            break
        if j - i >= min_tokens:
            start, end = snap_to_words(text, int(offsets[i, 0]), int(offsets[j - 1, 1]))
            # A lone quote mark or dash is no wording a reader could weigh: report words only.
            if any(char.isalnum() for char in text[start:end]):
                spans.append(CharSpan(start, end, float(probs[i:j].mean())))
        i = j
    return spans


def has_content_word(text: str) -> bool:
    """Whether ``text`` holds a word that is not a function word (see FUNCTION_WORDS)."""
    return any(word.lower() not in FUNCTION_WORDS for word in _WORD.findall(text))
