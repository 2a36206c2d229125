"""The serve API: round trip with a real (smoke or shipped) model, limits, queue, escaping, offline docs.

Limits and queue tests inject fake taggers through ``create_app(tagger_factory=...)``: they need no model and
no data. The round-trip test needs a trained model: the shipped ``model/`` when present, else $SLANT_MODEL,
else a smoke model trained once per session (which needs the corpora in ../shared).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

pytest.importorskip("fastapi", reason="the serve extra (fastapi, uvicorn) is not installed")

from conftest import require_data  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from slant import resolve, taxonomy  # noqa: E402
from slant.server import create_app  # noqa: E402
from slant.server.app import LOOPBACK_HOSTS, STATIC_DIR  # noqa: E402
from slant.server.limits import BodyLimitMiddleware  # noqa: E402
from slant.spans import Span  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO.parent / "shared" / "examples" / "north-korean-troops-opinion.txt"


# ---- fakes -----------------------------------------------------------------------------------------------
class KeywordTagger:
    """Tags every occurrence of each keyword; deterministic, instant."""

    def __init__(self, keywords: dict[str, str] | None = None) -> None:
        self.keywords = keywords or {"Kiev regime": "name_calling", "<script>": "loaded_language"}
        self.calls = 0

    def classify(self, text: str) -> list[Span]:
        self.calls += 1
        spans = []
        for word, label in self.keywords.items():
            for match in re.finditer(re.escape(word), text):
                spans.append(Span.from_text(text, match.start(), match.end(), label, 0.9))
        return sorted(spans, key=lambda s: (s.start, -s.end, s.label))


class BlockingTagger:
    """Blocks each call until ``gate`` opens; records how many calls ran at once."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.running = 0
        self.max_running = 0
        self._lock = threading.Lock()

    def classify(self, text: str) -> list[Span]:
        with self._lock:
            self.running += 1
            self.max_running = max(self.max_running, self.running)
        try:
            self.gate.wait(timeout=20)  # bounded: a failing test must not hang the session
            return []
        finally:
            with self._lock:
                self.running -= 1


class FailingTagger:
    def classify(self, text: str) -> list[Span]:
        raise RuntimeError("boom /secret/path")


def client_for(tagger: object, **kwargs: object) -> TestClient:
    return TestClient(create_app(lambda: tagger, **kwargs))


# ---- a real model ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shipped = resolve.shipped_dir("model")
    if (shipped / "config.json").is_file():
        return shipped
    env = os.environ.get("SLANT_MODEL")
    if env and (Path(env) / "config.json").is_file():
        return Path(env)
    require_data(resolve.data_root())
    out = tmp_path_factory.mktemp("smoke-model")
    run = tmp_path_factory.mktemp("smoke-run")
    cmd = [sys.executable, "train.py", "--smoke", "--output-dir", str(out), "--run-dir", str(run)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"smoke training failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return out


@pytest.fixture(scope="session")
def real_tagger(model_dir: Path):
    from slant.pipeline.tagger import Tagger

    return Tagger.load(model_dir)


def test_classify_round_trip_with_model(real_tagger) -> None:
    article = require_data(EXAMPLE).read_text(encoding="utf-8")
    # Astral characters first: code points and UTF-16 units diverge from here on.
    text = "🇺🇦😀 Breaking: " + article[:4000] + "\n<script>window.__pwned=1</script> 👍🏽 end"
    calls = []

    def factory():
        calls.append(1)
        return real_tagger

    client = TestClient(create_app(factory))
    first = client.post("/api/classify", json={"text": text})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["length"] == len(text)
    assert body["spans"] == [s.to_dict() for s in real_tagger.classify(text)]  # same format as spans.jsonl
    for span in body["spans"]:
        assert 0 <= span["start"] < span["end"] <= len(text)
        assert text[span["start"] : span["end"]] == span["text"]
        assert span["label"] in taxonomy.LABELS
        assert 0.0 <= span["score"] <= 1.0
    counts: dict[str, int] = {}
    for span in body["spans"]:
        counts[span["label"]] = counts.get(span["label"], 0) + 1
    assert body["labels"] == counts
    assert body["names"] == {label: taxonomy.get(label).name for label in counts}
    client.post("/api/classify", json={"text": "A second text."})
    assert len(calls) == 1, "the model must load once"


# ---- endpoints ---------------------------------------------------------------------------------------------
def test_labels_endpoint_lists_the_taxonomy() -> None:
    data = client_for(KeywordTagger()).get("/api/labels").json()
    assert [item["id"] for item in data["labels"]] == list(taxonomy.LABELS)
    for item in data["labels"]:
        label = taxonomy.get(item["id"])
        assert (item["name"], item["definition"], item["example"], item["kind"]) == (
            label.name,
            label.definition,
            label.example,
            label.kind,
        )


def test_healthz_does_not_load_the_model() -> None:
    calls = []
    client = TestClient(create_app(lambda: calls.append(1) or KeywordTagger()))
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "model_loaded": False, "queue": {"pending": 0, "capacity": 17}}
    assert calls == []
    client.post("/api/classify", json={"text": "the Kiev regime"})
    assert client.get("/healthz").json()["model_loaded"] is True


