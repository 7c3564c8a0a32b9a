"""Dependencies shared by the routers: the app context, curator authentication and CSRF."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import make_url
from sqlalchemy.util.concurrency import greenlet_spawn

from jakatlas.errors import AuthError
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import verify_token
from jakatlas.store.reads import ServerReads
from jakatlas.store.sessions import session_user
from jakatlas.web.cache import AtlasCache
from jakatlas.web.renditions import Renditions
from jakatlas.web.security import RateLimiter

__all__ = [
    "WebSettings",
    "AppContext",
    "get_ctx",
    "Ctx",
    "SESSION_COOKIE",
    "PRE_COOKIE",
    "require_curator",
    "Curator",
    "page_user",
    "csrf_for",
    "check_csrf",
]

T = TypeVar("T")

#: Threads per worker that read from a database server. More threads only fight the event loop
#: for the GIL: with 32 connections on 2 workers, PostgreSQL reads ran at 940 req/s with 2
#: threads, 800 with 1 or 4 and 600 with 10. (A hung server still answers 503 in a few seconds:
#: after the first timeout the URL fails fast.)
READER_THREADS = 2

SESSION_COOKIE = "jakatlas_session"
PRE_COOKIE = "jakatlas_presession"


@dataclass(frozen=True)
class WebSettings:
    """Limits of the web app (defaults suit a single-user laptop and a small team server alike)."""

    max_body_bytes: int = 1_000_000
    extract_per_window: int = 30
    rate_window_seconds: float = 60.0
    cache_entries: int = 2048
    cache_probe_seconds: float = 0.25
    page_size: int = 50
    max_page_size: int = 500
    cache_bytes: int = 64 * 1024 * 1024
    # Servers freeze the heap at start-up and again after these many requests (what warm-up loaded
    # then stays out of full collections); off by default, as a process may hold several apps.
    freeze_heap_after: tuple[int, ...] = ()

    @classmethod
    def from_env(cls) -> WebSettings:
        """Server defaults, with ``JAKATLAS_WEB_CACHE=off`` turning every cache off (for measurements)."""
        server = cls(freeze_heap_after=(1_000, 10_000))
        if os.environ.get("JAKATLAS_WEB_CACHE", "on").strip().lower() in ("off", "0", "false", "no"):
            return replace(server, cache_entries=0, cache_bytes=0)
        return server


class AppContext:
    """What every request needs: the atlas, its read cache and the rate limiter."""

    def __init__(self, url: str | None, settings: WebSettings) -> None:
        self.atlas = Atlas(url)
        self.settings = settings
        self.cache = AtlasCache(self.atlas.url, max_entries=settings.cache_entries, max_bytes=settings.cache_bytes,
                                probe_interval=settings.cache_probe_seconds)
        self.renditions = Renditions()
        self.extract_limiter = RateLimiter(settings.extract_per_window, settings.rate_window_seconds)
        parsed = make_url(self.atlas.url)
        self.local = parsed.get_backend_name() == "sqlite"
        self._async_reads = parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "psycopg"
        self._readers: anyio.CapacityLimiter | None = None
        self._server_reads: ServerReads | None = None

    async def open(self) -> None:
        """Open the async reads of a database server on this event loop (the app's start-up)."""
        if self._async_reads and self._server_reads is None:
            self._server_reads = ServerReads(self.atlas.url)
            await self._server_reads.open()

    async def close(self) -> None:
        if self._server_reads is not None:
            reads, self._server_reads = self._server_reads, None
            await reads.close()

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a read of the atlas for an async endpoint.

        A local SQLite file runs on the event loop: WAL readers never wait for writers, and the
        hop to a worker thread (and the contention for the GIL between it and the loop) costs more
        than the query and makes the latency tail long. A database server is read over async
        connections while the app runs (:mod:`jakatlas.store.reads`: ``fn`` runs in a greenlet
        that waits for each query without blocking the loop), else in a worker thread; either
        way a server that stops answering holds up its own requests only, never the event loop.
        """
        if self.local:
            return fn(*args)
        if self._server_reads is not None:
            return await greenlet_spawn(fn, *args)  # type: ignore[no-any-return]
        if self._readers is None:  # made on the event loop
            self._readers = anyio.CapacityLimiter(READER_THREADS)
        return await anyio.to_thread.run_sync(fn, *args, limiter=self._readers)


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def _ctx(request: Request) -> AppContext:
    """The context as a dependency (async: FastAPI would run a plain function in a worker thread)."""
    return get_ctx(request)


Ctx = Annotated[AppContext, Depends(_ctx)]

_bearer = HTTPBearer(auto_error=False, description="Curator token from 'jakatlas token create NAME'.")


def _unauthorised(message: str, hint: str | None) -> HTTPException:
    return HTTPException(401, detail={"error": message, "hint": hint}, headers={"WWW-Authenticate": "Bearer"})


def require_curator(
    ctx: Ctx, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """The curator's name from ``Authorization: Bearer TOKEN`` (401 when missing or unknown)."""
    try:
        return verify_token(ctx.atlas, creds.credentials if creds else None)
    except AuthError as exc:
        raise _unauthorised(exc.message, exc.hint) from exc


Curator = Annotated[str, Depends(require_curator)]


@dataclass(frozen=True)
class PageUser:
    """A curator signed in through the sign-in form (the cookie holds a server-side session id)."""

    name: str
    csrf: str


def csrf_for(secret: str) -> str:
    """Form token derived from a secret the browser holds only in an HttpOnly cookie."""
    return hmac.new(secret.encode(), b"jakatlas-csrf-v1", hashlib.sha256).hexdigest()


def page_user(request: Request) -> PageUser | None:
    """The signed-in curator of a page request, or ``None`` (a stale cookie is ignored)."""
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    name = session_user(get_ctx(request).atlas, secret)
    if name is None:
        return None
    return PageUser(name=name, csrf=csrf_for(secret))


def presession(request: Request) -> str:
    """The anonymous visitor's CSRF secret (a fresh one when the cookie is missing)."""
    return request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)


def check_csrf(expected_secret: str | None, submitted: str | None) -> None:
    """403 unless ``submitted`` is the form token of ``expected_secret``."""
    if not expected_secret or not submitted or not hmac.compare_digest(csrf_for(expected_secret), submitted):
        raise HTTPException(403, detail={"error": "The form has expired or did not come from this site.",
                                         "hint": "Reload the page and try again."})
