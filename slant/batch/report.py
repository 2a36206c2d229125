"""report.html: one self-contained page (inline CSS, JS and SVG, no network) streamed from spans.jsonl and texts/.

The page opens with charts (:mod:`slant.batch.charts`): spans per 1,000 words by label, the densest documents,
and the per-folder comparison when the inputs sit in several subfolders; each document then gets a strip of
where its labels fall, above its text. Colours come from :mod:`slant.palette`, the same as every other view.

Overlapping spans: the text is cut at every span boundary and each piece carries the labels of all the spans
covering it, so nested and crossing spans both show. Every piece of document text goes through html.escape.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import slant.batch.charts as charts
from slant import palette, taxonomy
from slant.batch.outputs import REPORT_FILE, SPANS_FILE, Row, coverage, current_rows, density, read_saved_text

DEFAULT_REPORT_MAX_DOCS = 500

CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#1b1b1b;background:#fff}
nav{width:20rem;flex:none;height:100vh;overflow:auto;position:sticky;top:0;padding:1rem;
  border-right:1px solid #ddd;background:#fafafa;box-sizing:border-box}
main{flex:1;padding:1rem 2rem;min-width:0}
.legend label{display:block;margin:.3rem 0;cursor:pointer}
.legend small{display:block;color:#555;margin-left:1.6rem}
.sw{display:inline-block;width:.9rem;height:.9rem;border-radius:2px;vertical-align:middle;margin-right:.3rem}
table{border-collapse:collapse;font-size:13px}
th,td{padding:.2rem .5rem;border-bottom:1px solid #eee;text-align:left}
th{cursor:pointer;user-select:none;background:#f3f3f3;position:sticky;top:0}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.err{color:#a00}
article{border-top:2px solid #ccc;margin-top:2rem}
.text{white-space:pre-wrap;overflow-wrap:anywhere;max-width:50rem}
.seg{border-radius:2px;cursor:help}
.charts{display:flex;flex-wrap:wrap;gap:1rem 2.5rem;margin:1rem 0 2rem}
figure{margin:0;max-width:100%}
figcaption{font-weight:600;margin-bottom:.3rem}
figcaption small{display:block;font-weight:400;color:#555}
svg.chart{max-width:100%;height:auto;font:12px system-ui,sans-serif;overflow:visible}
svg.chart text{fill:#1b1b1b}
svg.chart text.value,svg.chart text.sub{fill:#444}
svg.chart text.head{font-weight:600}
svg.chart .track,.lane-svg .track{fill:#f1f1f1}
svg.chart a:hover text{text-decoration:underline}
.note,.nochart{color:#555;font-size:13px}
.strip{margin:.4rem 0 1rem;max-width:50rem}
.lane{display:grid;grid-template-columns:15rem 1fr;align-items:center;gap:.6rem;font-size:12px;line-height:1.3}
.lane[hidden]{display:none}
.lane-name{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.lane-name small{color:#555}
.lane-svg{width:100%;height:14px;display:block}
.lane-svg a:hover rect.tick{stroke-width:3}
"""

JS = """
(function(){
  const palette = JSON.parse(document.getElementById('colors').textContent);
  const colors = palette.bg, inks = palette.fg;
  function paint(){
    const on = new Set();
    document.querySelectorAll('input.lf').forEach(cb => { if (cb.checked) on.add(cb.value); });
    document.querySelectorAll('.seg').forEach(seg => {
      const act = seg.dataset.l.split(' ').filter(l => on.has(l));
      seg.style.background = act.length ? colors[act[0]] : 'transparent';
      seg.style.color = act.length ? inks[act[0]] : 'inherit';
      seg.style.boxShadow = act.length > 1 ? 'inset 0 -3px 0 ' + colors[act[1]] : 'none';
    });
    // A document's strip shows the lanes of the ticked labels only, like its text.
    document.querySelectorAll('.lane').forEach(lane => { lane.hidden = !on.has(lane.dataset.l); });
  }
  document.querySelectorAll('input.lf').forEach(cb => cb.addEventListener('change', paint));
  document.getElementById('all').addEventListener('click', e => {
    e.preventDefault();
    const boxes = document.querySelectorAll('input.lf');
    const target = ![...boxes].every(cb => cb.checked);
    boxes.forEach(cb => { cb.checked = target; });
    paint();
  });
  document.querySelectorAll('#index th').forEach((th, col) => th.addEventListener('click', () => {
    const body = document.querySelector('#index tbody');
    const rows = [...body.rows];
    const numeric = th.dataset.type === 'n';
    const dir = th.dataset.dir === 'desc' ? 1 : -1;
    th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    rows.sort((a, b) => {
      const x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
      return dir * (numeric ? (parseFloat(y) - parseFloat(x)) : (y < x ? -1 : y > x ? 1 : 0));
    });
    rows.forEach(r => body.appendChild(r));
  }));
  paint();
})();
"""