def test_classify_with_fake_tagger_and_counts() -> None:
    text = "😀 the Kiev regime and the Kiev regime"
    body = client_for(KeywordTagger()).post("/api/classify", json={"text": text}).json()
    assert [(s["start"], s["end"], s["text"]) for s in body["spans"]] == [
        (6, 17, "Kiev regime"),
        (26, 37, "Kiev regime"),
    ]
    assert body["labels"] == {"name_calling": 2}
    assert body["names"] == {"name_calling": taxonomy.get("name_calling").name}


def test_blank_text_skips_the_model() -> None:
    tagger = KeywordTagger()
    body = client_for(tagger).post("/api/classify", json={"text": "  \n "}).json()
    assert body == {"spans": [], "labels": {}, "names": {}, "length": 4}
    assert tagger.calls == 0


def test_markup_in_text_comes_back_as_plain_json_text() -> None:
    payload = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
    response = client_for(KeywordTagger()).post("/api/classify", json={"text": payload})
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["spans"][0]["text"] == "<script>"


def test_tagger_failure_is_a_json_500_without_details() -> None:
    client = TestClient(create_app(FailingTagger), raise_server_exceptions=False)
    response = client.post("/api/classify", json={"text": "some text"})
    assert response.status_code == 500
    assert response.json() == {"detail": "classification failed: RuntimeError"}
    assert client.get("/healthz").status_code == 200


# ---- 422 ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({}, ["body", "text"]),
        ({"txt": "hello"}, ["body", "text"]),
        ({"text": 42}, ["body", "text"]),
        ({"text": None}, ["body", "text"]),
    ],
)
def test_422_names_the_field(payload: dict, loc: list[str]) -> None:
    raw = json.dumps(payload)
    response = client_for(KeywordTagger()).post(
        "/api/classify", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [loc]


def test_invalid_json_is_422() -> None:
    response = client_for(KeywordTagger()).post(
        "/api/classify", content=b'{"text": "unterminated', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"


# ---- 413 ---------------------------------------------------------------------------------------------------
def test_413_on_declared_content_length() -> None:
    tagger = KeywordTagger()
    client = client_for(tagger, max_body_bytes=100)
    ok = client.post("/api/classify", json={"text": "x" * 50})
    assert ok.status_code == 200
    response = client.post("/api/classify", json={"text": "x" * 200})
    assert response.status_code == 413
    assert response.json() == {"detail": "request body is larger than the limit of 100 bytes"}
    assert tagger.calls == 1


def test_default_limit_is_one_megabyte() -> None:
    client = client_for(KeywordTagger())
    assert client.post("/api/classify", json={"text": "x" * 999_000}).status_code == 200
    assert client.post("/api/classify", json={"text": "x" * 1_000_000}).status_code == 413


async def _drive(middleware: BodyLimitMiddleware, chunks: list[bytes], headers: list) -> tuple[int, bytes, bool]:
    """Run one request through the middleware with the body in ``chunks`` (streamed, as a chunked upload)."""
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]
    sent: list[dict] = []
    reached = []

    async def inner(scope, receive, send) -> None:
        reached.append(await receive())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": reached[0]["body"]})

    middleware.app = inner

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/classify", "headers": headers}
    await middleware(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:]), bool(reached)


