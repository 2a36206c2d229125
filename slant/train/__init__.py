"""Training: the span tagger's loop (``loop``, what ``train.py`` runs) over windows of the corpora (``data``) with
its settings (``config``), the decoding thresholds fitted on held-out train articles (``tuning``), the candidate
heads (``heads``, ``head_data``, ``head_selection``), and the separate rhetoric models (``rhetoric``,
``rhetoric_compare``, ``weak_labels``). It sits on top of evaluation (metrics, formats), the pipeline and the
models, and nothing below imports it."""
