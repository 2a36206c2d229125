"""Deprecated: the Tagger moved to ``slant.pipeline.tagger``.

``import slant`` then ``slant.Tagger``, ``slant.classify`` and ``slant.classify_spans`` are unchanged and do not
warn; importing this module warns once and gives the same names.
"""

from __future__ import annotations

import warnings

from slant.pipeline.tagger import *  # noqa: F403
from slant.pipeline.tagger import (  # noqa: F401  (the names this module was imported for)
    ModelConfig,
    Tagger,
    TokenPredictions,
    classify,
    classify_spans,
    default_tagger,
)

warnings.warn(
    "slant.tagger is deprecated: import from slant.pipeline.tagger (or use slant.Tagger, slant.classify)",
    DeprecationWarning,
    stacklevel=2,  # the importing line (warnings skips importlib's own frames)
)
