"""Storage on SQLite and PostgreSQL: idempotent build, queries, candidates, failure modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jakatlas.data import knowledge_base
from jakatlas.errors import NotFoundError, StorageError
from jakatlas.models.evidence import ExtractionResult, SourceInfo, Study
from jakatlas.store.atlas import Atlas
from jakatlas.store.db import get_engine, session_scope
from jakatlas.store.schema import StudyRow


def _snapshot(url: str) -> list[tuple]:
    with session_scope(url) as s:
        return [(r.id, r.status, r.data, r.updated_at) for r in s.scalars(select(StudyRow).order_by(StudyRow.id))]


def test_build_is_idempotent(db_url: str) -> None:
    atlas = Atlas(db_url)
    first = atlas.build()
    kb = knowledge_base()
    assert first.inserted["studies"] == len(kb.studies)
    assert first.inserted["drugs"] == len(kb.drugs)
    before = _snapshot(db_url)
    second = atlas.build()
    assert second.changed == 0
    assert second.unchanged["studies"] == len(kb.studies)
    assert _snapshot(db_url) == before


def test_queries_filter_by_disease_drug_design_and_level(db_url: str) -> None:
    atlas = Atlas(db_url)
    atlas.build()
    hs = atlas.studies(disease="hidradenitis suppurativa")
    assert hs and all("hidradenitis suppurativa" in {d["name"] for d in r.data["diseases"]} for r in hs)
    povo = atlas.studies(drug="povorcitinib")
    assert {"NCT03569371", "NCT03607487"} <= {x for r in povo for x in r.data["registry_ids"]}
    rcts = atlas.studies(design="rct")
    assert rcts and {r.design for r in rcts} == {"rct"}
    best = atlas.studies(level=2)
    assert best and max(r.evidence_level or 9 for r in best) <= 2
    page = atlas.studies(limit=3, offset=2)
    assert [r.id for r in page] == [r.id for r in atlas.studies()][2:5]
    assert atlas.studies(outcome="hiscr")


def test_candidates_are_added_once(db_url: str) -> None:
    atlas = Atlas(db_url)
    atlas.build()
    result = ExtractionResult(
        source=SourceInfo(id="note.txt", kind="text", sha256="a" * 64),
        studies=[Study(id="s1", interventions=[{"name": "baricitinib"}], diseases=[{"name": "lichen planus"}],
                       design="case_report", n=1, evidence_level=4)],
    )
    first = atlas.add_candidates(result, "Baricitinib cleared lichen planus in one patient.")
    second = atlas.add_candidates(result, "Baricitinib cleared lichen planus in one patient.")
    assert len(first.added) == 1 and first.existing == []
    assert second.added == [] and second.existing == first.added
    cands = atlas.studies(status=("candidate",), drug="baricitinib")
    assert [c.id for c in cands] == first.added


def test_unknown_study_suggests(sqlite_url: str) -> None:
    atlas = Atlas(sqlite_url)
    atlas.build()
    some = atlas.studies()[0].id
    with pytest.raises(NotFoundError) as err:
        atlas.study(some + "x")
    assert some in str(err.value)


def test_query_before_build_says_run_build(sqlite_url: str) -> None:
    with pytest.raises(StorageError, match=r"has not been built\. Run 'jakatlas build' first\."):
        Atlas(sqlite_url).studies()


def test_corrupt_database_gives_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not an sqlite database" * 100)
    with pytest.raises(StorageError, match=r"is corrupt .*Move the file away"):
        Atlas(f"sqlite:///{path}").build()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_unwritable_location(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    with pytest.raises(StorageError, match="writable location"):
        Atlas(f"sqlite:///{folder / 'sub' / 'atlas.db'}").build()


def test_unwritable_location_as_root_uses_a_file_in_place_of_the_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match=r"Cannot create the database folder .*writable location"):
        Atlas(f"sqlite:///{blocker / 'atlas.db'}").build()


def test_failed_build_leaves_no_partial_write(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    atlas = Atlas(sqlite_url)
    atlas.migrate()
    calls = {"n": 0}

    def boom(name: str, done: int, total: int) -> None:
        calls["n"] += 1
        if name == "studies":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atlas.build(progress=boom)
    with session_scope(sqlite_url) as s:
        assert s.scalar(select(func.count()).select_from(StudyRow)) == 0
    assert calls["n"] > 0
    get_engine.cache_clear()
