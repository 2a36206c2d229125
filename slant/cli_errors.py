"""How slant's commands report an error the user can fix: one line on stderr, exit code 2, no traceback.

A typer app gets it for every command by ``typer.Typer(cls=SlantGroup)``; an argparse script wraps its work in
``except CLI_ERRORS as exc: return report(exc, "train.py")``. What counts is a :class:`slant.errors.SlantError`
(a bad model folder, a missing extra, an unknown profile, ...) and an OSError on a path the user named (a
folder that does not exist, an output folder that cannot be written). Anything else is a bug in slant and
keeps its traceback.
"""

from __future__ import annotations

import errno
import sys

import typer
from typer.core import TyperGroup

from slant.errors import MissingExtraError, SlantError

__all__ = ["CLI_ERRORS", "USAGE_EXIT", "SlantGroup", "error_line", "report"]

USAGE_EXIT = 2  # as click's usage errors: the command could not start with what it was given
CLI_ERRORS = (SlantError, OSError)


def error_line(exc: BaseException, command: str) -> str:
    """The one line that tells the user what is wrong: ``command: message`` (a missing extra's message
    already names the command or feature, so it stands alone)."""
    if isinstance(exc, MissingExtraError):
        message = str(exc)
    elif isinstance(exc, OSError) and exc.strerror and not isinstance(exc, SlantError):
        target = f"{exc.filename}" + (f" -> {exc.filename2}" if exc.filename2 else "")
        message = f"{command}: {target}: {exc.strerror}" if exc.filename else f"{command}: {exc.strerror}"
    else:
        message = f"{command}: {exc}"
    return " ".join(message.split())  # one line, whatever the message held


def report(exc: BaseException, command: str) -> int:
    """Print ``error_line(exc, command)`` to stderr; return the exit code to use."""
    print(error_line(exc, command), file=sys.stderr, flush=True)
    return USAGE_EXIT


class SlantGroup(TyperGroup):
    """A typer command group whose commands report user errors as one line and exit code 2."""

    def invoke(self, ctx):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except CLI_ERRORS as exc:
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # the reader of stdout went away (`| head`): click handles that quietly
            command = " ".join(part for part in (ctx.command_path, ctx.invoked_subcommand) if part)
            raise typer.Exit(report(exc, command)) from None
