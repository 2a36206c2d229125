"""The text layer of the rhetoric no public corpus annotates (scare quotes, unhedged assertions): finding
quotations, sentences and clauses in context (``context``), the cue lexicons (``lexicons``), the cue features
(``quote_features``, ``assertion_features``), the weak labels drawn from the corpora (``weak_labels``), the
hand-labelled items (``items``) and the keyword baselines (``baselines``). No torch here: the decisions are
the candidate heads' (``slant.heads``), read from the tagger's own encoder pass.
"""