def label_colors(labels: Iterable[str]) -> dict[str, str]:
    """Each label's background colour: :mod:`slant.palette`'s, the same as in the page and the terminal."""
    return {label: palette.label_color(label) for label in labels}


def _label_name(label: str) -> str:
    try:
        return taxonomy.get(label).name
    except KeyError:
        return label


def segments(text: str, spans: list[dict[str, Any]]) -> Iterable[tuple[str, list[dict[str, Any]]]]:
    """(piece of text, spans covering all of it) for the text cut at every span boundary."""
    cuts = sorted({0, len(text)} | {s["start"] for s in spans} | {s["end"] for s in spans})
    by_start = sorted(spans, key=lambda s: s["start"])
    active: list[dict[str, Any]] = []
    k = 0
    for a, b in zip(cuts, cuts[1:], strict=False):
        if a >= b:
            continue
        while k < len(by_start) and by_start[k]["start"] <= a:
            active.append(by_start[k])
            k += 1
        active = [s for s in active if s["end"] > a]
        yield text[a:b], [s for s in active if s["end"] >= b]


def render_text(text: str, spans: list[dict[str, Any]], anchor: str | None = None) -> str:
    """The text as HTML, each covered piece a ``.seg`` span naming its labels; with ``anchor``, the piece where
    a span starts gets the id ``<anchor>-<start>`` (what the document's strip links to)."""
    starts = {s["start"] for s in spans} if anchor else set()
    parts = []
    pos = 0
    for piece, covering in segments(text, spans):
        at, pos = pos, pos + len(piece)
        if not covering:
            parts.append(html.escape(piece))
            continue
        labels = list(dict.fromkeys(s["label"] for s in covering))
        title = "\n".join(f"{_label_name(s['label'])}: {s['score']:.2f}" for s in covering)
        classes = " ".join(f"l-{label}" for label in labels)
        ident = f' id="{html.escape(anchor)}-{at}"' if at in starts else ""
        parts.append(
            f'<span class="seg {html.escape(classes)}"{ident} data-l="{html.escape(" ".join(labels))}" '
            f'title="{html.escape(title)}">{html.escape(piece)}</span>'
        )
    return "".join(parts)


def _cell(value: Any, sort_value: Any = None, cls: str = "") -> str:
    v = value if sort_value is None else sort_value
    attr = f' class="{cls}"' if cls else ""
    return f'<td{attr} data-v="{html.escape(str(v))}">{html.escape(str(value))}</td>'


def _index_row(number: int, row: Row, rendered: bool) -> str:
    words = row.n_words or 0
    dens = density(len(row.spans), words)
    cov = coverage(row.spans, row.n_chars)
    name = html.escape(row.id)
    link = f'<a href="#doc-{number}">{name}</a>' if rendered else name
    return (
        f'<tr><td data-v="{html.escape(row.id)}">{link}</td>'
        + _cell(words, cls="n")
        + _cell(len(row.spans), cls="n")
        + _cell(f"{dens:.1f}", dens, cls="n")
        + _cell(f"{100 * cov:.1f}%", cov, cls="n")
        + _cell(row.error or "", cls="err")
        + "</tr>\n"
    )


