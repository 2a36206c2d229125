"""The local web UI and JSON API behind ``slant serve`` (needs the ``serve`` extra: fastapi, uvicorn)."""

from __future__ import annotations

from slant.server.app import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_WAITING, create_app

__all__ = ["DEFAULT_MAX_BODY_BYTES", "DEFAULT_MAX_WAITING", "create_app"]
