"""More ways published abstracts are written that the rules once missed (second real-text round).

Each text is written for the test in the general form of the pattern (not copied from a source).
"""

from __future__ import annotations

from jakatlas.extract import extract
from jakatlas.models.evidence import Study


def find(studies: list[Study], drug: str, disease: str) -> list[Study]:
    return [s for s in studies
            if drug in [i.name for i in s.interventions] and any(d.name == disease for d in s.diseases)]


def one(text: str, drug: str, disease: str) -> Study:
    found = find(extract(text).studies, drug, disease)
    assert len(found) == 1, [s.model_dump(exclude={"spans"}) for s in extract(text).studies]
    return found[0]


def values(study: Study) -> list[tuple[str, float | None, float | None, float | None]]:
    return [(o.measure, o.value, o.comparator_value, o.baseline_value) for o in study.outcomes]


# -- outcome figures -------------------------------------------------------------------------------

def test_an_improvement_from_baseline_is_a_change_not_a_baseline_value() -> None:
    """'improvements from baseline in the DLQI ... were 6.2 ... versus 2.1': the figures are the
    changes; 'from baseline' names what they are measured from."""
    text = ("In a randomised, placebo-controlled trial, 180 patients with atopic dermatitis received abrocitinib "
            "100 mg once daily or placebo for 12 weeks. At week 12, mean improvements from baseline in the DLQI "
            "were 6.2 with abrocitinib versus 2.1 with placebo.")
    got = values(one(text, "abrocitinib", "atopic dermatitis"))
    assert [(m, v, c) for m, v, c, _ in got] == [("DLQI", -6.2, -2.1)], got


def test_a_signed_figure_in_brackets_after_each_arm_is_that_arms_change() -> None:
    """'improved with drug 15 mg (−7.1) and 30 mg (−8.0) versus placebo (−2.3)': each bracketed,
    signed figure is the change of the arm named before it."""
    text = ("In a randomised, placebo-controlled trial, 240 patients with atopic dermatitis received upadacitinib "
            "15 mg or 30 mg once daily or placebo for 16 weeks. Mean DLQI scores improved with upadacitinib 15 mg "
            "(−7.1) and 30 mg (−8.0) versus placebo (−2.3).")
    got = [(m, v, c) for m, v, c, _ in values(one(text, "upadacitinib", "atopic dermatitis"))]
    assert sorted(got) == [("DLQI", -8.0, -2.3), ("DLQI", -7.1, -2.3)], got


def test_a_comparison_without_a_figure_closes_the_figures_before_it() -> None:
    """'... (−7.1) and 30 mg (−8.0) compared with placebo (P<0.01), and 41.0% ... versus placebo
    (12.0%)': the changes have no comparator figure; the later one belongs to the proportions."""
    text = ("In a randomised, placebo-controlled trial, 240 patients with atopic dermatitis received upadacitinib "
            "15 mg or 30 mg once daily or placebo for 16 weeks. Mean DLQI scores improved with upadacitinib 15 mg "
            "(−7.1) and 30 mg (−8.0) compared with placebo (P<0.01), and more patients reported a meaningful "
            "improvement (15 mg, 41.0%; 30 mg, 47.5%) versus placebo (12.0%).")
    got = [(m, v, c) for m, v, c, _ in values(one(text, "upadacitinib", "atopic dermatitis"))]
    assert ("DLQI", -7.1, None) in got and ("DLQI", -8.0, None) in got, got
    assert not [g for g in got if g[1] in (-7.1, -8.0) and g[2] is not None], got


# -- drug roles --------------------------------------------------------------------------------------

def test_a_history_written_after_a_bracketed_short_form_is_background() -> None:
    """'methotrexate (MTX)-refractory patients': the patients' history, for the long and the short form."""
    text = ("This randomised, double-blind, placebo-controlled phase 3 study evaluated an investigational agent in "
            "120 methotrexate (MTX)-refractory patients with rheumatoid arthritis.")
    assert find(extract(text).studies, "methotrexate", "rheumatoid arthritis") == []


def test_a_drug_every_arm_receives_is_not_the_treatment_under_test() -> None:
    """'the treatment group received X and methotrexate, the control group methotrexate alone': an
    add-on design; a methotrexate study would carry the results of X."""
    text = ("Methods: In a randomised controlled study, 80 patients with rheumatoid arthritis in the treatment group "
            "received an herbal extract and methotrexate (15 mg/week), while 80 patients in the control group "
            "received methotrexate (15 mg/week) alone for 24 weeks.\n"
            "Results: The response rate was 78.0% in the treatment group and 61.3% in the control group.")
    assert find(extract(text).studies, "methotrexate", "rheumatoid arthritis") == []


