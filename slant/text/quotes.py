"""Find quotations (the marks and what they enclose) in raw text, with exact code-point offsets.

The finder never normalises the text: every offset indexes the string it was given. It works in two passes
so that one stray mark cannot pair with marks far away:

1. Each mark is classified from its immediate neighbours only (opener, closer, both or neither). This is
   where apostrophes (don't, O'Brien, the '90s, students'), inch/feet marks (5'11", 12" pipe) and stray
   marks are thrown out.
2. Marks are paired line by line with a stack. Marks left unpaired in a line (an opener still open at the
   end of the line, a closer at the line's top level) get a second chance across line breaks, so hard-
   wrapped quotations that span lines are found. A pending opener is dropped at a blank line, after a line
   that ends a sentence, after ``MAX_LINES_SPANNED`` breaks, or when the next line opens a quotation of the
   same kind: the last two cover the news convention of leaving a quotation open at the end of a paragraph
   and reopening it on the next one (each paragraph's unclosed part is then ignored, the final, closed
   paragraph is found on its own line).

Because classification is local and pending openers only interact with the top of the cross-line stack,
text prepended before a newline never changes the quotations that start after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Quotation", "find_quotations", "OPEN_TO_CLOSE"]

# Which closing marks may end a quotation opened by each opening mark. Straight and curly marks are not mixed:
# mixed pairs are usually two unrelated stray marks.
OPEN_TO_CLOSE: dict[str, frozenset[str]] = {
    '"': frozenset('"'),
    "\u201c": frozenset("\u201d"),  # “ ”
    "\u201e": frozenset("\u201c\u201d"),  # „ “ (German) or „ ” (Polish, Hungarian)
    "'": frozenset("'"),
    "\u2018": frozenset("\u2019"),  # ‘ ’
    "\u201a": frozenset("\u2018\u2019"),  # ‚ ‘ or ‚ ’
    "\u00ab": frozenset("\u00bb"),  # « »
    "\u2039": frozenset("\u203a"),  # ‹ ›
}
_FAMILY = {
    '"': "d",
    "\u201c": "d",
    "\u201e": "d",
    "'": "s",
    "\u2018": "s",
    "\u201a": "s",
    "\u00ab": "g",
    "\u2039": "g",
}
_ALL_MARKS = frozenset("\"'\u201c\u201d\u201e\u2018\u2019\u201a\u00ab\u00bb\u2039\u203a")
_CLOSERS = frozenset("\u201d\u2019\u00bb\u203a")

# Characters after which an opening mark may stand, and before which a closing mark may stand.
_OPEN_LEFT = frozenset("([{<\u2014\u2013-/:;\ufeff\u201c\u2018\u201e\u201a\u00ab\u2039\"'")
_CLOSE_RIGHT = frozenset(".,;:!?)]}>\u2014\u2013-/\u2026*\u201d\u2019\u00bb\u203a\"'")
_SENTENCE_END = frozenset(".!?\u2026")

# Line breaks as str.splitlines() knows them; \r\n counts as one break.
_LINE_RE = re.compile(
    r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]|\Z)"
)
# Elisions that begin with an apostrophe: '90s, '99, 'em, 'tis, 'twas, 'n', 'cause, 'til.
_ELISION_RE = re.compile(r"[\u2018\u2019'](?:\d\d(?:s\b|\b)|(?:em|tis|twas|n|cause|til|bout|round)\b)", re.IGNORECASE)

MAX_LINES_SPANNED = 4


@dataclass(frozen=True, slots=True)
class Quotation:
    """A quotation: ``text[start:end]`` includes both marks, ``text[inner_start:inner_end]`` excludes them.

    ``open_mark``/``close_mark`` are one character, except ``''`` (two apostrophes used as a double quote).
    ``depth`` is the number of other found quotations that enclose this one (0 = outermost).
    """

    start: int
    end: int
    inner_start: int
    inner_end: int
    open_mark: str
    close_mark: str
    depth: int = 0


@dataclass(slots=True)
class _Mark:
    pos: int
    char: str
    can_open: bool
    can_close: bool
    weak_close: bool = False  # s' followed by a word: more likely a plural possessive than a closing mark


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch == "\ufeff"


def _classify(text: str, i: int, lo: int, hi: int) -> _Mark | None:
    """Decide from the neighbours alone what role the mark at ``i`` can play; None for apostrophes etc.

    ``lo``/``hi`` bound the current line so that the decision never looks past a line break (the text before
    a line is then irrelevant, which is what makes prepended text harmless).
    """
    ch = text[i]
    left = text[i - 1] if i > lo else ""
    right = text[i + 1] if i + 1 < hi else ""
    left_open = left == "" or _is_space(left) or left in _OPEN_LEFT
    right_close = right == "" or _is_space(right) or right in _CLOSE_RIGHT
    word_left = left.isalnum()
    word_right = right.isalnum()

    if ch in "'\u2018\u2019" and _ELISION_RE.match(text, i) and left_open:
        return None  # '90s, ’em
    if ch in "'\u2019" and word_left and word_right:
        return None  # don't, O'Brien, rock’n’roll
    if ch in "'\"" and left.isdigit():
        # 5'11", 6' tall, 12" pipe, 3'6: measurements, not quotation marks.
        after = text[i + 1 : min(hi, i + 3)]
        if word_right or right == '"' or (after[:1].isspace() and after[1:2].isalnum()):
            return None

    can_open = ch in OPEN_TO_CLOSE and left_open and right != "" and not _is_space(right)
    can_close = (ch in _CLOSERS or ch in "'\"" or ch == "\u201c" or ch == "\u2018") and (
        left != "" and not _is_space(left) and right_close
    )
    if ch in "\u201c\u2018":
        # Closing role only for the low-9 quotations („…“, ‚…‘); decided against the stack when pairing.
        can_close = can_close and not word_right
    if not (can_open or can_close):
        return None
    weak = ch in "'\u2019" and left in "sS" and right != "" and _is_space(right) and text[i + 2 : i + 3].isalnum()
    if ch in "'\u2019" and can_close and weak:
        can_open = False
    return _Mark(i, ch, can_open, can_close, weak and can_close)


def _closes(opener: str, closer: str) -> bool:
    return closer in OPEN_TO_CLOSE.get(opener, frozenset())


def _later_strong_close(marks: list[_Mark], k: int) -> bool:
    """Is there a non-weak single closing mark after marks[k] in the line, before the next single opener?"""
    for m in marks[k + 1 :]:
        if m.char in "'\u2019" and m.can_close and not m.weak_close:
            return True
        if m.char in "'\u2018\u201a" and m.can_open and not m.can_close:
            return False
    return False


def _pair_line(marks: list[_Mark]) -> tuple[list[tuple[_Mark, _Mark]], list[_Mark], list[_Mark]]:
    """Pair the marks of one line; return the pairs, the openers left open and the top-level stray closers."""
    pairs: list[tuple[_Mark, _Mark]] = []
    stack: list[_Mark] = []
    stray_closers: list[_Mark] = []
    for k, m in enumerate(marks):
        if m.can_close:
            match = None
            for j in range(len(stack) - 1, -1, -1):
                if _closes(stack[j].char, m.char):
                    match = j
                    break
            if m.weak_close and (match is None or match != len(stack) - 1 or _later_strong_close(marks, k)):
                continue  # a possessive apostrophe after all
            if match is not None and not (m.can_open and match != len(stack) - 1):
                # Pop through unclosed inner openers: within one line they are stray marks.
                opener = stack[match]
                del stack[match:]
                pairs.append((opener, m))
                continue
            if not stack and not m.can_open and m.char not in "\u201c\u2018":
                stray_closers.append(m)
                continue
        if m.can_open:
            stack.append(m)
    return pairs, stack, stray_closers


def _line_ends_sentence(text: str, lo: int, hi: int) -> bool:
    j = hi
    while j > lo and (text[j - 1].isspace() or text[j - 1] in _CLOSERS or text[j - 1] in "\"')]"):
        j -= 1
    return j > lo and text[j - 1] in _SENTENCE_END


def find_quotations(text: str) -> list[Quotation]:
    """All quotations in ``text``, sorted by start (outer before inner), offsets into ``text`` as given."""
    pairs: list[tuple[_Mark, _Mark]] = []
    pending: list[tuple[_Mark, int]] = []  # cross-line openers and the line index they were opened on
    for line_no, match in enumerate(_LINE_RE.finditer(text)):
        lo = match.start()
        body_end = lo + len(match.group().rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"))
        if lo == len(text) and match.group() == "":
            break
        marks = [m for i in range(lo, body_end) if text[i] in _ALL_MARKS and (m := _classify(text, i, lo, body_end))]
        stripped = text[lo:body_end].strip()
        # Paragraph breaks and expiry end every pending quotation (oldest are below the newest, so clear all).
        if pending and (
            not stripped
            or line_no - pending[-1][1] > MAX_LINES_SPANNED
            or (
                marks
                and marks[0].can_open
                and stripped.startswith(marks[0].char)
                and _FAMILY.get(marks[0].char) == _FAMILY.get(pending[-1][0].char)
            )
        ):
            pending.clear()
        line_pairs, open_left, strays = _pair_line(marks)
        pairs.extend(line_pairs)
        for closer in strays:
            if pending and _closes(pending[-1][0].char, closer.char):
                pairs.append((pending.pop()[0], closer))
        pending.extend((m, line_no) for m in open_left)
        if pending and _line_ends_sentence(text, lo, body_end):
            pending.clear()
        if match.end() == len(text):
            break

    return _assemble(text, pairs)


def _assemble(text: str, pairs: list[tuple[_Mark, _Mark]]) -> list[Quotation]:
    """Sort the pairs into Quotations, merge doubled apostrophes and compute the nesting depth."""
    spans = {(o.pos, c.pos + 1): (o.char, c.char) for o, c in pairs}
    # ''quoted'' (two apostrophes as a double quote, common in wire copy) pairs as one quotation inside
    # another: keep the outer one with two-character marks.
    for (start, end), (om, cm) in list(spans.items()):
        if om == cm == "'" and (start + 1, end - 1) in spans and spans[(start + 1, end - 1)] == ("'", "'"):
            del spans[(start + 1, end - 1)]
            spans[(start, end)] = ("''", "''")
    found = sorted(
        ((s, e, om, cm) for (s, e), (om, cm) in spans.items() if text[s + len(om) : e - len(cm)].strip()),
        key=lambda q: (q[0], -q[1]),
    )
    result: list[Quotation] = []
    enclosing: list[int] = []  # ends of the quotations that enclose the current position
    for start, end, om, cm in found:
        while enclosing and enclosing[-1] <= start:
            enclosing.pop()
        result.append(Quotation(start, end, start + len(om), end - len(cm), om, cm, len(enclosing)))
        enclosing.append(end)
    return result
