"""Record ETags and If-Match: a write must name the version it changes (428 without, 412 when stale)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import audit_log
from jakatlas.web.concurrency import etag, expected_version

SID = "alavi2022-study1"


def _auth(token: str, tag: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **({"If-Match": tag} if tag is not None else {})}


def test_reads_carry_a_strong_etag_of_the_version(client: TestClient) -> None:
    r = client.get(f"/api/v1/studies/{SID}")
    assert r.headers["etag"] == '"v1"' and r.json()["version"] == 1
    assert client.get(f"/api/v1/studies/{SID}").headers["etag"] == '"v1"'  # also from the response cache


def test_write_without_if_match_is_428_and_writes_nothing(client: TestClient, token: str, atlas_url: str) -> None:
    for method, path, body in (("PATCH", f"/api/v1/studies/{SID}", {"n": 5}),
                               ("POST", f"/api/v1/studies/{SID}/reject", None)):
        r = client.request(method, path, json=body, headers=_auth(token))
        assert r.status_code == 428 and r.headers["content-type"] == "application/problem+json"
        assert r.json()["error"] == f"A change to study {SID!r} must say which version it changes."
        assert r.json()["hint"] == (f"Read the study (GET /api/v1/studies/{SID}) and send its ETag "
                                    "in an If-Match header.")
    assert Atlas(atlas_url).study(SID).version == 1 and audit_log(Atlas(atlas_url), SID) == []


def test_stale_if_match_is_412_and_writes_nothing(client: TestClient, token: str, atlas_url: str) -> None:
    r = client.patch(f"/api/v1/studies/{SID}", json={"n": 5}, headers=_auth(token, '"v1"'))
    assert r.status_code == 200 and r.headers["etag"] == '"v2"' and r.json()["n"] == 5
    r = client.patch(f"/api/v1/studies/{SID}", json={"phase": "2"}, headers=_auth(token, '"v1"'))
    assert r.status_code == 412 and r.json()["title"] == "Precondition Failed"
    assert r.json()["error"] == f"Study {SID!r} is at version 2; If-Match names \"v1\"."
    assert r.json()["hint"] == "Re-read the study, check the change, and retry with its current ETag in If-Match."
    for tag in ('W/"v2"', '"2"', "garbage"):  # weak tags never match a write (RFC 9110 13.1.1)
        assert client.patch(f"/api/v1/studies/{SID}", json={"phase": "2"},
                            headers=_auth(token, tag)).status_code == 412
    r = client.patch(f"/api/v1/studies/{SID}", json={"phase": "2"}, headers=_auth(token, '"v1", "v2"'))
    assert r.status_code == 200 and r.json()["data"]["phase"] == "2"
    assert [e.action for e in audit_log(Atlas(atlas_url), SID)] == ["edit", "edit"]


def test_if_match_star_means_any_version(client: TestClient, token: str) -> None:
    r = client.post(f"/api/v1/studies/{SID}/reject", headers=_auth(token, "*"))
    assert r.status_code == 200 and r.json()["status"] == "rejected"


def test_accept_of_an_accepted_study_is_409(client: TestClient, token: str, candidate_id: str) -> None:
    url = f"/api/v1/studies/{candidate_id}/accept"
    assert client.post(url, headers=_auth(token, '"v1"')).status_code == 200
    r = client.post(url, headers=_auth(token, '"v1"'))
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["error"] == f"Study {candidate_id!r} is already curated (version 2)."


def test_openapi_documents_the_preconditions(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, method, codes in (("/api/v1/studies/{study_id}", "patch", {"412", "428"}),
                                ("/api/v1/studies/{study_id}/accept", "post", {"409", "412", "428"}),
                                ("/api/v1/studies/{study_id}/reject", "post", {"409", "412", "428"})):
        op = spec["paths"][path][method]
        assert codes <= set(op["responses"])
        assert any(p["name"] == "If-Match" and p["in"] == "header" for p in op["parameters"])


def _version(html: str) -> str:
    m = re.search(r'name="version" value="(\d+)"', html)
    assert m, "no version field"
    return m.group(1)


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field"
    return m.group(1)


def test_the_curation_form_carries_the_version(client: TestClient, token: str, candidate_id: str) -> None:
    form = client.get("/signin").text
    client.post("/signin", data={"token": token, "csrf": _csrf(form), "next": "/"})
    page = client.get(f"/studies/{candidate_id}").text
    assert _version(page) == "1"
    url = f"/studies/{candidate_id}/curate"
    stale = {"action": "edit", "csrf": _csrf(page), "version": "1", "n": "4"}
    # another curator changes the study through the API while this form is open
    assert client.patch(f"/api/v1/studies/{candidate_id}", json={"phase": "2"},
                        headers=_auth(token, '"v1"')).status_code == 200
    r = client.post(url, data=stale)
    assert r.status_code == 412
    assert "Nothing was saved: someone changed this study since you opened it (now version 2)." in r.text
    assert client.get(f"/api/v1/studies/{candidate_id}").json()["n"] == 1
    r = client.post(url, data={"action": "accept", "csrf": _csrf(page)})
    assert r.status_code == 428
    page = client.get(f"/studies/{candidate_id}").text
    assert _version(page) == "2"
    assert "Extracted from a source document · version 2 · changed by curators: phase (kept when" in page
    r = client.post(url, data={**stale, "version": "2"}, follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/api/v1/studies/{candidate_id}").json()["n"] == 4


@pytest.mark.parametrize(("header", "current", "expected"), [
    ('"v3"', 3, 3), ('"v1", "v3"', 3, 3), ("*", 9, None), (' "v12" ', 12, 12)])
def test_expected_version_parses_if_match(header: str, current: int, expected: int | None) -> None:
    assert expected_version(header, "x", current) == expected
    assert etag(current) == f'"v{current}"'


def test_fhir_evidence_names_its_version(client: TestClient, token: str) -> None:
    from jakatlas.web.fhir import fhir_id

    r = client.get(f"/fhir/Evidence/{fhir_id(SID)}")
    assert r.headers["etag"] == 'W/"1"' and r.json()["meta"]["versionId"] == "1"
    assert client.patch(f"/api/v1/studies/{SID}", json={"n": 5}, headers=_auth(token, '"v1"')).status_code == 200
    r = client.get(f"/fhir/Evidence/{fhir_id(SID)}")
    assert r.headers["etag"] == 'W/"2"' and r.json()["meta"]["versionId"] == "2"
