"""The shipped model end to end on real articles of the validation split, in three input formats."""

from __future__ import annotations

import json
import shutil
from html import escape
from pathlib import Path

import pytest

from jakatlas.errors import InputError
from jakatlas.infer import LABELS, infer_document, infer_text
from jakatlas.infer.evaluate import evaluate, macro_f1
from jakatlas.infer.model import ModelError, default_model_path, load_model

HYDRO = ("receive a weekly 30-minute session of hydrotherapy for 6 weeks", "similar exercises on land for 6 weeks")


def test_shipped_model_sidecar_records_its_training() -> None:
    meta = json.loads(default_model_path().with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["training_data"]["train"]["split"] == "ev2_train_article_ids.txt"
    assert len(meta["training_data"]["train"]["split_sha256"]) == 64
    assert meta["labels"] == list(LABELS)
    assert meta["model_bytes"] < 5_000_000
    assert meta["metrics"]["validation"]["prompts"] == 231


def test_infer_text_finds_the_evidence(hydrotherapy: str) -> None:
    res = infer_text(hydrotherapy, *HYDRO, "number of patient failed to complete treatment")
    assert res.label == "no significant difference"
    assert abs(sum(res.probabilities.values()) - 1) < 1e-3
    top = res.evidence[0]
    assert (top.start, top.end) == (1725, 1853)
    assert hydrotherapy[top.start : top.end] == top.text
    assert res.machine_inferred


def test_html_input_offsets_index_the_read_text(hydrotherapy: str, tmp_path: Path) -> None:
    paras = "".join(f"<p>{escape(p)}</p>" for p in hydrotherapy.split("\n") if p.strip())
    page = tmp_path / "a.html"
    page.write_text(f"<!doctype html><html><body><article>{paras}</article></body></html>", encoding="utf-8")
    text, res = infer_document(page, *HYDRO, "number of patients that feel much better")
    assert res.label == "significantly increased"
    assert text[res.evidence[0].start : res.evidence[0].end] == res.evidence[0].text
    assert "were much better or very much better" in res.evidence[0].text


def test_pubmed_xml_input(hydrotherapy: str, tmp_path: Path) -> None:
    abstract = hydrotherapy[hydrotherapy.index("ABSTRACT.RESULTS:") + 17 : hydrotherapy.index("ABSTRACT.CONCLUSION")]
    xml = ("<?xml version=\"1.0\"?><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>17359531</PMID>"
           "<Article><ArticleTitle>Hydrotherapy versus land exercise</ArticleTitle><Abstract>"
           f"<AbstractText Label=\"RESULTS\">{escape(abstract.strip())}</AbstractText></Abstract></Article>"
           "</MedlineCitation></PubmedArticle></PubmedArticleSet>")
    path = tmp_path / "a.xml"
    path.write_text(xml, encoding="utf-8")
    text, res = infer_document(path, *HYDRO, "number of patients that feel much better")
    assert res.label == "significantly increased"
    assert text[res.evidence[0].start : res.evidence[0].end] == res.evidence[0].text


def test_empty_prompt_part() -> None:
    with pytest.raises(InputError) as err:
        infer_text("Pain fell.", "drug", " ", "pain")
    assert str(err.value) == 'The comparator is empty. Give it as words from the article, e.g. --comparator "...".'


def test_evaluate_small_corpus(small_corpus: Path) -> None:
    rep = evaluate(small_corpus, small_corpus / "splits" / "small_validation.txt")
    assert (rep.prompts, rep.articles) == (7, 2)
    assert rep.evidence_accuracy >= 5 / 7
    assert rep.oracle_macro_f1 >= rep.pipeline_macro_f1 - 0.2


def test_macro_f1_reference() -> None:
    # per class: decreased F1 = 2/3, no difference F1 = 2/3, increased F1 = 0 -> macro 4/9
    gold = ["significantly decreased", "no significant difference", "significantly increased"]
    pred = ["significantly decreased", "no significant difference", "no significant difference"]
    f1, per = macro_f1(gold, pred)
    assert per == {"significantly decreased": 1.0, "no significant difference": pytest.approx(2 / 3),
                   "significantly increased": 0.0}
    assert f1 == pytest.approx(5 / 9)


def _copy_model(tmp_path: Path) -> Path:
    src = default_model_path()
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    shutil.copy(src.with_suffix(".json"), dst.with_suffix(".json"))
    return dst


def test_load_refuses_another_scikit_learn(tmp_path: Path) -> None:
    path = _copy_model(tmp_path)
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    have = meta["versions"]["scikit-learn"]
    meta["versions"]["scikit-learn"] = "0.1"
    path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert str(err.value) == (f"The model at {path.resolve()} was written with scikit-learn 0.1, but {have} is "
                              "installed. Install scikit-learn==0.1 (see constraints.txt), or rebuild the model "
                              "with 'jakatlas infer-train DIR --out PATH'.")


def test_load_refuses_a_changed_file(tmp_path: Path) -> None:
    path = _copy_model(tmp_path)
    with path.open("ab") as fh:
        fh.write(b"x")
    with pytest.raises(ModelError, match="does not match the SHA-256 in its sidecar"):
        load_model(path)


def test_load_missing(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        load_model(tmp_path / "none.joblib")
    assert str(err.value) == (f"No evidence-inference model at {(tmp_path / 'none.joblib').resolve()}. Rebuild it "
                              "with 'jakatlas infer-train DIR --out PATH' or reinstall jakatlas with its pinned "
                              "scikit-learn.")
