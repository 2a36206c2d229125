"""The pictures at the top of report.html, as inline SVG written here: no script library, no network.

Three charts and a strip per document:

- spans per 1,000 words by label over the whole collection (horizontal bars);
- the documents with the most spans per 1,000 words (stacked by label, each bar a link to its document);
- when the documents sit in two or more top-level subfolders of the input (one per outlet, say), the same
  per-label density per folder, side by side on one shared scale;
- per document, one lane per label the length of the text, with a tick where each span falls.

A collection's density is ``1000 * spans / words`` over all its documents (so long documents weigh more than
short ones), words being :func:`slant.batch.outputs.count_words`; a document's is the same over itself, the
``spans_per_1k_words`` of summary.csv. Every bar carries its figure as text, in a ``<title>`` (the tooltip
and what a screen reader reads) and in ``data-*`` attributes, so colour is never the only cue and a test can
check each picture against summary.csv.
"""

from __future__ import annotations

import collections
import heapq
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from slant import palette, taxonomy
from slant.batch.outputs import Row, density, folder_of

TOP_DOCUMENTS = 20  # bars in the "documents ranked by density" chart
MAX_FOLDERS = 6  # columns in the per-folder chart (the folders with the most words; the rest are named)
TOP_LEVEL = "(top level)"  # how the chart names documents directly in the input folder (folder "")

_ROW = 22  # px per bar row
_LABEL_W = 250  # px for the row names, right-aligned against the bars
_BAR_W = 340
_VALUE_W = 120
_TICK_MIN = 3.0  # a span's tick is at least this wide (of 1000 units), so a short span stays visible


@dataclass
class Totals:
    """Words, documents and spans per label of a set of documents (the collection, or one folder)."""

    words: int = 0
    documents: int = 0
    counts: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, row: Row) -> None:
        self.words += row.n_words or 0
        self.documents += 1
        self.counts.update(span["label"] for span in row.spans)

    def density(self, label: str) -> float:
        return density(self.counts[label], self.words)


@dataclass(frozen=True)
class RankedDocument:
    number: int  # the document's anchor in the report (doc-<number>)
    id: str
    words: int
    n_spans: int
    counts: tuple[tuple[str, int], ...]  # (label, spans), most first
    shown: bool  # shown in full below (so the bar links to it)

    @property
    def density(self) -> float:
        return density(self.n_spans, self.words)


@dataclass
class ChartData:
    """What the charts need, gathered in one streaming pass (memory: one entry per folder, top N documents)."""

    collection: Totals = field(default_factory=Totals)
    folders: dict[str, Totals] = field(default_factory=dict)
    top: list[RankedDocument] = field(default_factory=list)


def collect(rows: Iterable[tuple[int, Row, bool]], top_n: int = TOP_DOCUMENTS) -> ChartData:
    """Aggregate ``(number, row, shown)`` triples; error rows count nowhere (they have no words or spans)."""
    data = ChartData()

    def ranked() -> Iterable[RankedDocument]:
        for number, row, shown in rows:
            if row.error:
                continue
            data.collection.add(row)
            data.folders.setdefault(folder_of(row.id), Totals()).add(row)
            if row.spans and row.n_words:
                counts = collections.Counter(span["label"] for span in row.spans).most_common()
                yield RankedDocument(number, row.id, row.n_words, len(row.spans), tuple(counts), shown)

    # Highest density first; equal densities in document order (the lowest number wins the tie).
    data.top = heapq.nsmallest(top_n, ranked(), key=lambda d: (-d.density, d.number))
    return data


# ---- helpers ------------------------------------------------------------------------------------------------
def short_name(label: str) -> str:
    """The label's name without its parenthesis and alternatives ("Name Calling / Labeling" -> "Name Calling")."""
    try:
        name = taxonomy.get(label).name
    except KeyError:
        return label
    return name.split(" (", 1)[0].split(" / ", 1)[0]


