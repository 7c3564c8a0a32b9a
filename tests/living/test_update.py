"""jakatlas update through recorded-format responses: storage, idempotence, links, grading."""

from __future__ import annotations

import json
from collections import deque
from dataclasses import asdict
from datetime import date
from pathlib import Path

import pytest
from fakeapi import FIXTURES, CtgovRecord, FakeApis, Fault, PubmedRecord, pubmed_article
from sqlalchemy import select

from jakatlas.data import knowledge_base
from jakatlas.ingest.ctgov_api import CtgovClient
from jakatlas.ingest.eutils import EutilsClient
from jakatlas.ingest.http import RateLimiter, RetryPolicy
from jakatlas.report.dossier import build_dossier
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import curate
from jakatlas.store.db import session_scope
from jakatlas.store.living import get_watermark, whats_new
from jakatlas.store.living_schema import FetchedRecordRow, StudyLinkRow, UpdateRunRow
from jakatlas.store.schema import StudyRow
from jakatlas.store.views import study_links
from jakatlas.updates import run_update

DEVSET = Path(__file__).resolve().parents[1] / "devset" / "docs"
TODAY = date(2026, 12, 4)
FAST = RetryPolicy(attempts=3, base=0.0, cap=0.0, timeout=5)


def _clients(fake: FakeApis) -> dict:
    lim = RateLimiter(10_000.0)
    return {"eutils": EutilsClient("https://eutils.test", identity={"tool": "t"}, limiter=lim, retry=FAST,
                                   transport=fake.transport(), batch_size=2),
            "ctgov": CtgovClient("https://ctgov.test", limiter=lim, retry=FAST, transport=fake.transport(),
                                 page_size=2)}


def _doc(name: str) -> tuple[str, str]:
    title, _, body = (DEVSET / name).read_text().partition("\n")
    return title.strip(), body.strip()


def _povorcitinib_world(fake: FakeApis) -> None:
    title, body = _doc("incb054707-hs-registry-summary.txt")
    fake.add_pubmed(PubmedRecord("90000101", date(2026, 6, 1), date(2026, 6, 1), pubmed_article(
        "90000101", title, body, authors=(("Alavi", "A"), ("Hamzavi", "I")), year=2026,
        doi="10.9999/jakatlas.test.101", registry=("NCT03569371", "NCT03607487"))))
    title, body = _doc("baricitinib-lichen-planus-meeting.txt")
    fake.add_pubmed(PubmedRecord("90000102", date(2026, 6, 3), date(2026, 6, 3), pubmed_article(
        "90000102", title, body, authors=(("Reporter", "A"),), year=2026)))
    title, body = _doc("lichen-planus-jaki-review.txt")  # names several drugs: found by several queries
    fake.add_pubmed(PubmedRecord("90000103", date(2026, 6, 5), date(2026, 6, 5), pubmed_article(
        "90000103", title, body, authors=(("Reviewer", "B"),), year=2026, pub_types=("Review",))))
    study = json.loads((FIXTURES / "ctgov_NCT03607487.json").read_text())
    fake.add_ctgov(CtgovRecord("NCT03607487", date(2026, 6, 2), study))


def _grades(atlas: Atlas, candidates: bool) -> list[dict]:
    syn = build_dossier(atlas, "hidradenitis suppurativa", candidates=candidates).synthesis
    return [{**asdict(g), "reasons": list(g.reasons)} for g in syn.grades if g.drug == "povorcitinib"]


@pytest.fixture
def atlas(sqlite_url: str) -> Atlas:
    a = Atlas(sqlite_url)
    a.build()
    return a


def test_update_stores_candidates_once_and_links_them(atlas: Atlas, fake: FakeApis) -> None:
    _povorcitinib_world(fake)
    before = _grades(atlas, candidates=False)
    assert any(g["outcome"] == "HiSCR, wk 8" and g["certainty"] == "very low" for g in before)
    pm, ct = run_update(atlas, since=date(2026, 1, 1), today=TODAY, **_clients(fake))
    assert pm.complete and ct.complete and ct.data_timestamp == "2026-12-01T09:00:05"
    assert (pm.counts.fetched, pm.counts.new, pm.counts.failed) == (3, 3, [])
    assert (ct.counts.fetched, ct.counts.new, ct.counts.linked) == (1, 1, 1)
    with session_scope(atlas.url) as s:
        links = {r.study_id: (r.target_id, r.basis) for r in s.scalars(select(StudyLinkRow))}
        recs = {r.id: r for r in s.scalars(select(FetchedRecordRow))}
    assert links["ctgov-NCT03607487-s1"] == ("alavi2022-study2", "nct")
    povo = {k: v for k, v in links.items() if k.startswith("pubmed-90000101")}
    assert sorted(povo.values()) == [("alavi2022-study1", "nct"), ("alavi2022-study2", "nct")]
    assert set(recs) == {"pubmed:90000101", "pubmed:90000102", "pubmed:90000103", "ctgov:NCT03607487"}
    assert recs["pubmed:90000101"].doi == "10.9999/jakatlas.test.101"
    # the curated trials arrived again as candidates: grading must not change
    assert _grades(atlas, candidates=True) == before
    # and the test can fail: without the links the duplicates lift the certainty
    with session_scope(atlas.url) as s:
        s.query(StudyLinkRow).delete()
    lifted = _grades(atlas, candidates=True)
    assert any(g["outcome"] == "HiSCR, wk 8" and g["certainty"] == "low" and "pubmed-90000101-s2" in g["study_ids"]
               for g in lifted)


