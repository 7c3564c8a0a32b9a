"""Paths to the ingest fixtures and to the shared corpora (read in place, never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared folder not found at {SHARED} (it sits beside the repository checkout)")
    return SHARED


@pytest.fixture
def pubmed_corpus(shared: Path) -> list[Path]:
    files = sorted((shared / "corpora" / "pubmed_xml").glob("*.xml"))
    if not files:
        pytest.skip(f"no PubMed XML files in {shared / 'corpora' / 'pubmed_xml'}")
    return files


@pytest.fixture
def seed_report(shared: Path) -> Path:
    path = shared / "seed" / "jak-inhibition-uncommon-dermatoses-aad2022.txt"
    if not path.is_file():
        pytest.skip(f"seed report not found at {path}")
    return path
