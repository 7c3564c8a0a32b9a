"""The pipeline reads only the vocabulary it is built with; PubMed records give their ids to studies."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from jakatlas.data import knowledge_base
from jakatlas.data.lexicon import load_lexicon
from jakatlas.errors import DataFileError
from jakatlas.extract import build_pipeline, extract_path
from jakatlas.extract.vocab import build_vocabulary, default_vocabulary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"
TEXT = ("In a vehicle-controlled trial, 300 patients with vitiligo applied ruxolitinib cream. The F-VASI75 "
        "was reached by 30% versus 10%. Application-site reactions occurred in 5.9% versus 2.9%.")


def studies(nlp, text: str):
    return nlp(text)._.studies


def test_a_pipeline_built_with_another_lexicon_uses_its_adverse_event_terms() -> None:
    shipped = load_lexicon()
    terms = [t for t in shipped.adverse_event_terms if "site" not in t]
    other = load_lexicon(json.dumps({**shipped.model_dump(mode="json"), "adverse_event_terms": terms}))
    vocab = build_vocabulary(knowledge_base(), other)
    (default,) = studies(build_pipeline(), TEXT)
    (custom,) = studies(build_pipeline(vocab), TEXT)
    assert {a.value for a in default.adverse_events} == {5.9, 2.9}
    assert custom.adverse_events == []
    assert {o.value for o in custom.outcomes} >= {30.0}


def test_a_pipeline_built_with_another_vocabulary_knows_only_its_terms() -> None:
    vocab = default_vocabulary()
    without = dataclasses.replace(vocab, terms=tuple(t for t in vocab.terms if t.id != "vitiligo"))
    assert studies(build_pipeline(without), TEXT) == []
    assert len(studies(build_pipeline(vocab), TEXT)) == 1


def test_lexicon_errors_name_the_file_and_field() -> None:
    with pytest.raises(DataFileError, match=r"^lexicon.json, field 'adverse_event_terms'"):
        load_lexicon(json.dumps({"adverse_event_terms": []}))
    with pytest.raises(DataFileError, match=r"^lexicon.json: not valid JSON at line 1"):
        load_lexicon("{")


def test_shipped_lexicon_entries_are_valid() -> None:
    lex = load_lexicon()
    assert len(set(lex.adverse_event_terms)) == len(lex.adverse_event_terms)
    assert set(lex.routes.values()) <= {"oral", "topical", "subcutaneous", "intravenous", "intralesional"}
    assert all(a != b for a, b in lex.spelling_variants)


def test_the_only_study_of_a_pubmed_record_takes_its_registry_id() -> None:
    result = extract_path(FIXTURES / "pubmed_rct.xml")
    (study,) = result.studies
    assert result.source.id == "PMID:99000001"
    assert study.registry_ids == ["NCT09000001"]


def test_publication_type_fills_a_design_the_text_does_not_state(tmp_path: Path) -> None:
    xml = (FIXTURES / "pubmed_rct.xml").read_text(encoding="utf-8")
    xml = xml.replace("a randomized, placebo-controlled phase 2 trial", "a report")
    xml = re.sub(r"were randomized 1:1 to\s+", "received ", xml)
    xml = re.sub(r"\s+versus 30% on placebo", "", xml.replace(" or placebo", ""))
    xml = xml.replace("Clinical Trial, Phase II", "Observational Study").replace("Randomized Controlled Trial", "Review")
    xml = xml.replace(" (n = 40)", "")
    assert "andomi" not in xml and "placebo" not in xml
    path = tmp_path / "observational.xml"
    path.write_text(xml, encoding="utf-8")
    (study,) = extract_path(path).studies
    assert (study.design, study.evidence_level, study.phase) == ("cohort", 4, None)