def test_candidates_carry_pmid_and_doi(atlas: Atlas, fake: FakeApis) -> None:
    _povorcitinib_world(fake)
    run_update(atlas, ["pubmed"], since=date(2026, 1, 1), today=TODAY, **_clients(fake))
    rec = atlas.study("pubmed-90000102-s1")
    assert rec.status == "candidate" and rec.data["citation"] == "Reporter A. Journal of Dermatology Reports 2026. PMID 90000102"
    rec = atlas.study("pubmed-90000101-s1")
    assert rec.data["citation"].endswith("PMID 90000101. DOI 10.9999/jakatlas.test.101")
    links = dict(study_links(rec.data, knowledge_base()))
    assert links["PMID 90000101"] == "https://pubmed.ncbi.nlm.nih.gov/90000101/"
    assert links["DOI 10.9999/jakatlas.test.101"] == "https://doi.org/10.9999/jakatlas.test.101"


def test_repeated_run_changes_nothing_and_uses_the_watermark(atlas: Atlas, fake: FakeApis) -> None:
    _povorcitinib_world(fake)
    run_update(atlas, since=date(2026, 1, 1), today=TODAY, **_clients(fake))
    assert get_watermark(atlas.url, "pubmed") == TODAY and get_watermark(atlas.url, "ctgov") == TODAY
    snapshot = _dump(atlas)
    fake.log.clear()
    later = date(2026, 12, 10)
    pm, ct = run_update(atlas, today=later, **_clients(fake))
    searches = [p for _, path, p in fake.log if path.endswith("esearch.fcgi")]
    assert {(p["mindate"], p["maxdate"]) for p in searches} == {("2026/12/03", "2026/12/10")}
    assert pm.since == date(2026, 12, 3) and (pm.counts.new, pm.counts.updated) == (0, 0)
    run_update(atlas, since=date(2026, 1, 1), today=later, **_clients(fake))
    assert _dump(atlas) == snapshot


def test_record_updated_between_runs_is_an_update(atlas: Atlas, fake: FakeApis) -> None:
    _povorcitinib_world(fake)
    run_update(atlas, ["pubmed"], since=date(2026, 1, 1), today=TODAY, **_clients(fake))
    old = atlas.study("pubmed-90000102-s1")
    title, body = _doc("baricitinib-lichen-planus-meeting.txt")
    fake.add_pubmed(PubmedRecord("90000102", date(2026, 6, 3), date(2026, 12, 5), pubmed_article(
        "90000102", title + " (corrected)", body, authors=(("Reporter", "A"),), year=2026,
        doi="10.9999/jakatlas.test.102")))
    (pm,) = run_update(atlas, ["pubmed"], today=date(2026, 12, 6), **_clients(fake))
    assert (pm.counts.new, pm.counts.updated) == (0, 1)
    with session_scope(atlas.url) as s:
        row = s.get(FetchedRecordRow, "pubmed:90000102")
        assert (row.version, row.change, row.doi) == (2, "updated", "10.9999/jakatlas.test.102")
        ids = list(s.scalars(select(StudyRow.id).where(StudyRow.id.like("pubmed-90000102-%"))))
    assert ids == row.studies and "DOI 10.9999/jakatlas.test.102" in atlas.study("pubmed-90000102-s1").data["citation"]
    assert "DOI" not in old.data["citation"]


