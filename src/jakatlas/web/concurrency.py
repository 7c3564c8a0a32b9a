"""Optimistic concurrency for curation: record ETags and If-Match preconditions (RFC 9110 13.1.1).

A study's ETag is a strong entity tag derived from its version (``"v7"``). Every write must send
``If-Match`` with the ETag it read: a stale one is refused with 412, a missing one with 428
(RFC 6585), so two curators can never overwrite each other's change without seeing it.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header

from jakatlas.errors import StaleVersionError, VersionRequiredError

__all__ = ["ANY", "IfMatch", "etag", "expected_version"]

ANY = -1
"""``If-Match: *``: any current version (the caller accepts overwriting whatever is there)."""

_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


def etag(version: int) -> str:
    """The strong ETag of a study at ``version``."""
    return f'"v{version}"'


def _versions(header: str) -> set[int] | None:
    """Versions named by strong tags of ``header`` (``None`` for ``*``); weak tags never match."""
    if header.strip() == "*":
        return None
    out: set[int] = set()
    pos = 0
    while pos < len(header):
        m = _TAG.match(header, pos)
        if m is None:
            break
        pos = m.end()
        weak, tag = m.group(1), m.group(2)
        if not weak and re.fullmatch(r"v[0-9]{1,12}", tag):
            out.add(int(tag[1:]))
    return out


def expected_version(header: str | None, study_id: str, current: int) -> int | None:
    """The version a write may apply to, from its ``If-Match`` header.

    Raises :class:`VersionRequiredError` (428) without the header and :class:`StaleVersionError`
    (412) when no tag names ``current``; returns ``None`` for ``*``.
    """
    if header is None or not header.strip():
        raise VersionRequiredError(
            f"A change to study {study_id!r} must say which version it changes.",
            hint=f"Read the study (GET /api/v1/studies/{study_id}) and send its ETag in an If-Match header.")
    versions = _versions(header)
    if versions is None:
        return None
    if current not in versions:
        raise StaleVersionError(
            f"Study {study_id!r} is at version {current}; If-Match names "
            f"{', '.join(etag(v) for v in sorted(versions)) or 'no version of it'}.",
            hint="Re-read the study, check the change, and retry with its current ETag in If-Match.",
            version=current)
    return current


IfMatch = Annotated[str | None, Header(
    alias="If-Match", max_length=1000,
    description='ETag of the study as read (e.g. "v3"); required. 412 when stale, 428 when missing.')]
