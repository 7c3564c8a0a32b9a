"""Read cache for the web layer, invalidated when the atlas changes.

Every entry belongs to one *version* of the atlas: the highest audit id, the study count and the
latest study update. Writes made through this process clear the cache at once; writes made by
another worker or by the CLI are seen at the next probe (at most ``probe_interval`` seconds later).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from jakatlas.errors import JakatlasError
from jakatlas.store.db import get_engine
from jakatlas.store.schema import AuditRow, StudyRow

__all__ = ["AtlasCache", "ResponseCacheMiddleware"]

T = TypeVar("T")

_VERSION_QUERY = select(
    select(func.max(AuditRow.id)).scalar_subquery(),
    select(func.count(StudyRow.id)).scalar_subquery(),
    select(func.max(StudyRow.updated_at)).scalar_subquery(),
)


class AtlasCache:
    """A bounded LRU of computed values (API bytes, page models) for one atlas URL."""

    def __init__(self, url: str, *, max_entries: int = 2048, probe_interval: float = 0.25) -> None:
        self.url = url
        self.max_entries = max_entries
        self.probe_interval = probe_interval
        self._data: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._probed_at = float("-inf")
        self._generation = 0
        self.hits = self.misses = 0

    def _probe(self) -> tuple[Any, ...] | None:
        try:
            with get_engine(self.url).connect() as conn:
                row = conn.execute(_VERSION_QUERY).one()
            return tuple(row)
        except (SQLAlchemyError, JakatlasError):  # the caller's own query reports the problem
            return None

    def _check_version(self) -> None:
        now = time.monotonic()
        if now - self._probed_at < self.probe_interval:
            return
        version = self._probe()
        with self._lock:
            self._probed_at = now
            if version is None or version != self._version:
                self._data.clear()
                self._generation += 1
            self._version = version

    def invalidate(self) -> None:
        """Forget everything (call after a write made through this process)."""
        with self._lock:
            self._data.clear()
            self._generation += 1
            self._probed_at = float("-inf")

    def get(self, key: str, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, computing and storing it on a miss (errors are not cached)."""
        self._check_version()
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]  # type: ignore[no-any-return]
            generation = self._generation
        value = compute()
        self.put(key, value, generation)
        return value

    def peek(self, key: str) -> tuple[Any | None, int]:
        """The cached value (or ``None``) and the generation to pass to :meth:`put` on a miss."""
        self._check_version()
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
                self.hits += 1
            return value, self._generation

    def put(self, key: str, value: Any, generation: int) -> None:
        """Store ``value`` unless the atlas changed since ``generation`` was read."""
        with self._lock:
            self.misses += 1
            if generation != self._generation:
                return
            self._data[key] = value
            while len(self._data) > self.max_entries:
                self._data.popitem(last=False)


class ResponseCacheMiddleware:
    """Serve repeated GETs of read-only API paths from :class:`AtlasCache` before routing.

    The key is host + path + raw query string; only complete 200 responses are stored, and the
    cache empties whenever the atlas version changes. Security headers are added further out.
    """

    def __init__(self, app: Any, *, cache: AtlasCache, prefixes: tuple[str, ...] = ("/api/v1/", "/fhir/")) -> None:
        self.app, self.cache, self.prefixes = app, cache, prefixes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        host = next((v for k, v in scope["headers"] if k == b"host"), b"")
        key = "http:" + host.decode("latin-1") + scope["path"] + "?" + scope["query_string"].decode("latin-1")
        hit, generation = self.cache.peek(key)
        if hit is not None:
            headers, body = hit
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and start.get("status") == 200:
                    self.cache.put(key, (list(start.get("headers", [])), b"".join(chunks)), generation)
            await send(message)

        await self.app(scope, receive, capture)
