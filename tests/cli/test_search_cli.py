"""CLI: ``jakatlas search`` output and messages."""

from __future__ import annotations

import json

import pytest

from _cli import run


@pytest.fixture
def built(sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("JAKATLAS_DB", sqlite_url)
    assert run(capsys, monkeypatch, "build")[0] == 0
    return sqlite_url


def test_search_markdown_lists_ranked_hits(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "search", "NCT03607487", "--format", "md")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "| Kind | Title | Matched in | Id |"
    assert len(lines) == 3 and lines[2].startswith("| study | INCB054707 (povorcitinib) versus placebo")
    assert lines[2].endswith("| alavi2022-study2 |") and "NCT03607487" in lines[2]


def test_search_json_and_kind_filter(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "search", "jak1", "--kind", "cytokine", "-f", "json", "-n", "50")
    assert code == 0
    hits = json.loads(out)
    assert hits and {h["kind"] for h in hits} == {"cytokine"}
    assert all("<mark>JAK1</mark>" in h["snippet_html"] for h in hits)


def test_search_without_results_says_so(built: str, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "search", "zzzunknownword")
    assert (code, out) == (0, "No results for 'zzzunknownword'.\n")


def test_search_of_punctuation_is_refused(built: str, capsys, monkeypatch) -> None:
    code, _, err = run(capsys, monkeypatch, "search", "--", "-*-")
    assert code == 2
    assert err == ("Error: Nothing to search for in '-*-'. Type a word, a name, a trial acronym, "
                   "a registry id or a PMID.\n")
