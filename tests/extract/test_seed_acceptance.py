"""The acceptance scorer's ``score()`` on the seed report, in process (same figure as the CLI check)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from jakatlas.extract import extract_path

SHARED = Path(__file__).resolve().parents[3] / "shared"
SCORER = SHARED / "acceptance" / "check_extraction.py"
GOLD = SHARED / "acceptance" / "seed_gold.json"


def _scorer() -> ModuleType:
    if not SCORER.is_file() or not GOLD.is_file():
        pytest.skip(f"acceptance scorer or seed gold not found under {SHARED} (the shared folder is not present)")
    spec = importlib.util.spec_from_file_location("check_extraction", SCORER)
    if spec is None or spec.loader is None:
        pytest.skip(f"cannot import {SCORER}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_seed_report_meets_the_acceptance_thresholds() -> None:
    scorer = _scorer()
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    document = (GOLD.parent / gold["document"]).resolve()
    if not document.is_file():
        pytest.skip(f"seed document {document} not found")
    result = extract_path(document).model_dump(mode="json")
    recall, precision = scorer.score(result, gold, False)
    assert recall >= 0.9, recall
    assert precision >= 0.8, precision
    # regression guard at the level reached (raise only; do not lower)
    assert (recall, precision) >= (0.99, 0.99)
