"""``slant serve``: run the local page + JSON API (see slant.server).

Until the typer CLI wires it in, run it as ``python -m slant.serve_cli [--host H] [--port P] [--model DIR]``.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import os
import socket
import sys

from slant.cli_errors import CLI_ERRORS, report
from slant.errors import UsageError
from slant.server.app import DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_WAITING, LOOPBACK_HOSTS

log = logging.getLogger("slant.server")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_port(host: str, port: int) -> None:
    """Raise UsageError naming ``host:port`` unless a server could listen there now (as uvicorn will bind it:
    SO_REUSEADDR, so a port left in TIME_WAIT by a stopped server counts as free)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"--host {host}: not an address this machine can listen on ({exc})") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {port} on {host} is already in use (another slant serve?): pick another with --port"
                ) from None
            raise UsageError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    model: str | None = None,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_waiting: int = DEFAULT_MAX_WAITING,
    log_level: str = "info",
) -> None:
    """Load the model, then serve the page and API on ``host:port`` until interrupted.

    ``model`` is a model folder or a named model ("accurate"); None means $SLANT_MODEL or the shipped model.
    The model loads before the socket opens, so a missing model is a clear error at start-up, not a 500 later.
    """
    from slant.model.files import check_model

    # First, before the imports and the model load: a busy port or a damaged model folder is said at once.
    check_port(host, port)
    check_model(model)
    import uvicorn

    from slant.pipeline.tagger import Tagger  # torch loads after the port and model checks, not at import
    from slant.server import create_app

    # Never reach out: the tokenizer and encoder are local files; make any accidental hub lookup fail fast.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    loopback = is_loopback(host)
    if not loopback:
        print(
            f"warning: serving on {host}, reachable from other machines; slant has no authentication",
            file=sys.stderr,
        )
    tagger = Tagger.load(model)
    app = create_app(
        lambda: tagger,
        max_body_bytes=max_body_bytes,
        max_waiting=max_waiting,
        # On loopback, only accept Host names that are loopback: a web page that DNS-rebinds its own name to
        # 127.0.0.1 cannot then drive the API from the user's browser.
        allowed_hosts=LOOPBACK_HOSTS if loopback else None,
    )
    app.state.model.get()  # already loaded: marks /healthz model_loaded from the start
    shown = f"[{host}]" if ":" in host else host
    print(f"slant: model {tagger.model_dir}; open http://{shown}:{port}/ (API docs at /docs)", file=sys.stderr)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="slant-serve", description="Serve the slant page and JSON API locally.")
    ap.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--model", default=None, help="model folder or name (default: $SLANT_MODEL or model/)")
    ap.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    ap.add_argument("--max-waiting", type=int, default=DEFAULT_MAX_WAITING, help="queued requests before 503")
    ap.add_argument("--log-level", default="info")
    args = ap.parse_args(argv)
    try:
        serve(
            args.host,
            args.port,
            args.model,
            max_body_bytes=args.max_body_bytes,
            max_waiting=args.max_waiting,
            log_level=args.log_level,
        )
    except CLI_ERRORS as exc:
        return report(exc, "slant serve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
