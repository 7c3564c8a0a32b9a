"""HTTP conventions: validators and 304, gzip, Link headers, problem details in OpenAPI, FHIR
capability and search parameters; and the uncached query path (SQL paging, bounded cache)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from fhir.resources.bundle import Bundle
from fhir.resources.capabilitystatement import CapabilityStatement
from fhir.resources.operationoutcome import OperationOutcome
from sqlalchemy import event

from jakatlas.store.atlas import Atlas
from jakatlas.store.db import get_engine
from jakatlas.web.cache import AtlasCache

HS = "hidradenitis suppurativa"


# -- validators and conditional GET -------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v1/diseases", f"/api/v1/studies?disease={HS}", "/fhir/Evidence?_count=5"])
def test_reads_carry_validators_and_answer_304(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    etag = r.headers["etag"]
    assert etag.startswith('"') and r.headers["cache-control"] == "no-cache"
    assert r.headers["last-modified"].endswith("GMT")
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": r.headers["last-modified"]}).status_code == 304
    assert client.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200


def test_a_route_etag_is_kept(client: TestClient) -> None:
    sid = client.get("/api/v1/studies?limit=1").json()["items"][0]["id"]
    r = client.get(f"/api/v1/studies/{sid}")
    assert r.headers["etag"].startswith('"v')  # the study's version tag, not a body hash
    assert client.get(f"/api/v1/studies/{sid}", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_gzip_for_json_html_and_plotly(client: TestClient) -> None:
    r = client.get("/api/v1/studies", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and "accept-encoding" in r.headers["vary"].lower()
    assert r.json()["total"] > 0
    assert client.get("/diseases", headers={"Accept-Encoding": "gzip"}).headers["content-encoding"] == "gzip"
    js = client.get("/static/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert js.headers["content-encoding"] == "gzip"
    raw = client.get("/static/vendor/plotly.min.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert int(js.headers["content-length"]) < len(raw.content) / 2
    assert js.content == raw.content  # the client decompressed it


def test_study_pages_send_link_headers(client: TestClient) -> None:
    r = client.get("/api/v1/studies?limit=5&offset=5")
    links = r.headers["link"]
    assert '<' in links and 'rel="next"' in links and 'rel="prev"' in links and 'rel="last"' in links
    assert "offset=10" in links and 'rel="first"' in links
    body = r.json()
    assert body["first"].endswith("offset=0") and body["last"] is not None


def test_openapi_documents_problems_503_and_413(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    studies = spec["paths"]["/api/v1/studies"]["get"]["responses"]
    assert "application/problem+json" in studies["422"]["content"]
    assert "application/problem+json" in studies["503"]["content"] and "Retry-After" in studies["503"]["headers"]
    extract = spec["paths"]["/api/v1/extract"]["post"]["responses"]
    assert "application/problem+json" in extract["413"]["content"]
    assert "Problem" in spec["components"]["schemas"] and "HTTPValidationError" not in spec["components"]["schemas"]
    assert "503" in spec["paths"]["/fhir/Evidence"]["get"]["responses"]


def test_every_api_error_is_a_problem(client: TestClient) -> None:
    for path, status in (("/api/v1/diseases/nope", 404), ("/api/v1/nowhere", 404), ("/api/v1/studies?level=9", 422)):
        r = client.get(path)
        assert r.status_code == status and r.headers["content-type"] == "application/problem+json", path
        assert r.json()["status"] == status and r.json()["type"] == "about:blank"
    r = client.post("/api/v1/diseases")
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"


# -- FHIR ---------------------------------------------------------------------------------------
def test_fhir_capability_statement(client: TestClient) -> None:
    r = client.get("/fhir/metadata")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    cap = CapabilityStatement.model_validate(r.json())
    evidence = next(x for x in cap.rest[0].resource if x.type == "Evidence")
    assert {p.name for p in evidence.searchParam} >= {"_id", "_count", "subject"}


def test_fhir_unknown_search_parameters(client: TestClient) -> None:
    r = client.get("/fhir/Evidence?colour=blue")
    assert r.status_code == 400
    outcome = OperationOutcome.model_validate(r.json())
    assert "colour" in (outcome.issue[0].diagnostics or "")
    lenient = client.get("/fhir/Evidence?colour=blue", headers={"Prefer": "handling=lenient"})
    assert lenient.status_code == 200
    Bundle.model_validate(lenient.json())


def test_fhir_count_id_and_subject(client: TestClient) -> None:
    everything = client.get("/fhir/Evidence").json()
    page = client.get("/fhir/Evidence?_count=2").json()
    Bundle.model_validate(page)
    assert len(page["entry"]) == 2 and page["total"] == everything["total"]
    assert any(link["relation"] == "next" for link in page["link"])
    assert client.get("/fhir/Evidence?_count=0").json()["total"] == everything["total"]
    first = everything["entry"][0]["resource"]["id"]
    second = everything["entry"][1]["resource"]["id"]
    by_id = client.get(f"/fhir/Evidence?_id={first},{second}").json()
    assert sorted(e["resource"]["id"] for e in by_id["entry"]) == sorted([first, second])
    hs = client.get("/fhir/Evidence?subject=HS").json()
    Bundle.model_validate(hs)
    assert 0 < hs["total"] < everything["total"]
    assert all("hidradenitis" in e["resource"]["variableDefinition"][0]["description"] for e in hs["entry"])
    assert client.get("/fhir/Evidence?subject=HS&disease=vitiligo").json()["total"] == 0


# -- the uncached path --------------------------------------------------------------------------
def _statements(url: str) -> list[str]:
    seen: list[str] = []

    def log(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    for engine in {get_engine(url), get_engine(url, reads=True)}:  # one engine on SQLite, two on a server
        event.listen(engine, "before_cursor_execute", log)
    return seen


def test_pages_are_cut_and_counted_in_sql(db_url: str) -> None:
    atlas = Atlas(db_url)
    atlas.build()
    everything = atlas.studies(status=("curated",))
    seen = _statements(db_url)
    total, page = atlas.page(status=("curated",), limit=3, offset=2)
    assert total == len(everything) and [r.id for r in page] == [r.id for r in everything[2:5]]
    assert any("LIMIT" in s.upper() and "OFFSET" in s.upper() for s in seen)
    assert any("count(" in s.lower() for s in seen)


def test_outcome_filter_runs_in_sql_on_both_backends(db_url: str) -> None:
    atlas = Atlas(db_url)
    atlas.build()
    for key in ("hiscr", "SALT", "100%_", "itch"):
        expected = [r.id for r in atlas.studies() if any(key.lower() in (o.get("measure") or "").lower()
                                                         for o in r.data.get("outcomes", []))]
        assert [r.id for r in atlas.studies(outcome=key)] == expected, key
    total, page = atlas.page(outcome="hiscr", limit=1)
    assert len(page) == 1 and total == len(atlas.studies(outcome="hiscr")) > 1


def test_no_table_check_per_request(client: TestClient, atlas_url: str) -> None:
    client.get("/api/v1/studies?limit=1")
    seen = _statements(atlas_url)
    for offset in range(5):
        assert client.get(f"/api/v1/studies?limit=1&offset={offset}&status=all").status_code == 200
    checks = [s for s in seen if "sqlite_master" in s or "table_info" in s or "table_xinfo" in s]
    assert len(checks) <= 1, checks  # not one per request (an absent optional table is looked up again every 30 s)


def test_unknown_query_parameters_create_no_cache_entries(client: TestClient) -> None:
    cache: AtlasCache = client.app.state.ctx.cache  # type: ignore[attr-defined]
    client.get("/api/v1/studies?limit=5")
    before = len(cache)
    for i in range(60):
        assert client.get(f"/api/v1/studies?limit=5&junk{i}=x").status_code == 200
    assert len(cache) == before
    client.get("/api/v1/studies?limit=6")
    assert len(cache) == before + 1


def test_cache_is_bounded_in_bytes() -> None:
    cache = AtlasCache("sqlite://", max_bytes=100_000, probe_interval=3600)
    cache._probed_at = float("inf")  # no database behind this one
    for i in range(100):
        cache.put(f"k{i}", ([], b"x" * 5_000), cache.peek(f"k{i}", check=False)[1], size=5_000)
    assert cache.size_bytes <= 100_000 and len(cache) == 20
    cache.put("big", b"y" * 50_000, cache.peek("big", check=False)[1])  # over an eighth of the budget
    assert cache.peek("big", check=False)[0] is None
    cache.get("model", lambda: {"rows": ["z" * 1_000] * 50})
    assert cache.size_bytes <= 100_000 and cache.peek("model", check=False)[0] is not None


def test_a_server_freezes_its_warmed_heap(atlas_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Servers (settings from the environment) freeze the heap at start-up and after the given
    numbers of requests, so full garbage collections skip what warm-up loaded; apps made for
    embedding or tests leave the collector alone."""
    import gc

    from jakatlas.web import create_app
    from jakatlas.web.deps import WebSettings

    assert WebSettings().freeze_heap_after == () and WebSettings.from_env().freeze_heap_after
    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(len(frozen)))
    monkeypatch.setattr(gc, "collect", lambda *a: 0)
    with TestClient(create_app(atlas_url)) as plain:
        plain.get("/health")
    assert frozen == []
    with TestClient(create_app(atlas_url, settings=WebSettings(freeze_heap_after=(2, 3)))) as c:
        assert len(frozen) == 1  # at start-up
        c.get("/health")
        assert len(frozen) == 1
        c.get("/health")
        c.get("/health")
        c.get("/health")
    assert len(frozen) == 3
