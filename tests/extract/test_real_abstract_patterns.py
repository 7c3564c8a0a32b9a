"""One small test per way real abstracts and case reports are written that the rules once missed.

Each text is written for the test in the general form of the pattern (not copied from a source).
"""

from __future__ import annotations

import pytest

from jakatlas.extract import extract
from jakatlas.models.evidence import Study


def find(studies: list[Study], drug: str, disease: str) -> list[Study]:
    return [s for s in studies
            if drug in [i.name for i in s.interventions] and any(d.name == disease for d in s.diseases)]


def one(text: str, drug: str, disease: str) -> Study:
    found = find(extract(text).studies, drug, disease)
    assert len(found) == 1, [s.model_dump(exclude={"spans"}) for s in extract(text).studies]
    return found[0]


def outcomes(study: Study) -> list[tuple[str, float | None, float | None, float | None]]:
    return [(o.measure, o.value, o.comparator_value, o.baseline_value) for o in study.outcomes]


# -- outcome figures -------------------------------------------------------------------------------

def test_respectively_list_gives_each_measure_its_own_figure() -> None:
    text = ("In an open-label study, 20 patients with atopic dermatitis received upadacitinib 15 mg once daily. "
            "At week 16, the EASI and the DLQI had fallen by 72% and 60%, respectively.")
    got = outcomes(one(text, "upadacitinib", "atopic dermatitis"))
    assert ("EASI", -72.0, None, None) in got and ("DLQI", -60.0, None, None) in got
    assert len(got) == 2


def test_respectively_list_of_baselines_and_values() -> None:
    text = ("Twelve patients with atopic dermatitis were treated with abrocitinib 200 mg once daily. "
            "Mean EASI and DLQI scores fell from 28 and 18 to 9 and 5, respectively.")
    got = outcomes(one(text, "abrocitinib", "atopic dermatitis"))
    assert sorted(got) == [("DLQI", 5.0, None, 18.0), ("EASI", 9.0, None, 28.0)]


def test_two_measures_in_one_sentence_each_keep_their_value() -> None:
    text = ("Fifteen patients with alopecia areata were treated with baricitinib 4 mg once daily. "
            "The SALT score fell by 65% and the DLQI by 40%.")
    got = outcomes(one(text, "baricitinib", "alopecia areata"))
    assert ("SALT", -65.0, None, None) in got and ("DLQI", -40.0, None, None) in got


def test_primary_outcome_refers_back_to_the_measure_named_in_methods() -> None:
    text = ("Methods: In a randomised, double-blind trial, 60 patients with hidradenitis suppurativa received "
            "povorcitinib or placebo. The primary outcome was the Hidradenitis Suppurativa Clinical Response "
            "(HiSCR) at week 12.\n"
            "Results: The primary outcome was achieved by 48% of patients on povorcitinib versus 21% on placebo.")
    got = outcomes(one(text, "povorcitinib", "hidradenitis suppurativa"))
    assert ("HiSCR", 48.0, 21.0, None) in got


def test_parenthesised_results_after_a_long_measure_name() -> None:
    text = ("In a randomised trial of ritlecitinib versus placebo in 80 patients with alopecia areata, more "
            "patients reached a Severity of Alopecia Tool score of 20 or less with treatment (38% vs 2%; "
            "P < .001).")
    got = outcomes(one(text, "ritlecitinib", "alopecia areata"))
    assert any(m == "SALT" and v == 38.0 and c == 2.0 for m, v, c, _ in got), got


def test_minus_sign_followed_by_a_space() -> None:
    text = ("In a randomised trial, 40 patients with morphea received tofacitinib or methotrexate. "
            "The mean change in mRSS was - 6.2 with tofacitinib and - 1.4 with methotrexate.")
    got = outcomes(one(text, "tofacitinib", "morphea"))
    assert ("mRSS", -6.2, -1.4, None) in got


def test_improvement_of_a_score_that_falls_is_negative() -> None:
    text = ("Ten patients with atopic dermatitis were treated with tofacitinib 5 mg twice daily. "
            "The EASI showed a mean improvement of 66.6% after 8 weeks.")
    got = outcomes(one(text, "tofacitinib", "atopic dermatitis"))
    assert ("EASI", -66.6, None, None) in got


def test_k_of_n_patients_becomes_a_proportion() -> None:
    text = ("Twenty patients with hidradenitis suppurativa received upadacitinib 30 mg once daily. "
            "At week 12, 15/20 patients achieved HiSCR.")
    got = outcomes(one(text, "upadacitinib", "hidradenitis suppurativa"))
    assert ("HiSCR", 75.0, None, None) in got