def test_413_counts_streamed_bytes_without_content_length() -> None:
    middleware = BodyLimitMiddleware(None, max_bytes=10)  # type: ignore[arg-type]
    status, body, reached = asyncio.run(_drive(middleware, [b"12345", b"67890", b"x"], []))
    assert (status, reached) == (413, False)
    assert json.loads(body) == {"detail": "request body is larger than the limit of 10 bytes"}
    status, body, reached = asyncio.run(_drive(middleware, [b"12345", b"67890"], []))
    assert (status, body, reached) == (200, b"1234567890", True)
    # A Content-Length that understates the body is no way around the limit.
    status, _, reached = asyncio.run(_drive(middleware, [b"1234567", b"8901234"], [(b"content-length", b"5")]))
    assert (status, reached) == (413, False)
    status, _, reached = asyncio.run(_drive(middleware, [b"12"], [(b"content-length", b"nope")]))
    assert (status, reached) == (400, False)


# ---- queue -------------------------------------------------------------------------------------------------
def test_queue_full_is_503_with_retry_after_and_healthz_stays_up() -> None:
    tagger = BlockingTagger()
    app = create_app(lambda: tagger, max_waiting=2)

    async def scenario() -> tuple[httpx.Response, httpx.Response, list[httpx.Response]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=30) as client:
            admitted = [asyncio.create_task(client.post("/api/classify", json={"text": f"text {i}"})) for i in range(3)]
            try:
                for _ in range(500):
                    if app.state.queue.pending == 3:
                        break
                    await asyncio.sleep(0.01)
                assert app.state.queue.pending == 3, "1 running + 2 waiting should be admitted"
                busy = await client.post("/api/classify", json={"text": "one too many"})
                health = await asyncio.wait_for(client.get("/healthz"), timeout=2)
            finally:
                tagger.gate.set()
            return busy, health, await asyncio.gather(*admitted)

    busy, health, done = asyncio.run(scenario())
    assert busy.status_code == 503
    assert int(busy.headers["retry-after"]) >= 1
    assert "busy" in busy.json()["detail"]
    assert health.status_code == 200 and health.json()["queue"] == {"pending": 3, "capacity": 3}
    assert [r.status_code for r in done] == [200, 200, 200]
    assert tagger.max_running == 1, "inference runs one call at a time"
    assert app.state.queue.pending == 0


# ---- page, static files, docs ------------------------------------------------------------------------------
def test_page_is_served_with_a_strict_csp() -> None:
    client = client_for(KeywordTagger())
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    for asset in ("/static/app.js", "/static/app.css"):
        assert client.get(asset).status_code == 200


def test_page_assets_are_local_and_never_parse_text_as_html() -> None:
    for path in STATIC_DIR.iterdir():
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", source), f"{path.name} loads a remote asset"
        assert "@import" not in source and "url(http" not in source
    script = (STATIC_DIR / "app.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, f"app.js uses {sink}"


def test_docs_are_served_offline() -> None:
    client = client_for(KeywordTagger())
    docs = client.get("/docs")
    assert docs.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']([^"']+)["']""", docs.text)
    assert urls, "the docs page should reference its assets"
    for url in urls:
        assert url.startswith("/"), f"/docs references a non-local URL: {url}"
        assert client.get(url).status_code == 200, url
    schema = client.get("/openapi.json").json()
    assert {"/api/classify", "/api/labels", "/healthz"} <= set(schema["paths"])


def test_host_header_is_checked_when_asked() -> None:
    app = create_app(KeywordTagger, allowed_hosts=LOOPBACK_HOSTS)
    assert TestClient(app, base_url="http://evil.example").get("/healthz").status_code == 400
    assert TestClient(app, base_url="http://127.0.0.1:8000").get("/healthz").status_code == 200
    assert TestClient(app, base_url="http://localhost:8000").get("/healthz").status_code == 200
