"""The local web UI and JSON API behind ``slant serve`` (needs the ``serve`` extra: fastapi, uvicorn)."""

from __future__ import annotations

from slant.extras import require

# Before fastapi is imported: without the extra, one line saying how to install it rather than a traceback.
require("serve", "fastapi", "uvicorn", feature="slant serve")

from slant.server.app import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_WAITING, create_app  # noqa: E402

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_WAITING", "create_app"]
