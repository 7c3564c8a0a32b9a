"""Machine-inferred directions on extracted outcomes of a full text: attached, stored, shown in the
evidence line (dossier and pages) and returned by the API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient

from jakatlas.infer.attach import attach_inferences
from jakatlas.models.evidence import Comparator, ExtractionResult, Intervention, Outcome, SourceInfo, Study
from jakatlas.store.atlas import Atlas
from jakatlas.store.views import _result_text


def _result(text: str) -> ExtractionResult:
    study = Study(id="s1", interventions=[Intervention(name="hydrotherapy")],
                  comparators=[Comparator(name="land exercise")],
                  outcomes=[Outcome(measure="patients that feel much better")])
    import hashlib

    return ExtractionResult(source=SourceInfo(id="PMC1821024.txt", kind="text",
                                              sha256=hashlib.sha256(text.encode()).hexdigest()),
                            studies=[study])


def test_attach_on_a_full_text(hydrotherapy: str) -> None:
    res = attach_inferences(_result(hydrotherapy), hydrotherapy)
    inf = res.studies[0].outcomes[0].inferred
    assert inf is not None
    assert (inf.label, inf.intervention, inf.comparator, inf.method) == (
        "significantly increased", "hydrotherapy", "land exercise", "machine-inferred")
    assert 0.5 < inf.probability <= 1
    assert hydrotherapy[inf.evidence_span.start : inf.evidence_span.end] == inf.evidence
    assert "much better" in inf.evidence


def test_short_texts_and_uncontrolled_studies_are_left_alone(hydrotherapy: str) -> None:
    short = hydrotherapy[:4000]
    assert attach_inferences(_result(short), short).studies[0].outcomes[0].inferred is None
    res = _result(hydrotherapy)
    res.studies[0].comparators = []
    assert attach_inferences(res, hydrotherapy) is res


def test_stored_shown_and_served(hydrotherapy: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'atlas.db'}"
    atlas = Atlas(url)
    atlas.build()
    sid = atlas.add_candidates(attach_inferences(_result(hydrotherapy), hydrotherapy), hydrotherapy).added[0]
    data = atlas.study(sid).data
    line = _result_text(data)
    assert line.startswith("patients that feel much better:  [machine-inferred: significantly increased vs land "
                           "exercise, probability 0.")
    assert 'evidence: "Significantly more patients treated with hydrotherapy' in line
    from jakatlas.web import create_app

    with TestClient(create_app(url)) as client:
        body = client.get(f"/api/v1/studies/{quote(sid, safe='')}").json()
    outcome = body["outcomes"][0] if "outcomes" in body else body["data"]["outcomes"][0]
    assert outcome["inferred"]["label"] == "significantly increased"
    assert outcome["inferred"]["method"] == "machine-inferred"
