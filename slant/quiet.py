"""Keep the libraries slant loads models with from printing over slant's own output.

Loading an encoder with transformers 5 logs a "LOAD REPORT" table (the checkpoint's pooler weights, which slant
does not use, listed as UNEXPECTED), draws a "Loading weights" progress bar per model, and peft's adapter setup
triggers a FutureWarning from transformers. None of it is actionable for a slant user, and a batch run's
progress bar or a notebook cell ends up buried under it.

:func:`quiet_loading` hides exactly that while slant loads a model, and puts the caller's settings back
afterwards: transformers' verbosity is lowered to errors only if it was at its default (warnings), its
progress bars are switched off only if they were on, and only the warnings listed in ``HARMLESS_WARNINGS`` are
filtered. Everything shows again with ``set_verbose(True)``, ``SLANT_VERBOSE=1`` (what ``--verbose`` on the
commands sets), or ``TRANSFORMERS_VERBOSITY=info`` for transformers' own log.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["HARMLESS_WARNINGS", "VERBOSE_ENV", "is_verbose", "quiet_loading", "set_verbose"]

VERBOSE_ENV = "SLANT_VERBOSE"

# (category, message regex, module regex) of warnings slant knows to be harmless while it loads a model.
HARMLESS_WARNINGS: tuple[tuple[type[Warning], str, str], ...] = (
    # peft's get_peft_model reads `model.is_gradient_checkpointing`, a property transformers 5 deprecates in
    # favour of `is_activation_checkpointing`; slant never checkpoints activations at inference.
    (FutureWarning, r"`is_gradient_checkpointing` is deprecated", r"transformers\.modeling_utils"),
)

_lock = threading.Lock()
_depth = 0  # nested or concurrent quiet_loading blocks: only the outermost saves and restores
_restore: list[Any] = []
_verbose: bool | None = None


def set_verbose(on: bool = True) -> None:
    """Show (True) or hide (False) the libraries' load reports, progress bars and warnings from now on.

    Also sets ``$SLANT_VERBOSE``, so worker processes started afterwards (``slant score --workers N``) agree.
    """
    global _verbose
    _verbose = on
    os.environ[VERBOSE_ENV] = "1" if on else "0"


def is_verbose() -> bool:
    """True after ``set_verbose(True)`` or with ``$SLANT_VERBOSE`` set to 1/true/yes."""
    if _verbose is not None:
        return _verbose
    return os.environ.get(VERBOSE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


@contextmanager
def quiet_loading() -> Iterator[None]:
    """Load models inside this block without transformers' load report, weight-loading bars or the known
    harmless warnings; the caller's logging, progress-bar and warning settings are restored on exit."""
    if is_verbose():
        yield
        return
    global _depth
    with _lock:
        if _depth == 0:
            _restore[:] = _silence()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                for undo in reversed(_restore):
                    undo()
                _restore.clear()


def _silence() -> list[Any]:
    """Apply the quiet settings; return the callables that undo them, in the order they were applied."""
    undo: list[Any] = []
    catcher = warnings.catch_warnings()
    catcher.__enter__()
    undo.append(lambda: catcher.__exit__(None, None, None))
    for category, message, module in HARMLESS_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=category, module=module)
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # nothing to quiet
        return undo
    verbosity = hf_logging.get_verbosity()
    # A user who asked transformers for more (TRANSFORMERS_VERBOSITY, set_verbosity_info) keeps getting it.
    if "TRANSFORMERS_VERBOSITY" not in os.environ and verbosity == logging.WARNING:
        hf_logging.set_verbosity(logging.ERROR)
        undo.append(lambda: hf_logging.set_verbosity(verbosity))
    if hf_logging.is_progress_bar_enabled():
        from huggingface_hub import utils as hub_utils

        hub_was_off = hub_utils.are_progress_bars_disabled()
        hf_logging.disable_progress_bar()  # also switches off huggingface_hub's bars: put those back as well

        def bars_on() -> None:
            hf_logging.enable_progress_bar()
            if hub_was_off:
                hub_utils.disable_progress_bars()

        undo.append(bars_on)
    return undo
