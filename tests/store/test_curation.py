"""Curator tokens are hashed at rest; accept, edit and reject are audited with before and after."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jakatlas.errors import AuthError
from jakatlas.models.evidence import ExtractionResult, SourceInfo, Study
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import audit_log, create_token, curate, revoke_token, verify_token
from jakatlas.store.db import session_scope
from jakatlas.store.schema import TokenRow


@pytest.fixture
def atlas(sqlite_url: str) -> Atlas:
    a = Atlas(sqlite_url)
    a.build()
    res = ExtractionResult(source=SourceInfo(id="x", kind="text", sha256="b" * 64),
                           studies=[Study(id="s1", interventions=[{"name": "tofacitinib"}],
                                          diseases=[{"name": "morphea"}], n=2)])
    a.add_candidates(res, "text")
    return a


def test_token_is_hashed_and_verifies(atlas: Atlas) -> None:
    token = create_token(atlas, "alice")
    with session_scope(atlas.url) as s:
        row = s.scalar(select(TokenRow))
        assert row is not None and row.digest != token and token not in row.digest
    assert verify_token(atlas, token) == "alice"
    revoke_token(atlas, "alice")
    with pytest.raises(AuthError, match="Unknown or revoked token"):
        verify_token(atlas, token)


def test_duplicate_token_name(atlas: Atlas) -> None:
    create_token(atlas, "bob")
    with pytest.raises(AuthError, match="A token named 'bob' already exists"):
        create_token(atlas, "bob")


def test_missing_token(atlas: Atlas) -> None:
    with pytest.raises(AuthError, match="needs a curator token"):
        verify_token(atlas, None)


def test_accept_edit_reject_are_audited(atlas: Atlas) -> None:
    sid = atlas.studies(status=("candidate",))[0].id
    edited = curate(atlas, sid, "edit", actor="alice", changes={"n": 3})
    assert edited.n == 3 and edited.status == "candidate"
    accepted = curate(atlas, sid, "accept", actor="alice")
    assert accepted.status == "curated"
    log = audit_log(atlas, sid)
    assert [e.action for e in log] == ["accept", "edit", "add"]
    assert log[1].before["n"] == 2 and log[1].after["n"] == 3
    assert log[0].before["status"] == "candidate" and log[0].after["status"] == "curated"
    assert all(e.actor == "alice" for e in log[:2])
    rejected = curate(atlas, sid, "reject", actor="bob")
    assert rejected.status == "rejected"
