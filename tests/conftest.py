"""Shared fixtures: temporary SQLite atlases and the local PostgreSQL server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PG_BASE = os.environ.get("JAKATLAS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's real atlas: default database under tmp, no JAKATLAS_DB leaking in."""
    monkeypatch.setenv("JAKATLAS_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JAKATLAS_DB", raising=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'atlas.db'}"


def _pg_reason() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres", connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL on 127.0.0.1:5432 is not reachable ({str(exc).strip().splitlines()[0]})"


@pytest.fixture(scope="session")
def pg_available() -> None:
    reason = _pg_reason()
    if reason:
        pytest.skip(reason)


@pytest.fixture
def pg_url(pg_available: None) -> Iterator[str]:
    """A fresh schema on the local PostgreSQL for one test, dropped afterwards."""
    import psycopg

    schema = f"jk_{uuid.uuid4().hex[:12]}"
    dsn = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        from jakatlas.store.db import get_engine

        get_engine.cache_clear()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Both backends: SQLite always, PostgreSQL when the server is reachable (else a skip)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'atlas.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that accepts every connection and never answers (a hung database)."""
    import socket
    import threading

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    srv.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield int(srv.getsockname()[1])
    stop.set()
    t.join()
    for c in held:
        c.close()
    srv.close()
