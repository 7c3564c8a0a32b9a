"""The web app under faults: a database that never answers, leaks in error bodies, oversized
chunked bodies, and server-side sessions that end at sign-out, revocation and expiry."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import revoke_token
from jakatlas.store.db import get_engine
from jakatlas.web import create_app


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the form"
    return m.group(1)


def _sign_in(client: TestClient, token: str) -> str:
    form = client.get("/signin").text
    r = client.post("/signin", data={"token": token, "csrf": _csrf(form), "next": "/"}, follow_redirects=False)
    assert r.status_code == 303
    return str(client.cookies["jakatlas_session"])


def test_the_cookie_is_a_session_not_the_token(client: TestClient, token: str) -> None:
    cookie = _sign_in(client, token)
    assert cookie != token and token not in cookie
    assert "alice" in client.get("/").text


def test_sign_out_ends_the_session_on_the_server(client: TestClient, token: str) -> None:
    cookie = _sign_in(client, token)
    page = client.get("/").text
    assert client.post("/signout", data={"csrf": _csrf(page)}, follow_redirects=False).status_code == 303
    client.cookies.set("jakatlas_session", cookie)  # a copy of the cookie kept by an attacker
    assert "alice" not in client.get("/").text
    assert "Curator sign-in" in client.get("/").text


def test_revoking_the_token_ends_its_sessions(client: TestClient, token: str, atlas_url: str) -> None:
    _sign_in(client, token)
    assert "alice" in client.get("/").text
    revoke_token(Atlas(atlas_url), "alice")
    assert "alice" not in client.get("/").text


def test_sessions_expire(client: TestClient, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    import jakatlas.store.sessions as sessions

    _sign_in(client, token)
    assert "alice" in client.get("/").text
    start = sessions._now()
    # Move the clock past the session's lifetime instead of sleeping (no timing flake under load).
    monkeypatch.setattr(sessions, "_now", lambda: start + timedelta(seconds=sessions.SESSION_SECONDS + 1))
    assert "alice" not in client.get("/").text


def test_a_2mb_chunked_body_gets_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(32):
            yield b"x" * 65536

    r = client.post("/api/v1/extract", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 413 and "larger than" in r.json()["detail"]


def test_errors_do_not_show_the_database_location(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "secret-folder" / "atlas.db"
    with TestClient(create_app(f"sqlite:///{path}")) as client:
        r = client.get("/api/v1/studies")
        assert r.status_code == 503 and r.headers["retry-after"]
        assert "secret-folder" not in r.text and "sqlite" not in r.text
        assert r.headers["content-type"] == "application/problem+json"
        page = client.get("/diseases/hidradenitis-suppurativa")
        assert page.status_code == 503 and "secret-folder" not in page.text
        fhir = client.get("/fhir/Evidence")
        assert fhir.status_code == 503 and "secret-folder" not in fhir.text


@pytest.fixture
def hung_server(silent_port: int, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app on a real uvicorn whose PostgreSQL accepts TCP and never answers."""
    monkeypatch.setenv("JAKATLAS_DB_CONNECT_TIMEOUT", "3")
    url = f"postgresql+psycopg://leakyuser@127.0.0.1:{silent_port}/leakydb"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning"))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    t.join(timeout=20)
    get_engine.cache_clear()


@pytest.mark.slow
def test_a_hung_database_gives_503_fast_and_never_blocks_static_files(hung_server: str, silent_port: int) -> None:
    http = httpx.Client(base_url=hung_server, timeout=30, limits=httpx.Limits(max_connections=16))

    def get(path: str) -> tuple[int, float, httpx.Response]:
        start = time.monotonic()
        r = http.get(path)
        return r.status_code, time.monotonic() - start, r

    assert get("/static/app.css")[0] == 200
    with ThreadPoolExecutor(8) as pool:
        api = [pool.submit(get, p) for p in ("/api/v1/studies?disease=HS", "/api/v1/diseases", "/fhir/Evidence",
                                             "/api/v1/studies?drug=baricitinib")]
        time.sleep(0.3)
        css = pool.submit(get, "/static/app.css").result()
        results = [f.result() for f in api]
    http.close()
    assert css[0] == 200 and css[1] < 1.5, f"static file took {css[1]:.1f} s while the database hung"
    for status, seconds, r in results:
        assert status == 503 and seconds < 8, (status, seconds)
        assert int(r.headers["retry-after"]) > 0
        for leak in ("leakyuser", "leakydb", str(silent_port), "127.0.0.1", "postgresql"):
            assert leak not in r.text


def test_validation_errors_are_problem_details(client: TestClient) -> None:
    r = client.get("/api/v1/studies?limit=0")
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 422 and body["title"] == "Unprocessable Content"
    assert "limit" in body["detail"] and body["errors"][0]["loc"] == ["query", "limit"]
    assert body["instance"] == "/api/v1/studies"


def test_audit_timestamps_carry_a_time_zone(client: TestClient, candidate_id: str) -> None:
    at = client.get(f"/api/v1/audit?study={candidate_id}").json()[0]["at"]
    assert at.endswith(("Z", "+00:00")), at
