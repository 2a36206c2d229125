"""report.html's charts and strips, the Parquet tables, and the palette in the page and the report.

Fast tests build a spans.jsonl by hand (no model). One real ``slant score -f parquet`` run with the shipped
model over a folder with two subfolders then feeds the README's pandas query and headless Chromium, which
reads every figure the charts show and checks it against summary.csv and spans.jsonl, recomputed here.
The browser part needs /usr/bin/chromium, /usr/bin/chromedriver and selenium (installed by .ci/run); it skips
without them outside CI and fails under CI=true.
"""

from __future__ import annotations

import csv
import functools
import json
import math
import os
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slant import palette, taxonomy
from slant.batch import charts
from slant.batch import runner as runner_module
from slant.batch.outputs import Row, SpansWriter, count_words, save_text, sha256_text, write_summary
from slant.batch.report import write_report
from slant.batch.tables import DOCUMENTS_PARQUET, SPANS_PARQUET, documents_schema, spans_schema, write_parquet
from slant.cli import app
from slant.server import palette_css

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
SHIPPED_MODEL = REPO / "model"
SCREENSHOTS = Path(os.environ.get("SLANT_SCREENSHOTS", "/tmp"))

# A small collection: two outlets (subfolders) and one document directly in the input folder.
DOCS = {
    "left/a.txt": (
        "The radical elite wants to destroy our great nation, and they will not stop. Everyone knows the truth: "
        "this corrupt scheme is a disaster for every hard-working family. Officials said the plan would be "
        "reviewed next week."
    ),
    "left/b.txt": (
        "Critics called it a reckless betrayal of the people. Nobody in their right mind would support such a "
        'catastrophic, shameful proposal from the so-called "experts". It is obviously a lie.'
    ),
    "right/c.txt": (
        "The minister presented the budget on Tuesday. It includes funding for schools and roads. Some members "
        "of parliament asked questions about the timetable."
    ),
    "right/d.txt": (
        "These traitors and thugs have betrayed our glorious motherland! Wake up, patriots, before the corrupt "
        "regime destroys everything we love. Their lies will never be forgiven."
    ),
    "top.txt": "The Kiev regime frontman claimed, without any evidence, that the shameful attack never happened.",
}


# ---- a spans.jsonl made by hand ---------------------------------------------------------------------------
def fake_run(out: Path, seed: int = 7) -> list[Row]:
    """A run of 13 documents in three folders plus the input root, random spans, and one error row."""
    rng = random.Random(seed)
    words = ["the", "radical", "elite", "wants", "to", "destroy", "our", "nation", "they", "will", "not", "stop"]
    labels = ["loaded_language", "name_calling", "doubt", "scare_quote", "unhedged_assertion", "flag_waving"]
    rows = []
    writer = SpansWriter(out / "spans.jsonl", append=False)
    for folder, n in (("bbc", 4), ("fox", 3), ("rt", 3), ("", 3)):
        for i in range(n):
            text = " ".join(rng.choice(words) for _ in range(rng.randint(40, 300)))
            doc_id = f"{folder}/d{i}.txt" if folder else f"d{i}.txt"
            spans = []
            for _ in range(rng.randint(0, 12)):
                start = rng.randint(0, len(text) - 10)
                end = start + rng.randint(2, 9)
                span = {"start": start, "end": end, "label": rng.choice(labels), "score": 0.5, "text": text[start:end]}
                if span["label"] == "unhedged_assertion":
                    span["cues"] = [{"start": start, "end": start + 1, "text": text[start]}]
                spans.append(span)
            spans.sort(key=lambda s: (s["start"], s["end"]))
            row = Row(doc_id, f"/in/{doc_id}", sha256_text(text), len(text), count_words(text), spans, None)
            row.text_file = save_text(out, doc_id, text)
            writer.write(row)
            rows.append(row)
    error = Row("broken.txt", "/in/broken.txt", None, 0, 0, [], "broken.txt: binary file")
    writer.write(error)
    rows.append(error)
    writer.close()
    return rows


