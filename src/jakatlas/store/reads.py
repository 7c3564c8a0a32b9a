"""Reads of the atlas, either over a pooled SQLAlchemy connection or over psycopg's async API.

A web worker serves many requests on one event loop. Reading a database server from worker
threads costs a thread hop, GIL contention with the loop and SQLAlchemy's execution overhead at
every request; reading it synchronously on the loop would let a hung server stop the worker. So
the web app, while it runs, opens one :class:`ServerReads` per database server URL: an async
connection pool (``psycopg_pool``) on its event loop. Request handlers run the (synchronous)
atlas code in a greenlet (``sqlalchemy.util.greenlet_spawn``), and :func:`rows` hands each query
to the pool and suspends the greenlet until the rows arrive (``await_only``), the pattern of
SQLAlchemy's own asyncio extension without its per-call adaptation. Everywhere else (the CLI,
threads, SQLite) :func:`rows` runs the statement on a pooled SQLAlchemy connection.

Statements are compiled once (they are built once per shape, :mod:`jakatlas.store.queries`),
prepared on the server at their first run on a connection, and their rows converted by the
same result processors SQLAlchemy applies (e.g. UTC timestamps), so both routes return equal rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, Select, String, bindparam, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.util.concurrency import await_only, in_greenlet

from jakatlas.errors import StorageError
from jakatlas.store.db import (
    PREPARED_MAX,
    _fail_fast,
    _postgres_url,
    _translate,
    get_engine,
    read_connection,
    timeouts,
)
from jakatlas.store.db import (
    has_table as db_has_table,
)

__all__ = ["ServerReads", "rows", "serves", "has_table"]

#: Connections a web worker keeps open to the server (requests wait for one beyond this).
POOL_MAX = 10
_OPEN: dict[tuple[str, int], ServerReads] = {}  # (URL, event loop) -> the reads open on that loop


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiled: Any
    processors: tuple[tuple[int, Any], ...]  # (column index, result processor)


@lru_cache(maxsize=1024)
def _compile(engine: Engine, stmt: Select[*tuple[Any, ...]]) -> _Compiled:
    """SQL text and result processors of ``stmt`` (statements are module-level or built once per
    shape, so the cache holds a bounded set)."""
    dialect = engine.dialect
    compiled = stmt.compile(dialect=dialect)
    if "POSTCOMPILE" in compiled.string:
        raise StorageError("A server read uses an expanding parameter.", kind="other",
                           hint="Build the statement with jakatlas.store.queries.one_of.")
    procs = tuple((i, p) for i, col in enumerate(stmt.selected_columns)
                  if (p := col.type.result_processor(dialect, None)) is not None)
    return _Compiled(compiled.string, compiled, procs)


class ServerReads:
    """An async connection pool to one PostgreSQL URL, opened and closed by the web app's lifespan."""

    def __init__(self, url: str) -> None:
        from psycopg.conninfo import make_conninfo
        from psycopg.rows import namedtuple_row
        from psycopg_pool import AsyncConnectionPool

        self.url = url
        self.connect_s, self.statement_s = timeouts()
        parsed = _postgres_url(make_url(url), self.connect_s, self.statement_s)
        keys = {"host": parsed.host, "port": parsed.port, "dbname": parsed.database, "user": parsed.username,
                "password": parsed.password}
        query = {k: " ".join(v) if isinstance(v, tuple) else v for k, v in parsed.query.items()}
        query["options"] = f"{query.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
        conninfo = make_conninfo("", **{k: v for k, v in keys.items() if v is not None}, **query)
        self._pool = AsyncConnectionPool(
            conninfo, min_size=1, max_size=POOL_MAX, open=False, timeout=self.connect_s, name="jakatlas-reads",
            kwargs={"autocommit": True, "row_factory": namedtuple_row, "prepare_threshold": 0},
            configure=_configure, reconnect_timeout=0)
        self._loop: asyncio.AbstractEventLoop | None = None

    async def open(self) -> None:
        """Start connecting in the background (a server that is down does not delay start-up)."""
        self._loop = asyncio.get_running_loop()
        await self._pool.open(wait=False)
        _OPEN[(self.url, id(self._loop))] = self

    async def close(self) -> None:
        if self._loop is not None:
            _OPEN.pop((self.url, id(self._loop)), None)
        await self._pool.close(timeout=self.connect_s)

    async def fetch(self, sql: str, params: dict[str, Any]) -> list[Any]:
        """The rows of one statement; a server that does not answer in time raises a StorageError."""
        import psycopg

        _fail_fast(self.url)
        try:
            async with asyncio.timeout(self.connect_s + self.statement_s):
                async with self._pool.connection() as conn:
                    cur = await conn.execute(sql, params)
                    return await cur.fetchall()
        except TimeoutError as exc:
            raise _translate(self.url, psycopg.OperationalError("timeout: the server did not answer")) from exc
        except psycopg.Error as exc:
            raise _translate(self.url, exc) from exc


async def _configure(conn: Any) -> None:
    conn.prepared_max = PREPARED_MAX


def serves(url: str) -> ServerReads | None:
    """The async reads open for ``url`` when called from a greenlet on their event loop, else None."""
    if not in_greenlet():
        return None
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return _OPEN.get((url, id(loop)))


def rows(url: str, stmt: Select[*tuple[Any, ...]], params: dict[str, Any] | None = None) -> Sequence[Any]:
    """The rows of ``stmt`` (attribute access by column label) on whichever route is open."""
    reads = serves(url)
    if reads is None:
        with read_connection(url) as conn:
            return list(conn.execute(stmt, params or {}))
    c = _compile(get_engine(url, reads=True), stmt)
    values = c.compiled.construct_params(params or {})
    found = await_only(reads.fetch(c.sql, values))
    if not c.processors or not found:
        return found
    out = []
    for row in found:
        cells = list(row)
        for i, proc in c.processors:
            cells[i] = proc(cells[i])
        out.append(row._make(cells))
    return out


def has_table(url: str, name: str) -> bool:
    """Whether table ``name`` exists (on the async route when it is open)."""
    if serves(url) is None:
        return db_has_table(url, name)
    found = rows(url, _TABLE, {"name": name})
    return bool(found and found[0].found is not None)


_TABLE = select(func.to_regclass(bindparam("name", type_=String)).label("found"))
