"""Pipeline components on ``spacy.blank("en")`` with tiny texts."""

from __future__ import annotations

import pytest
from spacy.language import Language

from jakatlas.extract import PIPE_NAMES, build_pipeline
from jakatlas.extract.abbreviations import best_long_form, find_abbreviations
from jakatlas.extract.design import classify_design, evidence_level, normalise_phase
from jakatlas.extract.negation import hedge_cues, in_scopes, negation_scopes
from jakatlas.extract.segment import find_blocks, split_sentences


@pytest.fixture(scope="module")
def nlp() -> Language:
    return build_pipeline()


def ents(nlp: Language, text: str) -> list[tuple[str, str, str]]:
    return [(e.label_, e.text, e.kb_id_) for e in nlp(text).ents]


def test_pipeline_is_blank_english_with_our_components(nlp: Language) -> None:
    assert nlp.lang == "en"
    assert tuple(nlp.pipe_names) == PIPE_NAMES


def test_drug_codes_and_brands_resolve_to_inn(nlp: Language) -> None:
    doc = nlp("INCB054707 and PF-06651600 were compared with Olumiant.")
    assert [(e.text, e._.canonical) for e in doc.ents] == [
        ("INCB054707", "povorcitinib"), ("PF-06651600", "ritlecitinib"), ("Olumiant", "baricitinib")]


@pytest.mark.parametrize(
    ("text", "label", "ident"),
    [("IL-21", "CYTOKINE", "il21"), ("IFN-γ", "CYTOKINE", "ifn_gamma"), ("interferon gamma", "CYTOKINE", "ifn_gamma"),
     ("STAT-1", "STAT", "stat1"), ("pSTAT3", "STAT", "stat3"), ("STAT5b", "STAT", "stat5b"), ("JAK1", "JAK", "jak1"),
     ("TYK2", "JAK", "tyk2"), ("NCT01234567", "REGISTRY_ID", "NCT01234567"), ("ISRCTN12345678", "REGISTRY_ID",
                                                                            "ISRCTN12345678")],
)
def test_pattern_families(nlp: Language, text: str, label: str, ident: str) -> None:
    assert (label, text, ident) in ents(nlp, f"We measured {text} in skin.")


def test_diseases_with_synonyms_abbreviations_and_variants(nlp: Language) -> None:
    doc = nlp("Acne inversa and erosive lichen planus improved; nail lichen planus did too.")
    got = [(e.text, e._.canonical, e._.variant) for e in doc.ents]
    assert got == [("Acne inversa", "hidradenitis suppurativa", None),
                   ("erosive lichen planus", "lichen planus", "erosive"),
                   ("nail lichen planus", "lichen planus", "nail")]


def test_outcome_measures(nlp: Language) -> None:
    assert ("OUTCOME_MEASURE", "mRSS", "mrss") in ents(nlp, "The mRSS fell.")
    assert ("OUTCOME_MEASURE", "Eczema Area and Severity Index", "easi") in ents(
        nlp, "The Eczema Area and Severity Index improved.")


def test_capitalised_compound_names_are_not_abbreviations(nlp: Language) -> None:
    assert [e for e in ents(nlp, "The STOP-HS program and TRuE-PN trials.") if e[0] == "DISEASE"] == []


def test_schwartz_hearst_long_forms() -> None:
    assert best_long_form("HS", "patients with hidradenitis suppurativa") == "hidradenitis suppurativa"
    assert best_long_form("JAK", "inhibition of Janus kinase") == "Janus kinase"
    assert best_long_form("XYZ", "nothing here") is None
    found = find_abbreviations("Severity of Alopecia Tool (SALT) and p-values (p = 0.01) in 2019 (2019)")
    assert [(a.short, a.long) for a in found] == [("SALT", "Severity of Alopecia Tool")]


def test_defined_abbreviation_becomes_an_entity(nlp: Language) -> None:
    doc = nlp("Patients with frontal fibrosing alopecia were seen. Later, FFA regressed.")
    assert [a.short for a in doc._.abbreviations] == []  # not defined in parentheses: nothing to resolve
    doc = nlp("Prurigo nodularis (PN) is itchy. In PN, the drug worked.")
    assert [(e.text, e.kb_id_) for e in doc.ents if e.label_ == "DISEASE"] == [
        ("Prurigo nodularis", "prurigo_nodularis"), ("PN", "prurigo_nodularis"), ("PN", "prurigo_nodularis")]


