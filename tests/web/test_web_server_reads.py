"""The web app reads a database server over async connections while it runs (its lifespan), and
answers exactly what the thread route answers."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from jakatlas.store import reads
from jakatlas.store.atlas import Atlas
from jakatlas.web.app import create_app
from jakatlas.web.deps import WebSettings

PATHS = [
    "/api/v1/studies?disease=hidradenitis%20suppurativa&limit=5",
    "/api/v1/studies?drug=tofacitinib&level=4&status=reviewable&limit=3&offset=2",
    "/api/v1/studies?outcome=HiSCR&limit=50",
    "/api/v1/studies?disease=HS&limit=5&offset=500",
    "/api/v1/studies?disease=morphea&format=csv",
    "/api/v1/diseases/lichen%20planus",
    "/api/v1/drugs/baricitinib",
    "/api/v1/studies/no-such-study",
    "/fhir/Evidence?subject=hidradenitis%20suppurativa&_count=3",
    "/fhir/Evidence?_id=x-unknown,also-unknown",
    "/fhir/Evidence/no-such-study",
]
UNCACHED = WebSettings(cache_entries=0, cache_bytes=0)


def _answers(client: TestClient, paths: list[str]) -> list[tuple[int, str]]:
    out = []
    for p in paths:
        r = client.get(p)
        out.append((r.status_code, r.text))
    return out


def test_pages_over_async_reads_equal_the_thread_route(pg_url: str) -> None:
    atlas = Atlas(pg_url)
    atlas.build()
    study = sorted(r.id for r in atlas.studies())[0]
    paths = [*PATHS, f"/api/v1/studies/{study}", f"/fhir/Evidence/{study}", f"/fhir/Evidence?_id={study}"]
    threads = _answers(TestClient(create_app(pg_url, settings=UNCACHED)), paths)  # no lifespan: threads
    app = create_app(pg_url, settings=UNCACHED)
    with TestClient(app) as client:
        assert app.state.ctx._server_reads is not None
        served = _answers(client, paths)
    assert [s for s, _ in served] == [s for s, _ in threads]
    assert served == threads
    assert {200, 404} == {s for s, _ in served}
    assert app.state.ctx._server_reads is None and not [k for k in reads._OPEN if k[0] == pg_url]


def test_sqlite_opens_no_server_reads(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'atlas.db'}")
    with TestClient(app) as client:
        client.get("/health")
        assert app.state.ctx._server_reads is None
