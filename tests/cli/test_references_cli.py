"""CLI: ``jakatlas references`` writes RIS and BibTeX that parse back."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest
import rispy

from _cli import run


@pytest.fixture
def built(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("JAKATLAS_DB", sqlite_url)
    assert run(capsys, monkeypatch, "build")[0] == 0
    return sqlite_url


def test_disease_references_as_ris_on_stdout(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "references", "HS")
    assert code == 0
    records = rispy.loads(out)
    assert records and out.startswith("TY  - ")
    assert any("alavi2022-study1" in r["notes"][0] for r in records)


def test_drug_references_as_bibtex_file(built: str, tmp_path: Path, capsys, monkeypatch) -> None:
    target = tmp_path / "tofa.bib"
    code, out, _ = run(capsys, monkeypatch, "references", "tofacitinib", "-f", "bibtex", "--out", str(target))
    lib = bibtexparser.parse_string(target.read_text(encoding="utf-8"))
    assert code == 0 and not lib.failed_blocks
    assert out == f"Wrote {target}: {len(lib.entries)} references (bibtex).\n"


def test_search_references(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "references", "lichen planopilaris", "--search", "-f", "json")
    assert code == 0 and '"key": "S' in out


def test_unknown_name(built: str, capsys, monkeypatch) -> None:
    code, _, err = run(capsys, monkeypatch, "references", "xyzzy")
    assert code == 2
    assert err.startswith("Error: No disease or drug named 'xyzzy'.")
