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
from sqlalchemy.orm.exc import StaleDataError

from jakatlas.data import knowledge_base
from jakatlas.errors import AuthError, ConflictError, JakatlasError, NotFoundError, StaleVersionError
from jakatlas.store.atlas import Atlas, StudyRecord, _record
from jakatlas.store.db import session_scope
from jakatlas.store.lifecycle import (
    apply_columns,
    candidate_title,
    effective,
    link_rows,
    normalise_changes,
    snapshot,
)
from jakatlas.store.schema import AuditRow, DocumentRow, StudyRow, TokenRow, utcnow

__all__ = ["AuditEntry", "audit", "create_token", "verify_token", "revoke_token", "curate", "audit_log"]


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    study_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None = None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def audit(s: Session, *, actor: str, action: str, study_id: str,
          before: dict[str, Any] | None, after: dict[str, Any] | None, note: str | None = None) -> None:
    s.add(AuditRow(actor=actor, action=action, study_id=study_id, before=before, after=after, note=note))


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


_TARGET = {"accept": "curated", "reject": "rejected"}


def _conflict(study_id: str, action: str, row: StudyRow, expected: int | None) -> ConflictError:
    """Why a write lost: the study already has the state asked for (409), or it changed since (412)."""
    target = _TARGET.get(action)
    if target is not None and row.status == target:
        return ConflictError(f"Study {study_id!r} is already {target} (version {row.version}).",
                             hint="Nothing to do; reload the study to see who changed it.", version=row.version)
    return StaleVersionError(
        f"Study {study_id!r} was changed by someone else: it is at version {row.version}, "
        f"not {expected if expected is not None else 'the one read'}.",
        hint="Re-read the study, check the change, and retry with its current ETag in If-Match.",
        version=row.version)


class _Lost(Exception):
    """The conditional UPDATE matched no row: another writer got there first."""


def curate(atlas: Atlas, study_id: str, action: Literal["accept", "reject", "edit"], *, actor: str,
           changes: dict[str, Any] | None = None, expected_version: int | None = None,
           note: str | None = None) -> StudyRecord:
    """Accept, reject or edit a study as one atomic, audited state transition.

    The write is an ``UPDATE ... WHERE id = ? AND version = ?`` (SQLAlchemy's version counter), so
    of two concurrent writers exactly one wins; the other gets :class:`ConflictError` (the study
    already has the status asked for) or :class:`StaleVersionError` (it changed since it was
    read). With ``expected_version`` the write applies only to that version. Edits go into the
    curator-override layer and are validated with the model of the study's origin; the audit entry
    holds the record exactly as it was at the version the change replaced.
    """
    kb = knowledge_base()
    try:
        with session_scope(atlas.url) as s:
            row = s.get(StudyRow, study_id)
            if row is None:
                raise NotFoundError("study", study_id)
            if expected_version is not None and row.version != expected_version:
                raise _conflict(study_id, action, row, expected_version)
            before = snapshot(row)
            if action == "edit":
                overrides = {**(row.overrides or {}), **normalise_changes(study_id, changes or {}, kb)}
                data = effective(study_id, row.origin, row.base if row.base is not None else row.data, overrides)
                doc = s.get(DocumentRow, row.document_id) if row.document_id else None
                row.overrides = overrides
                apply_columns(row, data)
                if row.origin == "extracted":
                    row.title = candidate_title(data, doc.source_id if doc else str(row.document_id))
                link_rows(row, data)
            else:
                if row.status == _TARGET[action]:
                    raise _conflict(study_id, action, row, expected_version)
                row.status = _TARGET[action]
            row.updated_at = utcnow()
            try:
                s.flush()
            except StaleDataError as exc:
                raise _Lost from exc
            audit(s, actor=actor, action=action, study_id=study_id, before=before, after=snapshot(row), note=note)
            s.flush()
            return _record(row)
    except _Lost:
        with session_scope(atlas.url) as s:
            now = s.get(StudyRow, study_id)
            if now is None:
                raise NotFoundError("study", study_id) from None
            raise _conflict(study_id, action, now, expected_version) from None


def audit_log(atlas: Atlas, study_id: str | None = None, limit: int = 100) -> list[AuditEntry]:
    q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if study_id:
        q = q.where(AuditRow.study_id == study_id)
    with session_scope(atlas.url) as s:
        return [AuditEntry(id=r.id, at=r.at, actor=r.actor, action=r.action, study_id=r.study_id,
                           before=r.before, after=r.after, note=r.note) for r in s.scalars(q)]
