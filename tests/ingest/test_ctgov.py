"""ClinicalTrials.gov API v2 JSON mapped straight to contract studies."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from jakatlas.errors import InputError
from jakatlas.ingest import Document, read_document, read_documents
from jakatlas.ingest.ctgov import ctgov_study, parse_timeframe, render_study
from jakatlas.ingest.ctgov_api import canonical_study_bytes
from jakatlas.ingest.readers import study_document
from jakatlas.models.evidence import Comparator, Duration, Intervention, Study


def _load(fixtures: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((fixtures / name).read_text(encoding="utf-8"))
    return data


def _study(doc: Document) -> Study:
    assert doc.structured is not None
    study = doc.structured["study"]
    assert isinstance(study, Study)
    return study


@pytest.fixture
def rct(fixtures: Path) -> Document:
    return read_document(fixtures / "ctgov_rct_results.json")


def test_rct_record_maps_to_a_contract_study(rct: Document) -> None:
    study = _study(rct)
    assert rct.kind == "ctgov_json" and rct.source_id == "NCT09000001"
    assert (
        rct.title
        == "A Study of Exampletinib in Participants With Moderate to Severe Hidradenitis Suppurativa"
    )
    assert study.id == "NCT09000001"
    assert study.design == "rct"
    assert study.phase == "2"
    assert study.n == 40
    assert study.duration == Duration(value=16, unit="week")
    assert study.registry_ids == ["NCT09000001", "2022-000001-11"]
    assert study.interventions == [
        Intervention(name="exampletinib", dose="30 mg", frequency="once daily", route="oral")
    ]
    assert study.comparators == [Comparator(name="placebo")]
    assert [d.name for d in study.diseases] == ["hidradenitis suppurativa"]
    assert study.spans[0].start == 0 and study.spans[0].end == len(rct.text)


def test_rct_outcomes_pair_each_arm_with_the_comparator(rct: Document) -> None:
    outcomes = {o.measure: o for o in _study(rct).outcomes}
    hiscr = outcomes[
        "Percentage of Participants Achieving Hidradenitis Suppurativa Clinical Response (HiSCR) at Week 16"
    ]
    assert (hiscr.arm, hiscr.value, hiscr.unit, hiscr.comparator_value) == ("exampletinib", 60.0, "%", 30.0)
    assert (hiscr.n, hiscr.comparator_n, hiscr.p_value) == (20, 20, 0.041)
    assert hiscr.timepoint == Duration(value=16, unit="week")
    dlqi = outcomes["Change From Baseline in Dermatology Life Quality Index (DLQI) at Week 16"]
    assert (dlqi.value, dlqi.comparator_value, dlqi.unit, dlqi.p_value) == (
        -7.1,
        -2.4,
        "units on a scale",
        0.001,
    )
    low = outcomes[
        "Percentage of Participants by Abscess and Inflammatory Nodule (AN) Count Category at Week 16: AN count 0 to 2"
    ]
    assert (low.value, low.comparator_value, low.unit) == (45.0, 20.0, "%")
    assert len(outcomes) == 4


def test_outcome_spans_point_at_their_result_lines(rct: Document) -> None:
    for outcome in _study(rct).outcomes:
        (span,) = outcome.spans
        line = rct.text[span.start : span.end]
        assert line.startswith(f"- {outcome.measure}")
        assert "\n" not in line
    assert "Exampletinib 30 mg 12/20 (60.0%); Placebo 6/20 (30.0%)." in rct.text


def test_rct_adverse_events_are_percentages_per_arm(rct: Document) -> None:
    events = {(e.term, e.arm): e for e in _study(rct).adverse_events}
    serious = events[("any serious adverse event", "exampletinib")]
    assert (serious.value, serious.unit, serious.serious) == (5.0, "%", True)
    assert events[("any serious adverse event", "Placebo")].value == 0.0
    assert events[("any other adverse event", "exampletinib")].value == 70.0
    assert events[("pneumonia", "exampletinib")].serious is True
    acne = events[("acne", "exampletinib")]
    assert (acne.value, acne.serious) == (20.0, False)
    assert events[("acne", "Placebo")].value == 5.0


def test_rendered_text_has_sections(rct: Document) -> None:
    names = [s.name for s in rct.sections]
    assert names == ["title", "design", "summary", "arms", "planned_outcomes", "results", "adverse_events"]
    design = rct.section("design")
    assert design is not None
    assert rct.text[design.start : design.end].startswith("ClinicalTrials.gov identifier: NCT09000001\n")
    assert "randomized allocation" in rct.text and "enrollment 40 participants" in rct.text
    assert "evaluate the efficacy and safety of exampletinib compared with placebo" in rct.text
    assert rct.text == rct.text.strip() and "\r" not in rct.text


def test_single_group_open_label_study(fixtures: Path) -> None:
    doc = read_document(fixtures / "ctgov_single_arm.json")
    study = _study(doc)
    assert study.design == "open_label_trial"
    assert (study.phase, study.n) == ("2", 10)
    assert study.duration == Duration(value=8, unit="week")
    assert study.interventions == [
        Intervention(name="exampletinib", dose="15 mg", frequency="once daily", route="oral")
    ]
    assert study.comparators == [] and study.outcomes == [] and study.adverse_events == []
    assert "na allocation" not in doc.text


@pytest.mark.parametrize("wrap", [lambda s: {"studies": s, "nextPageToken": "abc"}, lambda s: s])
def test_study_pages_and_lists_give_one_record_each(fixtures: Path, wrap: Any) -> None:
    studies = [_load(fixtures, "ctgov_rct_results.json"), _load(fixtures, "ctgov_single_arm.json")]
    raw = json.dumps(wrap(studies)).encode()
    doc = read_document(raw, name="page.json")
    assert doc.source_id == "page.json"
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    records = list(read_documents(raw, name="page.json"))
    assert [r.source_id for r in records] == ["NCT09000001", "NCT09000002"]
    assert len({r.sha256 for r in records} | {doc.sha256}) == 3
    for record, section in zip(records, doc.sections, strict=True):
        assert doc.text[section.start : section.end] == record.text
        assert section.name == f"record:{record.source_id}"


def test_a_page_with_a_single_study_is_that_study(fixtures: Path) -> None:
    raw = json.dumps({"studies": [_load(fixtures, "ctgov_single_arm.json")]}).encode()
    doc = read_document(raw)
    assert doc.records == [] and doc.source_id == "NCT09000002"


def test_list_items_that_are_not_studies_are_named() -> None:
    raw = json.dumps({"studies": [{"protocolSection": {}}, {"nctId": "x"}]}).encode()
    with pytest.raises(InputError, match="item 1 of the study list is not a ClinicalTrials.gov v2 study"):
        read_document(raw)
    with pytest.raises(InputError, match="lists no studies"):
        read_document(b'{"studies": []}')


def _with_design(fixtures: Path, design: dict[str, Any]) -> Study:
    record = _load(fixtures, "ctgov_single_arm.json")
    record["protocolSection"]["designModule"] = design
    return render_study(record).study


@pytest.mark.parametrize(
    ("design", "expected"),
    [
        (
            {"studyType": "INTERVENTIONAL", "designInfo": {"allocation": "NON_RANDOMIZED"}},
            "nonrandomized_trial",
        ),
        ({"studyType": "INTERVENTIONAL", "designInfo": {"allocation": "RANDOMIZED"}}, "rct"),
        (
            {
                "studyType": "INTERVENTIONAL",
                "designInfo": {"interventionModel": "SINGLE_GROUP", "maskingInfo": {"masking": "SINGLE"}},
            },
            "nonrandomized_trial",
        ),
        ({"studyType": "INTERVENTIONAL", "designInfo": {"allocation": "NA"}}, "open_label_trial"),
        ({"studyType": "OBSERVATIONAL", "designInfo": {"observationalModel": "COHORT"}}, "cohort"),
        (
            {"studyType": "OBSERVATIONAL", "designInfo": {"observationalModel": "CASE_CONTROL"}},
            "case_control",
        ),
        ({"studyType": "OBSERVATIONAL"}, "cohort"),
        ({"studyType": "EXPANDED_ACCESS"}, "other"),
        ({}, None),
    ],
)
def test_design_mapping(fixtures: Path, design: dict[str, Any], expected: str | None) -> None:
    assert _with_design(fixtures, design).design == expected


@pytest.mark.parametrize(
    ("phases", "expected"),
    [(["PHASE2"], "2"), (["PHASE1", "PHASE2"], "1/2"), (["EARLY_PHASE1"], "0"), (["NA"], None), ([], None)],
)
def test_phase_mapping(fixtures: Path, phases: list[str], expected: str | None) -> None:
    assert _with_design(fixtures, {"studyType": "INTERVENTIONAL", "phases": phases}).phase == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Week 16", (16, "week")),
        ("Baseline, Week 2, Week 4, Week 16", (16, "week")),
        ("Baseline to 52 weeks", (52, "week")),
        ("Day 1 through Day 29", (29, "day")),
        ("12 months", (12, "month")),
        ("Up to 2 years", (2, "year")),
        ("24-week treatment period", (24, "week")),
        ("Through study completion", None),
        ("", None),
    ],
)
def test_time_frames(text: str, expected: tuple[float, str] | None) -> None:
    got = parse_timeframe(text)
    assert (None if got is None else (got.value, got.unit)) == expected


def test_dose_arms_active_comparator_and_vehicle(fixtures: Path) -> None:
    record = _load(fixtures, "ctgov_rct_results.json")
    arms = record["protocolSection"]["armsInterventionsModule"]
    arms["armGroups"] = [
        {
            "label": "Exampletinib 15 mg",
            "type": "EXPERIMENTAL",
            "description": "15 mg twice daily",
            "interventionNames": ["Drug: Exampletinib"],
        },
        {
            "label": "Exampletinib 30 mg",
            "type": "EXPERIMENTAL",
            "description": "30 mg BID",
            "interventionNames": ["Drug: Exampletinib"],
        },
        {
            "label": "Methotrexate",
            "type": "ACTIVE_COMPARATOR",
            "description": "Methotrexate 15 mg weekly",
            "interventionNames": ["Drug: Methotrexate"],
        },
        {"label": "Vehicle cream", "type": "PLACEBO_COMPARATOR", "interventionNames": ["Drug: Vehicle"]},
    ]
    arms["interventions"] = [
        {
            "type": "DRUG",
            "name": "Exampletinib",
            "armGroupLabels": ["Exampletinib 15 mg", "Exampletinib 30 mg"],
        },
        {"type": "DRUG", "name": "Methotrexate", "armGroupLabels": ["Methotrexate"]},
        {"type": "DRUG", "name": "Vehicle", "armGroupLabels": ["Vehicle cream"]},
    ]
    measure = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]
    measure["groups"] = [
        {"id": "OG000", "title": "Exampletinib 15 mg"},
        {"id": "OG001", "title": "Exampletinib 30 mg"},
        {"id": "OG002", "title": "Vehicle cream"},
    ]
    measure["denoms"] = [
        {"units": "Participants", "counts": [{"groupId": f"OG00{i}", "value": "10"} for i in range(3)]}
    ]
    measure["classes"] = [
        {
            "categories": [
                {
                    "measurements": [
                        {"groupId": "OG000", "value": "5"},
                        {"groupId": "OG001", "value": "7"},
                        {"groupId": "OG002", "value": "2"},
                    ]
                }
            ]
        }
    ]
    study = render_study(record).study
    assert study.interventions == [
        Intervention(name="exampletinib", dose="15 mg", frequency="twice daily"),
        Intervention(name="exampletinib", dose="30 mg", frequency="twice daily"),
    ]
    assert study.comparators == [
        Comparator(name="methotrexate", dose="15 mg", frequency="weekly"),
        Comparator(name="vehicle"),
    ]
    first = [o for o in study.outcomes if o.measure == measure["title"]]
    assert [(o.arm, o.value, o.comparator_value) for o in first] == [
        ("Exampletinib 15 mg", 50.0, 20.0),
        ("Exampletinib 30 mg", 70.0, 20.0),
    ]


def test_mistyped_fields_are_tolerated(fixtures: Path) -> None:
    record = copy.deepcopy(_load(fixtures, "ctgov_rct_results.json"))
    protocol = record["protocolSection"]
    protocol["conditionsModule"] = {"conditions": "Hidradenitis Suppurativa"}
    protocol["designModule"]["enrollmentInfo"] = {"count": "forty"}
    protocol["designModule"]["phases"] = "PHASE2"
    protocol["armsInterventionsModule"]["armGroups"][0]["interventionNames"] = [None, 3, {"x": 1}]
    record["resultsSection"]["adverseEventsModule"]["eventGroups"][0]["seriousNumAtRisk"] = 0
    record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"][0]["classes"] = {"oops": True}
    study = render_study(record).study
    assert study.n is None and study.phase is None and study.diseases == []
    assert study.design == "rct"
    assert ctgov_study(record) == study


def test_record_without_identification_still_reads() -> None:
    doc = read_document(b'{"protocolSection": {}}', name="bare.json")
    assert doc.source_id == "bare.json"
    assert doc.text == "Untitled study"
    assert _study(doc).id == "s1"


@pytest.mark.parametrize("name", ["ctgov_rct_results.json", "ctgov_single_arm.json"])
def test_a_study_from_an_api_page_reads_as_its_canonical_bytes_would(fixtures: Path, name: str) -> None:
    study = _load(fixtures, name)
    canonical = canonical_study_bytes(study)
    assert study_document(study, canonical, "NCT0") == read_document(canonical, "ctgov_json", name="NCT0")


def test_a_page_entry_that_is_not_a_study_is_refused_by_name() -> None:
    with pytest.raises(InputError, match="NCT0"):
        study_document({"studies": "none"}, b"{}", "NCT0")
