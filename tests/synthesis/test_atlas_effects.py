"""Atlas effect sizes: per-arm RD/RR/NNT, Wilson proportions, 'insufficient' results, pooling."""

from __future__ import annotations

import pytest

from jakatlas.data import knowledge_base
from jakatlas.models.evidence import Comparator, DiseaseRef, Duration, Intervention, Outcome, Study
from jakatlas.synthesis._common import measure_key
from jakatlas.synthesis.atlas_effects import (
    INSUFFICIENT,
    arm_effects,
    grading_effect,
    pool_effects,
    study_label,
)
from jakatlas.synthesis.effects import proportion, risk_difference, risk_ratio


def _effects(study_id: str, disease: str = "hidradenitis suppurativa"):  # type: ignore[no-untyped-def]
    kb = knowledge_base()
    return arm_effects(kb.studies[study_id], disease, outcomes=kb.outcomes, drugs=kb.drugs)


def _trial(sid: str, arms: list[tuple[str, float, int]], placebo: tuple[float, int], weeks: float = 12) -> Study:
    return Study(id=sid, design="rct", n=sum(a[2] for a in arms) + placebo[1],
                 interventions=[Intervention(name="upadacitinib", dose=a[0]) for a in arms],
                 comparators=[Comparator(name="placebo")], diseases=[DiseaseRef(name="hidradenitis suppurativa")],
                 outcomes=[Outcome(measure="HiSCR", arm=f"upadacitinib {a[0]}", value=a[1], unit="%", n=a[2],
                                   comparator_value=placebo[0], comparator_n=placebo[1],
                                   timepoint=Duration(value=weeks, unit="week")) for a in arms])


def test_measure_keys_keep_responder_thresholds_apart() -> None:
    outcomes = knowledge_base().outcomes
    assert measure_key("HiSCR", outcomes) == measure_key("HiSCR50", outcomes) == "hiscr50"
    assert measure_key("AN count", outcomes) == "an_count"
    assert measure_key("AN50", outcomes) == "an_count:an50"
    assert measure_key("IGA-TS", outcomes) == measure_key("IGA TS", outcomes) == "iga_ts"


def test_kirby_arm_matches_the_effects_module() -> None:
    row = next(r for r in _effects("kirby2024-povorcitinib-ph2")
               if r.arm == "povorcitinib 15 mg" and r.measure == "HiSCR")
    assert (row.events, row.n, row.comparator_events, row.comparator_n) == (25, 52, 15, 52)
    assert row.rd == risk_difference(25, 52, 15, 52)
    assert row.rr == risk_ratio(25, 52, 15, 52)
    assert row.nnt is not None and row.nnt.kind == "NNTB"
    assert row.summary.startswith("RD +19.2 pp (95% CI +0.6 to +36.1); RR 1.67 (1.00 to 2.78); NNTB 5.2")
    assert row.weeks == 16.0 and row.weeks_assumed  # the outcome has no timepoint: study duration


def test_missing_arm_sizes_are_insufficient_not_guessed() -> None:
    rows = [r for r in _effects("stop-hs1-povorcitinib-ph3") if r.role == "arm"]
    assert {r.kind for r in rows} == {"insufficient"}
    assert rows[0].rd is None and rows[0].rr is None
    assert rows[0].note == f"{INSUFFICIENT} (40.2% vs 29.7%, difference +10.5 pp, no CI)"


def test_single_arm_proportion_has_a_wilson_interval() -> None:
    row = next(r for r in _effects("stir-tofacitinib-dm-nct03002649", "dermatomyositis") if r.measure == "IMACS DOI")
    assert row.kind == "single_arm"
    assert row.proportion == proportion(10, 10)
    assert row.summary == "100.0% (10/10; Wilson 95% CI 72.2 to 100.0%)"


def test_roles_of_arms() -> None:
    roles = {r.arm: r.role for r in _effects("stop-hs2-povorcitinib-ph3")}
    assert roles["povorcitinib 45 mg, biologic-experienced subgroup"] == "subgroup"
    upa = {r.arm: r for r in _effects("upadacitinib-hs-ph2-nct04430855")}
    hist = upa["upadacitinib 30 mg (vs historical placebo)"]
    assert hist.role == "historical" and hist.comparator == "historical controls"
    assert hist.note.startswith("vs a historical control rate")
    assert {r.role for r in _effects("alavi2022-study2") if r.measure == "HiSCR"} == {"arm", "combined"}


def test_continuous_outcomes_without_sds_get_no_interval() -> None:
    row = next(r for r in _effects("kirby2024-povorcitinib-ph2") if r.measure == "AN" and r.arm == "povorcitinib 45 mg")
    assert row.kind == "continuous"
    assert row.note == "-6.9 vs -2.5 lesions (change from baseline) (difference -4.40; SDs not reported, no CI)"


def test_pooling_combines_dose_arms_and_counts_the_control_once() -> None:
    a = _trial("a", [("15 mg", 40.0, 50), ("30 mg", 50.0, 50)], (20.0, 50))
    b = _trial("b", [("30 mg", 45.0, 100)], (25.0, 100))
    rows = arm_effects(a, "hidradenitis suppurativa") + arm_effects(b, "hidradenitis suppurativa")
    (pooled,) = pool_effects(rows, knowledge_base().drugs)
    assert pooled.group == "upadacitinib" and pooled.k == 2
    assert pooled.n_total == 100 + 50 + 100 + 100
    assert pooled.method == "REML"
    assert pooled.ci_lower < pooled.estimate < pooled.ci_upper
    assert 0.2 < pooled.estimate < 0.3


