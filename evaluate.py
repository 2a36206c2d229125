"""Evaluation: score prediction files with the organisers' metrics, run slant on a corpus split, write the card.

    python evaluate.py score --task {si,tc,flc} --pred FILE --gold FILE [--json]
    python evaluate.py run --dataset {ptc2020,semeval2021,semeval2023} --split dev [--model DIR] \
        [--json FILE] [--out DIR]
    python evaluate.py card model/eval/ptc2020-dev.json model/eval/semeval2021-dev.json

The same commands are `slant evaluate ...` (slant/evaluate_cli.py holds them).
"""

from slant.evaluate_cli import app

if __name__ == "__main__":
    app()
