"""Scoring: the organisers' metrics (``metrics``) over SemEval-format files (``formats``), runs of a system over
a corpus split (``runs``, what ``evaluate.py run`` prints), the rhetoric classifiers on the hand-labelled sets
(``rhetoric``, ``tables``), the baselines they are measured against, and the model card's tables (``card``).
Nothing here imports training (``slant.train``), which sits above it."""