def test_pooling_by_class_needs_more_than_one_drug() -> None:
    kb = knowledge_base()
    rows = []
    for sid, drug in (("a", "upadacitinib"), ("b", "abrocitinib"), ("c", "povorcitinib")):
        st = _trial(sid, [("x", 45.0, 80)], (25.0, 80)).model_copy(
            update={"interventions": [Intervention(name=drug)]})
        rows += arm_effects(st, "hidradenitis suppurativa", drugs=kb.drugs)
    pooled = pool_effects(rows, kb.drugs)
    assert [(p.group, p.group_kind, p.k) for p in pooled] == [("JAK1-selective", "class", 3)]
    assert pooled[0].method == "REML, Hartung-Knapp"


def test_grading_effect_across_studies() -> None:
    rows = arm_effects(_trial("a", [("30 mg", 50.0, 100)], (25.0, 100)), "hidradenitis suppurativa")
    eff = grading_effect(rows)
    assert eff is not None and eff.k == 1 and eff.measure == "RD"
    assert eff.estimate == pytest.approx(25.0)
    assert eff.rr is not None and eff.rr[0] == pytest.approx(2.0)


def test_study_labels() -> None:
    kb = knowledge_base()
    assert study_label(kb.studies["stop-hs1-povorcitinib-ph3"]) == "STOP-HS1"
    assert study_label(kb.studies["kirby2024-povorcitinib-ph2"]) == "Kirby 2024"
    assert study_label(kb.studies["alavi2022-study2"]) == "Alavi 2022 (study 2)"


@pytest.mark.parametrize(
    ("citation", "title", "label"),
    [
        ("DELTA 2 (approval trial; news)", "DELTA 2: delgocitinib cream", "DELTA 2"),
        ("TRuE-V programme (approval trials)", "TRuE-V: ruxolitinib cream", "TRuE-V"),
        ("Kim SR, et al. JAAD Case Rep 2018;4(5):443-445.", "Treatment of morphea", "Kim 2018"),
        ("Clin Rheumatol 2020. DOI 10.1007/s10067-020-05118-z", "Tofacitinib in morphea", "Clin Rheumatol 2020"),
        ("Damsky W, et al. J Invest Dermatol 2020", "JAK inhibition prevents fibrosis", "Damsky 2020"),
        ("PMCID PMC9201967", "Tofacitinib in hypertrophic lichen planus", "PMC9201967"),
        ("Australian retrospective series, reported in news", "Tofacitinib in erosive vulvovaginal lichen planus",
         "Tofacitinib in erosive vulvovaginal\u2026"),
    ],
)
def test_study_label_names_trials_authors_and_journals(citation: str, title: str, label: str) -> None:
    from types import SimpleNamespace

    from jakatlas.synthesis.atlas_effects import study_label

    assert study_label(SimpleNamespace(id="x", citation=citation, title=title)) == label


def _alavi_study2(placebo_n: int) -> Study:
    """Alavi 2022 study 2 as shipped, with the placebo HiSCR denominator set to ``placebo_n``."""
    st = knowledge_base().studies["alavi2022-study2"]
    outs = [o.model_copy(update={"comparator_n": placebo_n}) if o.comparator_value == 57.1 else o for o in st.outcomes]
    return st.model_copy(update={"outcomes": outs})


def test_povorcitinib_57_1_percent_of_9_placebo_is_not_turned_into_5_of_9() -> None:
    """57.1% is no whole count of the 9 randomised to placebo (the trial's 4/7 had a smaller
    denominator): no RD of +0.0 pp for 55.6% vs 57.1%, no invented counts, the reason stated."""
    kb = knowledge_base()
    rows = [r for r in arm_effects(_alavi_study2(9), "hidradenitis suppurativa", outcomes=kb.outcomes, drugs=kb.drugs)
            if r.measure == "HiSCR"]
    assert len(rows) == 4 and {r.kind for r in rows} == {"insufficient"}
    assert all(r.rd is None and r.events is None and r.comparator_events is None for r in rows)
    low = next(r for r in rows if r.arm == "povorcitinib 30 mg")
    assert low.note == ("insufficient: control arm: 57.1% is not a whole count of 9 (nearest 5/9 = 55.6%), so "
                        "its denominator is not the arm size (55.6% vs 57.1%, difference -1.5 pp, no CI)")
    assert grading_effect(rows) is None


def test_povorcitinib_with_the_true_placebo_denominator_shows_a_negative_difference() -> None:
    kb = knowledge_base()
    rows = {r.arm: r for r in arm_effects(_alavi_study2(7), "hidradenitis suppurativa", outcomes=kb.outcomes,
                                          drugs=kb.drugs) if r.measure == "HiSCR"}
    low = rows["povorcitinib 30 mg"]
    assert (low.events, low.n, low.comparator_events, low.comparator_n) == (5, 9, 4, 7)
    assert low.rd is not None and low.rd.estimate < 0
    assert low.summary.startswith("RD -1.6 pp")


def test_single_arm_percentage_of_another_denominator_gets_no_wilson_interval() -> None:
    st = Study(id="x", design="open_label_trial", n=10, interventions=[Intervention(name="baricitinib")],
               diseases=[DiseaseRef(name="lichen planus")],
               outcomes=[Outcome(measure="HiSCR", value=45.2, unit="%", n=10)])
    row = arm_effects(st, "lichen planus", outcomes=knowledge_base().outcomes)[0]
    assert row.kind == "insufficient" and row.proportion is None and row.events is None
    assert row.note == ("insufficient: 45.2% is not a whole count of 10 (nearest 5/10 = 50.0%), so its "
                        "denominator is not the arm size (no CI)")
