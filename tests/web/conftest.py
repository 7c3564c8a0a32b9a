"""Fixtures of the web tests: a built SQLite atlas (built once, copied per test), clients and tokens."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jakatlas.models.evidence import ExtractionResult, SourceInfo, Study
from jakatlas.store.atlas import Atlas
from jakatlas.store.curation import create_token

# Hostile text: the study page must show it as text, never run it.
CANDIDATE_TEXT = (
    "Case report. <script>window.__pwned = 1</script> A 54-year-old woman with erosive oral lichen planus "
    "received baricitinib 4 mg once daily. After 12 weeks the erosions had healed completely."
)
SPAN_TEXT = "received baricitinib 4 mg once daily"


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


def candidate_result() -> ExtractionResult:
    start = CANDIDATE_TEXT.index(SPAN_TEXT)
    return ExtractionResult(
        source=SourceInfo(id="case.txt", kind="text", sha256="c" * 64, title="Oral lichen planus case"),
        studies=[Study(
            id="s1", interventions=[{"name": "baricitinib", "dose": "4 mg", "frequency": "once daily"}],
            diseases=[{"name": "lichen planus", "variant": "erosive"}], design="case_report", n=1,
            evidence_level=4, duration={"value": 12, "unit": "week"},
            outcomes=[{"measure": "healing of erosions", "value": 100.0, "unit": "%",
                       "spans": [{"start": CANDIDATE_TEXT.index("the erosions"),
                                  "end": CANDIDATE_TEXT.index("completely") + len("completely")}]}],
            spans=[{"start": start, "end": start + len(SPAN_TEXT)}])],
    )


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
