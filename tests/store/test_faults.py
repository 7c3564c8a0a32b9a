"""Storage under faults: kill -9 during the first build, half-made schemas, read-only files,
an unreachable server, timeouts and messages that say what happened."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

import jakatlas
from jakatlas.data import knowledge_base
from jakatlas.errors import StorageError
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import create_token
from jakatlas.store.db import get_engine, storage_error

SRC = Path(jakatlas.__file__).resolve().parents[1]  # the code under test, also in the child
CHILD = """
import sys
from jakatlas.data import knowledge_base
from jakatlas.store.atlas import Atlas
import alembic.command, jakatlas.store.schema  # imports done before the clock starts
kb = knowledge_base()
print("ready", flush=True)
Atlas(sys.argv[1]).build(kb)
print("built", flush=True)
"""


def _kill_during_first_build(url: str, delay: float) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-c", CHILD, url], stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.slow
def test_first_build_killed_at_random_points_always_builds_again(tmp_path: Path) -> None:
    rng = random.Random(20261204)
    kb = knowledge_base()
    runs = 10
    for i in range(runs):  # one random kill point in each tenth of the first 0.35 s (the migration)
        url = f"sqlite:///{tmp_path / f'atlas{i}.db'}"
        _kill_during_first_build(url, (i + rng.random()) * 0.35 / runs)
        report = Atlas(url).build()
        assert report.inserted["studies"] + report.updated["studies"] + report.unchanged["studies"] == len(kb.studies)
        assert Atlas(url).counts()["studies"] == len(kb.studies)
        get_engine.cache_clear()


def test_half_made_schema_of_an_interrupted_build_heals(tmp_path: Path) -> None:
    """The state the issue found after a kill: only ``audit`` created, ``alembic_version`` empty."""
    path = tmp_path / "atlas.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, actor VARCHAR(120))")
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.commit()
    Atlas(f"sqlite:///{path}").build()
    assert Atlas(f"sqlite:///{path}").counts()["studies"] == len(knowledge_base().studies)


def test_a_schema_holding_data_is_never_dropped(tmp_path: Path) -> None:
    path = tmp_path / "atlas.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, actor VARCHAR(120))")
        conn.execute("INSERT INTO audit VALUES (1, 'someone')")
        conn.commit()
    with pytest.raises(StorageError, match="already exists"):
        Atlas(f"sqlite:///{path}").build()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT actor FROM audit").fetchall() == [("someone",)]


@pytest.fixture
def read_only_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A built atlas this process may not write (os.access says so; root ignores file modes)."""
    path = tmp_path / "ro" / "atlas.db"
    url = f"sqlite:///{path}"
    Atlas(url).build()
    get_engine.cache_clear()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path.chmod(0o444)
    path.parent.chmod(0o555)
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p).startswith(str(path.parent))
                        and mode & os.W_OK else real(p, mode, **kw))
    yield url
    path.parent.chmod(0o755)
    get_engine.cache_clear()


def test_reads_work_on_a_read_only_file_and_writes_say_why_they_fail(read_only_file: str) -> None:
    atlas = Atlas(read_only_file)
    assert atlas.counts()["studies"] == len(knowledge_base().studies)
    assert atlas.studies(disease="hidradenitis suppurativa")
    with pytest.raises(StorageError, match=r"Cannot write the database .*writable location") as info:
        create_token(atlas, "bob")
    assert info.value.kind == "read_only"


def test_web_reads_work_on_a_read_only_file(read_only_file: str) -> None:
    from fastapi.testclient import TestClient

    from jakatlas.web import create_app

    with TestClient(create_app(read_only_file)) as client:
        assert client.get("/api/v1/studies?disease=HS").status_code == 200
        assert client.get("/diseases/hidradenitis-suppurativa").status_code == 200


@pytest.mark.parametrize(("message", "kind", "words"), [
    ("database or disk is full", "disk_full", "disk is full"),
    ("UNIQUE constraint failed: tokens.name", "unique", "same key already exists"),
    ("no such table: studies", "schema", "does not match this version"),
    ("database is locked", "locked", "locked by another process"),
    ('connection to server at "10.1.2.3", port 5432 failed: timeout expired', "unreachable", "Cannot reach"),
    ("canceling statement due to statement timeout", "timeout", "did not answer in time"),
])
def test_errors_say_what_happened(message: str, kind: str, words: str) -> None:
    from sqlalchemy.exc import OperationalError

    err = storage_error("postgresql+psycopg://alice:secret@10.1.2.3:5432/atlasdb",
                        OperationalError("SELECT 1", {}, Exception(message)))
    assert err.kind == kind
    assert words in err.message
    assert "secret" not in str(err)
    for leak in ("10.1.2.3", "5432", "alice", "atlasdb"):
        assert leak not in err.public
    assert "Check that the database server is running" not in str(err) or kind == "unreachable"


def test_a_server_that_never_answers_fails_fast(silent_port: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAKATLAS_DB_CONNECT_TIMEOUT", "2")
    url = f"postgresql+psycopg://bob@127.0.0.1:{silent_port}/atlas"
    start = time.monotonic()
    with pytest.raises(StorageError) as info:
        Atlas(url).counts()
    assert time.monotonic() - start < 6
    assert info.value.kind == "unreachable"
    get_engine.cache_clear()


def test_server_reads_keep_their_connections_and_skip_transactions(pg_url: str) -> None:
    """A pool large enough for the web workers' readers, and reads in autocommit (no BEGIN/ROLLBACK
    round trips); SQLite keeps its in-process transaction."""
    from jakatlas.store.db import POOL_SIZE, read_connection

    engine = get_engine(pg_url)
    assert engine.pool.size() == POOL_SIZE  # type: ignore[attr-defined]
    with read_connection(pg_url) as conn:
        assert conn.connection.dbapi_connection.autocommit is True
    with engine.connect() as conn:
        assert conn.connection.dbapi_connection.autocommit is False  # writes keep their transactions


def test_sqlite_reads_keep_their_transaction(tmp_path: Path) -> None:
    from jakatlas.store.db import read_connection

    url = f"sqlite:///{tmp_path / 'a.db'}"
    with read_connection(url) as conn:
        assert conn.get_execution_options().get("isolation_level") is None
