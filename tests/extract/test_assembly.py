"""Assembly of sentences into studies, on short texts written for these tests."""

from __future__ import annotations

import pytest

from jakatlas.extract import extract
from jakatlas.extract.assembly.drafts import merge_doses
from jakatlas.models.evidence import Study


def by_disease(studies: list[Study], disease: str, variant: str | None = None) -> list[Study]:
    return [s for s in studies if any(d.name == disease and (variant is None or d.variant == variant)
                                      for d in s.diseases)]


def pairs(studies: list[Study]) -> set[tuple[str, str]]:
    return {(i.name, d.name) for s in studies for i in s.interventions for d in s.diseases}


def test_two_trials_with_ordinals_and_registry_ids_in_order() -> None:
    text = (
        "Baricitinib in vitiligo\n"
        "Two phase 3 trials tested baricitinib in nonsegmental vitiligo (NCT11111111 and NCT22222222). "
        "In the first trial, 120 adults were randomized to baricitinib 4 mg once daily or placebo for 24 weeks. "
        "In the second trial, 30 patients received open-label baricitinib.\n"
        "The F-VASI75 was reached by 31% versus 9% on placebo at week 24 in trial 1. "
        "Adverse events occurred in 40% (study 1) and 52% (study 2) of patients, but none were serious."
    )
    studies = extract(text).studies
    assert len(studies) == 2
    first, second = studies
    assert first.registry_ids == ["NCT11111111"] and second.registry_ids == ["NCT22222222"]
    assert (first.phase, second.phase) == ("3", "3")
    assert (first.n, second.n) == (120, 30)
    assert (first.design, first.evidence_level) == ("rct", 2)
    assert second.design == "open_label_trial"
    assert first.interventions[0].dose == "4 mg" and first.interventions[0].frequency == "once daily"
    assert [c.name for c in first.comparators] == ["placebo"]
    outcome = first.outcomes[0]
    assert (outcome.measure, outcome.value, outcome.comparator_value) == ("F-VASI75", 31.0, 9.0)
    assert outcome.timepoint is not None and outcome.timepoint.value == 24
    assert [(a.value, a.serious) for a in first.adverse_events] == [(40.0, False)]
    assert [(a.value, a.serious) for a in second.adverse_events] == [(52.0, False)]
    assert first.spans and all(0 <= sp.start < sp.end <= len(text) for sp in first.spans)


def test_case_series_and_case_report_with_variants_and_negated_events() -> None:
    text = (
        "Four patients with erosive lichen planus were given tofacitinib 5 mg twice daily and all improved. "
        "No adverse events were reported. "
        "Separately, oral lichen planus cleared after 3 months in a woman who took tofacitinib for vitiligo."
    )
    studies = extract(text).studies
    erosive = by_disease(studies, "lichen planus", "erosive")[0]
    oral = by_disease(studies, "lichen planus", "oral")[0]
    assert (erosive.n, erosive.design, erosive.evidence_level) == (4, "case_series", 4)
    assert erosive.adverse_events[0].negated is True
    assert (oral.n, oral.design) == (1, "case_report")
    assert oral.duration is not None and (oral.duration.value, oral.duration.unit) == (3, "month")
    assert ("tofacitinib", "vitiligo") not in pairs(studies)  # the indication of another patient


def test_class_with_named_agents_makes_one_study_per_disease() -> None:
    text = ("Sclerosing disease\nJAK inhibition (with baricitinib or tofacitinib) has helped in morphea and "
            "eosinophilic fasciitis [4,5].")
    assert pairs(extract(text).studies) == {("baricitinib", "morphea"), ("tofacitinib", "morphea"),
                                            ("baricitinib", "eosinophilic fasciitis"),
                                            ("tofacitinib", "eosinophilic fasciitis")}


def test_unnamed_class_in_cases_is_jak_inhibitor() -> None:
    text = "Other\nJAK inhibition has also worked as rescue therapy in cases of refractory dermatomyositis [9]."
    studies = extract(text).studies
    assert [(s.interventions[0].name, s.diseases[0].name, s.design) for s in studies] == [
        ("jak inhibitor", "dermatomyositis", "case_series")]


def test_background_drugs_make_no_study() -> None:
    text = ("Dupilumab is the only approved therapy for prurigo nodularis, and methotrexate is often used. "
            "Regulators restricted Rinvoq and Olumiant in atopic dermatitis.")
    assert extract(text).studies == []


