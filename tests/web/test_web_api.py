"""JSON API: queries, pagination, downloads, curation with tokens, audit, extraction limits."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from jakatlas.web import create_app
from jakatlas.web.deps import WebSettings

HS = "hidradenitis suppurativa"


def test_health_reports_backend_and_studies(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "sqlite" and body["studies"] > 0


def test_health_is_503_before_build(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(f"sqlite:///{tmp_path / 'empty.db'}")) as c:
        r = c.get("/health")
    assert r.status_code == 503 and r.json()["status"] == "unavailable"


def test_studies_filter_and_paginate(client: TestClient) -> None:
    r = client.get("/api/v1/studies", params={"disease": HS, "limit": 2})
    assert r.status_code == 200
    page = r.json()
    assert page["total"] >= 3 and page["limit"] == 2 and page["offset"] == 0 and len(page["items"]) == 2
    assert page["previous"] is None and page["next"].startswith("/api/v1/studies?")
    assert all(HS in "; ".join(i["diseases"]) for i in page["items"])
    nxt = client.get(page["next"]).json()
    assert nxt["offset"] == 2 and {i["id"] for i in nxt["items"]}.isdisjoint({i["id"] for i in page["items"]})


def test_studies_resolve_synonyms_and_codes(client: TestClient) -> None:
    by_abbr = client.get("/api/v1/studies", params={"disease": "HS"}).json()
    by_name = client.get("/api/v1/studies", params={"disease": HS}).json()
    assert by_abbr["total"] == by_name["total"]
    code = client.get("/api/v1/studies", params={"drug": "INCB054707"}).json()
    assert code["total"] > 0 and all("povorcitinib" in i["drugs"] for i in code["items"])


def test_studies_design_level_outcome_status(client: TestClient) -> None:
    rcts = client.get("/api/v1/studies", params={"design": "rct", "limit": 500}).json()
    assert rcts["total"] and {i["design"] for i in rcts["items"]} == {"rct"}
    best = client.get("/api/v1/studies", params={"level": 2, "limit": 500}).json()
    assert all(i["evidence_level"] <= 2 for i in best["items"])
    assert client.get("/api/v1/studies", params={"outcome": "hiscr"}).json()["total"] > 0
    assert client.get("/api/v1/studies", params={"status": "candidate"}).json()["total"] == 0


def test_bad_query_values_are_422_and_unknown_names_404(client: TestClient) -> None:
    assert client.get("/api/v1/studies", params={"level": 9}).status_code == 422
    assert client.get("/api/v1/studies", params={"design": "anecdote"}).status_code == 422
    r = client.get("/api/v1/studies", params={"disease": "hidradenitis supurativa"})
    assert r.status_code == 404
    assert "hidradenitis suppurativa" in r.json()["suggestions"]


def test_csv_download_of_studies_and_tables(client: TestClient) -> None:
    r = client.get("/api/v1/studies", params={"disease": HS, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {"id", "drugs", "result", "evidence_level"} <= set(rows[0])
    for url in ("/api/v1/diseases?format=csv", "/api/v1/drugs?format=csv", "/api/v1/evidence-map?format=csv",
                "/diseases/hidradenitis_suppurativa/tables/effects.csv",
                "/diseases/hidradenitis_suppurativa/tables/placebo.json", "/drugs/povorcitinib/tables/ic50.csv"):
        assert client.get(url).status_code == 200, url
    assert client.get("/diseases/hidradenitis_suppurativa/tables/..%2F..%2Fetc%2Fpasswd.csv").status_code == 404


def test_csv_cells_cannot_start_formulas(client: TestClient, candidate_id: str, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}", "If-Match": client.get(f"/api/v1/studies/{candidate_id}").headers["etag"]}
    assert client.patch(f"/api/v1/studies/{candidate_id}", json={"result": "=HYPERLINK(\"x\")"},
                        headers=auth).status_code == 200
    r = client.get("/api/v1/studies", params={"status": "candidate", "format": "csv"})
    assert "'=HYPERLINK" in r.text


def test_disease_drug_search_and_map(client: TestClient) -> None:
    d = client.get("/api/v1/diseases/HS").json()
    assert d["disease"]["name"] == HS and d["evidence"]
    g = client.get("/api/v1/drugs/Olumiant").json()
    assert g["drug"]["name"] == "baricitinib" and any(c["blocked_via"] for c in g["coverage"])


def test_drug_coverage_follows_the_synthesis_rules(client) -> None:  # type: ignore[no-untyped-def]
    cov = {c["cytokine"]: c for c in client.get("/api/v1/drugs/deucravacitinib").json()["coverage"]}
    assert cov["IL-6"]["blocked_via"] == [] and cov["IL-6"]["reach"] == "not reached"
    assert cov["IL-6"]["reach_basis"] == "sourced"
    assert cov["IL-23"]["blocked_via"] == ["TYK2"] and cov["IL-23"]["reach"] == "reached"
    s = client.get("/api/v1/search", params={"q": "lichen"}).json()
    assert s["exact"] is None and any(h["name"] == "lichen planus" for h in s["hits"])
    assert client.get("/api/v1/search", params={"q": "LP"}).json()["exact"]["name"] == "lichen planus"
    m = client.get("/api/v1/evidence-map").json()
    assert any(c["disease"] == HS and c["drug"] == "povorcitinib" for c in m["cells"])
    cmp = client.get("/api/v1/compare", params=[("disease", HS), ("drug", "povorcitinib"), ("drug", "upadacitinib")])
    assert sorted(c["drug"] for c in cmp.json()["columns"]) == ["povorcitinib", "upadacitinib"]  # ordered by evidence


def test_curation_needs_a_token(client: TestClient, candidate_id: str) -> None:
    r = client.post(f"/api/v1/studies/{candidate_id}/accept")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    r = client.post(f"/api/v1/studies/{candidate_id}/accept", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and "token" in r.json()["error"].lower()
    assert client.patch(f"/api/v1/studies/{candidate_id}", json={"n": 2}).status_code == 401


def test_accept_edit_reject_are_audited_and_visible(client: TestClient, candidate_id: str, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}

    def fresh() -> dict[str, str]:
        return {**auth, "If-Match": client.get(f"/api/v1/studies/{candidate_id}").headers["etag"]}

    before = client.get("/api/v1/studies", params={"disease": "lichen planus", "status": "curated"}).json()["total"]
    r = client.post(f"/api/v1/studies/{candidate_id}/accept", headers=fresh())
    assert r.status_code == 200 and r.json()["status"] == "curated" and r.headers["etag"] == '"v2"'
    after = client.get("/api/v1/studies", params={"disease": "lichen planus", "status": "curated"}).json()["total"]
    assert after == before + 1  # the cached list was invalidated by the write
    assert client.post(f"/api/v1/studies/{candidate_id}/accept", headers=fresh()).status_code == 409
    r = client.patch(f"/api/v1/studies/{candidate_id}", json={"n": 2, "evidence_level": 4}, headers=fresh())
    assert r.status_code == 200 and r.json()["n"] == 2
    assert client.patch(f"/api/v1/studies/{candidate_id}", json={"evidence_level": 7}, headers=fresh()).status_code == 422
    assert client.patch(f"/api/v1/studies/{candidate_id}", json={"bogus": 1}, headers=fresh()).status_code == 422
    assert client.post(f"/api/v1/studies/{candidate_id}/reject", headers=fresh()).json()["status"] == "rejected"
    log = client.get("/api/v1/audit", params={"study": candidate_id}).json()
    assert [e["action"] for e in log] == ["reject", "edit", "accept", "add"]
    assert {e["actor"] for e in log[:3]} == {"alice"}
    assert log[1]["before"]["n"] == 1 and log[1]["after"]["n"] == 2
    assert [e["after"]["version"] for e in log] == [4, 3, 2, 1]


def test_unknown_study_is_404_with_suggestions(client: TestClient) -> None:
    r = client.get("/api/v1/studies/alavi2022-study")
    assert r.status_code == 404 and "alavi2022-study1" in r.json()["suggestions"]


def test_extract_limits_size_and_rate(atlas_url: str) -> None:
    app = create_app(atlas_url, settings=WebSettings(extract_per_window=2, max_body_bytes=2000))
    with TestClient(app) as c:
        big = c.post("/api/v1/extract", json={"text": "x" * 5000})
        assert big.status_code == 413
        codes = [c.post("/api/v1/extract", json={"text": ""}).status_code for _ in range(3)]
        assert codes[:2] == [422, 422] and codes[2] == 429
        r = c.post("/api/v1/extract", json={"text": "hello"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_extract_returns_the_contract(client: TestClient) -> None:
    text = ("In an open-label study, 10 patients with hidradenitis suppurativa received povorcitinib 15 mg "
            "once daily for 8 weeks; HiSCR was reached by 42.9%.")
    r = client.post("/api/v1/extract", json={"text": text, "name": "note.txt"})
    if r.status_code == 503:  # the NLP layer is optional in a minimal install
        return
    assert r.status_code == 200
    body = r.json()
    assert body["source"]["kind"] == "text" and isinstance(body["studies"], list)


def test_security_headers_everywhere(client: TestClient) -> None:
    for url in ("/", "/api/v1/diseases", "/static/app.css", "/fhir/Evidence?_count=1", "/nope"):
        h = client.get(url).headers
        assert "default-src 'self'" in h["content-security-policy"], url
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
        assert h["referrer-policy"] == "same-origin"


def test_docs_are_local(client: TestClient) -> None:
    html = client.get("/docs").text
    assert "cdn" not in html.lower() and "/static/docs.js" in html
    assert client.get("/openapi.json").json()["paths"]["/api/v1/studies"]
    assert client.get("/redoc").status_code == 404


def test_static_files_cannot_escape(client: TestClient) -> None:
    for url in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2Fapp.py", "/static/vendor/../../deps.py"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "import" not in r.text
    assert client.get("/static/vendor/plotly.min.js").status_code == 200


def test_search_ranks_across_the_atlas_with_snippets(client: TestClient) -> None:
    body = client.get("/api/v1/search", params={"q": "lichen planopilaris"}).json()
    kinds = [r["kind"] for r in body["results"]]
    assert {"outcome", "study", "disease"} <= set(kinds)
    assert all("<mark>" in r["title_html"] + r["snippet_html"] for r in body["results"])
    study = next(r for r in body["results"] if r["kind"] == "study")
    assert study["url"] == f"/studies/{study['id']}" and study["status"] == "curated"
    only = client.get("/api/v1/search", params={"q": "lichen planopilaris", "kind": "outcome"}).json()
    assert {r["kind"] for r in only["results"]} == {"outcome"}


def test_search_leaves_candidates_out_unless_asked(client: TestClient, candidate_id: str) -> None:
    default = client.get("/api/v1/search", params={"q": "erosive lichen", "limit": 100}).json()["results"]
    asked = client.get("/api/v1/search", params={"q": "erosive lichen", "limit": 100, "candidates": "true"}).json()
    assert candidate_id not in {r["id"] for r in default}
    assert any(r["id"] == candidate_id and r["status"] == "candidate" for r in asked["results"])


def test_references_download_as_ris_and_bibtex(client: TestClient) -> None:
    import bibtexparser
    import rispy

    ris = client.get("/api/v1/diseases/lichen planus/references")
    assert ris.status_code == 200
    assert ris.headers["content-type"].startswith("application/x-research-info-systems")
    assert ris.headers["content-disposition"] == 'attachment; filename="lichen_planus-references.ris"'
    assert rispy.loads(ris.text)
    bib = client.get("/api/v1/drugs/baricitinib/references", params={"format": "bibtex"})
    assert bib.headers["content-type"].startswith("application/x-bibtex")
    assert not bibtexparser.parse_string(bib.text).failed_blocks
    found = client.get("/api/v1/search/references", params={"q": "morphea", "format": "json"}).json()
    assert found and all(r["studies"] for r in found)
    assert client.get("/api/v1/diseases/xyzzy/references").status_code == 404


def test_studies_default_to_curated_and_candidates_are_marked(client: TestClient, candidate_id: str) -> None:
    default = client.get("/api/v1/studies", params={"disease": "lichen planus", "limit": 500}).json()
    assert default["items"] and {i["status"] for i in default["items"]} == {"curated"}
    both = client.get("/api/v1/studies", params={"disease": "lichen planus", "status": "reviewable",
                                                 "limit": 500}).json()
    marked = {i["id"]: i["status"] for i in both["items"]}
    assert marked[candidate_id] == "candidate" and both["total"] == default["total"] + 1


def test_compare_puts_key_numbers_first_and_orders_by_evidence(client: TestClient) -> None:
    params = [("disease", "hidradenitis suppurativa")] + [("drug", d) for d in
                                                          ("tofacitinib", "ruxolitinib", "povorcitinib", "upadacitinib")]
    cols = client.get("/api/v1/compare", params=params).json()["columns"]
    order = [(c["best_level"] or 9, ["high", "moderate", "low", "very low"].index(c["certainty"])
              if c["certainty"] else 9, -(c["patients"] or 0)) for c in cols]
    assert order == sorted(order) and cols[-1]["drug"] == "tofacitinib"  # the case series comes last
    povo = next(c for c in cols if c["drug"] == "povorcitinib")
    assert povo["key_result"].startswith("HiSCR") and "vs placebo" in povo["key_result"] and "RD " in povo["key_result"]
    assert povo["patients"] == sum(s["n"] for s in client.get(
        "/api/v1/studies", params={"disease": "hidradenitis suppurativa", "drug": "povorcitinib"}).json()["items"]
        if s["n"] is not None)
    rux = next(c for c in cols if c["drug"] == "ruxolitinib")
    assert rux["patients"] is None  # n not reported: never 0
    csv_head = client.get("/api/v1/compare", params=[*params, ("format", "csv")]).text.splitlines()[0]
    assert csv_head.startswith("drug,best_level,certainty,certainty_outcome,key_result,studies,patients")
