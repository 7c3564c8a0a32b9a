"""Pages: rendering, search, escaping of hostile document text, sign-in and curation forms with CSRF."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from jakatlas.web.highlight import Highlight, highlight, merge_spans

SPAN_TEXT = "received baricitinib 4 mg once daily"  # as in conftest.CANDIDATE_TEXT


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field"
    return m.group(1)


def test_pages_render(client: TestClient) -> None:
    for url in ("/", "/diseases", "/drugs", "/studies", "/studies?disease=lichen+planus&level=4", "/compare",
                "/compare?disease=hidradenitis+suppurativa", "/new", "/docs", "/signin",
                "/diseases/hidradenitis_suppurativa", "/drugs/povorcitinib", "/studies/alavi2022-study2"):
        r = client.get(url)
        assert r.status_code == 200, url
        assert '<a class="skip-link" href="#main">' in r.text and '<main id="main"' in r.text


def test_home_has_search_and_map(client: TestClient) -> None:
    html = client.get("/").text
    assert 'role="search"' in html and '<label for="q">' in html
    assert 'id="evidence-map-data"' in html and "/static/vendor/plotly.min.js" in html
    assert "<script>" not in html  # no inline script anywhere


def test_search_redirects_exact_names_and_lists_partial_ones(client: TestClient) -> None:
    r = client.get("/search", params={"q": "INCB054707"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/drugs/povorcitinib"
    r = client.get("/search", params={"q": "lichen"})
    assert r.status_code == 200 and "/diseases/lichen_planus" in r.text
    assert "Did you mean" in client.get("/search", params={"q": "lichen planis"}).text


def test_name_urls_redirect_to_canonical_ids(client: TestClient) -> None:
    r = client.get("/diseases/HS", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/diseases/hidradenitis_suppurativa"
    assert client.get("/diseases/nonsense").status_code == 404


def test_disease_page_is_a_dossier(client: TestClient) -> None:
    html = client.get("/diseases/hidradenitis_suppurativa").text
    for section in ("Summary by drug", "Evidence", "Effect sizes", "Placebo context", "Certainty of evidence",
                    "Mechanism", "Safety", "References"):
        assert section in html
    assert "/diseases/hidradenitis_suppurativa/forest-0.svg" in html
    svg = client.get("/diseases/hidradenitis_suppurativa/forest-0.svg")
    assert svg.status_code == 200 and svg.headers["content-type"] == "image/svg+xml"


def test_study_page_highlights_spans_and_escapes_document(client: TestClient, candidate_id: str) -> None:
    html = client.get(f"/studies/{candidate_id}").text
    assert f'<mark id="span-1" title="study">{SPAN_TEXT}</mark>' in html
    assert '<mark id="span-2"' in html
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html


def test_highlight_merges_clamps_and_escapes() -> None:
    spans = [Highlight(4, 9, "a"), Highlight(7, 12, "b"), Highlight(50, 99, "c"), Highlight(3, 3, "d")]
    assert [(h.start, h.end, h.label) for h in merge_spans(spans, 20)] == [(4, 12, "a, b")]
    out = str(highlight("<b>&amp; text</b>", [Highlight(0, 3, 'x"y')]))
    assert out == '<mark id="span-1" title="x&#34;y">&lt;b&gt;</mark>&amp;amp; text&lt;/b&gt;'


def test_sign_in_sets_a_strict_httponly_cookie(client: TestClient, token: str) -> None:
    form = client.get("/signin").text
    r = client.post("/signin", data={"token": token, "csrf": "forged", "next": "/"}, follow_redirects=False)
    assert r.status_code == 403
    r = client.post("/signin", data={"token": "wrong", "csrf": _csrf(form), "next": "/"}, follow_redirects=False)
    assert r.status_code == 401 and "unknown or revoked" in r.text
    r = client.post("/signin", data={"token": token, "csrf": _csrf(form), "next": "//evil.example/"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "jakatlas_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "alice" in client.get("/").text


def test_curation_form_needs_session_and_csrf(client: TestClient, token: str, candidate_id: str) -> None:
    url = f"/studies/{candidate_id}/curate"
    assert client.post(url, data={"action": "accept", "csrf": "x"}).status_code == 403
    form = client.get("/signin").text
    client.post("/signin", data={"token": token, "csrf": _csrf(form), "next": "/"})
    page = client.get(f"/studies/{candidate_id}").text
    assert "Accept into the atlas" in page
    assert client.post(url, data={"action": "accept", "csrf": "forged"}).status_code == 403
    r = client.post(url, data={"action": "accept", "csrf": _csrf(page), "version": "1"}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "Study accepted" in page and "action-accept" in page
    r = client.post(url, data={"action": "edit", "csrf": _csrf(page), "version": "2", "n": "3", "evidence_level": "4",
                               "design": "case_series", "phase": "", "result": "Healed in 3 patients."})
    assert r.status_code == 200
    assert client.get(f"/api/v1/studies/{candidate_id}").json()["n"] == 3


def test_whats_new_lists_candidates(client: TestClient, candidate_id: str) -> None:
    html = client.get("/new").text
    assert f"/studies/{candidate_id}" in html and "1 candidate awaits review" in html


def test_home_map_table_says_not_reported_and_keeps_class_evidence_apart(client: TestClient) -> None:
    html = client.get("/").text
    table = html.split('class="map-table"', 1)[1].split("</details>", 1)[0]
    assert "not reported" in table
    assert not re.search(r'<td class="num">0</td>', table)  # 0 patients is never shown for "not reported"
    assert "/drugs/jak%20inhibitor" not in table and "Class-level (no drug named)" in table
    data = client.get("/api/v1/evidence-map").json()
    assert "jak inhibitor" not in data["drugs"]
    assert {c["drug"] for c in data["class_cells"]} == {"jak inhibitor"}


def test_search_page_shows_ranked_results_with_marked_matches(client: TestClient) -> None:
    html = client.get("/search", params={"q": "tofacitinib morphea"}).text
    assert "results across the atlas" in html
    assert '<mark>morphea</mark>' in html.lower() or "<mark>Morphea</mark>" in html
    assert 'href="/studies/' in html
    assert "Include unreviewed candidates" in html


def test_reference_lists_link_to_ris_and_bibtex(client: TestClient) -> None:
    for page, base in (("/diseases/lichen_planus", "/api/v1/diseases/lichen_planus/references?"),
                       ("/drugs/tofacitinib", "/api/v1/drugs/tofacitinib/references?"),
                       ("/search?q=tofacitinib+morphea", "/api/v1/search/references?q=tofacitinib%20morphea&amp;")):
        html = client.get(page).text
        for fmt in ("ris", "bibtex"):
            href = f"{base}format={fmt}"
            assert href in html, (page, fmt)
            assert client.get(href.replace("&amp;", "&")).status_code == 200


def test_unknown_values_read_not_reported_never_a_number(client: TestClient) -> None:
    hs = client.get("/diseases/hidradenitis_suppurativa").text
    assert "not reported (study wk 16)" in hs          # time point taken from the study length is said so
    assert not re.search(r"wk \d+\*", hs)
    assert not re.search(r'<td class="num">0</td>', hs)
    drugs = client.get("/drugs").text
    assert "–</td>" not in drugs.split("<tbody>", 1)[1].split("</tbody>", 1)[0] or "not reported" in drugs
