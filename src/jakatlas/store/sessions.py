"""Server-side curator sessions for the web pages (OWASP session management: random id, hashed
at rest, absolute expiry, ended at sign-out and by revoking the token it was opened with)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from jakatlas.errors import AuthError
from jakatlas.store.atlas import Atlas
from jakatlas.store.db import session_scope
from jakatlas.store.schema import SessionRow, TokenRow

__all__ = ["SESSION_SECONDS", "open_session", "session_user", "close_session"]

SESSION_SECONDS = 8 * 3600


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    """The current time (UTC); one place, so tests can move the clock instead of sleeping."""
    return datetime.now(UTC)


def open_session(atlas: Atlas, token: str, *, seconds: int = SESSION_SECONDS) -> str:
    """Start a session for a valid, unrevoked curator token; returns the secret for the cookie."""
    now = _now()
    secret = secrets.token_urlsafe(32)
    with session_scope(atlas.url) as s:
        row = s.scalar(select(TokenRow).where(TokenRow.digest == _digest(token)))
        if row is None or row.revoked:
            raise AuthError("Unknown or revoked token.", hint="Create a new one with 'jakatlas token create NAME'.")
        s.execute(delete(SessionRow).where(SessionRow.expires_at <= now))
        s.add(SessionRow(id=_digest(secret), token_id=row.id, expires_at=now + timedelta(seconds=seconds)))
    return secret


def session_user(atlas: Atlas, secret: str | None) -> str | None:
    """The curator of a live session (not expired, not signed out, token not revoked), else ``None``."""
    if not secret:
        return None
    q = (select(TokenRow.name).join(SessionRow, SessionRow.token_id == TokenRow.id)
         .where(SessionRow.id == _digest(secret), SessionRow.expires_at > _now(),
                TokenRow.revoked.is_(False)))
    with session_scope(atlas.url) as s:
        return s.scalar(q)


def close_session(atlas: Atlas, secret: str | None) -> None:
    """End a session (sign-out); unknown secrets are ignored."""
    if secret:
        with session_scope(atlas.url) as s:
            s.execute(delete(SessionRow).where(SessionRow.id == _digest(secret)))
