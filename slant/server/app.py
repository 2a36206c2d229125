"""The FastAPI app behind ``slant serve``: one page, a JSON API, offline docs.

Built by :func:`create_app` so tests can inject a fake tagger and small limits. The model is loaded once,
lazily, by the first request that needs it (in the inference thread, so the event loop never blocks on it),
unless the caller hands in a factory that returns an already-loaded tagger.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.middleware.trustedhost import TrustedHostMiddleware

from slant import taxonomy
from slant.server.docs import mount_docs
from slant.server.limits import BodyLimitMiddleware
from slant.server.queue import InferenceQueue, QueueFull
from slant.spans import Span

log = logging.getLogger("slant.server")

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEFAULT_MAX_BODY_BYTES = 1_000_000
DEFAULT_MAX_WAITING = 16
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]

# The page builds everything from its own files and the same-origin API: anything else is refused, so even a
# bug that let user text become markup could not load or run anything.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}


class SpanTagger(Protocol):
    """What the app needs from a model: ``slant.Tagger`` or a test double."""

    def classify(self, text: str) -> list[Span]: ...


# ---- API schemas ----------------------------------------------------------------------------------------
class ClassifyRequest(BaseModel):
    # A lone surrogate (JSON "\ud800") is scored as slant.classify scores it: the tokenizer reads U+FFFD in
    # its place, offsets stay those of the text sent, and the answer escapes it again (AsciiJSONResponse).
    text: str = Field(description="The article text. Offsets in the answer are Python code points into it.")


class Cue(BaseModel):
    start: int
    end: int
    text: str


class SpanOut(BaseModel):
    """One span, exactly as ``Span.to_dict()`` and the batch job's spans.jsonl write it."""

    start: int = Field(description="code-point offset of the first character")
    end: int = Field(description="code-point offset one past the last character")
    label: str = Field(description="canonical label id (see /api/labels)")
    score: float = Field(ge=0.0, le=1.0)
    text: str = Field(description="text[start:end]")
    cues: list[Cue] | None = None


class ClassifyResponse(BaseModel):
    spans: list[SpanOut]
    labels: dict[str, int] = Field(description="number of spans per label id (labels with at least one)")
    names: dict[str, str] = Field(description="display name per label id in `labels`")
    length: int = Field(description="length of the text in code points")


class LabelOut(BaseModel):
    id: str
    name: str
    definition: str
    example: str
    kind: str
    members: list[str]


class LabelsResponse(BaseModel):
    labels: list[LabelOut]


class QueueStatus(BaseModel):
    pending: int
    capacity: int


class Health(BaseModel):
    status: str
    model_loaded: bool
    queue: QueueStatus


class AsciiJSONResponse(JSONResponse):
    """JSON with non-ASCII escaped: stays valid even for a str holding a lone surrogate."""

    def render(self, content: object) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 (``detail[].loc`` names the field) without echoing the input back: the input can be a
    megabyte of text, or a lone surrogate the default encoder cannot write."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    detail = [{"type": e.get("type"), "loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in errors]
    return AsciiJSONResponse({"detail": detail}, status_code=422)


# ---- model holder ---------------------------------------------------------------------------------------
class ModelHolder:
    """Loads the tagger once; called from inference threads, hence the lock."""

    def __init__(self, factory: Callable[[], SpanTagger]) -> None:
        self._factory = factory
        self._tagger: SpanTagger | None = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._tagger is not None

    def get(self) -> SpanTagger:
        if self._tagger is None:
            with self._lock:
                if self._tagger is None:
                    self._tagger = self._factory()
        return self._tagger

    def classify(self, text: str) -> list[Span]:
        return self.get().classify(text)


def default_factory() -> SpanTagger:
    from slant.pipeline.tagger import Tagger  # torch loads here, not at import time

    return Tagger.load()


def display_name(label_id: str) -> str:
    try:
        return taxonomy.get(label_id).name
    except KeyError:
        return label_id


def classify_payload(text: str, spans: list[Span]) -> dict:
    counts = Counter(s.label for s in spans)
    return {
        "spans": [s.to_dict() for s in spans],
        "labels": dict(counts),
        "names": {label: display_name(label) for label in counts},
        "length": len(text),
    }


# ---- the app --------------------------------------------------------------------------------------------
def create_app(
    tagger_factory: Callable[[], SpanTagger] | None = None,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    max_waiting: int = DEFAULT_MAX_WAITING,
    workers: int = 1,
    allowed_hosts: list[str] | None = None,
) -> FastAPI:
    """The slant web app.

    ``tagger_factory`` builds the model on first use (default: ``Tagger.load()``, i.e. $SLANT_MODEL or the
    shipped model). ``max_body_bytes`` caps request bodies (413 past it); at most ``workers`` classifications
    run at once and ``max_waiting`` more may wait (503 + Retry-After past that). ``allowed_hosts`` restricts
    the Host header (serve() passes the loopback names, which blocks DNS-rebinding pages from using the API).
    """
    app = FastAPI(
        title="slant",
        summary="Tag rhetoric and propaganda techniques in news text.",
        version=_version(),
        docs_url=None,  # replaced by mount_docs: no CDN
        redoc_url=None,
    )
    app.add_exception_handler(RequestValidationError, validation_error)
    holder = ModelHolder(tagger_factory or default_factory)
    queue = InferenceQueue(workers=workers, max_waiting=max_waiting)
    app.state.model = holder
    app.state.queue = queue

    @app.post(
        "/api/classify",
        response_model=ClassifyResponse,
        response_model_exclude_none=True,
        response_class=AsciiJSONResponse,  # span text may hold a lone surrogate, which UTF-8 cannot encode
    )
    async def classify(request: ClassifyRequest) -> JSONResponse | dict:
        """Tag a text: spans with code-point offsets, label ids, calibrated scores; counts per label."""
        text = request.text
        if not text.strip():
            return classify_payload(text, [])
        try:
            spans = await queue.run(holder.classify, text)
        except QueueFull as full:
            return JSONResponse(
                {"detail": f"server busy: {full.pending} requests queued; retry in {full.retry_after} s"},
                status_code=503,
                headers={"Retry-After": str(full.retry_after)},
            )
        except Exception as exc:  # a model failure must not take the server down or leak a traceback
            log.exception("classification failed")
            return JSONResponse({"detail": f"classification failed: {type(exc).__name__}"}, status_code=500)
        return classify_payload(text, spans)

    @app.get("/api/labels", response_model=LabelsResponse)
    async def labels() -> dict:
        """The canonical taxonomy: every label the model or the rhetoric rules can emit."""
        return {
            "labels": [
                {
                    "id": label.id,
                    "name": label.name,
                    "definition": label.definition,
                    "example": label.example,
                    "kind": label.kind,
                    "members": list(label.members),
                }
                for label in (taxonomy.get(label_id) for label_id in taxonomy.LABELS)
            ]
        }

    @app.get("/healthz", response_model=Health)
    async def healthz() -> dict:
        """Liveness: answered on the event loop, never waits for the model."""
        return {
            "status": "ok",
            "model_loaded": holder.loaded,
            "queue": {"pending": queue.pending, "capacity": queue.capacity},
        }

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html", headers=PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    mount_docs(app)

    # Middleware order: the host check runs first, then the body limit, then the app.
    app.add_middleware(BodyLimitMiddleware, max_bytes=max_body_bytes)
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    return app


def _version() -> str:
    from slant import __version__

    return __version__
