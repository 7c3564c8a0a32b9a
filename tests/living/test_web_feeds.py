"""The what's-new page and the Atom feeds, fed by a real update through recorded-format responses."""

from __future__ import annotations

from datetime import date

import pytest
from fakeapi import FakeApis
from fastapi.testclient import TestClient
from lxml import etree
from test_update import TODAY, _clients, _povorcitinib_world

from jakatlas.store.atlas import Atlas
from jakatlas.updates import run_update

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def updated(sqlite_url: str, fake: FakeApis) -> str:
    atlas = Atlas(sqlite_url)
    atlas.build()
    _povorcitinib_world(fake)
    run_update(atlas, since=date(2026, 1, 1), today=TODAY, **_clients(fake))
    return sqlite_url


@pytest.fixture
def client(updated: str):
    from jakatlas.web import create_app

    with TestClient(create_app(updated)) as c:
        yield c


def test_new_page_lists_fetched_records_and_links(client: TestClient) -> None:
    page = client.get("/new")
    assert page.status_code == 200
    html = page.text
    assert "From PubMed and ClinicalTrials.gov" in html
    assert "PMID 90000101" in html and 'href="https://clinicaltrials.gov/study/NCT03607487"' in html
    assert "same study as" in html and 'href="/studies/alavi2022-study2"' in html
    assert "searched to 2026-12-04" in html and "data of 2026-12-01T09:00:05" in html
    assert 'href="/feeds/disease/hidradenitis_suppurativa.atom"' in html
    assert 'href="/feeds/drug/povorcitinib.atom"' in html


def test_disease_feed_is_atom(client: TestClient) -> None:
    resp = client.get("/feeds/disease/hidradenitis_suppurativa.atom")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(resp.content)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "jakatlas: new evidence on hidradenitis suppurativa"
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert len(entries) == 2 and all(t.startswith("new: ") for t in titles)
    summaries = " ".join(e.findtext(f"{ATOM}summary") for e in entries)
    assert "same study as alavi2022-study2 (by nct), not counted again" in summaries
    hrefs = {link.get("href") for e in entries for link in e.findall(f"{ATOM}link")}
    assert {"https://pubmed.ncbi.nlm.nih.gov/90000101/", "https://clinicaltrials.gov/study/NCT03607487"} <= hrefs
    assert any(h.endswith("/studies/ctgov-NCT03607487-s1") for h in hrefs)
    assert all(e.findtext(f"{ATOM}id") and e.findtext(f"{ATOM}updated") for e in entries)


def test_drug_feed_and_unknown_names(client: TestClient) -> None:
    resp = client.get("/feeds/drug/baricitinib.atom")
    root = etree.fromstring(resp.content)
    assert [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert client.get("/feeds/drug/INCB054707.atom").status_code == 200  # development codes resolve
    missing = client.get("/feeds/disease/lichen_plans.atom")
    assert missing.status_code == 404 and "lichen planus" in missing.text
