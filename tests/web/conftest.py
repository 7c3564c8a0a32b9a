"""Fixtures of the web tests: a built SQLite atlas (built once, copied per test), clients and tokens."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from _candidates import CANDIDATE_TEXT, candidate_result
from fastapi.testclient import TestClient

from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import create_token


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("atlas") / "atlas.db"
    Atlas(f"sqlite:///{path}").build()
    return path


@pytest.fixture
def atlas_url(built_db: Path, tmp_path: Path) -> str:
    """A private copy of the built atlas for one test (SQLite backup API: WAL content included)."""
    path = tmp_path / "atlas.db"
    with closing(sqlite3.connect(built_db)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst)
    return f"sqlite:///{path}"


@pytest.fixture
def candidate_id(atlas_url: str) -> str:
    report = Atlas(atlas_url).add_candidates(candidate_result(), CANDIDATE_TEXT, actor="test")
    return report.added[0]


@pytest.fixture
def token(atlas_url: str) -> str:
    return create_token(Atlas(atlas_url), "alice")


@pytest.fixture
def client(atlas_url: str) -> Iterator[TestClient]:
    from jakatlas.web import create_app

    with TestClient(create_app(atlas_url)) as c:
        yield c
