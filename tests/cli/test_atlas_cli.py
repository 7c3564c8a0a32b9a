"""CLI: exact output and messages of build, drugs, diseases, show, token."""

from __future__ import annotations

import json

import pytest

from _cli import run


@pytest.fixture
def built(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("JAKATLAS_DB", sqlite_url)
    code, _, _ = run(capsys, monkeypatch, "build")
    assert code == 0
    return sqlite_url


def test_build_twice_reports_nothing_changed(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "build")
    assert code == 0
    assert out.endswith("(0 inserted, 0 updated).\n")
    assert out.startswith(f"Atlas built at {built}: ")


def test_show_lichen_planus_lists_curated_studies(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "show", "lichen planus", "--format", "md")
    assert code == 0
    assert out.startswith("# lichen planus\n")
    assert "| Drug | Dose | Disease | Design | n | Duration | Result | Level | Source |" in out
    row = next(line for line in out.splitlines() if line.startswith("| tofacitinib | 5 mg twice daily") and "| 3 |" in line)
    assert "case series" in row and "erosive" in row


def test_show_development_code_resolves_to_inn(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "show", "INCB054707", "--format", "json")
    assert code == 0
    view = json.loads(out)
    assert view["drug"]["name"] == "povorcitinib"
    assert view["drug"]["status"] == "investigational"
    assert view["drug"]["selectivity"][0]["fold_over"] == {"JAK2": 52.0}
    regs = {r for e in view["evidence"] for r in json.dumps(e["links"]).split('"') if r.startswith("NCT")}
    assert {"NCT03569371", "NCT03607487"} <= regs
    assert all("hidradenitis suppurativa" in " ".join(e["diseases"]) for e in view["evidence"])


def test_show_tofacitinib_json(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "show", "tofacitinib", "--format", "json")
    view = json.loads(out)
    drug = view["drug"]
    assert drug["boxed_warning"]["present"] is True
    assert drug["selectivity"] and drug["approvals"]
    assert len(view["evidence"]) >= 10


def test_unknown_name_exits_2_with_suggestion(built: str, capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "show", "lichen plans")
    assert code == 2
    assert err == "Error: No disease or drug named 'lichen plans'. Did you mean 'lichen planus'?\n"
    assert "Traceback" not in out + err


def test_unknown_name_without_close_match(built: str, capsys, monkeypatch) -> None:
    code, _, err = run(capsys, monkeypatch, "show", "zzzzqqq")
    assert code == 2
    assert err == ("Error: No disease or drug named 'zzzzqqq'. "
                   "Run 'jakatlas diseases' or 'jakatlas drugs' to list the known names.\n")


def test_show_before_build(sqlite_url: str, capsys, monkeypatch) -> None:
    code, _, err = run(capsys, monkeypatch, "show", "morphea", "--db", sqlite_url)
    assert code == 1
    assert err == f"Error: The atlas at {sqlite_url} has not been built. Run 'jakatlas build' first.\n"


def test_drugs_md_lists_jak_inhibitors_first(capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "drugs", "--format", "md")
    lines = out.splitlines()
    assert lines[0] == "| Drug | Brands | Codes | Targets | Status | Studies |"
    names = [line.split("|")[1].strip() for line in lines[2:]]
    assert names.index("tofacitinib") < names.index("methotrexate")
    assert "| povorcitinib |  | INCB054707 | JAK1 | investigational |" in out


def test_diseases_json_is_the_knowledge_base(capsys, monkeypatch) -> None:
    from jakatlas.data import knowledge_base

    code, out, _ = run(capsys, monkeypatch, "diseases", "--format", "json")
    assert code == 0
    assert {d["name"] for d in json.loads(out)} == {d.name for d in knowledge_base().diseases.values()}


def test_every_command_has_an_example(capsys, monkeypatch) -> None:
    from jakatlas.cli import _load_commands, app

    _load_commands()
    import typer.main

    group = typer.main.get_command(app)
    missing = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None)
        for sub_name, sub in (subs.items() if subs else [(name, cmd)]):
            if "Example:" not in (sub.help or ""):
                missing.append(sub_name)
    assert not missing


def test_token_create_prints_secret_once(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "token", "create", "alice")
    assert code == 0 and out.startswith("jka_") and len(out.strip()) > 30
    code, _, err = run(capsys, monkeypatch, "token", "create", "alice")
    assert code == 1
    assert err == ("Error: A token named 'alice' already exists. "
                   "Choose another name or revoke it with 'jakatlas token revoke NAME'.\n")


def test_add_missing_file_is_one_line(built: str, capsys, monkeypatch, tmp_path) -> None:
    code, out, err = run(capsys, monkeypatch, "add", str(tmp_path / "missing.txt"))
    assert code == 2
    assert err == f"Error: {tmp_path / 'missing.txt'}: no such file; check the path.\n"


def test_add_is_idempotent(built: str, capsys, monkeypatch, tmp_path) -> None:
    doc = tmp_path / "case.txt"
    doc.write_text("A 54-year-old woman with erosive oral lichen planus was treated with tofacitinib 5 mg "
                   "twice daily; her ulcers healed after 12 weeks. No adverse events were observed.\n")
    code, out, _ = run(capsys, monkeypatch, "add", str(doc))
    assert code == 0 and out.startswith("Added 1 candidate studies from ") and out.endswith("(0 already present).\n")
    code, out, _ = run(capsys, monkeypatch, "add", str(doc))
    assert out.endswith("Added 0 candidate studies from " + str(doc) + " (1 already present).\n")


def test_show_with_candidates_has_a_status_column(built: str, capsys, monkeypatch) -> None:
    from jakatlas.models.evidence import ExtractionResult, SourceInfo, Study
    from jakatlas.store.atlas import Atlas

    Atlas(built).add_candidates(ExtractionResult(
        source=SourceInfo(id="c.txt", kind="text", sha256="d" * 64),
        studies=[Study(id="s1", interventions=[{"name": "baricitinib"}], diseases=[{"name": "morphea"}],
                       design="case_report")]), "baricitinib in morphea")
    code, out, _ = run(capsys, monkeypatch, "show", "morphea", "--candidates", "--format", "md")
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("| Drug |"))
    assert header.endswith("| Level | Source | Status |")
    row = next(line for line in out.splitlines() if line.startswith("| baricitinib |") and "candidate" in line)
    assert row.endswith("| candidate |") and "| not reported |" in row  # n was not given: never a number
    code, out, _ = run(capsys, monkeypatch, "show", "morphea", "--format", "md")
    assert "| Status |" not in out and "candidate" not in out
