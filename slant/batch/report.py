"""report.html: one self-contained page (inline CSS and JS, no network) streamed from spans.jsonl and texts/.

Overlapping spans: the text is cut at every span boundary and each piece carries the labels of all the spans
covering it, so nested and crossing spans both show. Every piece of document text goes through html.escape.
"""

from __future__ import annotations

import colorsys
import html
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from slant import taxonomy
from slant.batch.outputs import REPORT_FILE, SPANS_FILE, Row, coverage, current_rows, density, read_saved_text

DEFAULT_REPORT_MAX_DOCS = 500

CSS = """
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#222}
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
"""

JS = """
(function(){
  const colors = JSON.parse(document.getElementById('colors').textContent);
  function paint(){
    const on = new Set();
    document.querySelectorAll('input.lf').forEach(cb => { if (cb.checked) on.add(cb.value); });
    document.querySelectorAll('.seg').forEach(seg => {
      const act = seg.dataset.l.split(' ').filter(l => on.has(l));
      seg.style.background = act.length ? colors[act[0]] : 'transparent';
      seg.style.boxShadow = act.length > 1 ? 'inset 0 -3px 0 ' + colors[act[1]] : 'none';
    });
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
    """Light, distinct background colours: hues spread round the wheel in label order."""
    labels = list(labels)
    colors = {}
    for i, label in enumerate(labels):
        hue = (i * 0.6180339887) % 1.0  # golden-ratio steps keep neighbouring labels apart
        r, g, b = colorsys.hls_to_rgb(hue, 0.8, 0.75)
        colors[label] = f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
    return colors


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


def render_text(text: str, spans: list[dict[str, Any]]) -> str:
    parts = []
    for piece, covering in segments(text, spans):
        if not covering:
            parts.append(html.escape(piece))
            continue
        labels = list(dict.fromkeys(s["label"] for s in covering))
        title = "\n".join(f"{_label_name(s['label'])}: {s['score']:.2f}" for s in covering)
        classes = " ".join(f"l-{label}" for label in labels)
        parts.append(
            f'<span class="seg {html.escape(classes)}" data-l="{html.escape(" ".join(labels))}" '
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
    css_labels = "".join(f".seg.l-{label}{{background:{color}}}\n" for label, color in colors.items())
    # The colours travel as JSON in a non-executed script tag; "</" is escaped so no label can close the tag.
    colors_json = json.dumps(colors).replace("</", "<\\/")
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
            f'value="{html.escape(label)}" checked><span class="sw" style="background:{color}"></span>'
            f"{html.escape(info.name)}<small>{html.escape(info.definition)}</small></label>\n"
        )
    out.write("</div></nav><main>\n<h1>slant report</h1>\n")
    out.write(
        f"<p>{n_docs} documents; {n_rendered} shown in full below. Click a column to sort; "
        "hover a highlight for its labels and scores.</p>\n"
    )


def write_report(out_dir: Path, max_docs: int = DEFAULT_REPORT_MAX_DOCS) -> int:
    """Write report.html; returns the number of documents listed. Streams: two passes over spans.jsonl."""
    spans_path = out_dir / SPANS_FILE
    n_docs = n_rendered = 0
    for row in current_rows(spans_path):  # first pass: counts for the header
        n_docs += 1
        if not row.error and n_rendered < max_docs:
            n_rendered += 1
    colors = label_colors(taxonomy.LABELS)
    tmp = out_dir / (REPORT_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as out:
        _write_head(out, colors, n_docs, n_rendered)
        out.write(
            '<table id="index"><thead><tr><th data-type="s">document</th><th data-type="n">words</th>'
            '<th data-type="n">spans</th><th data-type="n">spans / 1,000 words</th>'
            '<th data-type="n">covered</th><th data-type="s">error</th></tr></thead><tbody>\n'
        )
        shown = 0
        for number, row in enumerate(current_rows(spans_path)):
            rendered = not row.error and shown < max_docs
            shown += rendered
            out.write(_index_row(number, row, rendered))
        out.write("</tbody></table>\n")
        shown = 0
        for number, row in enumerate(current_rows(spans_path)):
            if row.error or shown >= max_docs:
                continue
            shown += 1
            text = read_saved_text(out_dir, row)
            out.write(f'<article id="doc-{number}"><h2>{html.escape(row.id)}</h2>\n')
            if text is None:
                out.write(f"<p>saved text {html.escape(str(row.text_file))} is missing</p></article>\n")
                continue
            out.write(f'<div class="text">{render_text(text, row.spans)}</div></article>\n')
        out.write(f"</main><script>{JS}</script></body></html>\n")
    tmp.replace(out_dir / REPORT_FILE)
    return n_docs