def test_confidence_level_and_standard_deviation_are_not_outcomes() -> None:
    text = ("In a randomised trial of 100 patients with vitiligo, ruxolitinib cream was compared with vehicle. "
            "The mean F-VASI fell by 45.2% (SD 12.1) versus 10.3% (SD 8.4), a difference of 34.9% "
            "(95% CI, 20.1 to 49.7).")
    values = {o.value for o in one(text, "ruxolitinib", "vitiligo").outcomes}
    assert -45.2 in values
    assert not values & {95.0, 12.1, 8.4, -12.1, -8.4}


def test_digits_inside_score_names_are_not_values() -> None:
    text = ("Thirty patients with systemic sclerosis received tofacitinib 5 mg twice daily. The SF-36 and the "
            "Skindex-16 improved, and the mRSS fell to 12.")
    values = {o.value for o in one(text, "tofacitinib", "systemic sclerosis").outcomes}
    assert 12.0 in values
    assert not values & {36.0, 16.0}


def test_p_below_a_threshold_keeps_its_comparator() -> None:
    text = ("In a randomised trial, 50 patients with alopecia areata received baricitinib or placebo. "
            "SALT50 was reached by 40% versus 8% (p<0.05).")
    (o,) = [o for o in one(text, "baricitinib", "alopecia areata").outcomes if o.value == 40.0]
    assert o.p_value == 0.05 and o.p_operator == "<"


def test_adverse_event_rates_are_not_efficacy_outcomes() -> None:
    text = ("In a vehicle-controlled trial, 300 patients with vitiligo applied ruxolitinib cream. The F-VASI75 "
            "was reached by 30% versus 10%. Application-site reactions occurred in 5.9% versus 2.9%.")
    study = one(text, "ruxolitinib", "vitiligo")
    assert {o.value for o in study.outcomes} == {30.0}
    assert 5.9 in {a.value for a in study.adverse_events}


def test_a_measure_defined_in_the_text_gets_its_figures_but_not_those_of_its_name() -> None:
    text = ("In a randomised trial of tofacitinib in rheumatoid arthritis, the primary end point was the American "
            "College of Rheumatology 20% improvement criteria (ACR20). ACR20 was reached by 52.9% of patients on "
            "tofacitinib versus 33.3% on placebo.")
    got = outcomes(one(text, "tofacitinib", "rheumatoid arthritis"))
    assert got == [("ACR20", 52.9, 33.3, None)]


def test_a_figure_is_the_comparator_only_when_it_is_given_for_the_comparator() -> None:
    text = ("In a randomised trial, response rates for patients receiving tofacitinib (52.9%) were greater than "
            "those for placebo (33.3%) in rheumatoid arthritis.")
    got = outcomes(one(text, "tofacitinib", "rheumatoid arthritis"))
    assert [(v, c) for _, v, c, _ in got] == [(52.9, 33.3)]


# -- sample sizes --------------------------------------------------------------------------------

def test_n_is_the_sum_of_spelled_out_groups() -> None:
    text = "Nine women and one man with erosive lichen planus were treated with tofacitinib 5 mg twice daily."
    assert one(text, "tofacitinib", "lichen planus").n == 10


def test_a_patient_introduced_by_age_and_sex_is_a_case_report() -> None:
    text = ("A 35-year-old man with long-standing alopecia areata was started on baricitinib 4 mg daily. "
            "After 6 months his SALT score had fallen from 90 to 10.")
    study = one(text, "baricitinib", "alopecia areata")
    assert (study.n, study.design, study.evidence_level) == (1, "case_report", 4)


def test_arm_sizes_add_up_to_n() -> None:
    text = ("In a randomised, double-blind trial, patients with dermatomyositis received tofacitinib (n=34) "
            "or placebo (n=35) for 24 weeks.")
    assert one(text, "tofacitinib", "dermatomyositis").n == 69


def test_second_trial_of_a_two_trial_abstract() -> None:
    text = ("Two phase 3 trials of upadacitinib in hidradenitis suppurativa are reported. In the first trial, "
            "400 patients were randomised to upadacitinib or placebo; HiSCR was reached by 52% versus 30%. "
            "In the second trial, 420 patients were randomised; HiSCR was reached by 49% versus 28%.")
    studies = find(extract(text).studies, "upadacitinib", "hidradenitis suppurativa")
    assert sorted(s.n for s in studies if s.n) == [400, 420]
    assert len(studies) == 2


