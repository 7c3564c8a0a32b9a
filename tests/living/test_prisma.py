"""PRISMA 2020 flow of the living updates: every record and candidate lands in exactly one box."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fakeapi import FakeApis
from sqlalchemy import func, select
from test_update import TODAY, _clients, _povorcitinib_world

from _cli import run
from jakatlas.report.prisma import prisma_counts
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import curate
from jakatlas.store.db import session_scope
from jakatlas.store.living_schema import FetchedRecordRow, StudyLinkRow
from jakatlas.updates import run_update


def test_flow_accounts_for_every_record_and_candidate(sqlite_url: str, fake: FakeApis, tmp_path: Path,
                                                       capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    atlas = Atlas(sqlite_url)
    atlas.build()
    _povorcitinib_world(fake)
    run_update(atlas, since=date(2026, 1, 1), today=TODAY, **_clients(fake))
    pending = [r.id for r in atlas.studies(status=("candidate",))]
    assert len(pending) >= 2
    curate(atlas, pending[0], "accept", actor="alice")
    curate(atlas, pending[1], "reject", actor="alice", note="not a JAK inhibitor study")
    c = prisma_counts(atlas)
    with session_scope(atlas.url) as s:
        fetched = s.scalar(select(func.count()).select_from(FetchedRecordRow))
        links = s.scalar(select(func.count()).select_from(StudyLinkRow))
    assert sum(c.identified.values()) == fetched and set(c.identified) == {"ctgov", "pubmed"}
    assert c.screened == fetched - sum(c.removed.values())
    assert c.duplicates == links > 0                      # curated trials arriving again are not counted twice
    assert c.included == 1 and c.rejected == {"not a JAK inhibitor study": 1}
    assert c.assessed == c.duplicates + sum(c.rejected.values()) + c.awaiting + c.included
    out = tmp_path / "flow.png"
    monkeypatch.setenv("JAKATLAS_DB", sqlite_url)
    code, text, _ = run(capsys, monkeypatch, "prisma", "--out", str(out))
    assert code == 0 and out.read_bytes().startswith(b"\x89PNG")
    assert text == f"Wrote the PRISMA flow to {out}: {fetched} records identified, 1 study included.\n"


def test_flow_of_an_atlas_without_updates_is_all_zero(sqlite_url: str, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    Atlas(sqlite_url).build()
    c = prisma_counts(Atlas(sqlite_url))
    assert (c.identified, c.screened, c.assessed, c.included) == ({}, 0, 0, 0)
    monkeypatch.setenv("JAKATLAS_DB", sqlite_url)
    code, _, err = run(capsys, monkeypatch, "prisma", "--out", "flow.gif")
    assert code == 2
    assert err == "Error: Cannot write a PRISMA flow to 'flow.gif': unknown extension '.gif'. Use .png, .svg or .json.\n"
