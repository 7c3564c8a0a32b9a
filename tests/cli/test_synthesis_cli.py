"""CLI: dossier, map, grade and mechanism commands (exact messages for the failure modes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _cli import run


@pytest.fixture
def built(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("JAKATLAS_DB", sqlite_url)
    code, _, _ = run(capsys, monkeypatch, "build")
    assert code == 0
    return sqlite_url


def test_dossier_markdown_and_html(built: str, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "hs.md"
    code, text, _ = run(capsys, monkeypatch, "dossier", "HS", "--out", str(out))
    assert code == 0
    assert text.startswith(f"Wrote the hidradenitis suppurativa dossier to {out} (14 studies, ")
    assert "Kirby 2024" in out.read_text(encoding="utf-8")
    assert (tmp_path / "hs-forest-1.png").exists()
    page = tmp_path / "hs.html"
    code, _, _ = run(capsys, monkeypatch, "dossier", "acne inversa", "--out", str(page))
    assert code == 0 and page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_dossier_unknown_extension(built: str, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, monkeypatch, "dossier", "HS", "--out", str(tmp_path / "hs.docx"))
    assert code == 2
    assert err == ("Error: Cannot write a dossier to 'hs.docx': unknown extension '.docx'. "
                   "Use one of .md, .markdown, .html, .htm, .pdf.\n")


def test_dossier_unknown_disease_suggests(built: str, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, monkeypatch, "dossier", "hidradenitis supurativa", "--out", str(tmp_path / "x.md"))
    assert code == 2
    assert err == ("Error: No disease named 'hidradenitis supurativa'. "
                   "Did you mean 'hidradenitis suppurativa'?\n")


def test_map_png_and_unknown_extension(built: str, tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "map.png"
    code, text, _ = run(capsys, monkeypatch, "map", "--out", str(out), "--size", "studies")
    assert code == 0 and out.read_bytes().startswith(b"\x89PNG")
    assert text.startswith(f"Wrote {out}: ") and "disease-drug pairs" in text
    code, _, err = run(capsys, monkeypatch, "map", "--out", str(tmp_path / "map.jpg"))
    assert code == 2
    assert err == "Error: Cannot write a map to 'map.jpg': unknown extension '.jpg'. Use one of .png, .svg, .html.\n"


def test_grade_json(built: str, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, monkeypatch, "grade", "hidradenitis suppurativa", "--format", "json")
    assert code == 0
    data = json.loads(out)
    povo = next(g for g in data["grades"] if g["drug"] == "povorcitinib" and g["outcome"] == "HiSCR, wk 16")
    assert (povo["certainty"], povo["measure"], povo["weeks"]) == ("very low", "HiSCR", 16.0)
    assert povo["reasons"][0].startswith("Started at high")
    assert povo["risk_of_bias"][0]["study_id"] == "kirby2024-povorcitinib-ph2"
    assert (povo["risk_of_bias"][0]["tool"], povo["risk_of_bias"][0]["basis"]) == ("RoB 2", "derived")
    assert {x["study_id"] for x in data["levels"]} >= {"kirby2024-povorcitinib-ph2", "alavi2022-study1"}


def test_grade_markdown_shows_risk_of_bias_per_study(built: str, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, monkeypatch, "grade", "HS", "--format", "md")
    assert code == 0
    assert "## Risk of bias per study" in out
    assert ("| alavi2022-study2 | ROBINS-I | derived | critical | confounding: critical (single-arm figures "
            "(within-arm change), no concurrent comparison);") in out


def test_mechanism_markdown_with_concentration(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, monkeypatch, "mechanism", "HS", "--concentration", "50", "--format", "md")
    assert code == 0
    assert out.startswith("# Mechanism coverage: hidradenitis suppurativa\n")
    assert "| baricitinib | JAK1/JAK2 | 100% |" in out
    assert "- JAK-independent (not blocked directly by any JAK inhibitor): IL-1, TNF, IL-17A, IL-36." in out
    assert "Hill model assumptions: Enzyme (cell-free) IC50 values are not cellular potency" in out


@pytest.mark.parametrize("command", ["dossier", "map", "grade", "mechanism"])
def test_help_has_an_example(command: str, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, monkeypatch, command, "--help")
    assert code == 0
    assert "Example: jakatlas " + command in " ".join(out.split())


def test_dossier_tables_writes_every_table_as_csv(tmp_path, capsys, monkeypatch, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    import csv

    from _cli import run

    monkeypatch.setenv("JAKATLAS_DB", sqlite_url)
    assert run(capsys, monkeypatch, "build")[0] == 0
    folder = tmp_path / "tables"
    code, out, _ = run(capsys, monkeypatch, "dossier", "HS", "--out", str(tmp_path / "hs.md"), "--tables", str(folder))
    assert code == 0
    names = ["summary", "evidence", "effects", "placebo", "grades", "mechanism", "coverage", "safety", "references"]
    files = [f"hidradenitis_suppurativa-{n}.csv" for n in names]
    assert out.splitlines()[-1] == f"Wrote 9 tables as CSV to {folder}: {', '.join(files)}."
    effects = list(csv.DictReader((folder / files[2]).open(encoding="utf-8")))
    kirby = [r for r in effects if r["study"] == "Kirby 2024" and r["measure"] == "HiSCR"]
    assert kirby and all(r["rd_pp"] for r in kirby)
    summary = list(csv.DictReader((folder / files[0]).open(encoding="utf-8")))
    assert {r["drug"] for r in summary} >= {"povorcitinib", "upadacitinib"}
    assert all(r["patients"] != "0" for r in summary)  # unknown n is empty, never 0
