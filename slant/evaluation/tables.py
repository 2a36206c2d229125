"""Rich tables of an evaluate_rhetoric() report, for evaluate.py (model and keyword baseline side by side)."""

from __future__ import annotations

from typing import Any

from rich.table import Table


def _f(x: float | None) -> str:
    return "" if x is None else f"{x:.4f}"


def rhetoric_tables(report: dict[str, Any]) -> list[Table]:
    """P/R/F1 per class and for the positive class (model vs baseline), the confusion matrix, and kappa."""
    kind, part = report["dataset"], report["part"]
    counts = report["counts"]
    main = Table(
        title=f"{kind} ({part} part, {counts['scored']} items scored, {counts['excluded_error']} 'error' left out)"
    )
    main.add_column("class", no_wrap=True)
    main.add_column("gold", justify="right")
    for system in ("model", "baseline"):
        for col in ("P", "R", "F1"):
            main.add_column(f"{system[:5]} {col}", justify="right", no_wrap=True)
    pos = report["positive_class"]
    rows = [(f"{pos} vs rest", report["model"]["positive"], report["baseline"]["positive"])]
    rows += [
        (c, report["model"]["per_class"][c], report["baseline"]["per_class"][c]) for c in report["model"]["per_class"]
    ]
    for name, m, b in rows:
        main.add_row(
            name,
            str(m["n_gold"]),
            _f(m["precision"]),
            _f(m["recall"]),
            _f(m["f1"]),
            _f(b["precision"]),
            _f(b["recall"]),
            _f(b["f1"]),
        )
    main.add_row("macro F1", "", "", "", _f(report["model"]["macro_f1"]), "", "", _f(report["baseline"]["macro_f1"]))
    main.add_row("accuracy", "", "", "", _f(report["model"]["accuracy"]), "", "", _f(report["baseline"]["accuracy"]))

    boot = report["bootstrap"]
    interval = Table(
        title=f"{kind}: {pos} F1, 95% interval (bootstrap over {boot['units']} units, one per {boot['unit']}, "
        f"{boot['resamples']} resamples)"
    )
    for col in ("system", "F1", "95% interval"):
        interval.add_column(col, justify="left" if col == "system" else "right")
    for name, (lo, hi) in boot["f1_ci95"].items():
        interval.add_row(name, _f(report[name]["positive"]["f1"]), f"{lo:.3f} to {hi:.3f}")
    for name, (lo, hi) in boot["difference_ci95"].items():
        a, b = name.split(" - ")
        interval.add_row(name, _f(report[a]["positive"]["f1"] - report[b]["positive"]["f1"]), f"{lo:.3f} to {hi:.3f}")

    confusion = Table(title=f"{kind}: model confusion (rows gold, columns predicted)")
    classes = list(report["model"]["confusion"])
    confusion.add_column("gold \\ pred")
    for c in classes:
        confusion.add_column(c, justify="right")
    for g in classes:
        confusion.add_row(g, *(str(report["model"]["confusion"][g][p]) for p in classes))

    agreement = Table(title=f"{kind}: agreement between pass 1 and pass 2 (Cohen's kappa)")
    for col in ("items", "n", "kappa", f"kappa {pos} vs rest", "raw agreement"):
        agreement.add_column(col, justify="right" if col != "items" else "left")
    for scope, k in report["kappa"].items():
        agreement.add_row(
            f"{part} part" if scope == "part" else "all parts",
            str(k["n"]),
            _f(k["kappa"]),
            _f(k["kappa_positive"]),
            _f(k["agreement"]),
        )
    return [main, interval, confusion, agreement, *by_document_tables(report)]


def by_document_tables(report: dict[str, Any]) -> list[Table]:
    """Each model's positive-class P/R/F1 on REPORT items in documents that hold TUNE items, and on the rest."""
    names = {
        "document_holds_tune_items": "in a document that holds a TUNE item",
        "no_tune_item_in_document": "in a document with no TUNE item",
    }
    tables = []
    for system, key in (("model", "by_document"), ("against", "by_document_against")):
        parts = report.get(key) or {}
        if not parts:
            continue
        table = Table(title=f"{report['dataset']}: {system}'s {report['positive_class']} P / R / F1 by document")
        for col in ("REPORT items", "items", "gold", "P", "R", "F1"):
            table.add_column(col, justify="left" if col == "REPORT items" else "right")
        for part, d in parts.items():
            table.add_row(
                names[part], str(d["items"]), str(d["n_gold"]), _f(d["precision"]), _f(d["recall"]), _f(d["f1"])
            )
        tables.append(table)
    return tables
