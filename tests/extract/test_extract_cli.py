"""``jakatlas extract``: output formats, standard input and exact error messages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import jakatlas.cli.extract_cmd  # noqa: F401  (registers the command)
from _cli import run
from jakatlas.cli import _load_commands, app

REPORT = (
    "Tofacitinib in lichen planus\n"
    "Three patients with erosive lichen planus improved on tofacitinib 5 mg twice daily (NCT12345678).\n"
)




@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def test_command_is_registered_by_main() -> None:
    _load_commands()
    assert "extract" in {c.name for c in app.registered_commands}


def test_json_is_one_contract_object(report: Path, capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "extract", str(report), "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert set(doc) == {"source", "studies", "mentions", "warnings"}
    assert doc["source"]["kind"] == "text" and doc["source"]["id"] == "report.txt"
    (study,) = doc["studies"]
    assert study["id"] == "s1"
    assert study["interventions"] == [{"name": "tofacitinib", "dose": "5 mg", "frequency": "twice daily", "route": None}]
    assert study["diseases"] == [{"name": "lichen planus", "variant": "erosive"}]
    assert (study["n"], study["design"], study["registry_ids"]) == (3, "case_series", ["NCT12345678"])
    span = study["spans"][0]
    assert REPORT[span["start"]: span["end"]].startswith("Three patients")


def test_standard_input(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", type("In", (), {"buffer": __import__("io").BytesIO(REPORT.encode())})())
    code, out, _ = run(capsys, monkeypatch, "extract", "-", "--format", "json")
    assert code == 0
    assert json.loads(out)["source"]["id"] == "<stdin>"


def test_text_format_prints_the_indexed_text(report: Path, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "extract", str(report), "--format", "text")
    assert code == 0
    assert out == REPORT


def test_table_format(report: Path, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "extract", str(report), "--format", "table")
    assert code == 0
    assert "report.txt: 1 study, " in out and "│ s1" in out


def test_missing_file_is_one_line_on_stderr(tmp_path: Path, capsys, monkeypatch) -> None:
    missing = tmp_path / "nope.txt"
    code, out, err = run(capsys, monkeypatch, "extract", str(missing))
    assert code == 2 and out == ""
    assert err == f"Error: {missing}: no such file; check the path.\n"


def test_empty_file_is_one_line_on_stderr(tmp_path: Path, capsys, monkeypatch) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, _, err = run(capsys, monkeypatch, "extract", str(empty), "--format", "json")
    assert code == 2
    assert err == f"Error: {empty} is empty (0 bytes); give a document with text.\n"


def test_binary_file_is_refused(tmp_path: Path, capsys, monkeypatch) -> None:
    blob = tmp_path / "blob.txt"
    blob.write_bytes(b"\x00\x01\x02\x03 binary")
    code, _, err = run(capsys, monkeypatch, "extract", str(blob))
    assert code == 2
    assert err.startswith(f"Error: {blob} looks like a binary file") and err.count("\n") == 1


def test_unknown_kind_is_a_usage_error(report: Path) -> None:
    result = CliRunner().invoke(app, ["extract", str(report), "--kind", "pdf"])
    assert result.exit_code == 2
    assert "Invalid value for '--kind'" in result.output


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(app, ["extract", "--help"])
    assert result.exit_code == 0
    assert "Example: jakatlas extract report.txt --format json" in result.output
