"""Render the labelling packets (corpus text in context) OUTSIDE the repository, by default /tmp/slant-annot.

    python data/annotations/render_packets.py [--root DATA_ROOT] [--out /tmp/slant-annot]
    python data/annotations/render_packets.py --extension   # only the --extend items (q0431…, a0781…)
    python data/annotations/render_packets.py --after 690 --kinds quotes   # only the --extend2 items (q0691…)
    python data/annotations/render_packets.py --after 1090 --kinds assertions   # the --extend2 sentences (a1091…)
    python data/annotations/render_packets.py --after 930 --kinds quotes    # the --extend3 quotations (q0931…)
    python data/annotations/render_packets.py --extension --second-pass     # the extension's second pass
    python data/annotations/render_packets.py --after 1230 --kinds quotes --per-file 90   # the REPORT round (q1231…)
    python data/annotations/render_packets.py --after 1230 --kinds quotes --second-pass --per-file 90   # its pass 2

pass1/ gets every item, pass2/ only the ``second_pass`` items (for the second, independent annotator).
``--extension --second-pass`` renders only the extension's second-pass items that have no pass 2 label yet.
Quotes: ~60 items a file, ~300 characters of context each side, the quotation between ⟦ ⟧.
Assertions: ~120 items a file, the previous sentence, the sentence between ⟦ ⟧, the next sentence.
The packets hold corpus text, so they must never be copied into the repository.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script, slant not installed

from slant.corpora.annotations import LABELS, AnnotatedItem, corpus_sentences, load_items  # noqa: E402

BASE_COUNT = {"quotes": 430, "assertions": 780}  # as in sample_candidates.py: the items before --extend

QUOTES_PER_FILE = 60
ASSERTIONS_PER_FILE = 120
CONTEXT = 300
REPO = Path(__file__).resolve().parents[2]

HEADER = {
    "quotes": (
        "Scare-quote packet {name}. Guidelines: data/guidelines/scare_quotes.md\n"
        "For each item classify the quotation between ⟦ ⟧ as one of: {labels}.\n"
        "Write one JSON line per item to data/annotations/quotes.labels.{pass_}.jsonl:\n"
        '  {{"item_id": "q0001", "label": "scare"}}\n'
        'Optional: "note": "free text". Never paste the text itself into the label file.\n'
    ),
    "assertions": (
        "Assertion packet {name}. Guidelines: data/guidelines/assertions.md\n"
        "For each item classify the sentence between ⟦ ⟧ as one of: {labels}.\n"
        "Write one JSON line per item to data/annotations/assertions.labels.{pass_}.jsonl:\n"
        '  {{"item_id": "a0001", "label": "unhedged", "cues": ["clearly", ["never", 2]]}}\n'
        "cues: booster / hedge / attribution words exactly as in the marked sentence;\n"
        "[word, n] = the n-th occurrence of word.\n"
    ),
}


def _flat(s: str) -> str:
    # Show line breaks visibly so context lines do not look like separate items.
    return s.replace("\r\n", " ⏎ ").replace("\n", " ⏎ ").replace("\r", " ⏎ ")


def render_quote(item: AnnotatedItem) -> str:
    text = item.document.text
    before = text[max(0, item.start - CONTEXT) : item.start]
    after = text[item.end : item.end + CONTEXT]
    return f"[{item.item_id}]\n…{_flat(before)}⟦{_flat(item.text)}⟧{_flat(after)}…\n"


def render_sentence(item: AnnotatedItem) -> str:
    text = item.document.text
    sents = corpus_sentences(item.corpus)[item.doc_id]
    starts = [s.start for s in sents]
    i = bisect.bisect_left(starts, item.start)
    prev = _flat(text[sents[i - 1].start : sents[i - 1].end]) if i > 0 else "(start of document)"
    nxt = _flat(text[sents[i + 1].start : sents[i + 1].end]) if i + 1 < len(sents) else "(end of document)"
    return f"[{item.item_id}]\n  prev: {prev}\n  THIS: ⟦{_flat(item.text)}⟧\n  next: {nxt}\n"


def _labelled(kind: str, pass_: str) -> set[str]:
    """Ids that already have a label in ``{kind}.labels.{pass_}.jsonl``."""
    path = REPO / "data" / "annotations" / f"{kind}.labels.{pass_}.jsonl"
    if not path.exists():
        return set()
    with open(path, encoding="utf-8") as fh:
        return {json.loads(line)["item_id"] for line in fh if line.strip()}


def write_packets(
    kind: str, items: list[AnnotatedItem], folder: Path, pass_: str, per_file: int | None = None
) -> list[Path]:
    per_file = per_file or (QUOTES_PER_FILE if kind == "quotes" else ASSERTIONS_PER_FILE)
    render = render_quote if kind == "quotes" else render_sentence
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, lo in enumerate(range(0, len(items), per_file), 1):
        path = folder / f"{kind}-{n:02d}.txt"
        head = HEADER[kind].format(name=path.name, labels=" / ".join(LABELS[kind]), pass_=pass_)
        body = "\n".join(render(it) for it in items[lo : lo + per_file])
        path.write_text(head + "\n" + body, encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None)
    parser.add_argument("--out", type=Path, default=Path("/tmp/slant-annot"))
    parser.add_argument("--extension", action="store_true", help="only the TUNE extension (pass 1, to ext/)")
    parser.add_argument("--after", type=int, default=None, help="only the items after the first N (pass 1, to ext/)")
    parser.add_argument("--second-pass", action="store_true", help="with --extension: its second_pass items (pass2)")
    parser.add_argument("--per-file", type=int, default=None, help="items a packet (default: 60 / 120)")
    parser.add_argument("--kinds", nargs="+", default=["quotes", "assertions"], choices=["quotes", "assertions"])
    args = parser.parse_args()
    if args.out.resolve().is_relative_to(REPO):
        raise SystemExit(f"refusing to write corpus text inside the repository: {args.out}")
    for kind in args.kinds:
        items = sorted(load_items(kind, args.root), key=lambda it: it.item_id)  # type: ignore[arg-type]
        if args.extension or args.after is not None:  # ids follow the draws
            chosen = items[BASE_COUNT[kind] if args.after is None else args.after :]
            if args.second_pass:  # the second pass sampled later (sample_candidates.py --second-pass)
                done = _labelled(kind, "pass2")
                chosen = [it for it in chosen if it.second_pass and it.item_id not in done]
                paths = write_packets(kind, chosen, args.out / "ext-pass2", "pass2", args.per_file)
                print(f"extension {kind}, second pass: {len(chosen)} items in {len(paths)} files")
                continue
            paths = write_packets(kind, chosen, args.out / "ext", "pass1", args.per_file)
            print(f"extension {kind}: {len(chosen)} items in {len(paths)} files under {args.out / 'ext'}")
            continue
        for pass_, chosen in (("pass1", items), ("pass2", [it for it in items if it.second_pass])):
            paths = write_packets(kind, chosen, args.out / pass_, pass_)
            print(f"{pass_} {kind}: {len(chosen)} items in {len(paths)} files under {args.out / pass_}")


if __name__ == "__main__":
    main()
