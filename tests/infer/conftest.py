"""A small corpus in the Evidence Inference 2.0 layout, cut from the shipped validation split."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "evidence_inference"
PMCIDS = ("1821024", "1087200")  # validation articles: 4 + 3 annotated prompts


def _copy_rows(src: Path, dst: Path, ids: set[str]) -> None:
    with src.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if r["PMCID"] in ids]
        fields = reader.fieldnames or []
    with dst.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is not present")
    root = tmp_path_factory.mktemp("ev2")
    (root / "articles").mkdir()
    (root / "splits").mkdir()
    for pmcid in PMCIDS:
        shutil.copy(CORPUS / "articles" / f"PMC{pmcid}.txt", root / "articles")
    _copy_rows(CORPUS / "prompts.csv", root / "prompts.csv", set(PMCIDS))
    _copy_rows(CORPUS / "v2_annotations.csv", root / "v2_annotations.csv", set(PMCIDS))
    (root / "splits" / "small_validation.txt").write_text("\n".join(PMCIDS) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def hydrotherapy() -> str:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is not present")
    return (CORPUS / "articles" / "PMC1821024.txt").read_text(encoding="utf-8")
