"""FHIR R5: Evidence bundle and read, Citation read, validated by fhir.resources."""

from __future__ import annotations

from fastapi.testclient import TestClient
from fhir.resources.bundle import Bundle
from fhir.resources.citation import Citation
from fhir.resources.evidence import Evidence

FHIR = "application/fhir+json"


def test_evidence_bundle_is_valid_r5(client: TestClient) -> None:
    r = client.get("/fhir/Evidence", params={"disease": "HS", "_count": 3})
    assert r.status_code == 200 and r.headers["content-type"].startswith(FHIR)
    bundle = Bundle.model_validate_json(r.content)
    assert bundle.type == "searchset" and bundle.total >= 3 and len(bundle.entry) == 3
    assert any(link.relation == "next" for link in bundle.link)
    ev = bundle.entry[0].resource
    assert ev.get_resource_type() == "Evidence" and ev.status == "active"
    roles = {v.variableRole.coding[0].code for v in ev.variableDefinition}
    assert {"population", "exposure"} <= roles


def test_evidence_and_citation_read(client: TestClient) -> None:
    r = client.get("/fhir/Evidence/alavi2022-study2")
    assert r.status_code == 200 and r.headers["content-type"].startswith(FHIR)
    ev = Evidence.model_validate_json(r.content)
    assert ev.certainty[0].rating.coding[0].code == "2"
    assert ev.statistic and any(s.sampleSize for s in ev.statistic)
    assert ev.citeAsReference.reference == "Citation/alavi2022-study2"
    c = Citation.model_validate_json(client.get("/fhir/Citation/alavi2022-study2").content)
    assert c.citedArtifact.title[0].text
    src = Citation.model_validate_json(client.get("/fhir/Citation/S1").content)
    assert src.id == "S1"


def test_candidates_are_draft_and_unknown_ids_give_operation_outcome(client: TestClient, candidate_id: str) -> None:
    ev = Evidence.model_validate_json(client.get(f"/fhir/Evidence/{candidate_id}").content)
    assert ev.status == "draft"
    r = client.get("/fhir/Evidence/does-not-exist")
    assert r.status_code == 404 and r.headers["content-type"].startswith(FHIR)
    assert r.json()["resourceType"] == "OperationOutcome"
