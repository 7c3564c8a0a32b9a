"""Study layers (shipped or extracted base, curator overrides, status) and versions, on both backends."""

from __future__ import annotations

from importlib import resources

import pytest
import sqlalchemy as sa

from jakatlas.errors import ConflictError, StaleVersionError
from jakatlas.models.evidence import ExtractionResult, SourceInfo, Study
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import audit_log, curate
from jakatlas.store.db import get_engine


def _candidate(atlas: Atlas) -> str:
    res = ExtractionResult(source=SourceInfo(id="x.txt", kind="text", sha256="e" * 64),
                           studies=[Study(id="s1", interventions=[{"name": "tofacitinib"}],
                                          diseases=[{"name": "morphea"}], n=2)])
    return atlas.add_candidates(res, "text").added[0]


def test_layers_after_build_and_add(db_url: str) -> None:
    atlas = Atlas(db_url)
    atlas.build()
    shipped = atlas.study("alavi2022-study1")
    assert (shipped.origin, shipped.status, shipped.version, shipped.overrides) == ("shipped", "curated", 1, {})
    assert shipped.curated() is not None
    sid = _candidate(atlas)
    cand = atlas.study(sid)
    assert (cand.origin, cand.status, cand.version) == ("extracted", "candidate", 1)
    assert cand.data["id"] == sid and cand.curated() is None  # the atlas id, not the document's 's1'
    assert cand.title == "tofacitinib in morphea (x.txt)"
    assert atlas.build().changed == 0


def test_every_write_is_conditional_on_the_version(db_url: str) -> None:
    atlas = Atlas(db_url)
    atlas.build()
    sid = _candidate(atlas)
    assert curate(atlas, sid, "edit", actor="a", changes={"n": 3}, expected_version=1).version == 2
    with pytest.raises(StaleVersionError, match=r"it is at version 2, not 1\."):
        curate(atlas, sid, "edit", actor="b", changes={"n": 4}, expected_version=1)
    assert curate(atlas, sid, "accept", actor="a", expected_version=2).status == "curated"
    with pytest.raises(ConflictError, match=r"is already curated \(version 3\)"):
        curate(atlas, sid, "accept", actor="b", expected_version=2)
    with pytest.raises(ConflictError, match=r"is already curated \(version 3\)"):
        curate(atlas, sid, "accept", actor="b")
    log = audit_log(atlas, sid)
    assert [(e.action, e.before["version"] if e.before else None, e.after["version"] if e.after else None)
            for e in log] == [("accept", 2, 3), ("edit", 1, 2), ("add", None, 1)]
    assert cand_title(atlas, sid) == "tofacitinib in morphea (x.txt)"
    curate(atlas, sid, "edit", actor="a", changes={"interventions": [{"name": "baricitinib"}]})
    assert cand_title(atlas, sid) == "baricitinib in morphea (x.txt)"
    assert [s.id for s in atlas.studies(drug="baricitinib", disease="morphea")] == [sid]


def cand_title(atlas: Atlas, sid: str) -> str:
    return atlas.study(sid).title


def test_upgrade_from_the_first_schema_keeps_every_record(db_url: str) -> None:
    """An atlas built before layers existed gains them: base = its record, extracted ids fixed."""
    from alembic import command
    from alembic.config import Config

    engine = get_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("jakatlas.store") / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO documents (id, kind, source_id, text) VALUES ('d1', 'text', 'a.txt', 't')"))
        conn.execute(sa.text(
            "INSERT INTO studies (id, status, title, n, document_id, data) VALUES "
            "('doc-d1-s1', 'curated', 'x in y', 3, 'd1', :a), ('old', 'rejected', 'Old', 9, NULL, :b)"),
            {"a": '{"id": "s1", "n": 3}', "b": '{"id": "old", "n": 9}'})
    Atlas(db_url).migrate()
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.text("SELECT id, status, origin, version, base, data FROM studies"))}
    ext, old = rows["doc-d1-s1"], rows["old"]
    assert (ext.status, ext.origin, ext.version) == ("curated", "extracted", 1)
    assert (old.status, old.origin, old.version) == ("rejected", "shipped", 1)

    def as_dict(v: object) -> object:
        import json
        return json.loads(v) if isinstance(v, str) else v

    assert as_dict(ext.data) == {"id": "doc-d1-s1", "n": 3} and as_dict(ext.base) == {"id": "s1", "n": 3}
    assert as_dict(old.base) == as_dict(old.data) == {"id": "old", "n": 9}
