"""``jakatlas ingest``: summary lines, skipped inputs and the refusal to mix ingests (exact messages)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests._cli import run

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture
def two_files(tmp_path: Path) -> Path:
    if not (SHARED / "corpora" / "pubmed_xml").is_dir():
        pytest.skip(f"shared corpora not found at {SHARED}")
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted((SHARED / "corpora" / "pubmed_xml").glob("*.xml")):
        shutil.copy(p, folder / p.name)
    return folder


def test_ingest_in_process_prints_the_summary_and_the_latest_view(
    two_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run(capsys, monkeypatch, "ingest", str(two_files), "--out", str(out), "--workers", "0")
    assert (code, stderr) == (0, "")
    lines = stdout.splitlines()
    assert lines[0].startswith("Ingested 2 of 2 files (0 already done, 0 failed): 4 records, 0 candidate studies in ")
    assert lines[0].endswith(" records/s, 0 workers).")
    assert lines[1] == "Latest view: 4 citations, 0 relevant, 0 candidate studies."
    code, stdout, stderr = run(capsys, monkeypatch, "ingest", str(two_files), "--out", str(out), "--workers", "0")
    assert code == 2
    assert stderr == (f"Error: {out} already holds an ingest (2 inputs done); pass --resume to continue it or "
                      "choose an empty --out folder.\n")
    code, stdout, _ = run(capsys, monkeypatch, "ingest", str(two_files), "--out", str(out), "--workers", "0",
                          "--resume")
    assert code == 0 and stdout.startswith("Ingested 0 of 2 files (2 already done, 0 failed): 0 records")


def test_bad_input_is_skipped_with_its_reason_and_exit_1(
    two_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (two_files / "pubmed3.xml").write_text("<PubmedArticleSet><PubmedArticle>")
    code, stdout, _ = run(capsys, monkeypatch, "ingest", str(two_files), "--out", str(tmp_path / "o"),
                          "--workers", "0")
    assert code == 1
    first, second = stdout.splitlines()[:2]
    assert first.startswith("Skipped pubmed3.xml: malformed XML at line 1, column ")
    assert first.endswith("; fix or re-export the file.")
    assert second.startswith("Ingested 2 of 3 files (0 already done, 1 failed): 4 records")


def test_extract_and_add_take_folders_and_globs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("Three patients with erosive lichen planus improved on tofacitinib 5 mg twice daily.")
    (folder / "b.txt").write_text("Baricitinib 4 mg daily in 12 patients with alopecia areata.")
    code, stdout, _ = run(capsys, monkeypatch, "extract", str(folder), "--format", "json")
    assert code == 0
    import json

    payloads = json.loads(stdout)
    assert [p["source"]["id"] for p in payloads] == ["a.txt", "b.txt"]
    code, stdout, _ = run(capsys, monkeypatch, "extract", str(folder / "*.txt"))
    assert code == 0 and stdout.count("a.txt: 1 study,") == 1 and "b.txt" in stdout
    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    code, stdout, _ = run(capsys, monkeypatch, "add", str(folder), "--db", db)
    assert code == 0
    assert stdout.splitlines()[0] == f"Added 1 candidate studies from {folder / 'a.txt'} (0 already present)."
    code, _, stderr = run(capsys, monkeypatch, "extract", str(tmp_path / "none" / "*.txt"))
    assert code == 2
    assert stderr == f"Error: {tmp_path / 'none' / '*.txt'}: no files found; give a file, a folder or a glob such as 'reports/*.txt'.\n"


def test_a_bad_file_in_a_folder_is_reported_and_the_rest_extracted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text("")
    (folder / "b.txt").write_text("Baricitinib 4 mg daily in 12 patients with alopecia areata.")
    code, stdout, stderr = run(capsys, monkeypatch, "extract", str(folder))
    assert code == 2
    assert stderr == f"Error: {folder / 'a.txt'} is empty (0 bytes); give a document with text.\n"
    assert "b.txt: " in stdout


def test_ingest_load_stores_candidates_through_the_living_update_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.bulk.corpus import FOOTER, HEADER, article

    folder = tmp_path / "in"
    folder.mkdir()
    body = article("30000001", "Tofacitinib for erosive lichen planus",
                   "Three patients with erosive lichen planus improved on tofacitinib 5 mg twice daily.")
    (folder / "pubmed25n0001.xml").write_text(HEADER + body + FOOTER)
    db = f"sqlite:///{tmp_path / 'atlas.db'}"
    args = ("ingest", str(folder), "--out", str(tmp_path / "out"), "--workers", "0", "--load", "--db", db)
    code, stdout, stderr = run(capsys, monkeypatch, *args)
    assert (code, stderr) == (0, "")
    assert stdout.splitlines()[-1] == ("Loaded 1 records: 1 new, 0 updated, 0 unchanged, 0 withdrawn; 1 candidate "
                                       "studies, 0 linked to studies already in the atlas.")
    code, stdout, _ = run(capsys, monkeypatch, *args, "--resume")
    assert stdout.splitlines()[-1].startswith("Loaded 1 records: 0 new, 0 updated, 1 unchanged,")
