"""Read cache for the web layer, invalidated when the atlas changes, bounded in entries and bytes.

Every entry belongs to one *version* of the atlas: the highest audit id, the study count and the
latest study update. Writes made through this process clear the cache at once; writes made by
another worker or by the CLI are seen at the next probe (at most ``probe_interval`` seconds later).
The probe is database I/O, so the ASGI middleware runs it in a worker thread, never on the event
loop; while a probe is under way (a slow or hung database) requests bypass the cache.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from jakatlas.errors import JakatlasError
from jakatlas.store import reads
from jakatlas.store.schema import AuditRow, StudyRow

__all__ = ["AtlasCache", "ResponseCacheMiddleware", "deep_size"]

T = TypeVar("T")

_VERSION_QUERY = select(
    select(func.max(AuditRow.id)).scalar_subquery(),
    select(func.count(StudyRow.id)).scalar_subquery(),
    select(func.max(StudyRow.updated_at)).scalar_subquery(),
)


def deep_size(value: Any, _seen: set[int] | None = None) -> int:
    """Approximate bytes held by ``value`` (containers, dataclasses and pydantic models walked)."""
    seen = _seen if _seen is not None else set()
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, str | bytes | bytearray | int | float | bool) or value is None:
        return size
    if isinstance(value, dict):
        return size + sum(deep_size(k, seen) + deep_size(v, seen) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return size + sum(deep_size(v, seen) for v in value)
    fields = getattr(value, "__dict__", None)
    if fields is not None:
        return size + deep_size(fields, seen)
    slots = getattr(type(value), "__slots__", ())
    return size + sum(deep_size(getattr(value, s, None), seen) for s in slots)


class AtlasCache:
    """A bounded LRU of computed values (API bytes, page models) for one atlas URL."""

    def __init__(self, url: str, *, max_entries: int = 2048, max_bytes: int = 64 * 1024 * 1024,
                 probe_interval: float = 0.25) -> None:
        self.url = url
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.probe_interval = probe_interval
        self._data: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._probed_at = float("-inf")
        self._probing = False
        self._generation = 0
        self.hits = self.misses = 0

    @property
    def last_modified(self) -> datetime | None:
        """When a study last changed, from the latest probe (``None`` when unknown)."""
        version = self._version
        value = version[2] if version else None
        return value if isinstance(value, datetime) and value.tzinfo is not None else None

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._data)

    def _probe(self) -> tuple[Any, ...] | None:
        try:
            found = reads.rows(self.url, _VERSION_QUERY)  # async on the web app's own loop
            return tuple(found[0])
        except (SQLAlchemyError, JakatlasError):  # the caller's own query reports the problem
            return None

    def _clear(self) -> None:
        self._data.clear()
        self._bytes = 0
        self._generation += 1

    def probe_due(self) -> bool:
        return time.monotonic() - self._probed_at >= self.probe_interval

    def refresh(self) -> None:
        """Probe the atlas version (blocking: call from a worker thread) and clear on a change."""
        with self._lock:
            if self._probing:
                return
            self._probing = True
        try:
            version = self._probe()
        finally:
            with self._lock:
                self._probing = False
                self._probed_at = time.monotonic()
                if version is None or version != self._version:
                    self._clear()
                self._version = version

    def _check_version(self) -> None:
        if self.probe_due():
            self.refresh()

    def invalidate(self) -> None:
        """Forget everything (call after a write made through this process)."""
        with self._lock:
            self._clear()
            self._probed_at = float("-inf")

    def get(self, key: str, compute: Callable[[], T], *, size: int | None = None) -> T:
        """The cached value of ``key``, computing and storing it on a miss (errors are not cached)."""
        self._check_version()
        value, generation = self._lookup(key)
        if value is not None:
            return value  # type: ignore[no-any-return]
        value = compute()
        self.put(key, value, generation, size=size)
        return value

    def _lookup(self, key: str) -> tuple[Any | None, int]:
        with self._lock:
            entry = self._data.get(key)
            if entry is not None:
                self._data.move_to_end(key)
                self.hits += 1
                return entry[0], self._generation
            return None, self._generation

    def peek(self, key: str, *, check: bool = True) -> tuple[Any | None, int]:
        """The cached value (or ``None``) and the generation to pass to :meth:`put` on a miss."""
        if check:
            self._check_version()
        return self._lookup(key)

    def put(self, key: str, value: Any, generation: int, *, size: int | None = None) -> None:
        """Store ``value`` unless the atlas changed since ``generation`` was read or it is too big."""
        if self.max_entries <= 0 or self.max_bytes <= 0:
            return
        nbytes = deep_size(value) if size is None else size
        with self._lock:
            self.misses += 1
            if generation != self._generation or nbytes > self.max_bytes // 8:
                return
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, nbytes)
            self._bytes += nbytes
            while self._data and (len(self._data) > self.max_entries or self._bytes > self.max_bytes):
                _, (_, freed) = self._data.popitem(last=False)
                self._bytes -= freed


KnownParams = Callable[[str], frozenset[str] | None]


class ResponseCacheMiddleware:
    """Serve repeated GETs of read-only API paths from :class:`AtlasCache` before routing.

    The key is host + path + raw query string; only complete 200 responses of requests whose
    query parameters the route declares are stored (``known_params(path)`` names them), so junk
    parameters create no entries. The cache empties whenever the atlas version changes.
    """

    def __init__(self, app: Any, *, cache: AtlasCache, known_params: KnownParams | None = None,
                 prefixes: tuple[str, ...] = ("/api/v1/", "/fhir/")) -> None:
        self.app, self.cache, self.prefixes, self.known_params = app, cache, prefixes, known_params
        self._warm = self._warming = False
        self._warm_lock = threading.Lock()

    def _warm_up(self) -> None:
        if self.known_params is not None:
            self.known_params("/")
        self._warm = True

    def _cacheable(self, scope: Any) -> bool:
        if self.known_params is None:
            return True
        if not self._warm:  # the table of routes is built once, in the background; no caching until then
            with self._warm_lock:
                if not self._warming:
                    self._warming = True
                    threading.Thread(target=self._warm_up, name="jakatlas-cache-warm-up", daemon=True).start()
            return False
        allowed = self.known_params(scope["path"])
        if allowed is None:
            return False
        from urllib.parse import parse_qsl

        names = {k for k, _ in parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)}
        return names <= allowed

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        if self.cache.probe_due():  # also gives Last-Modified to uncacheable requests
            await anyio.to_thread.run_sync(self.cache.refresh)
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        host = next((v for k, v in scope["headers"] if k == b"host"), b"")
        key = "http:" + host.decode("latin-1") + scope["path"] + "?" + scope["query_string"].decode("latin-1")
        hit, generation = self.cache.peek(key, check=False)
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
                    headers = list(start.get("headers", []))
                    body = b"".join(chunks)
                    size = len(body) + sum(len(k) + len(v) for k, v in headers) + len(key)
                    self.cache.put(key, (headers, body), generation, size=size)
            await send(message)

        await self.app(scope, receive, capture)
