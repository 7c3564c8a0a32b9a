"""Engines and migrations: SQLite by default (user data directory), any SQLAlchemy URL otherwise.

Faults are bounded: PostgreSQL gets a connect timeout and a statement timeout, SQLite a busy
timeout (``JAKATLAS_DB_CONNECT_TIMEOUT``, ``JAKATLAS_DB_STATEMENT_TIMEOUT``, seconds). A SQLite file
the process may not write is opened read-only, so reads still work. The schema is created in one
``BEGIN IMMEDIATE`` transaction on SQLite (DDL included), so a first build killed half-way leaves
no half-made schema; a schema left half-made by an older version is dropped when all of it is empty.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from jakatlas.errors import StorageError

__all__ = ["default_url", "resolve_url", "get_engine", "migrate", "session_scope", "describe_url", "is_initialised",
           "storage_error", "timeouts", "has_links", "has_table", "read_connection"]

ENV_VAR = "JAKATLAS_DB"
_CREATORS: dict[str, Any] = {}  # URL -> read-only connection factory
log = logging.getLogger("jakatlas.store")


def default_url() -> str:
    """SQLite file ``atlas.db`` in the user data directory (``$JAKATLAS_HOME`` overrides)."""
    from platformdirs import user_data_dir

    home = os.environ.get("JAKATLAS_HOME") or user_data_dir("jakatlas", appauthor=False)
    return f"sqlite:///{Path(home) / 'atlas.db'}"


def resolve_url(url: str | None = None) -> str:
    """``url`` if given, else ``$JAKATLAS_DB``, else :func:`default_url`."""
    return url or os.environ.get(ENV_VAR) or default_url()


def describe_url(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return "<invalid URL>"


def timeouts() -> tuple[float, float]:
    """(connect, statement) timeouts in seconds from the environment (defaults 5 and 30)."""
    def read(name: str, default: float) -> float:
        try:
            value = float(os.environ.get(name, default))
        except ValueError:
            return default
        return value if value > 0 else default

    return read("JAKATLAS_DB_CONNECT_TIMEOUT", 5.0), read("JAKATLAS_DB_STATEMENT_TIMEOUT", 30.0)


def _sqlite_file(parsed: URL) -> Path | None:
    db = parsed.database
    if parsed.get_backend_name() != "sqlite" or db in (None, "", ":memory:") or str(db).startswith("file:"):
        return None
    return Path(str(db)).expanduser().resolve()


def _read_only(path: Path) -> bool:
    """True when the file exists but this process may not write it (or the -wal/-shm beside it)."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _sqlite_pragmas(busy_ms: int) -> Any:
    def on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA foreign_keys=ON")
        try:
            cur.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:  # read-only file: keep its journal mode
            pass
        cur.close()

    return on_connect


def _postgres_url(parsed: URL, connect_s: float, statement_s: float) -> URL:
    query = dict(parsed.query)
    query.setdefault("connect_timeout", str(max(2, round(connect_s))))
    options = query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    if "statement_timeout" not in options:
        query["options"] = f"{options} -c statement_timeout={int(statement_s * 1000)}".strip()
    return parsed.set(query=query)


#: Connections each process keeps open to a database server (readers wait for one beyond this).
POOL_SIZE = 10


