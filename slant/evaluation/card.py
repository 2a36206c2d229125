"""Write evaluate.py's reports into model/MODEL_CARD.md as tables, so every number there has a command behind it."""

from __future__ import annotations

import re
from pathlib import Path

DEFAULT_BLOCK = "evaluation tables"


def markers(block: str = DEFAULT_BLOCK) -> tuple[str, str]:
    """The comment lines that fence a block of generated tables in the card (one block per model)."""
    return f"<!-- {block}: start (written by `python evaluate.py card`) -->", f"<!-- {block}: end -->"


def _f(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _systems(reports: dict[str, dict]) -> list[tuple[str, dict]]:
    return [(r["system"], r) for r in reports.values()]


def render(reports: dict[str, dict]) -> str:
    """Markdown for one dataset/split: SI, TC and FLC with every system side by side."""
    systems = _systems(reports)
    first = systems[0][1]
    lines = [f"### {first['dataset']} {first['split']} ({first['n_docs']} documents)", ""]
    lines += ["| task | " + " | ".join(f"{name} P / R / F1" for name, _ in systems) + " |"]
    lines += ["|---|" + "---|" * len(systems)]
    for task, key in (("SI", "si"), ("TC (micro)", "tc"), ("FLC", "flc")):
        cells = []
        for _, r in systems:
            d = r[key]
            f1 = d["micro_f1"] if key == "tc" else d["f1"]
            cells.append(f"{_f(d['precision'])} / {_f(d['recall'])} / **{_f(f1)}**")
        lines.append(f"| {task} | " + " | ".join(cells) + " |")
    lines.append("| TC (macro F1) | " + " | ".join(_f(r["tc"]["macro_f1"]) for _, r in systems) + " |")
    lines.append("")
    for key, title in (("tc", "TC F1 per technique (gold spans given)"), ("flc", "FLC per technique")):
        labels = sorted({label for _, r in systems for label in r[key]["per_label"]})
        lines += [f"{title}:", ""]
        header = "| technique | gold | " + " | ".join(f"{name} P / R / F1" for name, _ in systems) + " |"
        lines += [header, "|---|---:|" + "---|" * len(systems)]
        for label in labels:
            gold = first[key]["per_label"].get(label, {}).get("n_gold", "")
            cells = []
            for _, r in systems:
                d = r[key]["per_label"].get(label)
                cells.append(f"{_f(d['precision'])} / {_f(d['recall'])} / {_f(d['f1'])}" if d else "")
            lines.append(f"| {label} | {gold} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def update_card(
    card: Path, report_sets: list[dict[str, dict]], commands: list[str], block: str = DEFAULT_BLOCK
) -> None:
    """Replace the block between the markers with fresh tables (the prose around it is left alone)."""
    start, end = markers(block)
    body = [start, ""]
    for command in commands:
        body.append(f"    {command}")
    body.append("")
    for reports in report_sets:
        body.append(render(reports))
    body.append(end)
    text = card.read_text(encoding="utf-8") if card.exists() else f"{start}\n{end}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if not pattern.search(text):
        text = text.rstrip() + "\n\n" + start + "\n" + end + "\n"
    card.write_text(pattern.sub(lambda _: "\n".join(body), text), encoding="utf-8")
