"""Engines and migrations: SQLite by default (user data directory), any SQLAlchemy URL otherwise."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from jakatlas.errors import StorageError

__all__ = ["default_url", "resolve_url", "get_engine", "migrate", "session_scope", "describe_url", "is_initialised"]

ENV_VAR = "JAKATLAS_DB"


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
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for display
        return "<invalid URL>"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


@cache
def get_engine(url: str) -> Engine:
    """One engine per URL; creates the SQLite file's folder; translates connection failures."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(
            f"Cannot parse database URL {url!r}.",
            hint="Use an SQLAlchemy URL such as sqlite:///atlas.db or postgresql+psycopg://user@host/db.",
        ) from exc
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).expanduser().resolve().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"Cannot create the database folder {folder}: {exc.strerror}.",
                hint="Pass --db or set JAKATLAS_DB to a writable location.",
            ) from exc
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise StorageError(f"No database driver for {describe_url(url)}: {exc}.",
                           hint="Install the driver, e.g. pip install 'psycopg[binary]'.") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _storage_error(url: str, exc: Exception) -> StorageError:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
    if "not a database" in text or "malformed" in text:
        return StorageError(f"The database {describe_url(url)} is corrupt ({text}).",
                            hint="Move the file away and run 'jakatlas build' to recreate it.")
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StorageError(f"Cannot write the database {describe_url(url)} ({text}).",
                            hint="Pass --db or set JAKATLAS_DB to a writable location.")
    return StorageError(f"Database error on {describe_url(url)}: {text}.",
                        hint="Check that the server is running and the URL is right.")


def migrate(url: str) -> Engine:
    """Bring the schema to the newest Alembic revision (idempotent) and return the engine."""
    from alembic import command
    from alembic.config import Config

    engine = get_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("jakatlas.store") / "migrations"))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except (OperationalError, DatabaseError) as exc:
        raise _storage_error(url, exc) from exc
    return engine


def is_initialised(url: str) -> bool:
    """True when the atlas tables exist at ``url``."""
    try:
        return inspect(get_engine(url)).has_table("studies")
    except (OperationalError, DatabaseError) as exc:
        raise _storage_error(url, exc) from exc


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session in one transaction: commit on success, roll back everything on any error."""
    factory = sessionmaker(get_engine(url), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        raise _storage_error(url, exc) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
