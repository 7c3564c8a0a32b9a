"""Fixtures: baseline-format corpora built in a temporary folder from the shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from .corpus import Corpus, build

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not (SHARED / "corpora" / "abstracts" / "abstracts.jsonl").is_file():
        pytest.skip(f"shared corpora not found at {SHARED} (beside the repository checkout)")
    return SHARED


@pytest.fixture(scope="session")
def corpus(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    return build(shared_dir, tmp_path_factory.mktemp("baseline"))
