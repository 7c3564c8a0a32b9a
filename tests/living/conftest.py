"""Fake E-utilities and CT.gov services for the living-update tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeapi import FIXTURES, FakeApis

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture
def fake() -> FakeApis:
    return FakeApis()


@pytest.fixture
def living_fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "corpora" / "pubmed_xml").is_dir():
        pytest.skip(f"shared corpora not found at {SHARED} (the folder sits beside the repository checkout)")
    return SHARED
