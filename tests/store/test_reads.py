"""Reads over psycopg's async API (the web app's route to a database server) against the plain route."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.util.concurrency import greenlet_spawn

from jakatlas.errors import NotFoundError, StorageError
from jakatlas.store import atlas as atlas_module
from jakatlas.store import reads
from jakatlas.store.atlas import Atlas
from jakatlas.store.db import read_connection
from jakatlas.store.queries import Filters, page_statements


def _calls(a: Atlas) -> list[tuple[str, Callable[[], Any]]]:
    return [
        ("hs page", lambda: a.page(disease="hidradenitis suppurativa", limit=3)),
        ("filters", lambda: a.page(drug="tofacitinib", level=4, status=("curated", "candidate"), limit=5, offset=1)),
        ("outcome", lambda: a.page(outcome="hiscr", limit=50)),
        ("past the end", lambda: a.page(disease="hidradenitis suppurativa", limit=5, offset=10_000)),
        ("all", lambda: a.studies(status=("curated", "candidate", "rejected"))),
        ("study", lambda: a.study(sorted(r.id for r in a.studies())[0])),
        ("no document", lambda: a.document("0" * 64)),
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value.model_dump() if hasattr(value, "model_dump") else value


def _run_async(url: str, fn: Callable[[], Any], *, timeout: float = 60.0) -> Any:
    """Run ``fn`` in a greenlet on a fresh event loop with the server reads open (in a thread, so a
    loop that never finishes fails the test instead of hanging it)."""
    out: dict[str, Any] = {}

    async def main() -> None:
        server = reads.ServerReads(url)
        await server.open()
        try:
            out["value"] = await fn(server)
        finally:
            await server.close()

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            out["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        pytest.fail(f"the event loop did not finish within {timeout} s (a read blocked it)")
    if "error" in out:
        raise out["error"]
    return out["value"]


@pytest.fixture
def built(pg_url: str) -> Atlas:
    a = Atlas(pg_url)
    a.build()
    return a


def test_the_async_route_returns_what_the_plain_route_returns(built: Atlas, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = {name: _plain(call()) for name, call in _calls(built)}
    fetched: list[str] = []
    real_fetch = reads.ServerReads.fetch

    async def counting(self: reads.ServerReads, sql: str, params: dict[str, Any]) -> list[Any]:
        fetched.append(sql)
        return await real_fetch(self, sql, params)

    monkeypatch.setattr(reads.ServerReads, "fetch", counting)
    atlas_module._memo.clear()  # whole rows are read again, over the async route

    async def both(_server: reads.ServerReads) -> dict[str, Any]:
        return {name: _plain(await greenlet_spawn(call)) for name, call in _calls(built)}

    got = _run_async(built.url, both)
    assert got == expected
    assert len(fetched) >= len(expected)  # every call went over the async route


def test_timestamps_come_back_in_utc_on_the_async_route(built: Atlas) -> None:
    """Column types convert values on both routes (the cache's Last-Modified needs UTC)."""
    from jakatlas.web.cache import _VERSION_QUERY

    plain = reads.rows(built.url, _VERSION_QUERY)[0]

    async def version(_server: reads.ServerReads) -> Any:
        return (await greenlet_spawn(reads.rows, built.url, _VERSION_QUERY))[0]

    got = _run_async(built.url, version)
    assert tuple(got) == tuple(plain)
    assert got[2].tzinfo is UTC


def test_errors_keep_their_meaning_on_the_async_route(built: Atlas) -> None:
    async def missing(_server: reads.ServerReads) -> Any:
        return await greenlet_spawn(built.study, "no-such-study")

    with pytest.raises(NotFoundError):
        _run_async(built.url, missing)


def test_concurrent_reads_on_one_loop_do_not_block_each_other(built: Atlas) -> None:
    """Sixteen requests whose records are not memoised yet, interleaved on one event loop."""
    diseases = ["hidradenitis suppurativa", "lichen planus", "morphea", "alopecia areata"]

    async def many(_server: reads.ServerReads) -> list[int]:
        atlas_module._memo.clear()
        jobs = [greenlet_spawn(built.page, disease=diseases[i % 4], limit=20) for i in range(16)]
        return [total for total, _ in await asyncio.gather(*jobs)]

    totals = _run_async(built.url, many, timeout=30)
    assert totals == [built.page(disease=diseases[i % 4], limit=20)[0] for i in range(16)]


def test_read_statements_are_prepared_at_their_first_run(built: Atlas, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both routes prepare a statement at its first execution (the driver's default waits for the fifth)."""
    monkeypatch.setattr(reads, "POOL_MAX", 1)
    page, _ = page_statements("postgresql", Filters("x", None, None, None, None, ("curated",)).shape(), False)
    values = {"disease": "hidradenitis suppurativa", "statuses": ["curated"], "limit": 5, "offset": 0}
    with read_connection(built.url) as conn:
        conn.execute(page, values).all()
        assert conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar() >= 1

    async def prepared(server: reads.ServerReads) -> int:
        async with server._pool.connection() as c:  # the pool's one connection
            cur = await c.execute("SELECT count(*) AS n FROM pg_prepared_statements")
            before = (await cur.fetchone()).n
        await greenlet_spawn(reads.rows, built.url, page, values)
        async with server._pool.connection() as c:
            cur = await c.execute("SELECT count(*) AS n FROM pg_prepared_statements")
            return int((await cur.fetchone()).n) - int(before)

    assert _run_async(built.url, prepared) >= 1


def test_a_hung_server_fails_within_the_connect_timeout(silent_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAKATLAS_DB_CONNECT_TIMEOUT", "2")
    url = f"postgresql+psycopg://nobody@127.0.0.1:{silent_port}/none"
    page, _ = page_statements("postgresql", Filters(None, None, None, None, None, ("curated",)).shape(), False)

    async def read(_server: reads.ServerReads) -> float:
        start = time.monotonic()
        with pytest.raises(StorageError) as err:
            await greenlet_spawn(reads.rows, url, page, {"statuses": ["curated"], "limit": 1, "offset": 0})
        assert err.value.kind in ("unreachable", "timeout")
        return time.monotonic() - start

    assert _run_async(url, read, timeout=30) < 6


def test_outside_a_greenlet_reads_take_the_plain_route(built: Atlas) -> None:
    async def outside(_server: reads.ServerReads) -> bool:
        return reads.serves(built.url) is None and await greenlet_spawn(reads.serves, built.url) is not None

    assert _run_async(built.url, outside)