# -- studies -------------------------------------------------------------------------------------

def test_one_sentence_naming_several_drugs_gives_one_study_per_drug() -> None:
    text = ("We reviewed 24 patients with alopecia areata treated with tofacitinib, baricitinib or "
            "ruxolitinib at our centre; 15 regrew more than half of their hair.")
    studies = extract(text).studies
    for drug in ("tofacitinib", "baricitinib", "ruxolitinib"):
        (s,) = find(studies, drug, "alopecia areata")
        assert [i.name for i in s.interventions] == [drug]


def test_two_patients_with_different_diseases_give_two_studies() -> None:
    text = ("We describe two patients treated with tofacitinib. The first had generalized morphea and the "
            "second had eosinophilic fasciitis. Both regained range of motion.")
    studies = extract(text).studies
    assert find(studies, "tofacitinib", "morphea") and find(studies, "tofacitinib", "eosinophilic fasciitis")


# -- design and level ----------------------------------------------------------------------------

def test_a_sentence_about_mice_does_not_make_a_human_case_preclinical() -> None:
    text = ("A 52-year-old woman with morphea improved on tofacitinib 5 mg twice daily. JAK inhibition "
            "also prevents bleomycin-induced skin fibrosis in mice.")
    study = one(text, "tofacitinib", "morphea")
    assert study.design == "case_report"


def test_observational_series_without_a_design_keyword() -> None:
    text = ("Of 45 patients with vitiligo treated with tofacitinib at two centres, 30 showed "
            "repigmentation after 6 months.")
    study = one(text, "tofacitinib", "vitiligo")
    assert (study.design, study.evidence_level) == ("case_series", 4)


@pytest.mark.parametrize("lead", ["In a retrospective cohort of", "In a retrospective series of"])
def test_uncontrolled_cohorts_and_retrospective_series_are_level_4(lead: str) -> None:
    text = f"{lead} 88 patients with dermatomyositis treated with tofacitinib, 60% improved."
    assert one(text, "tofacitinib", "dermatomyositis").evidence_level == 4


def test_a_controlled_cohort_stays_level_3() -> None:
    text = ("In a retrospective cohort, 80 patients with dermatomyositis treated with tofacitinib were compared "
            "with 70 treated with methotrexate.")
    assert one(text, "tofacitinib", "dermatomyositis").evidence_level == 3


def test_systematic_review_is_graded_by_what_it_reviews() -> None:
    uncontrolled = ("A systematic review of case reports and case series identified 40 patients with lichen "
                    "planus treated with tofacitinib; 70% improved.")
    trials = ("A systematic review and meta-analysis of randomised controlled trials of abrocitinib in atopic "
              "dermatitis included 3,000 patients.")
    assert one(uncontrolled, "tofacitinib", "lichen planus").evidence_level == 4
    assert one(trials, "abrocitinib", "atopic dermatitis").evidence_level == 1


# -- dosing --------------------------------------------------------------------------------------

def test_a_dose_is_not_copied_to_a_study_that_states_none() -> None:
    text = ("Tofacitinib 5 mg twice daily cleared erosive lichen planus in three patients.\n\n"
            "In a separate report, one patient with dermatomyositis improved on tofacitinib.")
    study = one(text, "tofacitinib", "dermatomyositis")
    assert study.interventions[0].dose is None


@pytest.mark.parametrize("phrase", ["at a daily dose of 4 mg", "4 mg of baricitinib daily"])
def test_daily_dose_phrasings(phrase: str) -> None:
    drug = "" if "baricitinib" in phrase else "baricitinib "
    text = f"Ten patients with alopecia areata received {drug}{phrase} for 6 months."
    iv = one(text, "baricitinib", "alopecia areata").interventions[0]
    assert iv.frequency == "once daily" and iv.dose == "4 mg"


# -- mentions ------------------------------------------------------------------------------------

def mention_texts(text: str, label: str) -> list[str]:
    return [m.text for m in extract(text).mentions if m.label == label]


def test_hyphen_prefixed_measure_name_is_kept_whole() -> None:
    text = "Ruxolitinib cream improved the Facial-Vitiligo Area Scoring Index in vitiligo."
    assert "Facial-Vitiligo Area Scoring Index" in mention_texts(text, "OUTCOME_MEASURE")


