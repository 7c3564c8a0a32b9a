"""Validators and conditional GET for the JSON API and FHIR reads (RFC 9110 sections 8.8, 13.1).

A successful GET or HEAD under ``/api/`` or ``/fhir/`` gets an ``ETag`` (a route's own ETag,
such as a study's version tag, is kept; otherwise a strong tag is computed from the body),
``Last-Modified`` (the atlas's latest study change, when known) and ``Cache-Control: no-cache``
(clients may store responses but must revalidate, so a curation is never hidden). A request
whose ``If-None-Match`` matches (weak comparison), or, without ``If-None-Match``, whose
``If-Modified-Since`` is not older than ``Last-Modified``, gets ``304 Not Modified`` without a body.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

__all__ = ["ConditionalGetMiddleware", "body_etag", "etag_matches"]

_KEEP_ON_304 = {b"etag", b"cache-control", b"last-modified", b"vary", b"content-location", b"expires", b"date"}


def body_etag(body: bytes) -> str:
    """A strong entity tag computed from the representation's bytes (BLAKE2b, 128 bits)."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison of ``etag`` with an ``If-None-Match`` list (``*`` matches any)."""
    if header.strip() == "*":
        return True
    mine = _opaque(etag)
    return any(_opaque(t) == mine for t in header.split(",") if t.strip())


class ConditionalGetMiddleware:
    """Add validators to API/FHIR reads and answer 304 to matching conditional requests."""

    def __init__(self, app: Any, *, last_modified: Callable[[], datetime | None] | None = None,
                 prefixes: tuple[str, ...] = ("/api/", "/fhir/")) -> None:
        self.app, self.last_modified, self.prefixes = app, last_modified, prefixes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") \
                or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        request_headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                           if k in (b"if-none-match", b"if-modified-since")}
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def buffered(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                if start["status"] != 200:
                    await send(message)
                return
            if start.get("status") != 200:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                await self._finish(start, b"".join(chunks), request_headers, send)

        await self.app(scope, receive, buffered)

    async def _finish(self, start: dict[str, Any], body: bytes, request: dict[str, str], send: Any) -> None:
        headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        names = {k.lower() for k, _ in headers}
        etag = next((v.decode("latin-1") for k, v in headers if k.lower() == b"etag"), None)
        if etag is None:
            etag = body_etag(body)
            headers.append((b"etag", etag.encode("latin-1")))
        if b"cache-control" not in names:
            headers.append((b"cache-control", b"no-cache"))
        modified = self.last_modified() if self.last_modified else None
        if modified is not None and b"last-modified" not in names:
            headers.append((b"last-modified", format_datetime(modified, usegmt=True).encode("latin-1")))
        if self._not_modified(request, etag, modified):
            kept = [(k, v) for k, v in headers if k.lower() in _KEEP_ON_304]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _not_modified(request: dict[str, str], etag: str, modified: datetime | None) -> bool:
        inm = request.get("if-none-match")
        if inm is not None:
            return etag_matches(inm, etag)
        ims = request.get("if-modified-since")
        if ims is None or modified is None:
            return False
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and modified.replace(microsecond=0) <= since