@pytest.fixture
def fake_out(tmp_path: Path) -> tuple[Path, list[Row]]:
    out = tmp_path / "out"
    out.mkdir()
    rows = fake_run(out)
    write_summary(out)
    write_report(out)
    write_parquet(out)
    return out, rows


def read_summary(out: Path) -> list[dict[str, str]]:
    with open(out / "summary.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_densities(summary: list[dict[str, str]], folder: str | None = None) -> dict[str, float]:
    """Spans per 1,000 words by label over the summary's rows (of one folder), from its count columns."""
    chosen = [r for r in summary if folder is None or r["folder"] == folder]
    words = sum(int(r["n_words"]) for r in chosen)
    out = {}
    for label in taxonomy.LABELS:
        n = sum(int(r[label]) for r in chosen)
        if n:
            out[label] = 1000 * n / words
    return out


def expected_ranking(summary: list[dict[str, str]], top: int) -> list[tuple[str, float]]:
    """(id, spans per 1,000 words) of the densest documents, ties in file order, from the summary's counts."""
    scored = [(i, r) for i, r in enumerate(summary) if not r["error"] and int(r["n_spans"]) and int(r["n_words"])]
    ranked = sorted(scored, key=lambda ir: (-int(ir[1]["n_spans"]) / int(ir[1]["n_words"]), ir[0]))
    return [(r["id"], 1000 * int(r["n_spans"]) / int(r["n_words"])) for _, r in ranked[:top]]


def svg_bars(report: str, chart: str) -> list[dict[str, str]]:
    """The data-* attributes of each bar of one chart, read from the HTML."""
    svg = re.search(rf'<svg class="chart" data-chart="{chart}".*?</svg>', report, re.S)
    assert svg, f"no {chart} chart in the report"
    return [dict(re.findall(r'data-([a-z-]+)="([^"]*)"', g)) for g in re.findall(r'<g class="bar" ([^>]*)>', svg[0])]


# ---- fast tests -------------------------------------------------------------------------------------------
def test_summary_has_folder_and_words(fake_out: tuple[Path, list[Row]]) -> None:
    out, rows = fake_out
    summary = read_summary(out)
    assert list(summary[0])[-1] == "folder"  # appended: the earlier columns keep their positions
    for record, row in zip(summary, rows, strict=True):
        assert record["id"] == row.id
        assert record["folder"] == (row.id.split("/")[0] if "/" in row.id else "")
        assert int(record["n_words"]) == row.n_words


def test_parquet_tables_match_spans_jsonl(fake_out: tuple[Path, list[Row]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out, rows = fake_out
    spans = pq.read_table(out / SPANS_PARQUET)
    docs = pq.read_table(out / DOCUMENTS_PARQUET)
    assert spans.schema.equals(spans_schema()) and docs.schema.equals(documents_schema())
    cue = pa.struct([("start", pa.int64()), ("end", pa.int64()), ("text", pa.string())])
    assert spans.schema.field("cues").type.equals(pa.list_(cue))
    assert spans.schema.field("start").type == pa.int64() and spans.schema.field("score").type == pa.float64()
    expected = [
        {
            "id": r.id,
            "path": r.path,
            "folder": r.id.split("/")[0] if "/" in r.id else "",
            "start": s["start"],
            "end": s["end"],
            "label": s["label"],
            "score": s["score"],
            "text": s["text"],
            "cues": s.get("cues", []),
        }
        for r in rows
        for s in r.spans
    ]
    assert spans.to_pylist() == expected
    summary = read_summary(out)
    table = docs.to_pylist()
    assert [d["id"] for d in table] == [r["id"] for r in summary]
    assert docs.column_names == list(summary[0])
    for doc, record in zip(table, summary, strict=True):
        assert doc["error"] == (record["error"] or None)
        for column, value in record.items():
            if column in ("id", "path", "folder"):
                assert doc[column] == value
            elif column != "error":
                assert math.isclose(doc[column], float(value), abs_tol=6e-4), column  # the CSV is rounded


def test_empty_run_gives_tables_with_columns(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    (tmp_path / "spans.jsonl").write_text("", encoding="utf-8")
    assert write_parquet(tmp_path) == (0, 0)
    assert pq.read_table(tmp_path / SPANS_PARQUET).schema.equals(spans_schema())
    assert pq.read_table(tmp_path / DOCUMENTS_PARQUET).num_rows == 0
    write_report(tmp_path)
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "No spans in the scored documents" in report and 'data-chart="folders"' not in report


def test_chart_figures_match_the_summary(fake_out: tuple[Path, list[Row]]) -> None:
    out, rows = fake_out
    summary = read_summary(out)
    report = (out / "report.html").read_text(encoding="utf-8")
    bars = svg_bars(report, "labels")
    want = expected_densities(summary)
    assert {b["label"] for b in bars} == set(want)
    for bar in bars:
        assert math.isclose(float(bar["value"]), want[bar["label"]], rel_tol=1e-6)
    values = [float(b["value"]) for b in bars]
    assert values == sorted(values, reverse=True) or len({b["count"] for b in bars}) < len(bars)
    ranked = svg_bars(report, "documents")
    assert [(b["doc"], round(float(b["value"]), 6)) for b in ranked] == [
        (i, round(v, 6)) for i, v in expected_ranking(summary, charts.TOP_DOCUMENTS)
    ]
    folder_bars = svg_bars(report, "folders")
    folders = {b["folder"] for b in folder_bars}
    assert folders == {"bbc", "fox", "rt", ""}
    for bar in folder_bars:
        expected = expected_densities(summary, bar["folder"]).get(bar["label"], 0.0)
        assert math.isclose(float(bar["value"]), expected, rel_tol=1e-6, abs_tol=1e-9)
    # Every bar says its figure in words too (a title), not by length and colour alone.
    assert report.count("<title>") >= len(bars) + len(ranked) + len(folder_bars)


def test_folder_chart_needs_two_folders(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    writer = SpansWriter(out / "spans.jsonl", append=False)
    for doc_id in ("only/a.txt", "only/b.txt"):
        text = "They will destroy the nation."
        span = {"start": 10, "end": 17, "label": "loaded_language", "score": 0.9, "text": text[10:17]}
        writer.write(Row(doc_id, doc_id, sha256_text(text), len(text), 5, [span], None, save_text(out, doc_id, text)))
    writer.close()
    write_report(out)
    report = (out / "report.html").read_text(encoding="utf-8")
    assert 'data-chart="labels"' in report and 'data-chart="folders"' not in report


def test_strip_ticks_sit_where_the_spans_are(fake_out: tuple[Path, list[Row]]) -> None:
    out, rows = fake_out
    row = next(r for r in rows if len(r.spans) >= 5)
    html_strip = charts.strip(row.n_chars, row.spans, "s0")
    ticks = re.findall(r'data-start="(\d+)" data-end="(\d+)" x="([\d.]+)" y="1" width="([\d.]+)"', html_strip)
    assert sorted((int(a), int(b)) for a, b, _, _ in ticks) == sorted((s["start"], s["end"]) for s in row.spans)
    for start, end, x, width in ticks:
        want = 1000 * int(start) / row.n_chars
        assert float(x) == pytest.approx(min(want, 1000 - float(width)), abs=0.01)
        assert float(width) >= 1000 * (int(end) - int(start)) / row.n_chars - 0.01
    lanes = re.findall(r'<div class="lane" data-l="([a-z_]+)">', html_strip)
    counts = Counter(s["label"] for s in row.spans)
    assert sorted(lanes) == sorted(counts) and counts[lanes[0]] == max(counts.values())
    assert charts.strip(100, [], "s0") == ""


def test_report_links_ticks_to_the_text(fake_out: tuple[Path, list[Row]]) -> None:
    out, rows = fake_out
    report = (out / "report.html").read_text(encoding="utf-8")
    for number, row in enumerate(rows):
        if row.error:
            continue
        for span in row.spans:
            assert f'href="#s{number}-{span["start"]}"' in report
            assert f'id="s{number}-{span["start"]}"' in report
    assert "http://" not in report and "https://" not in report  # inline SVG needs no xmlns: nothing external


def test_page_palette_css_is_current() -> None:
    css = palette_css.CSS_PATH.read_text(encoding="utf-8")
    assert css == palette_css.render(), "run python -m slant.server.palette_css after changing slant.palette"
    for label in taxonomy.LABELS:
        assert f"--slant-bg-{label}: {palette.label_color(label)};" in css
    index = (palette_css.CSS_PATH.parent / "index.html").read_text(encoding="utf-8")
    assert "/static/palette.css" in index


@pytest.mark.parametrize("label", taxonomy.LABELS)
def test_edges_stand_out_on_white(label: str) -> None:
    # Bars, ticks and swatches are outlined in the edge colour: WCAG's 3:1 for graphics against the page.
    assert palette.contrast(charts.edge(label), "#FFFFFF") >= 3.0


# ---- one real run --------------------------------------------------------------------------------------------
@functools.cache
def _cached_load(model, window_batch_size, profile="news"):
    return _original_load(model, window_batch_size, profile)


_original_load = runner_module.load_tagger


def score(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["score", *args, "--no-progress"], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def outlets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The input folder: DOCS written out."""
    root = tmp_path_factory.mktemp("outlets")
    for doc_id, text in DOCS.items():
        (root / doc_id).parent.mkdir(parents=True, exist_ok=True)
        (root / doc_id).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def scored(outlets: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``slant score outlets --out .../slant-out -f parquet`` with the shipped model."""
    if not (SHIPPED_MODEL / "config.json").is_file():
        served.skip_or_fail(f"the shipped model is missing ({SHIPPED_MODEL / 'config.json'})")
    root = outlets
    out = tmp_path_factory.mktemp("scored") / "slant-out"
    patch = pytest.MonkeyPatch()
    patch.setattr(runner_module, "load_tagger", _cached_load)
    try:
        code, output = score(str(root), "--out", str(out), "--model", str(SHIPPED_MODEL), "-f", "parquet")
    finally:
        patch.undo()
    assert code == 0, output
    return out


def readme_query() -> str:
    """The README's pandas snippet (the python block that reads the Parquet tables), exactly as printed."""
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = [b for b in blocks if "read_parquet" in b]
    assert len(found) == 1, "the README should show one pandas query over the Parquet tables"
    return found[0]


def test_readme_query_gives_spans_per_1000_words_by_label_and_folder(
    scored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = readme_query()
    assert len([line for line in code.splitlines() if line.strip()]) <= 3  # the import and two lines
    monkeypatch.chdir(scored.parent)  # the README runs it beside slant-out/
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own snippet
    table = namespace["per_1k"]
    rows = [json.loads(line) for line in (scored / "spans.jsonl").read_text(encoding="utf-8").splitlines()]
    words: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        folder = row["id"].split("/")[0] if "/" in row["id"] else ""
        words[folder] += row["n_words"]
        counts[folder].update(s["label"] for s in row["spans"])
    assert {"left", "right"} <= set(words)
    assert sum(sum(c.values()) for c in counts.values()) > 0, "the model found nothing to count"
    for folder, by_label in counts.items():
        for label, n in by_label.items():
            assert table.loc[folder, label] == pytest.approx(1000 * n / words[folder])
    assert set(table.index) == {f for f in counts if counts[f]}
    assert (table.to_numpy() >= 0).all()


def test_resume_rebuilds_the_tables(outlets: Path, scored: Path, tmp_path: Path) -> None:
    import shutil

    import pyarrow.parquet as pq

    out = tmp_path / "slant-out"
    shutil.copytree(scored, out)
    (out / SPANS_PARQUET).unlink()
    patch = pytest.MonkeyPatch()
    patch.setattr(runner_module, "load_tagger", _cached_load)
    try:
        args = ("--model", str(SHIPPED_MODEL), "--resume", "-f", "parquet")
        code, output = score(str(outlets), "--out", str(out), *args)
    finally:
        patch.undo()
    assert code == 0, output
    assert "skipped" in output  # nothing was scored again: the tables come from spans.jsonl
    assert pq.read_table(out / SPANS_PARQUET).to_pylist() == pq.read_table(scored / SPANS_PARQUET).to_pylist()


# ---- headless Chromium ---------------------------------------------------------------------------------------
import test_server_browser as served  # noqa: E402 - its Chromium and fake-tagger server fixtures

browser = served.browser
fake_server = served.fake_server

CHART_JS = """
const out = {};
for (const svg of document.querySelectorAll('svg.chart')) {
  const box = svg.getBoundingClientRect();
  out[svg.dataset.chart] = {width: box.width, height: box.height, bars: [...svg.querySelectorAll('g.bar')].map(g => {
    const rects = [...g.querySelectorAll('rect:not(.track)')];
    const width = rects.reduce((sum, r) => sum + r.getBoundingClientRect().width, 0);
    const value = g.querySelector('text.value');
    return {...g.dataset, width, shown: value ? value.textContent : '', title: g.querySelector('title').textContent,
            fill: rects.length ? getComputedStyle(rects[0]).fill : ''};
  })};
}
return out;
"""

STRIP_JS = """
return [...document.querySelectorAll('article')].map(a => ({
  id: a.querySelector('h2').textContent,
  lanes: [...a.querySelectorAll('.lane')].map(lane => {
    const svg = lane.querySelector('svg'), box = svg.getBoundingClientRect();
    const ticks = [...svg.querySelectorAll('rect.tick')].map(t => {
      const r = t.getBoundingClientRect();
      const target = document.getElementById(t.parentNode.getAttribute('href').slice(1));
      return {start: +t.dataset.start, end: +t.dataset.end, left: (r.left - box.left) / box.width,
              target: target ? target.textContent : null};
    });
    return {label: lane.dataset.l, hidden: lane.hidden, width: box.width, ticks};
  })}));
"""


def rgb(color: str) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_report_charts_in_chromium(browser, scored: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.set_window_size(1400, 1000)
    browser.get((scored / "report.html").as_uri())
    summary = read_summary(scored)
    figures = browser.execute_script(CHART_JS)
    assert {"labels", "documents", "folders"} <= set(figures), figures.keys()
    for name, figure in figures.items():
        assert figure["width"] > 200 and figure["height"] > 20, (name, figure)
        assert browser.find_element(By.CSS_SELECTOR, f'svg[data-chart="{name}"]').is_displayed()

    # (a) the collection: every label with a span, its figure, its printed number, its length and colour.
    want = expected_densities(summary)
    bars = figures["labels"]["bars"]
    assert {b["label"] for b in bars} == set(want)
    longest = max(b["width"] for b in bars)
    for bar in bars:
        value = want[bar["label"]]
        assert float(bar["value"]) == pytest.approx(value, rel=1e-6)
        assert bar["shown"] == f"{value:,.1f}"
        assert bar["width"] == pytest.approx(longest * value / max(want.values()), abs=1.5)
        assert bar["fill"] == rgb(palette.label_color(bar["label"]))
        assert f"{value:,.1f} spans per 1,000 words" in bar["title"]

    # (b) the ranking, recomputed from the summary's counts.
    ranking = [(b["doc"], float(b["value"])) for b in figures["documents"]["bars"]]
    expected = expected_ranking(summary, charts.TOP_DOCUMENTS)
    assert [d for d, _ in ranking] == [d for d, _ in expected]
    for (_, got), (doc, value) in zip(ranking, expected, strict=True):
        assert got == pytest.approx(value, rel=1e-6)
        row = next(r for r in summary if r["id"] == doc)
        assert float(row["spans_per_1k_words"]) == pytest.approx(value, abs=6e-4)

    # (c) per folder: both outlets and the top level, each on the shared scale.
    folder_bars = figures["folders"]["bars"]
    assert {b["folder"] for b in folder_bars} == {"left", "right", ""}
    for bar in folder_bars:
        value = expected_densities(summary, bar["folder"]).get(bar["label"], 0.0)
        assert float(bar["value"]) == pytest.approx(value, rel=1e-6, abs=1e-9)
        assert bar["shown"] == f"{value:,.1f}"

    # The page's script ran without an error, and nothing was fetched: the page is one file.
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors
    urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert [u for u in urls if not u.startswith("file:")] == []
    browser.save_screenshot(str(SCREENSHOTS / "slant-report-charts.png"))


def test_report_strips_in_chromium(browser, scored: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.set_window_size(1400, 1000)
    browser.get((scored / "report.html").as_uri())
    rows = {
        row["id"]: row for row in map(json.loads, (scored / "spans.jsonl").read_text(encoding="utf-8").splitlines())
    }
    articles = browser.execute_script(STRIP_JS)
    assert {a["id"] for a in articles} == set(rows)
    checked = 0
    for article in articles:
        row = rows[article["id"]]
        by_label: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for span in row["spans"]:
            by_label[span["label"]].append((span["start"], span["end"]))
        assert {lane["label"] for lane in article["lanes"]} == set(by_label)
        for lane in article["lanes"]:
            assert lane["width"] > 100 and not lane["hidden"]
            assert sorted((t["start"], t["end"]) for t in lane["ticks"]) == sorted(by_label[lane["label"]])
            for tick in lane["ticks"]:
                assert tick["left"] == pytest.approx(tick["start"] / row["n_chars"], abs=0.01)
                text = next(s["text"] for s in row["spans"] if (s["start"], s["end"]) == (tick["start"], tick["end"]))
                # The tick links to the piece of text where its span begins (the text up to the next boundary).
                assert tick["target"] and text.startswith(tick["target"]), (tick, text)
                checked += 1
    assert checked, "the model found no span in the test documents"

    # Unticking a label in the legend hides its lanes, as it hides its highlights.
    label = next(lane["label"] for a in articles for lane in a["lanes"])
    browser.find_element(By.CSS_SELECTOR, f'input.lf[value="{label}"]').click()
    after = browser.execute_script(STRIP_JS)
    assert all(lane["hidden"] == (lane["label"] == label) for a in after for lane in a["lanes"])
    browser.find_element(By.CSS_SELECTOR, f'input.lf[value="{label}"]').click()

    article = browser.find_element(By.CSS_SELECTOR, "article .strip").find_element(By.XPATH, "..")
    browser.execute_script("arguments[0].scrollIntoView()", article)
    article.screenshot(str(SCREENSHOTS / "slant-report-strip.png"))


def test_report_highlights_use_the_palette(browser, scored: Path) -> None:
    browser.get((scored / "report.html").as_uri())
    segs = browser.execute_script(
        "return [...document.querySelectorAll('.seg')].map(s => ({labels: s.dataset.l.split(' '),"
        " bg: getComputedStyle(s).backgroundColor, fg: getComputedStyle(s).color}))"
    )
    assert segs
    for seg in segs:
        first = seg["labels"][0]
        assert seg["bg"] == rgb(palette.label_color(first))
        assert seg["fg"] == rgb(palette.text_color(palette.label_color(first)))


def test_page_highlights_use_the_palette(browser, fake_server: str) -> None:
    served.analyse(browser, fake_server, "The Kiev regime frontman supposedly spoke.")
    marks = browser.execute_script(
        served.MARKS_JS.replace(
            "tab: m.tabIndex", "tab: m.tabIndex, bg: getComputedStyle(m).backgroundColor, fg: getComputedStyle(m).color"
        )
    )
    seen = set()
    for mark in marks:
        if len(mark["labels"]) == 1:
            label = mark["labels"][0]
            assert mark["bg"] == rgb(palette.label_color(label)), label
            assert mark["fg"] == rgb(palette.text_color(palette.label_color(label))), label
            seen.add(label)
    assert {"name_calling", "loaded_language", "doubt"} <= seen
