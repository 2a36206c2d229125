"""The errors a user can cause and fix: each message names the input and what is wrong with it.

Every slant command turns a :class:`SlantError` into one line on stderr and exit code 2, without a traceback
(``slant.cli_errors``). The classes also derive from the built-in type that code calling slant as a library
would expect (ValueError, ImportError, ...), so ``except ValueError`` keeps working.
"""

from __future__ import annotations


class SlantError(Exception):
    """An error in what the user gave slant (an argument, a file, an installation), not a bug in slant."""


class UsageError(SlantError, ValueError):
    """An argument value slant cannot use: an unknown decoding profile, a device torch does not have, ..."""


class ModelError(SlantError, ValueError):
    """A model folder whose files are not a usable slant model (unreadable config.json, damaged weights, ...)."""


class MissingExtraError(SlantError, ImportError):
    """A feature whose optional dependencies (a ``slant[extra]``) are not installed: see ``slant.extras``."""

    def __init__(self, message: str, extra: str = "", name: str | None = None) -> None:
        # ImportError by name: in a class that also derives from RuntimeError, super() would not reach it.
        ImportError.__init__(self, message, name=name)
        self.extra = extra

    def __reduce__(self):  # the default would call __init__ without extra: keep it across processes
        return (type(self), (self.args[0], self.extra, self.name))