@cache
def get_engine(url: str, *, reads: bool = False) -> Engine:
    """One engine per URL; creates the SQLite file's folder; sets timeouts; translates failures.

    ``reads``: the engine for plain reads. On a database server it is a second engine whose
    connections stay in autocommit (each read is one statement, atomic on its own; no BEGIN and
    ROLLBACK round trips, and no switching of the mode at every checkout); SQLite shares one.
    """
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if reads and make_url(url).get_backend_name() == "sqlite":
        return get_engine(url)

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(
            f"Cannot parse database URL {url!r}.", kind="other",
            hint="Use an SQLAlchemy URL such as sqlite:///atlas.db or postgresql+psycopg://user@host/db.",
        ) from exc
    connect_s, statement_s = timeouts()
    kwargs: dict[str, Any] = {"future": True, "pool_pre_ping": True, "pool_timeout": connect_s}
    path = _sqlite_file(parsed)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the database folder {path.parent}: {exc.strerror}.", kind="read_only",
                hint="Pass --db or set JAKATLAS_DB to a writable location.",
            ) from exc
        if _read_only(path):
            shm = path.with_name(path.name + "-shm")
            immutable = "&immutable=1" if not (shm.exists() or os.access(path.parent, os.W_OK)) else ""
            uri = f"file:{path.as_posix()}?mode=ro{immutable}"
            kwargs["creator"] = _CREATORS[url] = lambda: sqlite3.connect(uri, uri=True, check_same_thread=False,
                                                                         timeout=connect_s)
    if parsed.get_backend_name() == "postgresql":
        parsed = _postgres_url(parsed, connect_s, statement_s)
        # Connections are kept, not opened per request: beyond the pool, each new connection
        # costs a server process (measured: at 16 concurrent reads a 5-connection pool opened
        # and closed connections continually and served 500 req/s instead of 1,500).
        kwargs.update(pool_size=POOL_SIZE, max_overflow=POOL_SIZE)
        if reads:
            kwargs["isolation_level"] = "AUTOCOMMIT"
            # Read statements are few shapes run many times: prepare each at its first run on a
            # connection (the driver's default, the fifth, left most of them re-planned at every
            # execution under a spread of queries; see PREPARED_MAX).
            kwargs["connect_args"] = {"prepare_threshold": 0}
    try:
        engine = create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        raise StorageError(f"No database driver for {describe_url(url)}: {exc}.",
                           hint="Install the driver, e.g. pip install 'psycopg[binary]'.") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(int(connect_s * 1000)))
    elif reads and engine.dialect.driver == "psycopg":
        event.listen(engine, "connect", _keep_prepared)
    return engine


#: Prepared statements each read connection keeps (the study list alone has a few hundred filter
#: shapes; the driver's default of 100 would evict and re-plan them).
PREPARED_MAX = 1000


def _keep_prepared(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.prepared_max = PREPARED_MAX


_SCHEMA_WORDS = ("no such table", "no such column", "does not exist", "undefinedtable", "undefinedcolumn",
                 "has no column")


def storage_error(url: str, exc: Exception) -> StorageError:
    """Translate a driver error into a StorageError that says what happened and what to do."""
    orig = getattr(exc, "orig", exc)
    first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    low = f"{type(orig).__name__} {first}".lower()
    where = describe_url(url)
    if isinstance(exc, IntegrityError) or "unique constraint" in low or "duplicate key" in low:
        return StorageError(f"A record with the same key already exists in {where} ({first}).", kind="unique",
                            public="A record with the same key already exists.",
                            hint="Reload the record and apply the change to its current state.")
    if "database or disk is full" in low or "no space left" in low or "diskfull" in low:
        return StorageError(f"The disk holding {where} is full ({first}).", kind="disk_full",
                            public="The atlas database cannot be written: its disk is full.",
                            hint="Free disk space, then run the command again.")
    if "not a database" in low or "malformed" in low:
        return StorageError(f"The database {where} is corrupt ({first}).", kind="corrupt",
                            public="The atlas database file is damaged.",
                            hint="Move the file away and run 'jakatlas build' to recreate it.")
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return StorageError(f"Cannot write the database {where} ({first}).", kind="read_only",
                            public="The atlas database is read-only here.",
                            hint="Pass --db or set JAKATLAS_DB to a writable location.")
    if "database is locked" in low or "database table is locked" in low or "lock timeout" in low:
        return StorageError(f"The database {where} is locked by another process ({first}).", kind="locked",
                            public="The atlas database is busy.",
                            hint="Wait for the other jakatlas command to finish, then try again.")
    if "statement timeout" in low or "canceling statement" in low or "querycanceled" in low:
        return StorageError(f"The database {where} did not answer in time ({first}).", kind="timeout",
                            public="The atlas database did not answer in time.",
                            hint="Try again; if it persists, check the database server's load.")
    if any(w in low for w in _SCHEMA_WORDS):
        return StorageError(f"The schema of {where} does not match this version of jakatlas ({first}).",
                            kind="schema", public="The atlas database schema does not match this version.",
                            hint="Run 'jakatlas build' to bring the schema up to date.")
    if isinstance(orig, OperationalError | DatabaseError) or "connect" in low or "timeout" in low \
            or "server closed" in low or "connection" in low:
        return StorageError(f"Cannot reach the database {where} ({first}).", kind="unreachable",
                            public="The atlas database is unreachable.",
                            hint="Check that the database server is running and the URL is right.")
    return StorageError(f"Database error on {where}: {first}.", kind="other",
                        public="The atlas database reported an error.",
                        hint="Run the command again; if it persists, report the message.")


_storage_error = storage_error
_DOWN: dict[str, tuple[float, StorageError]] = {}  # URL -> (until, error): a server found unreachable


def _fail_fast(url: str) -> None:
    """Re-raise a recent 'unreachable' at once instead of waiting out another connect timeout.

    After a connection attempt times out, further attempts within the connect timeout fail
    immediately (a circuit breaker), so a hung server costs each request milliseconds, not seconds.
    """
    down = _DOWN.get(url)
    if down is not None:
        if time.monotonic() < down[0]:
            raise StorageError(down[1].message, hint=down[1].hint, kind=down[1].kind, public=down[1].public)
        _DOWN.pop(url, None)


def _translate(url: str, exc: Exception) -> StorageError:
    err = storage_error(url, exc)
    if err.kind == "unreachable":
        _DOWN[url] = (time.monotonic() + timeouts()[0], err)
    return err


def _migration_engine(url: str) -> Engine:
    """A one-connection engine whose transactions include DDL (pysqlite otherwise commits before DDL)."""
    engine = get_engine(url)
    if engine.dialect.name != "sqlite":
        return engine
    mig = create_engine(engine.url, poolclass=NullPool, **({"creator": _CREATORS[url]} if url in _CREATORS else {}))
    connect_s, _ = timeouts()
    pragmas = _sqlite_pragmas(int(connect_s * 1000))

    @event.listens_for(mig, "connect")
    def _connect(dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
        pragmas(dbapi_conn, record)
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves

    @event.listens_for(mig, "begin")
    def _begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return mig


def _heal_half_made_schema(conn: Any) -> None:
    """Drop an empty, unversioned, partial schema (left by an interrupted first build of an older version)."""
    from jakatlas.store.schema import Base

    insp = inspect(conn)
    tables = set(insp.get_table_names())
    ours = set(Base.metadata.tables)
    if not tables or not tables <= ours | {"alembic_version"}:
        return
    if "alembic_version" in tables and conn.execute(text("SELECT count(*) FROM alembic_version")).scalar():
        return
    if any(conn.execute(text(f'SELECT 1 FROM "{t}" LIMIT 1')).first() for t in tables):
        return
    log.warning("dropping a half-made, empty schema (%s) left by an interrupted build", ", ".join(sorted(tables)))
    for t in sorted(tables):
        conn.execute(text(f'DROP TABLE "{t}"'))


def migrate(url: str) -> Engine:
    """Bring the schema to the newest Alembic revision (idempotent, atomic) and return the engine."""
    from alembic import command
    from alembic.config import Config

    engine = get_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("jakatlas.store") / "migrations"))
    mig = _migration_engine(url)
    try:
        with mig.begin() as conn:
            _heal_half_made_schema(conn)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except (OperationalError, DatabaseError) as exc:
        raise storage_error(url, exc) from exc
    finally:
        if mig is not engine:
            mig.dispose()
    return engine


