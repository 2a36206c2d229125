"""Training CLI (``python train.py`` and ``slant train``): train slant's span tagger and write the model folder.

    python train.py                      # reproduces model/ (PTC-2020 train + SemEval-2021 train, MiniLM + LoRA),
                                         # then the rhetoric models that read its hidden states
    python train.py --heads --init-from model --output-dir runs/heads/model --run-dir runs/heads
                                         # the one-pass model: model/'s encoder with candidate heads fitted on it
    python train.py --smoke --output-dir /tmp/slant-smoke   # a tiny model in under a minute (tests)
    python train.py --resume             # carry on from runs/default/checkpoint.pt
    python train.py --base-model /path/to/any/hf/encoder --output-dir model-big

Every field of slant.train.config.TrainConfig is a flag (underscores become dashes).
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import time
import typing
from pathlib import Path

from slant.cli_errors import CLI_ERRORS, report
from slant.train.config import TrainConfig


def parser(prog: str = "train.py") -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    defaults = TrainConfig()
    hints = typing.get_type_hints(TrainConfig)
    for field in dataclasses.fields(TrainConfig):
        flag = "--" + field.name.replace("_", "-")
        default = getattr(defaults, field.name)
        hint = hints[field.name]
        if hint is bool:
            ap.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=f"default {default}")
        elif isinstance(default, list):
            kind = type(default[0]) if default else str
            ap.add_argument(flag, nargs="+", type=kind, default=None, help=f"default {default}")
        else:
            kind = {int: int, float: float}.get(type(default), str)
            if field.name in {"max_train_docs", "span_hidden"}:
                kind = int
            ap.add_argument(flag, type=kind, default=None, help=f"default {default}")
    ap.add_argument("--resume", action="store_true", help="continue from the run's last checkpoint")
    ap.add_argument(
        "--tune-only", action="store_true", help="only re-fit thresholds and calibration of --output-dir's model"
    )
    ap.add_argument(
        "--verbose", action="store_true", help="show the load reports and warnings of transformers and peft"
    )
    return ap


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    config = TrainConfig()
    if args.smoke:
        config = config.smoke_version()
    overrides = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(TrainConfig)
        if getattr(args, f.name) is not None and f.name != "smoke"
    }
    return dataclasses.replace(config, **overrides)


def main(argv: list[str] | None = None, prog: str = "train.py") -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    ap = parser(prog)
    args = ap.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        ap.error(str(exc))
    if args.verbose:
        from slant.quiet import set_verbose

        set_verbose(True)
    try:
        return train(args, config)
    except CLI_ERRORS as exc:  # a bad --data-root, --base-model, --device, ...: one line, exit code 2
        return report(exc, prog)


def train(args: argparse.Namespace, config: TrainConfig) -> int:
    from slant.model.network import resolve_device
    from slant.train.loop import fit, retune  # heavy imports after argument parsing, so --help is instant

    resolve_device(config.device)  # --device cuda without a GPU: said now, not after the data has loaded
    started = time.time()
    output = retune(config, Path(config.output_dir)) if args.tune_only else fit(config, resume=args.resume)
    print(f"model written to {output} in {time.time() - started:.0f} s")
    rhetoric = Path(output) / "rhetoric"
    if not args.tune_only and any(rhetoric.glob("*.vectors.json")):
        # The rhetoric vector models read this tagger's hidden states: new weights need new vector models.
        from slant.train.rhetoric import main as train_rhetoric

        root = ["--root", config.data_root] if config.data_root else []
        train_rhetoric(["--out", str(rhetoric), "--model", str(output), *root])
        print(f"rhetoric models retrained for the new tagger in {rhetoric}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
