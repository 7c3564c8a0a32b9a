"""Change-score lists, respective figures, named series, written variants, measures named by their
long form, definite design references and teaser sentences (short texts written for these tests)."""

from __future__ import annotations

from jakatlas.extract import extract
from jakatlas.extract.design import classify_design, find_design_cues
from jakatlas.models.evidence import Study


def find(studies: list[Study], drug: str, disease: str) -> list[Study]:
    return [s for s in studies
            if drug in [i.name for i in s.interventions] and any(d.name == disease for d in s.diseases)]


def test_plain_list_of_changes_keeps_the_sign_for_every_dose() -> None:
    text = ("In a phase 2 trial, 120 patients with hidradenitis suppurativa were randomised to povorcitinib "
            "10, 20 or 40 mg once daily or placebo for 12 weeks. The AN count fell by 4.1, 5.5 and 6.0 "
            "with 10, 20 and 40 mg, compared with 1.9 on placebo.")
    (study,) = find(extract(text).studies, "povorcitinib", "hidradenitis suppurativa")
    got = [(o.measure, o.value, o.comparator_value) for o in study.outcomes]
    assert got == [("AN count", -4.1, -1.9), ("AN count", -5.5, -1.9), ("AN count", -6.0, -1.9)]


def test_decrease_versus_a_bare_figure_is_signed_on_both_sides() -> None:
    text = ("Ruxolitinib cream was compared with vehicle in a randomised trial in hidradenitis suppurativa. "
            "The AN count decreased by 2.75 versus 1.30.")
    (study,) = find(extract(text).studies, "ruxolitinib", "hidradenitis suppurativa")
    assert [(o.value, o.comparator_value) for o in study.outcomes] == [(-2.75, -1.3)]


def test_two_figures_given_respectively_are_treated_arm_then_comparator() -> None:
    text = ("In a retrospective cohort of patients with dermatomyositis, tofacitinib (n=80) was compared with "
            "a calcineurin inhibitor (n=70). Death or lung transplantation occurred in 12.5% and 20.0% "
            "respectively.")
    (study,) = find(extract(text).studies, "tofacitinib", "dermatomyositis")
    assert [(o.value, o.comparator_value) for o in study.outcomes] == [(12.5, 20.0)]


def test_named_case_series_outranks_a_mention_of_an_earlier_trial() -> None:
    cues = [c.value for c in find_design_cues("After that trial, a case series gave the drug to four patients.")]
    assert classify_design(cues, 4) == "case_series"


def test_adjective_before_series_makes_a_case_series() -> None:
    text = "A retrospective series included 14 women with erosive lichen planus treated with tofacitinib 5 mg twice daily."
    (study,) = find(extract(text).studies, "tofacitinib", "lichen planus")
    assert (study.design, study.n, study.evidence_level) == ("case_series", 14, 4)


def test_series_given_to_patients_with_two_diseases_is_its_own_study() -> None:
    text = ("An open-label trial gave tofacitinib to 12 patients with cutaneous sarcoidosis for 6 months. "
            "Before that trial, a case series had given tofacitinib to five patients: four with cutaneous "
            "sarcoidosis and one with granuloma annulare.")
    studies = find(extract(text).studies, "tofacitinib", "cutaneous sarcoidosis")
    assert sorted((s.design or "", s.n or 0) for s in studies) == [("case_series", 5), ("open_label_trial", 12)]


def test_written_variant_keeps_its_extra_qualifier() -> None:
    text = "Tofacitinib was given to 9 women with erosive vulvovaginal lichen planus in a retrospective series."
    (study,) = find(extract(text).studies, "tofacitinib", "lichen planus")
    assert study.diseases[0].variant == "erosive vulvovaginal"


def test_the_randomised_study_of_two_presented_together_is_addressed() -> None:
    text = ("Two phase 2 studies of povorcitinib in hidradenitis suppurativa were run (NCT00000001 and "
            "NCT00000002). The former was open-label: eight patients took 15 mg once daily for eight weeks. "
            "The latter randomised 30 patients to 30 mg or placebo for eight weeks. "
            "In the randomised study, HiSCR was reached by 60.0% compared with 40.0% on placebo.")
    studies = find(extract(text).studies, "povorcitinib", "hidradenitis suppurativa")
    by_n = {s.n: s for s in studies}
    assert by_n[8].outcomes == []
    assert [(o.value, o.comparator_value) for o in by_n[30].outcomes] == [(60.0, 40.0)]


def test_teaser_sentence_does_not_pair_a_drug_with_another_studys_disease() -> None:
    text = ("The speaker chose several stories, from the first steps of povorcitinib in hidradenitis "
            "suppurativa to a large cohort in dermatomyositis. In a phase 2 trial, 40 patients with "
            "hidradenitis suppurativa received povorcitinib 15 mg once daily.")
    pairs = {(i.name, d.name) for s in extract(text).studies for i in s.interventions for d in s.diseases}
    assert ("povorcitinib", "dermatomyositis") not in pairs
    assert ("povorcitinib", "hidradenitis suppurativa") in pairs
