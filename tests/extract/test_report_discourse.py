"""Discourse rules for congress reports: section titles, grouped trials, ordinal figures, arms,
doses stated once, and the knowledge-base additions (short texts written for these tests)."""

from __future__ import annotations

from jakatlas.extract import extract
from jakatlas.extract.design import classify_design
from jakatlas.extract.quantities import find_quantities
from jakatlas.extract.segment import find_blocks
from jakatlas.models.evidence import Study


def drugs_of(study: Study) -> list[str]:
    return [i.name for i in study.interventions]


def find(studies: list[Study], drug: str, disease: str) -> list[Study]:
    return [s for s in studies if drug in drugs_of(s) and any(d.name == disease for d in s.diseases)]


def test_title_with_lower_case_subtitle_between_paragraphs_is_a_heading() -> None:
    text = ("Some opening words about the meeting were said here.\n"
            "Upadacitinib: worth a closer look\n"
            "The next paragraph is longer than the title above it.")
    blocks = find_blocks(text)
    assert [(b.heading, b.field) for b in blocks] == [(False, False), (True, False), (False, False)]


def test_field_runs_and_a_leading_title_stay_fields() -> None:
    text = "Phase: 2\nStatus: completed\nConditions: vitiligo"
    assert [b.field for b in find_blocks(text)] == [True, True, True]
    first = find_blocks("Tofacitinib in morphea: a small series\nThe body of the text follows here.")[0]
    assert first.field and not first.heading


def test_section_keeps_the_report_disease_and_results_after_titled_heading() -> None:
    text = ("Oral drugs for hidradenitis suppurativa were discussed at length by the panel.\n"
            "Upadacitinib: early but promising\n"
            "In a phase 2 trial, 60 patients were randomised to upadacitinib 30 mg once daily or placebo. "
            "At week 12, 40.0% of patients on upadacitinib achieved HiSCR50, compared with 20.0% on placebo.")
    (study,) = find(extract(text).studies, "upadacitinib", "hidradenitis suppurativa")
    assert (study.n, study.phase, study.design) == (60, "2", "rct")
    assert [(o.value, o.comparator_value) for o in study.outcomes] == [(40.0, 20.0)]


def test_figures_before_each_ordinal_go_to_that_trial() -> None:
    text = ("Baricitinib was tested in alopecia areata in two randomised, placebo-controlled trials. "
            "A SALT score of 20 or less was reached by 30% versus 4% on placebo in the first trial, "
            "and by 25% versus 2% in the second.")
    first, second = find(extract(text).studies, "baricitinib", "alopecia areata")
    assert [(o.value, o.comparator_value) for o in first.outcomes] == [(30.0, 4.0)]
    assert [(o.value, o.comparator_value) for o in second.outcomes] == [(25.0, 2.0)]


def test_figures_after_two_coordinated_trial_names_are_pooled() -> None:
    text = ("Deuruxolitinib was studied in alopecia areata in the TRIALX-1 and TRIALX-2 trials, with 900 "
            "participants in total; SALT 20 or less was achieved by 30.5% and 40.5%.")
    (study,) = find(extract(text).studies, "deuruxolitinib", "alopecia areata")
    assert study.n == 900
    assert sorted(o.value for o in study.outcomes) == [30.5, 40.5]


def test_sentence_after_a_named_group_describes_every_member() -> None:
    text = ("Povorcitinib in hidradenitis suppurativa: the phase 3 programme comprised TRIALZ-1 and TRIALZ-2. "
            "Participants were randomised to povorcitinib 45 mg once daily or to placebo for 12 weeks. "
            "HiSCR50 was reached by 40.0% in TRIALZ-1 versus 30.0%, and by 42.0% in TRIALZ-2 versus 28.0%.")
    studies = find(extract(text).studies, "povorcitinib", "hidradenitis suppurativa")
    assert len(studies) == 2
    assert all(s.design == "rct" and s.phase == "3" for s in studies)


def test_either_or_arm_is_a_comparator() -> None:
    text = ("In a retrospective cohort, patients with dermatomyositis received either tofacitinib (n=100) "
            "or a calcineurin inhibitor (n=80) as initial therapy.")
    (study,) = find(extract(text).studies, "tofacitinib", "dermatomyositis")
    assert [c.name for c in study.comparators] == ["calcineurin inhibitor"]
    assert study.design == "cohort"


def test_indefinite_design_phrase_after_a_case_series_opens_a_new_study() -> None:
    text = ("In a case series, tofacitinib was added in five patients with dermatomyositis. Three survived. "
            "More data come from a retrospective cohort study by another group. Patients with "
            "dermatomyositis received tofacitinib (n=200) and 30.0% died within one year.")
    studies = find(extract(text).studies, "tofacitinib", "dermatomyositis")
    assert [s.design for s in studies] == ["case_series", "cohort"]