def full_name(label: str) -> str:
    try:
        return taxonomy.get(label).name
    except KeyError:
        return label


def edge_color(color: str) -> str:
    """The darker edge of a background colour: bars, ticks and swatches keep a visible outline on white."""
    return palette.mix(color, -0.45)


def edge(label: str) -> str:
    """:func:`edge_color` of the label's colour."""
    return edge_color(palette.label_color(label))


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: float) -> str:
    return f"{value:,.1f}"


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg_open(chart: str, width: int, height: int, title: str, desc: str, extra: str = "") -> str:
    ident = f"chart-{chart}"
    return (
        f'<svg class="chart" data-chart="{_e(chart)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d"{extra}>'
        f'<title id="{ident}-t">{_e(title)}</title><desc id="{ident}-d">{_e(desc)}</desc>'
    )


def label_order(data: ChartData) -> list[str]:
    """Labels with at least one span in the collection, densest first (ties in taxonomy order)."""
    rank = {label: i for i, label in enumerate(taxonomy.LABELS)}
    present = [label for label, n in data.collection.counts.items() if n > 0]
    return sorted(present, key=lambda lab: (-data.collection.counts[lab], rank.get(lab, len(rank)), lab))


# ---- chart (a): the collection by label -----------------------------------------------------------------------
def labels_chart(data: ChartData) -> str:
    """Spans per 1,000 words by label over every scored document."""
    labels = label_order(data)
    total = data.collection
    if not labels:
        return '<p class="nochart">No spans in the scored documents: nothing to chart.</p>'
    top = max(total.density(label) for label in labels)
    height = _ROW * len(labels) + 8
    width = _LABEL_W + _BAR_W + _VALUE_W
    desc = f"{_plural(total.documents, 'document')}, {total.words:,} words; bars: spans per 1,000 words for each label."
    parts = [
        _svg_open(
            "labels",
            width,
            height,
            "Spans per 1,000 words by label, whole collection",
            desc,
            f' data-words="{total.words}" data-documents="{total.documents}"',
        )
    ]
    for i, label in enumerate(labels):
        value = total.density(label)
        count = total.counts[label]
        y = 4 + i * _ROW
        w = max(_BAR_W * value / top, 1.0) if top else 1.0
        tip = f"{full_name(label)}: {_fmt(value)} spans per 1,000 words ({count:,} spans)"
        parts.append(
            f'<g class="bar" data-label="{_e(label)}" data-value="{value:.6f}" data-count="{count}">'
            f"<title>{_e(tip)}</title>"
            f'<text x="{_LABEL_W - 8}" y="{y + 15}" text-anchor="end">{_e(short_name(label))}</text>'
            f'<rect x="{_LABEL_W}" y="{y + 3}" width="{w:.2f}" height="{_ROW - 6}" '
            f'fill="{palette.label_color(label)}" stroke="{edge(label)}"/>'
            f'<text class="value" x="{_LABEL_W + w + 6:.2f}" y="{y + 15}">{_fmt(value)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


# ---- chart (b): documents ranked by density -------------------------------------------------------------------
def documents_chart(data: ChartData, labels: list[str]) -> str:
    """The densest documents, one stacked bar each (a segment per label), linked to the document below."""
    docs = data.top
    if not docs:
        return '<p class="nochart">No document has a span: nothing to rank.</p>'
    top = max(doc.density for doc in docs)
    height = _ROW * len(docs) + 8
    width = _LABEL_W + _BAR_W + _VALUE_W
    order = {label: i for i, label in enumerate(labels)}
    parts = [
        _svg_open(
            "documents",
            width,
            height,
            f"The {len(docs)} documents with the most spans per 1,000 words",
            "One bar per document, longest first; its segments are its labels' shares.",
        )
    ]
    for i, doc in enumerate(docs):
        y = 4 + i * _ROW
        value = doc.density
        tip = f"{doc.id}: {_fmt(value)} spans per 1,000 words ({doc.n_spans} spans in {doc.words:,} words)"
        attrs = f'class="bar" data-doc="{_e(doc.id)}" data-value="{value:.6f}" data-words="{doc.words}"'
        attrs += f' data-spans="{doc.n_spans}" data-rank="{i + 1}"'
        body = [f"<title>{_e(tip)}</title>"]
        body.append(f'<text x="{_LABEL_W - 8}" y="{y + 15}" text-anchor="end">{_e(_clip(doc.id, 38))}</text>')
        x = float(_LABEL_W)
        full = _BAR_W * value / top if top else 0.0
        for label, count in sorted(doc.counts, key=lambda lc: (order.get(lc[0], len(order)), lc[0])):
            w = full * count / doc.n_spans
            seg_tip = f"{full_name(label)}: {count} spans, {_fmt(density(count, doc.words))} per 1,000 words"
            body.append(
                f'<rect class="part" data-label="{_e(label)}" data-count="{count}" x="{x:.2f}" y="{y + 3}" '
                f'width="{max(w, 0.5):.2f}" height="{_ROW - 6}" fill="{palette.label_color(label)}" '
                f'stroke="{edge(label)}"><title>{_e(seg_tip)}</title></rect>'
            )
            x += w
        body.append(f'<text class="value" x="{x + 6:.2f}" y="{y + 15}">{_fmt(value)} · {doc.words:,} words</text>')
        inner = "".join(body)
        if doc.shown:
            inner = f'<a href="#doc-{doc.number}">{inner}</a>'
        parts.append(f"<g {attrs}>{inner}</g>")
    parts.append("</svg>")
    return "".join(parts)


# ---- chart (c): the same per folder, side by side ---------------------------------------------------------------
def chosen_folders(data: ChartData) -> tuple[list[str], list[str]]:
    """(folders charted, folders left out): the MAX_FOLDERS with the most words, charted in name order."""
    by_words = sorted(data.folders, key=lambda f: (-data.folders[f].words, f))
    shown = sorted(by_words[:MAX_FOLDERS])
    return shown, sorted(by_words[MAX_FOLDERS:])


def folders_chart(data: ChartData, labels: list[str]) -> str:
    """Per-label density in each top-level folder, one column per folder on a shared scale; "" when the
    documents are not in two or more folders."""
    if len(data.folders) < 2 or not labels:
        return ""
    folders, rest = chosen_folders(data)
    col_w = 130
    bar_w = 78
    header = 34
    width = _LABEL_W + col_w * len(folders)
    height = header + _ROW * len(labels) + 8
    top = max((data.folders[f].density(label) for f in folders for label in labels), default=0.0)
    names = ", ".join(f or TOP_LEVEL for f in folders)
    parts = [
        _svg_open(
            "folders",
            width,
            height,
            "Spans per 1,000 words by label, per folder",
            f"One column per folder ({names}), one row per label, all on the same scale.",
        )
    ]
    for j, folder in enumerate(folders):
        totals = data.folders[folder]
        x0 = _LABEL_W + j * col_w
        name = folder or TOP_LEVEL
        parts.append(
            f'<g class="folder" data-folder="{_e(folder)}" data-words="{totals.words}" '
            f'data-documents="{totals.documents}"><title>{_e(name)}: {_plural(totals.documents, "document")}, '
            f"{totals.words:,} words</title>"
            f'<text class="head" x="{x0}" y="14">{_e(_clip(name, 18))}</text>'
            f'<text class="sub" x="{x0}" y="28">{_plural(totals.documents, "doc")} · {totals.words:,} words</text></g>'
        )
    for i, label in enumerate(labels):
        y = header + i * _ROW
        parts.append(
            f'<text x="{_LABEL_W - 8}" y="{y + 15}" text-anchor="end"><title>{_e(full_name(label))}</title>'
            f"{_e(short_name(label))}</text>"
        )
        for j, folder in enumerate(folders):
            totals = data.folders[folder]
            value = totals.density(label)
            count = totals.counts[label]
            x0 = _LABEL_W + j * col_w
            w = bar_w * value / top if top else 0.0
            tip = f"{folder or TOP_LEVEL}, {full_name(label)}: {_fmt(value)} spans per 1,000 words ({count} spans)"
            parts.append(
                f'<g class="bar" data-folder="{_e(folder)}" data-label="{_e(label)}" data-value="{value:.6f}" '
                f'data-count="{count}"><title>{_e(tip)}</title>'
                f'<rect class="track" x="{x0}" y="{y + 3}" width="{bar_w}" height="{_ROW - 6}"/>'
                f'<rect x="{x0}" y="{y + 3}" width="{w:.2f}" height="{_ROW - 6}" '
                f'fill="{palette.label_color(label)}" stroke="{edge(label)}"/>'
                f'<text class="value" x="{x0 + bar_w + 4}" y="{y + 15}">{_fmt(value)}</text></g>'
            )
    parts.append("</svg>")
    svg = "".join(parts)
    if rest:
        more = ", ".join(f or TOP_LEVEL for f in rest[:10]) + (", …" if len(rest) > 10 else "")
        svg += (
            f'<p class="note">{len(rest)} more folders with fewer words are not charted ({_e(more)}): '
            "summary.csv and documents.parquet have a <code>folder</code> column for all of them.</p>"
        )
    return svg


# ---- the strip of one document ------------------------------------------------------------------------------------
def strip(n_chars: int, spans: list[dict[str, Any]], anchor: str) -> str:
    """One lane per label, the length of the text, a tick (linking to the span's place in the text, whose
    id is ``<anchor>-<start>``) where each of its spans falls. "" for a document without spans."""
    if not spans or n_chars <= 0:
        return ""
    by_label: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for span in spans:
        by_label[span["label"]].append(span)
    rank = {label: i for i, label in enumerate(taxonomy.LABELS)}
    lanes = sorted(by_label, key=lambda lab: (-len(by_label[lab]), rank.get(lab, len(rank)), lab))
    parts = [f'<div class="strip" data-n-chars="{n_chars}" role="group" aria-label="Where each label falls">']
    for label in lanes:
        color = palette.label_color(label)
        ticks = []
        for span in sorted(by_label[label], key=lambda s: (s["start"], s["end"])):
            x = 1000.0 * span["start"] / n_chars
            w = max(1000.0 * (span["end"] - span["start"]) / n_chars, _TICK_MIN)
            x = min(x, 1000.0 - w)
            tip = f"{full_name(label)} {span['score']:.2f}: “{_clip(span['text'], 80)}”"
            ticks.append(
                f'<a href="#{anchor}-{span["start"]}"><rect class="tick" data-start="{span["start"]}" '
                f'data-end="{span["end"]}" x="{x:.2f}" y="1" width="{w:.2f}" height="12" fill="{color}" '
                f'stroke="{edge(label)}" vector-effect="non-scaling-stroke"><title>{_e(tip)}</title></rect></a>'
            )
        parts.append(
            f'<div class="lane" data-l="{_e(label)}"><span class="lane-name" title="{_e(full_name(label))}">'
            f'<span class="sw" style="background:{color};border:1px solid {edge(label)}"></span>'
            f"{_e(short_name(label))} <small>{len(by_label[label])}</small></span>"
            f'<svg class="lane-svg" viewBox="0 0 1000 14" preserveAspectRatio="none" data-label="{_e(label)}" '
            f'role="img" aria-label="{_e(full_name(label))}: {len(by_label[label])} spans">'
            f'<rect class="track" x="0" y="1" width="1000" height="12"/>{"".join(ticks)}</svg></div>'
        )
    parts.append("</div>")
    return "".join(parts)
