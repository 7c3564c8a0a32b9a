"""Reading a corpus directory: labels, majority votes, spans, and the errors for bad layouts."""

from __future__ import annotations

from pathlib import Path

import pytest

from jakatlas.errors import InputError
from jakatlas.infer.corpus import load_examples, normalise_label, read_split


def test_labels_normalised() -> None:
    assert normalise_label("significantly increase") == "significantly increased"
    assert normalise_label(" No significant difference ") == "no significant difference"
    with pytest.raises(InputError, match="unknown label 'better'"):
        normalise_label("better")


def test_small_corpus(small_corpus: Path) -> None:
    ex = load_examples(small_corpus, small_corpus / "splits" / "small_validation.txt")
    assert [e.prompt_id for e in ex] == ["12833", "12834", "12835", "12151", "12152", "12153", "12154"]
    e = ex[4]
    assert (e.intervention, e.comparator, e.outcome, e.label) == (
        "receive a weekly 30-minute session of hydrotherapy for 6 weeks", "similar exercises on land for 6 weeks",
        "number of patient failed to complete treatment", "no significant difference")
    text = (small_corpus / "articles" / "PMC1821024.txt").read_text(encoding="utf-8")
    assert e.spans == [(1725, 1853)]
    assert text[1725:1853] == e.evidence[0][0]


def test_bad_split_line(tmp_path: Path) -> None:
    split = tmp_path / "s.txt"
    split.write_text("123\nPMC456\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_split(split)
    assert str(err.value) == f"{split}: 'PMC456' is not a PMCID. A split file holds numeric PMCIDs, one a line."


def test_missing_files(tmp_path: Path) -> None:
    split = tmp_path / "s.txt"
    split.write_text("1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_examples(tmp_path, split)
    assert str(err.value) == (f"{tmp_path / 'prompts.csv'} is missing. The directory needs articles/, prompts.csv, "
                              "v2_annotations.csv and splits/ as in Evidence Inference 2.0.")
    (tmp_path / "prompts.csv").write_text("PromptID,PMCID\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_examples(tmp_path, split)
    assert str(err.value) == f"{tmp_path / 'prompts.csv'}: missing column(s) Comparator, Intervention, Outcome."