def test_the_later_trial_is_another_study_with_its_own_population() -> None:
    text = ("In the early randomised study of povorcitinib in hidradenitis suppurativa, adverse events occurred "
            "in 80.0% of patients. In the later phase 2 trial of povorcitinib, with 200 patients, adverse events "
            "were reported in 60.0% of those on povorcitinib and 65.0% of those on placebo.")
    studies = find(extract(text).studies, "povorcitinib", "hidradenitis suppurativa")
    assert len(studies) == 2
    assert (studies[1].n, studies[1].design) == (200, "rct")


def test_trial_named_before_its_drug_keeps_its_description() -> None:
    text = ("Safety in context\n"
            "TRIALQ (NCT01234567) was a randomised, open-label trial in 4,000 patients with rheumatoid arthritis. "
            "Participants received tofacitinib 5 mg twice daily or a TNF inhibitor (n=1,300).")
    (study,) = find(extract(text).studies, "tofacitinib", "rheumatoid arthritis")
    assert (study.n, study.design, study.registry_ids) == (4000, "rct", ["NCT01234567"])
    assert [c.name for c in study.comparators] == ["tnf inhibitor"]


def test_estimate_with_confidence_interval_and_safety_measures() -> None:
    text = ("In a randomised trial of tofacitinib in 500 patients with rheumatoid arthritis, the hazard ratio "
            "for MACE was 1.30 (95% CI 0.90-1.90), and for malignancy excluding NMSC 1.40 (95% CI 1.00-2.00).")
    (study,) = find(extract(text).studies, "tofacitinib", "rheumatoid arthritis")
    got = {(o.measure, o.value) for o in study.outcomes}
    assert ("MACE", 1.3) in got and any(v == 1.4 and "malignancy" in m for m, v in got)


def test_a_dose_stated_once_for_the_drug_fills_a_study_without_one() -> None:
    text = ("Delgocitinib comes as an 8 mg/g cream for this indication.\n"
            "In two randomised trials, 500 adults with chronic hand eczema used delgocitinib cream or vehicle "
            "twice daily.")
    studies = find(extract(text).studies, "delgocitinib", "chronic hand eczema")
    assert studies and all(s.interventions[0].dose == "8 mg/g" for s in studies)


def test_another_drugs_dosing_does_not_go_to_the_study_drug() -> None:
    text = ("A woman with atopic dermatitis had an incomplete response to methotrexate 15 mg weekly. "
            "Tofacitinib 10 mg b.i.d. was added and her eczema cleared.")
    (study,) = find(extract(text).studies, "tofacitinib", "atopic dermatitis")
    assert (study.interventions[0].dose, study.interventions[0].frequency) == ("10 mg", "twice daily")
    assert not find(extract(text).studies, "methotrexate", "atopic dermatitis")


def test_measure_named_in_a_label_statement_makes_no_study() -> None:
    text = ("The baricitinib label, licensed for alopecia areata, warns of major adverse cardiovascular "
            "events, unlike some topical products.")
    assert not extract(text).studies


def test_speaker_conclusion_is_a_summary() -> None:
    text = ("Dr Smith concluded that the upadacitinib evidence in vitiligo still rests on a single "
            "randomised trial.")
    assert not extract(text).studies


def test_decimal_percentage_change_is_a_result_not_a_threshold() -> None:
    (q,) = [q for q in find_quantities("They had a 37.4% reduction in score.") if q.kind == "percent"]
    assert q.role is None
    (t,) = [q for q in find_quantities("They had a 75% reduction in score.") if q.kind == "percent"]
    assert t.role == "threshold"


def test_placebo_controlled_trial_is_randomised_unless_said_otherwise() -> None:
    assert classify_design({"trial"}, 200, controlled=True, placebo=True) == "rct"
    assert classify_design({"trial"}, 200, controlled=True, placebo=False) == "nonrandomized_trial"
    assert classify_design({"trial", "nonrandomized"}, 20, controlled=True, placebo=True) == "nonrandomized_trial"


def test_nested_measure_mentions_and_undefined_short_forms() -> None:
    result = extract("Most reached a SALT score of 10 or less. A Localized Scleroderma Skin Severity Index "
                     "(LoSSI) was charted monthly.")
    texts = {(m.label, m.text) for m in result.mentions}
    assert ("OUTCOME_MEASURE", "SALT") in texts and ("OUTCOME_MEASURE", "LoSSI") in texts