@pytest.mark.parametrize("name", ["Numerical Rating Scale", "Numeric Rating Scale", "numeric rating scale"])
def test_scale_spelling_variants(name: str) -> None:
    text = f"Itch on the Peak Pruritus {name} fell by 4 points on abrocitinib in prurigo nodularis."
    assert any("Rating Scale".lower() in t.lower() for t in mention_texts(text, "OUTCOME_MEASURE"))


def test_score_and_trial_acronyms_are_not_diseases() -> None:
    text = ("In the HS-PGA and AD-QoL analyses of the ADORING trial, tapinarof was compared with vehicle "
            "in atopic dermatitis.")
    diseases = mention_texts(text, "DISEASE")
    assert diseases == ["atopic dermatitis"]


def test_jak_inhibitor_names_outside_the_knowledge_base_are_drugs() -> None:
    text = ("Eight patients with vitiligo were treated with golidocitinib 50 mg once daily, and six patients "
            "with alopecia areata with jaktinib 100 mg twice daily.")
    assert set(mention_texts(text, "DRUG")) >= {"golidocitinib", "jaktinib"}


def test_parallel_arm_figures_pair_the_treated_and_the_comparator_arm() -> None:
    """'was 13 points with X and 2.57 points with Y': the second figure, in the comparator arm,
    is the comparator's value of the same change."""
    text = ("In an open-label trial, 40 patients with systemic sclerosis received tofacitinib 5 mg twice daily "
            "(n=20) or methotrexate 10 mg weekly (n=20). The mean reduction in mRSS was 11 points with "
            "tofacitinib and 3.5 points with methotrexate.")
    got = outcomes(one(text, "tofacitinib", "systemic sclerosis"))
    assert got == [("mRSS", -11.0, -3.5, None)]


def test_a_population_word_before_the_noun_keeps_the_whole_count() -> None:
    """'281 adult patients with RA were randomised': 'adult' modifies 'patients'; the count is
    the trial's population."""
    text = ("In a 12-week, double-blind study, 281 adult patients with rheumatoid arthritis were randomised "
            "equally to placebo or peficitinib 25, 50, 100 and 150 mg once daily.")
    study = one(text, "peficitinib", "rheumatoid arthritis")
    assert (study.n, study.design) == (281, "rct")


def test_the_count_of_an_adverse_event_is_not_a_new_population() -> None:
    """'Herpes zoster occurred in four patients' counts an event in the trial; it neither changes
    the trial's n nor opens a second study."""
    text = ("In a 12-week, double-blind study, 281 adult patients with rheumatoid arthritis were randomised "
            "equally to placebo or peficitinib 25, 50, 100 and 150 mg once daily. Herpes zoster occurred in "
            "four patients (two each in peficitinib 25 and 100 mg).")
    studies = extract(text).studies
    assert [(s.n, s.design) for s in studies] == [(281, "rct")]


def test_a_dose_named_several_times_is_listed_once() -> None:
    """A dose-ranging abstract names its doses in several sentences; the study lists each dose once."""
    text = ("In a 12-week, double-blind study, 281 adult patients with rheumatoid arthritis were randomised to "
            "placebo or peficitinib 25, 50, 100 and 150 mg once daily. Peficitinib 50, 100 and 150 mg each "
            "gave higher ACR20 response rates than placebo.")
    study = one(text, "peficitinib", "rheumatoid arthritis")
    assert study.interventions[0].dose == "25 mg, 50 mg, 100 mg, 150 mg"


# -- mentions --------------------------------------------------------------------------------------

def _diseases(text: str) -> list[tuple[str, str | None]]:
    return [(m.text, m.id) for m in extract(text).mentions if m.label == "DISEASE"]


def test_a_short_form_the_text_defines_for_something_else_is_not_the_disease() -> None:
    """'benzylpenicillin (PG)': the authors' PG is a drug, not pyoderma gangrenosum, all through the
    text, though the definition escapes the usual abbreviation rules (P is not the first letter)."""
    text = ("Skin tests were done with amoxicillin and benzylpenicillin (PG) in 54 patients with urticaria. "
            "PG was well tolerated by all patients.")
    assert all(i != "pyoderma_gangrenosum" for _t, i in _diseases(text))


def test_a_short_form_defined_as_the_disease_still_is() -> None:
    text = ("Three patients with pyoderma gangrenosum (PG) were treated with tofacitinib 5 mg twice daily. "
            "PG ulcers healed within 12 weeks.")
    assert ("PG", "pyoderma_gangrenosum") in _diseases(text)