def has_links(url: str, exists: Callable[[str], bool] | None = None) -> bool:
    """True when the study-link table of the living-updates migration exists (older atlases have none).

    ``exists(table)`` asks the database another way (the web app's async reads)."""
    if url in _LINKED:
        return True
    if time.monotonic() < _UNLINKED.get(url, float("-inf")):  # absent: looked again at most every 30 s
        return False
    try:
        found = exists("study_links") if exists else inspect(get_engine(url)).has_table("study_links")
    except (OperationalError, DatabaseError) as exc:
        raise _storage_error(url, exc) from exc
    if found:
        _LINKED.add(url)
    else:
        _UNLINKED[url] = time.monotonic() + 30.0
    return found


_LINKED: set[str] = set()
_UNLINKED: dict[str, float] = {}


def is_initialised(url: str) -> bool:
    """True when the atlas tables exist at ``url``."""
    return has_table(url, "studies")


def has_table(url: str, name: str) -> bool:
    """True when table ``name`` exists at ``url``."""
    _fail_fast(url)
    try:
        return inspect(get_engine(url)).has_table(name)
    except (OperationalError, DatabaseError) as exc:
        raise _translate(url, exc) from exc


@contextmanager
def read_connection(url: str) -> Iterator[Any]:
    """A plain connection for reads (no ORM), with driver errors translated.

    On a database server it runs in autocommit: each read is one statement (atomic on its own),
    and skipping BEGIN and ROLLBACK saves two of the three round trips of a typical API read.
    SQLite keeps its (in-process, free) transaction.
    """
    _fail_fast(url)
    try:
        with get_engine(url, reads=True).connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise _translate(url, exc) from exc


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session in one transaction: commit on success, roll back everything on any error."""
    _fail_fast(url)
    factory = sessionmaker(get_engine(url), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        raise _translate(url, exc) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
