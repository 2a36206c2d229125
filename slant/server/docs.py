"""OpenAPI docs served without a CDN.

FastAPI's default /docs page pulls Swagger UI from jsdelivr, which breaks offline and leaks that the server is
being used. When the ``fastapi-offline`` package is installed we serve the Swagger UI files it ships (same
Swagger UI, local copy); otherwise /docs is a small self-contained page listing the endpoints, rendered from
/openapi.json without any script.
"""

from __future__ import annotations

import html
import importlib.util
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_STATIC_URL = "/docs-static"


def swagger_assets_dir() -> Path | None:
    """The folder with swagger-ui-bundle.js and swagger-ui.css from fastapi-offline, if installed."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def mount_docs(app: FastAPI) -> None:
    """Add GET /docs (the app must be created with docs_url=None, redoc_url=None)."""
    assets = swagger_assets_dir()
    if assets is not None:
        app.mount(SWAGGER_STATIC_URL, StaticFiles(directory=assets), name="docs-static")

        @app.get("/docs", include_in_schema=False)
        async def swagger_ui(request: Request) -> HTMLResponse:
            root = request.scope.get("root_path", "")
            return get_swagger_ui_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - API docs",
                swagger_js_url=f"{root}{SWAGGER_STATIC_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{SWAGGER_STATIC_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{SWAGGER_STATIC_URL}/favicon.png",
                # validatorUrl None: Swagger UI would otherwise fetch a badge from validator.swagger.io.
                swagger_ui_parameters={"validatorUrl": None},
            )

        return

    @app.get("/docs", include_in_schema=False)
    async def plain_docs() -> HTMLResponse:
        return HTMLResponse(plain_docs_html(app))


def plain_docs_html(app: FastAPI) -> str:
    """A script-free endpoint list: method, path, summary, with a link to the full /openapi.json."""
    rows = []
    for path, ops in app.openapi().get("paths", {}).items():
        for method, op in ops.items():
            summary = op.get("summary", "") + (" - " + op["description"] if op.get("description") else "")
            rows.append(
                f"<tr><td><code>{html.escape(method.upper())}</code></td><td><code>{html.escape(path)}</code>"
                f"</td><td>{html.escape(summary)}</td></tr>"
            )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(app.title)} - API docs</title></head><body>"
        f"<h1>{html.escape(app.title)} API</h1><p>Full schema: <a href='{app.openapi_url}'>openapi.json</a>"
        " (install <code>fastapi-offline</code> for the interactive Swagger UI, served locally).</p>"
        "<table><thead><tr><th>Method</th><th>Path</th><th>What it does</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></body></html>"
    )
