"""Train slant's model and write the model folder: the flags are slant/train/config.py's TrainConfig fields.

    python train.py                      # reproduces model/ (PTC-2020 train + SemEval-2021 train, MiniLM + LoRA),
                                         # then the rhetoric models that read its hidden states
    python train.py --heads --init-from model --output-dir runs/heads/model --run-dir runs/heads
                                         # the one-pass model: model/'s encoder with candidate heads fitted on it
    python train.py --smoke --output-dir /tmp/slant-smoke   # a tiny model in under a minute (tests)
    python train.py --resume             # carry on from runs/default/checkpoint.pt
    python train.py --help               # every flag

The same command is `slant train ...` (slant/train_cli.py holds it).
"""

import sys

from slant.train_cli import main

if __name__ == "__main__":
    sys.exit(main())
