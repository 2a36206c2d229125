"""static/palette.css: the page's label colours as CSS custom properties, written from :mod:`slant.palette`.

The page (static/app.js) reads ``--slant-bg-<label>`` (the highlight), ``--slant-fg-<label>`` (its text) and
``--slant-edge-<label>`` (underline and swatch border), so the page, report.html and the terminal show each
label in the same colour. ``python -m slant.server.palette_css`` rewrites the file after a palette change;
tests/test_report_charts.py fails while the file and the module disagree.
"""

from __future__ import annotations

from pathlib import Path

from slant import palette, taxonomy
from slant.batch.charts import edge_color as edge  # the report's rule, so the edges match too

CSS_PATH = Path(__file__).resolve().parent / "static" / "palette.css"


def render() -> str:
    """The text of static/palette.css for the current palette."""
    lines = [
        "/* Label colours from slant.palette; written by `python -m slant.server.palette_css`: do not edit. */",
        ":root {",
    ]
    for label in taxonomy.LABELS:
        color = palette.label_color(label)
        lines.append(f"  --slant-bg-{label}: {color};")
        lines.append(f"  --slant-fg-{label}: {palette.text_color(color)};")
        lines.append(f"  --slant-edge-{label}: {edge(color)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    CSS_PATH.write_text(render(), encoding="utf-8", newline="\n")
    print(f"wrote {CSS_PATH}")


if __name__ == "__main__":
    main()
