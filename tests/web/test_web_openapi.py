"""Property-based API tests generated from the OpenAPI description (schemathesis)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from jakatlas.web import create_app


@pytest.fixture(scope="module")
def web_schema(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> object:
    path = tmp_path_factory.mktemp("openapi") / "atlas.db"
    with closing(sqlite3.connect(built_db)) as src, closing(sqlite3.connect(path)) as dst:
        src.backup(dst)
    app = create_app(f"sqlite:///{path}")
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("web_schema")


# Extraction runs the NLP pipeline (slow, rate-limited); test_web_api covers it.
@schema.exclude(path="/api/v1/extract").parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_description(case: schemathesis.Case) -> None:
    case.call_and_validate()