def test_comparator_and_between_arm_difference() -> None:
    text = ("A 6-month pilot trial compared cyclosporine with abrocitinib in 40 patients with atopic dermatitis. "
            "At the end, the improvement in the EASI was 25% greater in the abrocitinib group than with cyclosporine.")
    (study,) = extract(text).studies
    assert [i.name for i in study.interventions] == ["abrocitinib"]
    assert [c.name for c in study.comparators] == ["cyclosporine"]
    assert study.n == 40 and study.design == "nonrandomized_trial"
    assert (study.outcomes[0].measure, study.outcomes[0].value) == ("EASI", 25.0)


def test_measure_and_baseline_carried_to_the_next_sentence() -> None:
    text = ("Upadacitinib was given to 30 patients with hidradenitis suppurativa. On the DLQI, 20% reported little "
            "impairment at baseline. This share rose to 61% on upadacitinib.")
    (study,) = extract(text).studies
    out = study.outcomes[0]
    assert (out.measure, out.value, out.baseline_value) == ("DLQI", 61.0, 20.0)


def test_signed_changes_and_from_to() -> None:
    text = ("In a trial of 50 patients with chronic hand eczema, delgocitinib lowered the EASI by 61.2% "
            "and the mean itch NRS fell from 7.1 to 2.4.")
    (study,) = extract(text).studies
    got = {(o.measure, o.value, o.baseline_value) for o in study.outcomes}
    assert ("EASI", -61.2, None) in got
    assert ("Itch NRS/VAS", 2.4, 7.1) in got


def test_trial_names_keep_studies_apart() -> None:
    text = ("Ritlecitinib in alopecia areata\nThe ORCA-1 and ORCA-2 trials enrolled 900 patients. "
            "In ORCA-1, the SALT score of 20 or less was reached by 30% versus 2% on placebo. "
            "In ORCA-2 the corresponding rates were 27% and 3% on placebo.")
    studies = extract(text).studies
    assert len(studies) == 2
    values = sorted((o.value, o.comparator_value) for s in studies for o in s.outcomes)
    assert values == [(27.0, 3.0), (30.0, 2.0)]


def test_empty_and_irrelevant_text() -> None:
    assert extract("").studies == []
    assert extract("The weather in Boston was cold.").studies == []


def test_registry_style_record_with_field_lines() -> None:
    text = (
        "Identifier: NCT33333333\n"
        "Brief title: Upadacitinib versus methotrexate in early systemic sclerosis\n"
        "Allocation: Randomized\n"
        "Enrollment: 60 participants\n"
        "Experimental arm (n=30): upadacitinib 15 mg once daily\n"
        "Active comparator arm (n=30): methotrexate 15 mg weekly\n"
        "Treatment period: 24 weeks\n"
    )
    (study,) = extract(text).studies
    assert study.registry_ids == ["NCT33333333"]
    assert (study.design, study.n, study.evidence_level) == ("rct", 60, 2)
    assert study.duration is not None and (study.duration.value, study.duration.unit) == (24, "week")
    assert [(i.name, i.dose, i.frequency) for i in study.interventions] == [("upadacitinib", "15 mg", "once daily")]
    assert [c.name for c in study.comparators] == ["methotrexate"]


def test_numbered_study_headings_address_a_group() -> None:
    text = (
        "Summary: two phase 2 studies of abrocitinib in prurigo nodularis\n"
        "Study 1 - NCT44444444\nDesign: open-label, single group\nEnrolled: 12\n"
        "Study 2 - NCT55555555\nDesign: randomized, placebo-controlled\nEnrolled: 40\n"
    )
    first, second = extract(text).studies
    assert (first.registry_ids, first.n, first.design) == (["NCT44444444"], 12, "open_label_trial")
    assert (second.registry_ids, second.n, second.design) == (["NCT55555555"], 40, "rct")
    assert first.phase == second.phase == "2"


def test_another_study_of_the_same_pair_is_a_new_study() -> None:
    text = ("In a phase 3 trial, 300 patients with vitiligo received ruxolitinib cream. "
            "Another study, an extension of 200 patients, reported sustained repigmentation.")
    studies = extract(text).studies
    assert [s.n for s in studies] == [300, 200]


def test_unnamed_group_reported_once_with_pooled_size() -> None:
    text = "Deuruxolitinib was studied in the TIDE-1 and TIDE-2 trials (1,100 patients in total) in alopecia areata."
    (study,) = extract(text).studies
    assert study.n == 1100


@pytest.mark.parametrize(("texts", "merged"), [
    (["5 mg", "10 mg", "5 and 10 mg"], "5 mg, 10 mg"),
    (["1.5%"], "1.5%"),
    (["15 mg/day", "2 mg/kg"], "15 mg/day, 2 mg/kg"),
    (["5/10 mg"], "5 mg, 10 mg"),
    (["two capsules"], "two capsules"),
    ([], None),
])
def test_doses_are_merged_value_by_value(texts: list[str], merged: str | None) -> None:
    assert merge_doses(texts) == merged