def test_a_drug_combined_with_an_agent_named_before_it_is_background() -> None:
    """'an extract combined methotrexate (MTX) in rheumatoid arthritis': the partner of the agent tested."""
    text = ("Objective: To evaluate the efficacy and safety of an herbal decoction combined methotrexate (MTX) in "
            "120 patients with rheumatoid arthritis (RA) in a randomised controlled trial.")
    assert find(extract(text).studies, "methotrexate", "rheumatoid arthritis") == []


def test_a_rate_named_in_the_sentence_is_not_the_measure_carried_from_before() -> None:
    """'The total effective rate was 80.0%' after a sentence listing several measures: the figure is
    the named rate's, not a value of the last of them carried over."""
    text = ("In a randomised trial, 120 patients with rheumatoid arthritis received tofacitinib 5 mg twice daily or "
            "placebo. The HAQ-DI and the DAS28 were measured at week 12. The total effective rate was 80.0% with "
            "tofacitinib versus 66.7% with placebo.")
    got = [(m, v, c) for m, v, c, _ in values(one(text, "tofacitinib", "rheumatoid arthritis"))]
    assert got == [("total effective rate", 80.0, 66.7)], got


def test_a_generic_scale_keeps_the_symptom_it_rates() -> None:
    """'pruritus VAS scores fell by 35.5%', the VAS defined in the text: the figure is the pruritus
    VAS's, not that of any visual analogue scale."""
    text = ("In a randomised trial, 200 patients with psoriasis received apremilast 30 mg twice daily or placebo. "
            "Outcomes included the pruritus visual analog scale (VAS). Mean pruritus VAS scores fell by 35.5% with "
            "apremilast versus 6.1% with placebo.")
    got = [(m, v, c) for m, v, c, _ in values(one(text, "apremilast", "psoriasis"))]
    assert got == [("pruritus VAS", -35.5, -6.1)], got


def test_a_question_mark_before_a_number_does_not_end_the_sentence() -> None:
    """'(P ? 0.05)': corpora that lost '≤' print '?'; the sentence, and its comparison, goes on."""
    text = ("In a randomised, double-blind trial, 300 patients with rheumatoid arthritis received tofacitinib 5 mg "
            "twice daily or placebo. The primary end point was the American College of Rheumatology 20% improvement "
            "criteria (ACR20) response rate. At week 12, ACR20 response rates were 52.9% with tofacitinib, significantly "
            "(P ? 0.05) greater than those with placebo (33.3%).")
    got = [(v, c) for _, v, c, _ in values(one(text, "tofacitinib", "rheumatoid arthritis"))]
    assert got == [(52.9, 33.3)], got


def test_a_dosing_sentence_after_the_population_sentence_opens_the_study() -> None:
    """'This was an open-label study of 80 patients with X. MTX treatment consisted of 15 mg/week ...':
    the drug comes in the sentence after the one that gives the design and the sample."""
    text = ("Methods: This was an open-label, multicentre study of 80 patients with rheumatoid arthritis (RA). "
            "Methotrexate treatment consisted of 15 mg/week given subcutaneously. Each formulation was given for "
            "four weeks.")
    study = one(text, "methotrexate", "rheumatoid arthritis")
    assert (study.n, study.design) == (80, "open_label_trial")
    assert study.interventions[0].dose == "15 mg"


def test_a_dose_per_week_is_given_weekly() -> None:
    """'methotrexate 15 mg/week': the dose and its frequency in one unit."""
    text = "In an open-label study, 40 patients with rheumatoid arthritis received methotrexate 15 mg/week for 12 weeks."
    drug = one(text, "methotrexate", "rheumatoid arthritis").interventions[0]
    assert (drug.dose, drug.frequency) == ("15 mg", "weekly")


def test_doses_listed_with_a_serial_comma_are_all_kept() -> None:
    """'apremilast (10, 20, or 30 mg BID)': three doses, the last after ', or'."""
    text = ("In this 16-week, placebo-controlled study, 300 patients with plaque psoriasis received placebo or "
            "apremilast (10, 20, or 30 mg twice daily).")
    assert one(text, "apremilast", "psoriasis").interventions[0].dose == "10 mg, 20 mg, 30 mg"


def test_patients_randomised_to_arms_that_add_drugs_stay_in_the_study() -> None:
    """'... treated with methotrexate and prednisone. Patients not in remission were randomized to
    methotrexate plus adalimumab or ...': the arms of the same study, not a second study."""
    text = ("Methods: In this study, 200 patients with early rheumatoid arthritis were treated with methotrexate "
            "(MTX) and a tapered high dose of prednisone. Patients not in remission after 4 months were randomized to "
            "either MTX + sulfasalazine + prednisone or MTX + adalimumab.")
    studies = extract(text).studies
    assert len(studies) == 1, [s.model_dump(exclude={"spans"}) for s in studies]
    assert (studies[0].n, studies[0].design) == (200, "rct")
