"""Inference: the ``Tagger`` (``tagger``) runs a model over texts and decodes its outputs into spans
(``decoding``; ``head_spans`` for the candidate heads), adding the separate rhetoric classifiers' spans."""
