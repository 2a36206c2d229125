"""Text, read without a model: quotations, sentences and clauses, the cue lexicons, the per-text context the
rhetoric models share, and the cue features of their candidates. Nothing here imports torch (a contract in
pyproject.toml)."""