def test_deleted_citation_is_marked_not_dropped(atlas: Atlas, fake: FakeApis) -> None:
    _povorcitinib_world(fake)
    run_update(atlas, ["pubmed"], since=date(2026, 1, 1), today=TODAY, **_clients(fake))
    fake.pubmed["90000102"].deleted = True
    fake.pubmed["90000102"].mdat = date(2026, 12, 5)
    (pm,) = run_update(atlas, ["pubmed"], today=date(2026, 12, 6), **_clients(fake))
    assert pm.counts.withdrawn == 1
    with session_scope(atlas.url) as s:
        row = s.get(FetchedRecordRow, "pubmed:90000102")
        assert (row.status, row.change) == ("deleted", "deleted") and row.document_id
    assert atlas.study("pubmed-90000102-s1").status == "withdrawn"
    assert "pubmed-90000102-s1" not in {r.id for r in atlas.studies(status=("curated", "candidate"))}
    entry = next(e for e in whats_new(atlas.url) if e.record == "pubmed:90000102")
    assert entry.change == "deleted"


def test_retracted_publication_is_marked(atlas: Atlas, fake: FakeApis) -> None:
    title, body = _doc("atopic-dermatitis-rescue-tofacitinib-case.txt")
    fake.add_pubmed(PubmedRecord("90000201", date(2026, 6, 1), date(2026, 6, 1), pubmed_article(
        "90000201", title, body, pub_types=("Case Reports", "Retracted Publication"))))
    (pm,) = run_update(atlas, ["pubmed"], since=date(2026, 1, 1), today=TODAY, **_clients(fake))
    assert pm.counts.withdrawn == 1 and pm.counts.new == 0
    with session_scope(atlas.url) as s:
        assert s.get(FetchedRecordRow, "pubmed:90000201").status == "retracted"
    assert all(atlas.study(i).status == "withdrawn" for i in ["pubmed-90000201-s1"])


def test_failed_query_keeps_the_watermark(atlas: Atlas, fake: FakeApis) -> None:
    _povorcitinib_world(fake)
    fake.faults = deque([Fault("/api/v2/studies", "500")] * 3)
    (ct,) = run_update(atlas, ["ctgov"], since=date(2026, 1, 1), today=TODAY, **_clients(fake))
    assert not ct.complete and get_watermark(atlas.url, "ctgov") is None
    assert ct.counts.failed[0].startswith("CT.gov query for abrocitinib: ClinicalTrials.gov API "
                                          "(https://ctgov.test/api/v2/studies) failed after 3 tries: HTTP 502.")
    with session_scope(atlas.url) as s:
        run = s.scalars(select(UpdateRunRow)).one()
        assert run.status == "failed" and run.summary["counts"]["failed"]


def _dump(atlas: Atlas) -> dict:
    """The database contents that a run decides (no timestamps or run bookkeeping)."""
    with session_scope(atlas.url) as s:
        return {
            "records": sorted((r.id, r.content_hash, r.status, r.version, r.change, tuple(r.studies), r.document_id)
                              for r in s.scalars(select(FetchedRecordRow))),
            "studies": sorted((r.id, r.status, r.title, json.dumps(r.data, sort_keys=True))
                              for r in s.scalars(select(StudyRow))),
            "links": sorted((r.study_id, r.target_id, r.basis) for r in s.scalars(select(StudyLinkRow))),
        }


def test_a_curator_decision_between_runs_is_seen_by_the_next_links(atlas: Atlas, fake: FakeApis) -> None:
    """The key index kept between batches is rebuilt when someone else wrote in between: a
    rejected candidate no longer counts, so the same trial arriving again is not linked to it."""
    title = "Upadacitinib for refractory lichen planus: a case report"
    body = ("A 52-year-old woman with lichen planus refractory to topical corticosteroids was treated with "
            "upadacitinib 15 mg once daily. After 16 weeks the plaques had flattened. No adverse events were "
            "reported.")
    fake.add_pubmed(PubmedRecord("90000201", date(2026, 6, 3), date(2026, 6, 3), pubmed_article(
        "90000201", title, body, authors=(("Reporter", "A"),), year=2026, registry=("NCT05000001",))))
    run_update(atlas, ["pubmed"], since=date(2026, 6, 1), today=TODAY, **_clients(fake))
    (first,) = [r.id for r in atlas.studies(status=("candidate",)) if r.id.startswith("pubmed-90000201-")]
    assert "NCT05000001" in atlas.study(first).data["registry_ids"]
    curate(atlas, first, "reject", actor="alice", note="duplicate report")
    study = json.loads((FIXTURES / "ctgov_NCT03607487.json").read_text().replace("NCT03607487", "NCT05000001"))
    fake.add_ctgov(CtgovRecord("NCT05000001", date(2026, 12, 5), study))
    (ct,) = run_update(atlas, ["ctgov"], since=date(2026, 12, 1), today=date(2026, 12, 6), **_clients(fake))
    assert (ct.counts.new, ct.counts.linked) == (1, 0)
    with session_scope(atlas.url) as s:
        assert not s.scalars(select(StudyLinkRow).where(StudyLinkRow.study_id.like("ctgov-NCT05000001-%"))).all()
