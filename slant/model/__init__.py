"""The models: the span tagger's network (``network``) over a base encoder (``encoder``), its windows, pooling
and candidate heads, its files, settings (``config``) and decoding profiles, and the separate rhetoric
classifiers the shipped model still uses beside it (``rhetoric``). Nothing here knows the inference pipeline
(``slant.pipeline``) that runs them."""
