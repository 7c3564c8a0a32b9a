"""E-utilities and CT.gov clients against recorded-format responses (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections import deque
from datetime import date
from pathlib import Path

import httpx
import pytest
from fakeapi import CtgovRecord, FakeApis, Fault, PubmedRecord, corpus_articles, pubmed_article

from jakatlas.errors import NetworkError
from jakatlas.ingest.ctgov_api import CtgovClient
from jakatlas.ingest.eutils import EutilsClient, parse_efetch
from jakatlas.ingest.http import RateLimiter, RetryPolicy

FAST = RetryPolicy(attempts=4, base=0.01, cap=0.02, timeout=5)


def _limiter() -> RateLimiter:
    return RateLimiter(1000.0)


def _eutils(fake: FakeApis, **kw) -> EutilsClient:
    ident = {"tool": "jakatlas-test", "email": "curator@example.org", "api_key": "SECRETKEY123"}
    return EutilsClient("https://eutils.test/entrez/eutils", identity=ident, limiter=_limiter(), retry=FAST,
                        transport=fake.transport(), sleep=lambda s: None, seed=1, **kw)


def _ctgov(fake: FakeApis, **kw) -> CtgovClient:
    return CtgovClient("https://ctgov.test", limiter=_limiter(), retry=FAST, transport=fake.transport(),
                       sleep=lambda s: None, seed=1, **kw)


def _many(fake: FakeApis, n: int, day: date, start: int = 90_000_000) -> None:
    for i in range(n):
        pmid = str(start + i)
        fake.add_pubmed(PubmedRecord(pmid, day, day, pubmed_article(
            pmid, f"Tofacitinib in vitiligo report {i}", "Tofacitinib was given.")))


def test_esearch_splits_windows_below_10000(fake: FakeApis, monkeypatch: pytest.MonkeyPatch) -> None:
    import jakatlas.ingest.eutils as eu

    monkeypatch.setattr(eu, "WINDOW_LIMIT", 10)  # same algorithm, small numbers
    _many(fake, 8, date(2026, 1, 5))
    _many(fake, 8, date(2026, 1, 20), start=90_001_000)
    _many(fake, 3, date(2026, 2, 10), start=90_002_000)
    with _eutils(fake) as client:
        wins = list(client.windows('("tofacitinib"[tiab]) AND ("vitiligo"[tiab])', date(2026, 1, 1), date(2026, 3, 1)))
    assert [w.count for w in wins] == [8, 8, 3]
    assert all(w.count < 10 for w in wins)
    assert wins[0].mindate == date(2026, 1, 1) and wins[-1].maxdate == date(2026, 3, 1)
    for a, b in zip(wins, wins[1:], strict=False):  # contiguous, in date order, no overlap
        assert a.maxdate < b.mindate
    searches = [p for m, path, p in fake.log if path.endswith("esearch.fcgi")]
    assert all(p["usehistory"] == "y" and p["datetype"] == "edat" and p["retmode"] == "json" for p in searches)
    assert searches[0]["mindate"] == "2026/01/01" and searches[0]["maxdate"] == "2026/03/01"
    assert all(m == "POST" for m, path, _ in fake.log)


def test_efetch_batches_by_post_from_history(fake: FakeApis, shared: Path) -> None:
    real = corpus_articles(shared)
    for pmid, xml in real:
        fake.add_pubmed(PubmedRecord(pmid, date(2026, 3, 1), date(2026, 3, 1), xml))
    term = '("treatment"[tiab] OR "studies"[tiab] OR "cryopreservation"[tiab] OR "mri"[tiab]) AND ("x"[tiab])'
    with _eutils(fake, batch_size=3) as client:
        (win,) = list(client.windows(term, date(2026, 1, 1), date(2026, 12, 31)))
        batches = list(client.fetch_window(win))
    assert win.count == 4 and [pos for pos, _ in batches] == [3, 4]
    docs = [d for _, b in batches for d in b.documents]
    assert sorted(d.source_id for d in docs) == sorted(f"PMID:{p}" for p, _ in real)
    by_id = {d.source_id: d for d in docs}
    assert by_id["PMID:11748933"].structured["doi"] == "10.1006/cryo.2001.2328"
    fetches = [(m, p) for m, path, p in fake.log if path.endswith("efetch.fcgi")]
    assert [p["retstart"] for _, p in fetches] == ["0", "3"] and {p["retmax"] for _, p in fetches} == {"3"}
    assert all(m == "POST" and p["WebEnv"] == win.webenv and p["query_key"] == "1" for m, p in fetches)
    assert all(p["tool"] == "jakatlas-test" and p["api_key"] == "SECRETKEY123" for _, p in fetches)


def test_deleted_citation_is_reported(fake: FakeApis) -> None:
    fake.add_pubmed(PubmedRecord("90000001", date(2026, 1, 2), date(2026, 1, 2),
                                 pubmed_article("90000001", "Baricitinib in alopecia areata", "Baricitinib.")))
    fake.add_pubmed(PubmedRecord("90000002", date(2026, 1, 2), date(2026, 1, 2), b"", deleted=True))
    with _eutils(fake) as client:
        (win,) = list(client.windows('("baricitinib"[tiab])', date(2026, 1, 1), date(2026, 1, 3)))
        (_, batch), = list(client.fetch_window(win))
    assert [d.source_id for d in batch.documents] == ["PMID:90000001"]
    assert batch.deleted == ["90000002"]


def test_429_then_success_honours_retry_after(fake: FakeApis) -> None:
    fake.faults = deque([Fault("esearch.fcgi", "429")])
    waits: list[float] = []
    client = EutilsClient("https://eutils.test", identity={"tool": "t"}, limiter=_limiter(), retry=FAST,
                          transport=fake.transport(), sleep=waits.append, seed=3)
    win = client.esearch('("x"[tiab])', date(2026, 1, 1), date(2026, 1, 2))
    assert win.count == 0 and client.retries == 1 and len(waits) == 1
    assert len([1 for _, path, _ in fake.log if path.endswith("esearch.fcgi")]) == 2


@pytest.mark.parametrize("path", ["esearch.fcgi", "efetch.fcgi"])
def test_error_message_inside_200_is_retried(fake: FakeApis, path: str) -> None:
    fake.add_pubmed(PubmedRecord("90000003", date(2026, 1, 2), date(2026, 1, 2),
                                 pubmed_article("90000003", "Ruxolitinib cream in vitiligo", "Ruxolitinib.")))
    fake.faults = deque([Fault(path, "error200")])
    with _eutils(fake) as client:
        (win,) = list(client.windows('("ruxolitinib"[tiab])', date(2026, 1, 1), date(2026, 1, 3)))
        (_, batch), = list(client.fetch_window(win))
        assert client.retries == 1
    assert [d.source_id for d in batch.documents] == ["PMID:90000003"]


def test_persistent_error_in_200_fails_with_one_line_message(fake: FakeApis) -> None:
    fake.faults = deque([Fault("esearch.fcgi", "error200")] * 4)
    with _eutils(fake) as client, pytest.raises(NetworkError) as err:
        client.esearch('("x"[tiab])', date(2026, 1, 1), date(2026, 1, 2))
    assert str(err.value) == (
        "PubMed E-utilities (https://eutils.test/entrez/eutils/esearch.fcgi) failed after 4 tries: error in the "
        "response: Search Backend failed: Database is not supported: pubmed. The service may be down or "
        "rate-limiting; try again later.")


def test_timeout_then_success(fake: FakeApis) -> None:
    fake.faults = deque([Fault("/api/v2/version", "timeout"), Fault("/api/v2/version", "500")])
    with _ctgov(fake) as client:
        assert client.data_timestamp() == "2026-12-01T09:00:05"
        assert client.retries == 2


def test_network_absent_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    client = EutilsClient("https://eutils.test/entrez/eutils", identity={"tool": "t", "api_key": "SECRETKEY123"},
                          limiter=_limiter(), retry=FAST, transport=httpx.MockTransport(refuse))
    with pytest.raises(NetworkError) as err:
        client.esearch('("x"[tiab])', date(2026, 1, 1), date(2026, 1, 2))
    msg = str(err.value)
    assert msg == ("Cannot reach PubMed E-utilities (https://eutils.test/entrez/eutils/esearch.fcgi): [Errno -3] "
                   "Temporary failure in name resolution. Check the network connection or set JAKATLAS_EUTILS_URL "
                   "to a reachable mirror, then run the command again.")
    assert "\n" not in msg and "SECRETKEY123" not in msg


def test_api_key_is_never_logged(fake: FakeApis, caplog: pytest.LogCaptureFixture) -> None:
    fake.faults = deque([Fault("esearch.fcgi", "429"), Fault("esearch.fcgi", "500")])
    caplog.set_level("DEBUG")
    with _eutils(fake) as client:
        client.esearch('("x"[tiab])', date(2026, 1, 1), date(2026, 1, 2))
    assert caplog.records and all("SECRETKEY123" not in r.getMessage() and "curator@example.org" not in r.getMessage()
                                  for r in caplog.records)


def test_rate_limiter_spaces_requests() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    lim = RateLimiter(3.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        lim.acquire()
    assert now[0] == pytest.approx(1.0)  # 4 requests at 3/s: the last one at t = 1 s
    client = EutilsClient("https://x", identity={"tool": "t", "api_key": "k"}, transport=httpx.MockTransport(
        lambda r: httpx.Response(200)))
    assert client.limiter.rate == 10.0
    assert EutilsClient("https://x", identity={"tool": "t"}).limiter.rate == 3.0


def _study(nct: str, title: str, drug: str) -> dict:
    return {"protocolSection": {"identificationModule": {"nctId": nct, "briefTitle": title},
                                "statusModule": {"overallStatus": "RECRUITING",
                                                 "lastUpdatePostDateStruct": {"date": "2026-05-01", "type": "ACTUAL"}},
                                "conditionsModule": {"conditions": ["Vitiligo"]},
                                "armsInterventionsModule": {"interventions": [{"type": "DRUG", "name": drug}]}}}


def test_ctgov_page_token_chain_ends_with_empty_page(fake: FakeApis) -> None:
    for i in range(5):
        nct = f"NCT0900{i:04d}"
        fake.add_ctgov(CtgovRecord(nct, date(2026, 5, 1), _study(nct, f"Upadacitinib in vitiligo {i}", "Upadacitinib")))
    fake.add_ctgov(CtgovRecord("NCT09009999", date(2020, 1, 1), _study("NCT09009999", "Old", "Upadacitinib")))
    with _ctgov(fake, page_size=2) as client:
        pages = list(client.pages(intr='"upadacitinib"', cond='"vitiligo"', since=date(2026, 1, 1)))
    assert [len(p.studies) for _, p in pages] == [2, 2, 1, 0]
    assert [t for t, _ in pages] == [None, "tok2", "tok4", "tok6"]
    assert pages[0][1].total == 5 and pages[-1][1].next_token is None
    params = [p for _, path, p in fake.log if path.endswith("/api/v2/studies")]
    assert params[0]["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-01-01,MAX]"
    assert params[0]["query.intr"] == '"upadacitinib"' and params[0]["query.cond"] == '"vitiligo"'
    assert params[0]["pageSize"] == "2" and "pageToken" not in params[0] and params[1]["pageToken"] == "tok2"


def test_ctgov_error_in_200_then_success(fake: FakeApis) -> None:
    fake.faults = deque([Fault("/api/v2/studies", "error200")])
    with _ctgov(fake) as client:
        page = client.page(intr='"x"', cond=None, since=date(2026, 1, 1))
        assert page.studies == [] and client.retries == 1


def test_ctgov_client_error_is_not_retried(living_fixtures: Path) -> None:
    calls = []

    def bad(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(400, text="Invalid filter.advanced expression")

    client = CtgovClient("https://ctgov.test", limiter=_limiter(), retry=FAST, transport=httpx.MockTransport(bad))
    with pytest.raises(NetworkError, match=r"refused the request: HTTP 400 \(Invalid filter.advanced expression\)"):
        client.page(intr='"x"', cond=None, since=date(2026, 1, 1))
    assert len(calls) == 1
    assert json.loads((living_fixtures / "ctgov_version.json").read_text())["dataTimestamp"]


def test_parse_efetch_refuses_entities() -> None:
    from jakatlas.errors import InputError

    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><PubmedArticleSet></PubmedArticleSet>'
    with pytest.raises(InputError, match="declares XML entities"):
        parse_efetch(evil)


def test_parse_efetch_skips_records_already_read(shared: Path) -> None:
    """A record found by both the entry-date and the modification-date search is read once."""
    content = (shared / "corpora" / "pubmed_xml" / "pubmed1.xml").read_bytes()
    every = parse_efetch(content)
    pmids = [d.structured["pmid"] for d in every.documents]
    assert len(pmids) == 2
    again = parse_efetch(content, skip={pmids[0]})
    assert again.skipped == pmids[:1]
    assert again.documents == every.documents[1:]
