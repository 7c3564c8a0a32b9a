"""CLI: infer, infer-eval and infer-train, with exact messages for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from _cli import run

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "evidence_inference"
ARTICLE = CORPUS / "articles" / "PMC1821024.txt"
PROMPT = ("--intervention", "receive a weekly 30-minute session of hydrotherapy for 6 weeks",
          "--comparator", "similar exercises on land for 6 weeks")


@pytest.fixture
def article() -> Path:
    if not ARTICLE.is_file():
        pytest.skip(f"{ARTICLE} is not present")
    return ARTICLE


def test_infer_json(article: Path, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "infer", str(article), *PROMPT, "--outcome",
                       "number of patient failed to complete treatment", "--format", "json")
    assert code == 0
    res = json.loads(out)
    assert res["label"] == "no significant difference"
    assert set(res["probabilities"]) == {"significantly decreased", "no significant difference",
                                         "significantly increased"}
    assert [(e["start"], e["end"]) for e in res["evidence"]][0] == (1725, 1853)
    assert res["machine_inferred"] is True


def test_infer_table(article: Path, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "infer", str(article), *PROMPT, "--outcome",
                       "number of patient failed to complete treatment", "--top-k", "1")
    assert code == 0
    assert out.startswith("no significant difference (machine-inferred; significantly decreased 0.")
    assert "1725" in out and "1853" in out


def test_infer_empty_outcome(article: Path, capsys, monkeypatch) -> None:
    code, out, err = run(capsys, monkeypatch, "infer", str(article), *PROMPT, "--outcome", "  ")
    assert (code, out) == (2, "")
    assert err == 'Error: The outcome is empty. Give it as words from the article, e.g. --outcome "...".\n'


def test_infer_folder(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, err = run(capsys, monkeypatch, "infer", str(tmp_path), *PROMPT, "--outcome", "pain")
    assert code == 2
    assert err == f"Error: {tmp_path} is a folder. Pass one article file.\n"


def test_infer_missing_file(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, err = run(capsys, monkeypatch, "infer", str(tmp_path / "no.txt"), *PROMPT, "--outcome", "pain")
    assert code == 2
    assert err.startswith("Error: ") and "no.txt" in err


def test_infer_empty_file(tmp_path: Path, capsys, monkeypatch) -> None:
    empty = tmp_path / "e.txt"
    empty.write_text("", encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "infer", str(empty), *PROMPT, "--outcome", "pain")
    assert code == 2
    assert err.startswith("Error: ")


def test_infer_eval_not_a_directory(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, err = run(capsys, monkeypatch, "infer-eval", str(tmp_path / "x"))
    assert code == 2
    assert err == (f"Error: {tmp_path / 'x'} is not a directory. Pass a directory with articles/, prompts.csv, "
                   "v2_annotations.csv and splits/.\n")


def test_infer_eval_without_split(tmp_path: Path, capsys, monkeypatch) -> None:
    code, _, err = run(capsys, monkeypatch, "infer-eval", str(tmp_path))
    assert code == 2
    assert err == f"Error: {tmp_path / 'splits'} has no test or validation split. Pass one with --split FILE.\n"


def test_infer_eval_prints_figures_last(small_corpus: Path, capsys, monkeypatch) -> None:
    code, out, _ = run(capsys, monkeypatch, "infer-eval", str(small_corpus))
    assert code == 0
    last = out.strip().splitlines()[-3:]
    assert last[0].startswith("evidence accuracy (top-1 overlaps a span): ")
    assert last[1].startswith("oracle-span macro-F1: ")
    assert last[2].startswith("pipeline macro-F1: ")
    code, out, _ = run(capsys, monkeypatch, "infer-eval", str(small_corpus), "--split",
                       "splits/small_validation.txt", "--format", "json")
    assert code == 0
    rep = json.loads(out)
    assert rep["prompts"] == 7
    assert f"{rep['pipeline_macro_f1']:.4f}" == last[2].split(": ")[1]


def test_infer_train_small(small_corpus: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    out_path = tmp_path / "m.joblib"
    split = small_corpus / "splits" / "small_validation.txt"
    code, out, err = run(capsys, monkeypatch, "infer-train", str(small_corpus), "--split", str(split),
                         "--validation", str(tmp_path / "none.txt"), "--out", str(out_path))
    assert code == 0, err
    assert out.startswith(f"Wrote {out_path} (")
    meta = json.loads(out_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["training_data"]["train"]["split"] == "small_validation.txt"
    assert meta["metrics"]["train_prompts"] == 7
    code, out, _ = run(capsys, monkeypatch, "infer", str(small_corpus / "articles" / "PMC1821024.txt"), *PROMPT,
                       "--outcome", "pain", "--model", str(out_path), "--format", "json")
    assert code == 0
    assert json.loads(out)["label"] in meta["labels"]


def test_infer_train_same_split(small_corpus: Path, capsys, monkeypatch) -> None:
    split = small_corpus / "splits" / "small_validation.txt"
    code, _, err = run(capsys, monkeypatch, "infer-train", str(small_corpus), "--split", str(split),
                       "--validation", str(split))
    assert code == 2
    assert err == "Error: The train and validation splits are the same file. Pass different files.\n"
