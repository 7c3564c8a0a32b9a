"""Curation: API tokens (hashed at rest), accept / edit / reject with an audit trail."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jakatlas.errors import AuthError, JakatlasError, NotFoundError
from jakatlas.models.evidence import Study
from jakatlas.store.atlas import Atlas, StudyRecord, _record, _study_links
from jakatlas.store.db import session_scope
from jakatlas.store.schema import AuditRow, StudyRow, TokenRow

__all__ = ["AuditEntry", "audit", "create_token", "verify_token", "revoke_token", "curate", "audit_log"]


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    study_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def audit(s: Session, *, actor: str, action: str, study_id: str,
          before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    s.add(AuditRow(actor=actor, action=action, study_id=study_id, before=before, after=after))


def create_token(atlas: Atlas, name: str) -> str:
    """Create a curator token; returns the secret once (only its SHA-256 is stored)."""
    atlas.migrate()
    token = "jka_" + secrets.token_urlsafe(32)
    try:
        with session_scope(atlas.url) as s:
            s.add(TokenRow(name=name, digest=_digest(token)))
    except JakatlasError as exc:
        if isinstance(exc.__cause__, IntegrityError):
            raise AuthError(f"A token named {name!r} already exists.",
                            hint="Choose another name or revoke it with 'jakatlas token revoke NAME'.") from exc
        raise
    return token


def revoke_token(atlas: Atlas, name: str) -> None:
    with session_scope(atlas.url) as s:
        row = s.scalar(select(TokenRow).where(TokenRow.name == name))
        if row is None:
            raise NotFoundError("token", name)
        row.revoked = True


def verify_token(atlas: Atlas, token: str | None) -> str:
    """Return the curator name for a valid token, else raise :class:`AuthError`."""
    if not token:
        raise AuthError("This action needs a curator token.",
                        hint="Create one with 'jakatlas token create NAME' and send it as 'Authorization: Bearer TOKEN'.")
    with session_scope(atlas.url) as s:
        row = s.scalar(select(TokenRow).where(TokenRow.digest == _digest(token)))
        if row is None or row.revoked:
            raise AuthError("Unknown or revoked token.", hint="Create a new one with 'jakatlas token create NAME'.")
        return row.name


def curate(atlas: Atlas, study_id: str, action: Literal["accept", "reject", "edit"], *, actor: str,
           changes: dict[str, Any] | None = None) -> StudyRecord:
    """Accept, reject or edit a study; the change and the record before/after are audited."""
    with session_scope(atlas.url) as s:
        row = s.get(StudyRow, study_id)
        if row is None:
            raise NotFoundError("study", study_id)
        before = {"status": row.status, **row.data}
        if action == "edit":
            merged = {**row.data, **(changes or {})}
            fields = Study.model_fields
            Study.model_validate({k: v for k, v in merged.items() if k in fields})
            row.data = merged
            row.design, row.n, row.evidence_level = merged.get("design"), merged.get("n"), merged.get("evidence_level")
            _study_links(row, merged)
        else:
            row.status = "curated" if action == "accept" else "rejected"
        after = {"status": row.status, **row.data}
        audit(s, actor=actor, action=action, study_id=study_id, before=before, after=after)
        s.flush()
        return _record(row)


def audit_log(atlas: Atlas, study_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
    q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if study_id:
        q = q.where(AuditRow.study_id == study_id)
    with session_scope(atlas.url) as s:
        return [AuditEntry(id=r.id, at=r.at, actor=r.actor, action=r.action, study_id=r.study_id,
                           before=r.before, after=r.after) for r in s.scalars(q)]