def _write_head(out: IO[str], colors: dict[str, str], n_docs: int, n_rendered: int) -> None:
    inks = {label: palette.text_color(color) for label, color in colors.items()}
    css_labels = "".join(
        f".seg.l-{label}{{background:{color};color:{inks[label]}}}\n" for label, color in colors.items()
    )
    # The colours travel as JSON in a non-executed script tag; "</" is escaped so no label can close the tag.
    colors_json = json.dumps({"bg": colors, "fg": inks}).replace("</", "<\\/")
    out.write(
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>slant report ({n_docs} documents)</title><style>{CSS}{css_labels}</style></head><body>\n"
        f'<script type="application/json" id="colors">{colors_json}</script>\n'
    )
    out.write('<nav><h2>Labels</h2><p><a href="#" id="all">all / none</a></p><div class="legend">\n')
    for label, color in colors.items():
        info = taxonomy.get(label)
        out.write(
            f'<label title="{html.escape(info.example)}"><input type="checkbox" class="lf" '
            f'value="{html.escape(label)}" checked><span class="sw" style="background:{color};'
            f'border:1px solid {charts.edge(label)}"></span>'
            f"{html.escape(info.name)}<small>{html.escape(info.definition)}</small></label>\n"
        )
    out.write("</div></nav><main>\n<h1>slant report</h1>\n")
    out.write(
        f"<p>{n_docs} documents; {n_rendered} shown in full below. Click a column to sort; "
        "hover a highlight for its labels and scores.</p>\n"
    )


def _numbered(spans_path: Path, max_docs: int) -> Iterator[tuple[int, Row, bool]]:
    """(anchor number, row, shown in full) for every current row: the first ``max_docs`` scored documents
    are shown; every pass over the file numbers them the same way."""
    shown = 0
    for number, row in enumerate(current_rows(spans_path)):
        rendered = not row.error and shown < max_docs
        shown += rendered
        yield number, row, rendered


def _write_charts(out: IO[str], data: charts.ChartData) -> None:
    labels = charts.label_order(data)
    total = data.collection
    out.write('<section id="charts" aria-label="Charts"><div class="charts">\n')
    out.write(
        '<figure id="fig-labels"><figcaption>Spans per 1,000 words, by label'
        f"<small>all {total.documents:,} scored documents ({total.words:,} words) together</small></figcaption>"
        f"{charts.labels_chart(data)}</figure>\n"
    )
    out.write(
        '<figure id="fig-documents"><figcaption>Documents ranked by spans per 1,000 words'
        f"<small>the {len(data.top)} densest; a bar's segments are its labels; click one to read it"
        f"</small></figcaption>{charts.documents_chart(data, labels)}</figure>\n"
    )
    folders = charts.folders_chart(data, labels)
    if folders:
        out.write(
            '<figure id="fig-folders"><figcaption>Spans per 1,000 words, by label and folder'
            "<small>each top-level subfolder of the input on the same scale</small></figcaption>"
            f"{folders}</figure>\n"
        )
    out.write("</div></section>\n")


def write_report(out_dir: Path, max_docs: int = DEFAULT_REPORT_MAX_DOCS) -> int:
    """Write report.html; returns the number of documents listed. Streams: three passes over spans.jsonl
    (charts and counts, the index, the documents), holding only per-label and per-folder totals."""
    spans_path = out_dir / SPANS_FILE
    n_docs = n_rendered = 0

    def counted() -> Iterator[tuple[int, Row, bool]]:
        nonlocal n_docs, n_rendered
        for item in _numbered(spans_path, max_docs):
            n_docs += 1
            n_rendered += item[2]
            yield item

    data = charts.collect(counted())  # first pass: the charts' figures and the header's counts
    colors = label_colors(taxonomy.LABELS)
    tmp = out_dir / (REPORT_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as out:
        _write_head(out, colors, n_docs, n_rendered)
        _write_charts(out, data)
        out.write(
            '<table id="index"><thead><tr><th data-type="s">document</th><th data-type="n">words</th>'
            '<th data-type="n">spans</th><th data-type="n">spans / 1,000 words</th>'
            '<th data-type="n">covered</th><th data-type="s">error</th></tr></thead><tbody>\n'
        )
        for number, row, rendered in _numbered(spans_path, max_docs):
            out.write(_index_row(number, row, rendered))
        out.write("</tbody></table>\n")
        for number, row, rendered in _numbered(spans_path, max_docs):
            if not rendered:
                continue
            text = read_saved_text(out_dir, row)
            out.write(f'<article id="doc-{number}"><h2>{html.escape(row.id)}</h2>\n')
            if text is None:
                out.write(f"<p>saved text {html.escape(str(row.text_file))} is missing</p></article>\n")
                continue
            anchor = f"s{number}"
            out.write(charts.strip(len(text), row.spans, anchor))
            out.write(f'<div class="text">{render_text(text, row.spans, anchor)}</div></article>\n')
        out.write(f"</main><script>{JS}</script></body></html>\n")
    tmp.replace(out_dir / REPORT_FILE)
    return n_docs