def test_abbreviation_defined_with_another_meaning_is_dropped(nlp: Language) -> None:
    doc = nlp("Alzheimer disease (AD) was the topic. In AD, memory fails.")
    assert [e.text for e in doc.ents if e.label_ == "DISEASE"] == []


def test_sentences_blocks_and_headings() -> None:
    text = "Tofacitinib for lichen planus\nProf. Smith et al. reported it. A second sentence!\n- Doe J, et al. J Dermatol. 2020;1:1-2."
    blocks = find_blocks(text)
    assert [(b.heading, b.reference) for b in blocks] == [(True, False), (False, False), (False, True)]
    sents = split_sentences(text, blocks[1].start, blocks[1].end)
    assert [text[s:e] for s, e in sents] == ["Prof. Smith et al. reported it.", "A second sentence!"]


def test_field_lines_are_not_headings() -> None:
    text = "Phase: 2\nDesign: randomized, placebo-controlled\nEnrolled: 35"
    assert [(b.heading, b.field) for b in find_blocks(text)] == [(False, True)] * 3


@pytest.mark.parametrize(
    ("text", "target", "negated"),
    [("No adverse events were observed.", "adverse events", True),
     ("Adverse events were not reported.", "Adverse events", True),
     ("Any adverse events arose in 70%, but none were of serious grade.", "serious", True),
     ("Any adverse events arose in 70%, but none were of serious grade.", "adverse events", False),
     ("Serious infections occurred in two patients.", "Serious", False),
     ("The rash did not respond to steroids.", "steroids", False)],
)
def test_negex_scopes(text: str, target: str, negated: bool) -> None:
    start = text.index(target)
    assert in_scopes(start, start + len(target), negation_scopes(text)) is negated


def test_hedge_cues() -> None:
    assert [c for _, _, c in hedge_cues("JAK inhibitors may help; data suggest benefit.")] == ["may", "suggest"]
    assert hedge_cues("Tofacitinib cleared the skin in 3 patients.") == []


@pytest.mark.parametrize(
    ("cues", "n", "controlled", "placebo", "design", "level"),
    [({"rct"}, 120, True, True, "rct", 2),
     ({"trial", "open_label"}, 10, False, False, "open_label_trial", 4),
     ({"trial", "pilot"}, 66, True, False, "nonrandomized_trial", 3),
     ({"cohort"}, 500, True, False, "cohort", 3),
     ({"case_series", "cohort"}, 23, False, False, "case_series", 4),
     (set(), 1, False, False, "case_report", 4),
     (set(), 3, False, False, "case_series", 4),
     ({"case_reports"}, None, False, False, "case_series", 4),
     ({"preclinical"}, None, False, False, "preclinical", 5),
     ({"systematic_review"}, None, False, False, "systematic_review", None),
     (set(), 300, False, False, "case_series", 4)],
)
def test_design_and_ocebm_level(cues: set[str], n: int | None, controlled: bool, placebo: bool,
                                design: str | None, level: int | None) -> None:
    got = classify_design(cues, n, controlled=controlled, placebo=placebo)
    assert got == design
    assert evidence_level(got, controlled) == level


def test_level_without_knowing_the_controls_is_the_conservative_one() -> None:
    """One table (data/ocebm.json): a cohort of unknown control is level 4, like an uncontrolled one."""
    assert evidence_level("cohort") == evidence_level("cohort", False) == 4
    assert evidence_level("cohort", True) == 3
    assert evidence_level("systematic_review") is None  # graded by what it reviews


@pytest.mark.parametrize(("text", "phase"), [("phase IIb", "2b"), ("Phase 3", "3"), ("phase 2/3", "2/3"),
                                            ("Phase: Phase 2", "2"), ("phase-less", None)])
def test_phase(text: str, phase: str | None) -> None:
    assert normalise_phase(text) == phase


def test_doc_sents_follow_the_segmenter(nlp: Language) -> None:
    doc = nlp("Prof. Lee saw it. A second one.\nA heading line\nBody text follows here.")
    assert [s.text.strip() for s in doc.sents] == ["Prof. Lee saw it.", "A second one.", "A heading line",
                                                   "Body text follows here."]


def test_page_furniture_after_the_article_is_not_read(nlp: Language) -> None:
    text = ("Baricitinib helped 12 patients with alopecia areata over 36 weeks, and most regrew hair. " * 3
            + "\nCopyright ©2024 Example Publishers\nRelated Articles\nUpadacitinib in vitiligo\n")
    doc = nlp(text)
    assert {e.text for e in doc.ents} == {"Baricitinib", "alopecia areata"}
