"""``slant classify``: one text in the terminal, its spans highlighted by label, a legend and the scores.

The command line (``slant.cli``) only parses arguments; reading the input, choosing the spans and drawing
them happen here. The view is for reading: characters that cannot be shown as they are (a lone carriage
return, escape sequences and other control characters) are drawn as visible symbols, never sent to the
terminal. The JSON output (``spans_json``) carries the spans exactly, with offsets into the text as read.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rich.columns import Columns
from rich.console import Console, Group
from rich.style import Style
from rich.table import Table
from rich.text import Text

from slant import palette
from slant.batch.inputs import DEFAULT_MAX_BYTES, Source, extract_html, read_document
from slant.batch.outputs import span_dict
from slant.model.profiles import DEFAULT_PROFILE, get_profile
from slant.spans import Span

if TYPE_CHECKING:
    from slant.pipeline.tagger import Tagger

STDIN = "-"
STDIN_NAME = "<stdin>"
TABLE_TEXT_CHARS = 80  # longer span texts are cut in the table (the highlighted text shows them whole)


class ClassifyError(ValueError):
    """Something the user gave ``slant classify`` that it cannot use; the message names it and says why."""


@dataclass(frozen=True, slots=True)
class InputText:
    """The text to classify: exactly as read (or the main text extracted from an HTML page)."""

    name: str  # the path as given, or "<stdin>"
    text: str
    extracted: bool = False


def looks_like_html(text: str) -> bool:
    """True for a text that starts as an HTML page does (what ``curl`` of a news page gives)."""
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def read_stdin(stream: BinaryIO, max_bytes: int = DEFAULT_MAX_BYTES) -> InputText:
    """Standard input as UTF-8 (nothing normalised: a BOM and CRLF stay); an HTML page gives its main text."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ClassifyError(f"{STDIN_NAME}: input too large (over {max_bytes:,} bytes; see --max-bytes)")
    if not data:
        raise ClassifyError(f"{STDIN_NAME}: empty input")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ClassifyError(f"{STDIN_NAME}: binary input (NUL byte at offset {nul})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1].hex()
        raise ClassifyError(f"{STDIN_NAME}: not valid UTF-8 (byte 0x{bad} at offset {exc.start})") from None
    extracted = False
    if looks_like_html(text):
        try:
            main = extract_html(text)
        except Exception as exc:  # trafilatura raises assorted parser errors on broken markup
            raise ClassifyError(f"{STDIN_NAME}: HTML extraction failed: {exc}") from None
        if not main or not main.strip():
            raise ClassifyError(f"{STDIN_NAME}: no main text found in the HTML")
        text, extracted = main, True
    if not text.strip():
        raise ClassifyError(f"{STDIN_NAME}: only whitespace")
    return InputText(STDIN_NAME, text, extracted)


def read_input(arg: str, max_bytes: int = DEFAULT_MAX_BYTES, stdin: BinaryIO | None = None) -> InputText:
    """The text of ``arg``: ``-`` for standard input, else a file read as ``slant score`` reads it (UTF-8,
    exact; ``.html``/``.htm``: the main text). ClassifyError naming the input when it cannot be read."""
    if arg == STDIN:
        return read_stdin(stdin if stdin is not None else sys.stdin.buffer, max_bytes)
    path = Path(arg)
    doc = read_document(Source(path.name, path), max_bytes)
    if doc.error or doc.text is None:
        raise ClassifyError(doc.error or f"{path}: cannot be read")
    return InputText(arg, doc.text, doc.extracted)


def parse_labels(values: Iterable[str]) -> frozenset[str] | None:
    """``--labels`` values (each a comma list) as a set of label ids; None when none were given."""
    from slant.taxonomy import LABELS

    chosen = {v.strip() for value in values for v in value.split(",") if v.strip()}
    if not chosen:
        return None
    unknown = sorted(chosen - set(LABELS))
    if unknown:
        raise ClassifyError(f"unknown label {', '.join(unknown)}; valid labels: {', '.join(LABELS)}")
    return frozenset(chosen)


def load_tagger(model: str | None = None, profile: str = DEFAULT_PROFILE) -> Tagger:
    """``Tagger.load(model, profile=profile)``; ClassifyError naming the model when it cannot be loaded."""
    try:
        get_profile(profile)
    except ValueError as exc:
        raise ClassifyError(f"--profile: {exc}") from None
    # torch loads only once a text is to be classified: `slant classify --help` and usage errors stay instant.
    from slant.model.encoder import EncoderError
    from slant.pipeline.tagger import Tagger

    try:
        return Tagger.load(model, profile=profile)
    except (OSError, ValueError, ImportError, EncoderError) as exc:
        raise ClassifyError(f"--model {model or 'default'}: {exc}") from None


def select_spans(spans: Iterable[Span], labels: frozenset[str] | None = None, min_score: float = 0.0) -> list[Span]:
    """The spans to show: those with a label in ``labels`` (None: any) and a score of at least ``min_score``."""
    return [s for s in spans if (labels is None or s.label in labels) and s.score >= min_score]


def spans_json(spans: Iterable[Span]) -> str:
    """The spans as a JSON array, each with the fields of a ``spans.jsonl`` row's spans."""
    return json.dumps([span_dict(s) for s in spans], ensure_ascii=False, indent=2)


def visible(piece: str) -> str:
    """``piece`` safe to print: CRLF as a line break, other control characters as visible symbols."""
    out = []
    for i, ch in enumerate(piece):
        if ch in "\n\t":
            out.append(ch)
        elif ch == "\r":
            if not piece.startswith("\n", i + 1):  # CRLF prints as its LF; a lone CR would overwrite the line
                out.append("␍")
        elif unicodedata.category(ch) == "Cc":
            code = ord(ch)
            out.append(chr(0x2400 + code) if code < 0x20 else "␡" if code == 0x7F else "\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def label_style(label: str, overlapped: bool = False) -> Style:
    background = palette.label_color(label)
    return Style(color=palette.text_color(background), bgcolor=background, underline=overlapped)


def segments(text: str, spans: Sequence[Span]) -> list[tuple[int, int, list[Span]]]:
    """(start, end, spans covering all of it) for ``text`` cut at every span boundary, in order."""
    cuts = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    by_start = sorted(spans, key=lambda s: s.start)
    active: list[Span] = []
    k = 0
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        while k < len(by_start) and by_start[k].start <= a:
            active.append(by_start[k])
            k += 1
        active = [s for s in active if s.end > a]  # every end is a cut, so these reach b too
        out.append((a, b, list(active)))
    return out


def highlighted(text: str, spans: Sequence[Span]) -> Text:
    """``text`` with each character on the colour of the innermost span covering it (the shortest; of equal
    ones, the higher score), underlined where spans overlap."""
    out = Text()
    for a, b, covering in segments(text, spans):
        piece = visible(text[a:b])
        if not covering:
            out.append(piece)
            continue
        inner = min(covering, key=lambda s: (s.end - s.start, -s.score, s.label))
        out.append(piece, style=label_style(inner.label, overlapped=len(covering) > 1))
    return out


def legend(spans: Sequence[Span]) -> Columns:
    """A colour swatch, the label and its count for each label present, in the taxonomy's order."""
    from slant.taxonomy import LABELS

    counts: dict[str, int] = {}
    for span in spans:
        counts[span.label] = counts.get(span.label, 0) + 1
    order = {label: i for i, label in enumerate(LABELS)}
    entries = []
    for label in sorted(counts, key=lambda lab: (order.get(lab, len(order)), lab)):
        entry = Text(no_wrap=True)
        entry.append("  ", style=label_style(label))
        entry.append(f" {label} {counts[label]}")
        entries.append(entry)
    return Columns(entries, padding=(0, 3))


def _cut(text: str, limit: int = TABLE_TEXT_CHARS) -> str:
    one_line = " ".join(visible(text).split())  # display only: the JSON keeps the text exactly
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def spans_table(spans: Sequence[Span]) -> Table:
    """One row per span: its label (on its colour), score, character offsets, text and cues."""
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("label")
    table.add_column("score", justify="right")
    table.add_column("chars", justify="right")
    table.add_column("text", overflow="fold")
    with_cues = any(s.cues for s in spans)
    if with_cues:
        table.add_column("cues")
    for number, span in enumerate(spans, 1):
        row = [
            str(number),
            Text(span.label, style=label_style(span.label)),
            f"{span.score:.2f}",
            f"{span.start}-{span.end}",
            _cut(span.text),
        ]
        if with_cues:
            row.append(", ".join(text for _, _, text in span.cues))
        table.add_row(*row)
    return table


def view(source: InputText, spans: Sequence[Span]) -> Group:
    """The whole terminal view: a header line, the highlighted text, the legend and the table of spans."""
    what = "main text extracted from HTML, " if source.extracted else ""
    n = len(spans)
    header = Text(f"{source.name}: {n} span{'s' * (n != 1)} ({what}{len(source.text):,} characters)", style="bold")
    parts = [header, Text(), highlighted(source.text, spans), Text()]
    if spans:
        parts += [legend(spans), Text(), spans_table(spans)]
    return Group(*parts)


def print_view(source: InputText, spans: Sequence[Span], console: Console | None = None) -> None:
    (console or Console(highlight=False)).print(view(source, spans))