def test_the_dose_of_a_drug_the_vocabulary_lacks_is_not_given_to_a_known_one() -> None:
    """'on methotrexate were randomised to certolizumab pegol 200 mg or 400 mg': the doses belong
    to the antibody (known by its INN stem '-mab'), not to the background methotrexate."""
    text = ("In this 34-week trial, 70 patients with rheumatoid arthritis on methotrexate were randomised to "
            "certolizumab pegol 200 mg or 400 mg or placebo.")
    for study in extract(text).studies:
        assert all(i.dose is None for i in study.interventions if i.name == "methotrexate")


def test_a_drug_named_as_treatment_history_makes_no_study() -> None:
    """'methotrexate-resistant rheumatoid arthritis': the patients' history, not the drug studied."""
    text = ("A phase Ib multiple ascending dose study of brodalumab, a human anti-IL-17R antibody, in "
            "methotrexate-resistant rheumatoid arthritis. Forty patients were randomised to brodalumab or placebo.")
    assert not [s for s in extract(text).studies if "methotrexate" in [i.name for i in s.interventions]]


def test_counts_of_patients_and_joints_are_not_results() -> None:
    """'A total of 209 (of 333) patients were randomized' after an ACR20 sentence, and 'Disease
    Activity Score of 28 joints': counts, never values of the measure in context."""
    text = ("Efficacy of two tofacitinib regimens plus methotrexate in rheumatoid arthritis. Patients achieving "
            "the American College of Rheumatology 20% improvement criteria (ACR20) after a 16-week open-label "
            "run-in were eligible. Week 16 ACR20 responders were randomized 1:1:1 at week 18 to tofacitinib 5 mg "
            "twice daily, 10 mg twice daily, or placebo. A total of 209 (of 333) patients were randomized at "
            "week 18 (5 mg, n = 70; 10 mg, n = 70; placebo, n = 69). The change in the Disease Activity Score "
            "of 28 joints was recorded.")
    values = [o.value for s in extract(text).studies for o in s.outcomes]
    assert not {209.0, 333.0, 28.0} & set(values)


def test_the_joint_count_of_a_score_name_is_not_a_result() -> None:
    text = ("In a randomised, double-blind trial, 120 patients with rheumatoid arthritis received tofacitinib 5 mg "
            "twice daily or placebo. The primary endpoint was the proportion of ACR20 responders at week 12. The "
            "secondary endpoints were change in Disease Activity Score of 28 joints - C-reactive protein (DAS28-CRP) "
            "and the ACR50 response at week 12.")
    assert [o.value for s in extract(text).studies for o in s.outcomes] == []


def test_a_figure_of_a_score_the_vocabulary_lacks_is_not_given_to_the_last_known_one() -> None:
    """'ACR20 response at week 24 was 74.6%' after a sentence naming DAS28: ACR20 is a score the
    vocabulary may lack, and its figure must not become a DAS28 value."""
    text = ("In a randomised, double-blind trial, 526 patients with rheumatoid arthritis received tofacitinib "
            "5 mg twice daily or placebo. Secondary endpoints included the DAS28-CRP. ACR20 response at week 24 "
            "was 74.6% with tofacitinib and 52.1% with placebo.")
    got = [(o.measure, o.value) for s in extract(text).studies for o in s.outcomes]
    assert not [g for g in got if g[0].startswith("DAS28") and g[1] in (74.6, 52.1)], got


def test_each_rate_keeps_its_own_name() -> None:
    """'a response rate of 58% with a relapse rate of 71%': two rates, each figure with its own."""
    text = ("Case reports of 42 patients who received adalimumab for severe hidradenitis suppurativa reported a "
            "response rate of 58% with a relapse rate of 71%.")
    got = sorted((o.measure, o.value) for s in extract(text).studies for o in s.outcomes)
    assert got == [("relapse rate", 71.0), ("response rate", 58.0)]


def test_a_proportion_of_patients_with_an_event_is_not_the_measure_named_before() -> None:
    """'38.3% ... of patients tested positive for antidrug antibodies' after a sentence on DAS28-CRP:
    a proportion of its own, not a DAS28 value carried over from the previous sentence."""
    text = ("In a randomised, double-blind trial, 526 patients with rheumatoid arthritis received tofacitinib "
            "5 mg twice daily or placebo. The change in DAS28-CRP was similar in both groups. A total of 38.3% "
            "(tofacitinib) and 38.2% (placebo) of patients tested positive for binding antibodies.")
    got = [(o.measure, o.value) for s in extract(text).studies for o in s.outcomes]
    assert not [g for g in got if g[1] in (38.3, 38.2)], got
