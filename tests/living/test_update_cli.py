"""jakatlas update / jakatlas new as a user runs them (exact messages)."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from fakeapi import FakeApis
from test_update import _povorcitinib_world

from _cli import run
from jakatlas.store.atlas import Atlas


@pytest.fixture
def built(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    Atlas(sqlite_url).build()
    monkeypatch.setenv("JAKATLAS_DB", sqlite_url)
    return sqlite_url


def test_dry_run_summarises_what_each_query_searches(built: str, capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "update", "--dry-run", "--since", "2026-01-01", "--source", "pubmed")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"pubmed: 2026-01-01 to {date.today().isoformat()} (watermark none), 15 queries"
    povo = next(x for x in lines if x.startswith("  povorcitinib: "))
    assert re.fullmatch(r"  povorcitinib: povorcitinib, INCB054707 \(\d+ disease terms\)", povo)
    assert lines[-1] == ("Each query searches any of the drug's names together with any of the disease terms; "
                         "add --show-queries to print the queries in full.")
    assert max(len(x) for x in lines) < 200  # readable in a terminal


def test_dry_run_shows_windows_and_queries(built: str, capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "update", "--dry-run", "--show-queries", "--since", "2026-01-01",
                         "--source", "pubmed")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"pubmed: 2026-01-01 to {date.today().isoformat()} (watermark none), 15 queries"
    povo = next(x for x in lines if x.startswith("  povorcitinib: "))
    assert povo.startswith('  povorcitinib: ("povorcitinib"[tiab] OR "INCB054707"[tiab]) AND ("hidradenitis '
                           'suppurativa"[tiab] OR "acne inversa"[tiab]')
    assert '"lichen planopilaris"[tiab]' in povo and '"rheumatoid arthritis"' not in povo
    code, out, _ = run(capsys, monkeypatch, "update", "--dry-run", "--show-queries", "--source", "ctgov")
    assert out.splitlines()[0] == f"ctgov: 2000-01-01 to {date.today().isoformat()} (watermark none), 15 queries"
    # the development code CP-690550 (added to tofacitinib after the audit) is searched too
    assert '  tofacitinib: query.intr="tofacitinib" OR "Xeljanz" OR "CP-690550" OR "tofacitinib citrate"' in out


def test_bad_since_is_one_line(built: str, capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "update", "--since", "last week")
    assert code == 2
    assert err == "Error: --since 'last week' is not a date. Give it as YYYY-MM-DD, e.g. 2026-01-31.\n"


def test_no_network_is_one_line(built: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("JAKATLAS_EUTILS_URL", "http://127.0.0.1:9/entrez/eutils")
    code, out, err = run(capsys, monkeypatch, "update", "--source", "pubmed")
    assert code == 1 and out == ""
    assert err.startswith("Error: Cannot reach PubMed E-utilities (http://127.0.0.1:9/entrez/eutils/esearch.fcgi): ")
    assert err.endswith(" Check the network connection or set JAKATLAS_EUTILS_URL to a reachable mirror, "
                        "then run the command again.\n")
    assert err.count("\n") == 1


def test_update_summary_and_new(built: str, fake: FakeApis, capsys, monkeypatch) -> None:
    _povorcitinib_world(fake)
    server, url = fake.serve()
    try:
        monkeypatch.setenv("JAKATLAS_EUTILS_URL", url + "/entrez/eutils")
        monkeypatch.setenv("JAKATLAS_CTGOV_URL", url)
        monkeypatch.setenv("JAKATLAS_REQUESTS_PER_SECOND", "500")
        code, out, err = run(capsys, monkeypatch, "update", "--since", "2026-01-01")
    finally:
        server.shutdown()
    today = date.today().isoformat()
    assert code == 0, err
    assert out.splitlines() == [
        f"pubmed 2026-01-01 to {today}: fetched 3, new 3, updated 0, withdrawn 0, linked to existing "
        f"{out.split('linked to existing ')[1].split(',')[0]}, failed 0",
        f"ctgov 2026-01-01 to {today}, data of 2026-12-01T09:00:05: fetched 1, new 1, updated 0, withdrawn 0, "
        "linked to existing 1, failed 0",
    ]
    code, out, _ = run(capsys, monkeypatch, "new", "--disease", "HS", "--format", "json")
    entries = json.loads(out)
    assert {e["record"] for e in entries} == {"pubmed:90000101", "ctgov:NCT03607487"}
    ct = next(e for e in entries if e["source"] == "ctgov")
    assert ct["studies"][0]["same_as"] == "alavi2022-study2" and ct["studies"][0]["link_basis"] == "nct"
    code, out, _ = run(capsys, monkeypatch, "new", "--format", "md")
    assert out.startswith("| Changed | Record | Change | Title | Studies |")
    assert "ctgov-NCT03607487-s1 (candidate) = alavi2022-study2 by nct" in out
    code, out, _ = run(capsys, monkeypatch, "new", "--since", "2999-01-01")
    assert out == "Nothing new since 2999-01-01. Run 'jakatlas update' to fetch.\n"
