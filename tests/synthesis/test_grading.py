"""OCEBM 2011 levels and GRADE certainty: rules, reasons in words, and the shipped HS evidence."""

from __future__ import annotations

import pytest

from jakatlas.data import knowledge_base
from jakatlas.models.evidence import Comparator, DiseaseRef, Intervention, Study
from jakatlas.models.knowledge import CuratedStudy
from jakatlas.synthesis.disease import synthesise
from jakatlas.synthesis.grading import EffectEvidence, grade_outcome, ocebm_level


def _study(sid: str = "s", *, design: str | None = "rct", n: int | None = 400, comparator: str | None = "placebo",
           drugs: tuple[str, ...] = ("tofacitinib",)) -> Study:
    return Study(id=sid, design=design, n=n,  # type: ignore[arg-type]
                 interventions=[Intervention(name=d) for d in drugs],
                 comparators=[Comparator(name=comparator)] if comparator else [],
                 diseases=[DiseaseRef(name="lichen planus")])


def _curated(sid: str, *, title: str, result: str = "r", confirmed: bool = True, **kw: object) -> CuratedStudy:
    base = _study(sid, **kw).model_dump()  # type: ignore[arg-type]
    return CuratedStudy(**base, title=title, citation="c", sources=["S3"], result=result, confirmed=confirmed)


@pytest.mark.parametrize(("design", "n", "comparator", "level"), [
    ("rct", 200, "placebo", 2),
    ("rct", 20, "placebo", 3),
    ("open_label_trial", 66, "methotrexate", 3),
    ("open_label_trial", 10, None, 4),
    ("cohort", 515, "calcineurin inhibitor", 3),
    ("cohort", 88, None, 4),
    ("case_series", 3, None, 4),
    ("case_report", 1, None, 4),
    ("preclinical", None, None, 5),
    (None, None, None, None),
])
def test_ocebm_level_from_design_controls_and_size(design: str | None, n: int | None, comparator: str | None,
                                                   level: int | None) -> None:
    assert ocebm_level(_study(design=design, n=n, comparator=comparator)).level == level


def test_small_rct_is_graded_down_with_a_reason() -> None:
    lv = ocebm_level(_study(n=20))
    assert lv.reason == "Randomised trial graded down one level for imprecision (only 20 patients; level 3)."


def test_curated_level_is_kept_and_disagreement_reported() -> None:
    st = knowledge_base().studies["brumfiel-ruxolitinib-cream-clp-ph2"]
    lv = ocebm_level(st)
    assert (lv.level, lv.recorded, lv.recorded_by, lv.computed, lv.basis) == (3, 3, "curated", 4, "curated")
    assert lv.disagreement is not None
    assert lv.disagreement.startswith("Curated level 3 differs from the level 4 derived from the design")


def test_machine_level_is_never_called_curated() -> None:
    """An extracted uncontrolled cohort carries the extractor's level; grading derives 4 from the
    same table (data/ocebm.json), uses it, and labels the recorded value as extracted."""
    st = _study(design="cohort", n=88, comparator=None).model_copy(update={"evidence_level": 3})
    lv = ocebm_level(st)
    assert (lv.level, lv.recorded, lv.recorded_by, lv.computed, lv.basis) == (4, 3, "extracted", 4, "derived")
    assert lv.disagreement is not None and lv.disagreement.startswith("Extracted (machine-derived) level 3 differs")
    assert "curated" not in lv.disagreement.lower()


def test_extraction_and_grading_read_one_table() -> None:
    from jakatlas.data.ocebm import ocebm_table
    from jakatlas.extract.design import evidence_level

    table = ocebm_table()
    for design in table.entries:
        if design in ("rct", "systematic_review"):
            continue
        for controlled in (True, False):
            st = _study(design=design, n=50, comparator="placebo" if controlled else None)
            assert ocebm_level(st).computed == evidence_level(design, controlled), (design, controlled)
    assert ocebm_level(_study(design="rct", n=50)).computed == evidence_level("rct", True) == 2


@pytest.mark.parametrize(("text", "level"), [
    ("Systematic review and meta-analysis of randomised controlled trials", 1),
    ("Systematic review of cohort studies", 3),
    ("Systematic review of case reports and case series", 4),
    ("Systematic review of randomised trials and case series", 4),
    ("Systematic review", None),
])
def test_a_review_is_graded_by_what_it_reviews(text: str, level: int | None) -> None:
    st = _curated("r", title=text, design="systematic_review", n=None, comparator=None)
    assert ocebm_level(st).computed == level


def test_every_shipped_study_gets_a_level_or_says_why_not() -> None:
    for st in knowledge_base().studies.values():
        lv = ocebm_level(st)
        assert lv.level in (1, 2, 3, 4, 5) or lv.reason == "Design not reported, so no level can be derived."


def test_large_precise_primary_rct_evidence_is_high() -> None:
    g = grade_outcome([_study("a", n=400)], drug="tofacitinib", disease="lichen planus", outcome="PGA",
                      effect=EffectEvidence("RD", 15.0, 8.0, 22.0))
    assert g.certainty == "high"
    assert g.start_reason == "Started at high: 1 randomised comparison."
    assert all(j.change == 0 for j in g.judgements)


def test_small_trial_with_ci_crossing_no_effect_is_rated_down_twice() -> None:
    g = grade_outcome([_study("a", n=68)], drug="upadacitinib", disease="hs", outcome="HiSCR",
                      effect=EffectEvidence("RD", 14.5, -10.2, 33.9))
    assert g.certainty == "low"
    imp = next(j for j in g.judgements if j.domain == "imprecision")
    assert imp.change == -2
    assert imp.reason == ("Rated down two levels for imprecision: only 68 patients in total, fewer than the ~300 "
                          "of an optimal information size and the confidence interval of RD +14.5 pp (95% CI "
                          "-10.2 to +33.9) includes no effect.")


def test_case_series_only_is_very_low_with_risk_of_bias_reason() -> None:
    g = grade_outcome([_study("a", design="case_series", n=3, comparator=None)], drug="tofacitinib",
                      disease="lichen planus", outcome="PGA")
    assert g.start == "low" and g.certainty == "very low"
    rob = next(j for j in g.judgements if j.domain == "risk of bias")
    assert rob.change == -2
    assert rob.reason == ("Rated down two levels for risk of bias: most patients come from studies at critical risk "
                          "(ROBINS-I): a: ROBINS-I (derived): critical (confounding, selection of participants).")


def test_heterogeneity_above_fifty_percent_rates_down() -> None:
    g = grade_outcome([_study("a"), _study("b"), _study("c")], drug="x", disease="y", outcome="z",
                      effect=EffectEvidence("RD", 20.0, 10.0, 30.0, k=3, i2=72.0))
    inc = next(j for j in g.judgements if j.domain == "inconsistency")
    assert inc.change == -1
    assert inc.reason == "Rated down one level for inconsistency: I² = 72% across 3 studies (above 50%)."
    assert g.certainty == "moderate"


def test_large_effect_rates_up_unbiased_observational_evidence_only() -> None:
    cohort = _curated("a", title="Prospective IPTW-adjusted cohort", design="cohort", n=515,
                      comparator="calcineurin inhibitor")
    big = EffectEvidence("RD", -30.0, -40.0, -20.0, rr=(0.3, 0.2, 0.45))
    up = grade_outcome([cohort], drug="tofacitinib", disease="dm", outcome="death", effect=big)
    assert up.certainty == "moderate"
    assert any(j.domain == "large effect" and j.change == 1 for j in up.judgements)
    retro = _curated("b", title="Retrospective cohort", design="cohort", n=515, comparator="calcineurin inhibitor")
    kept = grade_outcome([retro], drug="tofacitinib", disease="dm", outcome="death", effect=big)
    judged = next(j for j in kept.judgements if j.domain == "large effect")
    assert judged.change == 0 and "plausible bias" in judged.reason
    assert kept.certainty == "very low"


def test_secondary_only_sources_and_surrogates_are_indirect() -> None:
    st = _curated("a", title="Topline news", confirmed=False, n=400)
    g = grade_outcome([st], drug="x", disease="y", outcome="ultrasound skin thickness",
                      effect=EffectEvidence("RD", 15.0, 8.0, 22.0), sources=knowledge_base().sources)
    ind = next(j for j in g.judgements if j.domain == "indirectness")
    assert ind.change == -2
    assert "surrogate" in ind.reason and "secondary sources" in ind.reason


def test_open_label_extension_is_not_an_open_label_trial() -> None:
    st = _curated("a", title="Cream vs vehicle", result="16 weeks, then a 16-week open-label extension.", n=400)
    g = grade_outcome([st], drug="x", disease="y", outcome="IGA", effect=EffectEvidence("RD", 15.0, 8.0, 22.0))
    assert next(j for j in g.judgements if j.domain == "risk of bias").change == 0


def test_unknown_sample_sizes_are_said_not_counted_as_small() -> None:
    g = grade_outcome([_study("a", n=100), _study("b", n=None)], drug="x", disease="y", outcome="z",
                      effect=EffectEvidence("RD", 15.0, 8.0, 22.0, k=2, i2=0.0))
    imp = next(j for j in g.judgements if j.domain == "imprecision")
    assert imp.change == 0
    assert "1 study does not report n, so the information size (at least 100 patients) could not be checked" in imp.reason


def test_hidradenitis_grades_from_the_shipped_evidence() -> None:
    kb = knowledge_base()
    hs = kb.disease("HS")
    syn = synthesise(hs, kb.studies_for(disease=hs.name), kb)
    # one grade per timepoint: week 8, 12 and 16 results are never pooled together
    assert {g.outcome for g in syn.grades if g.drug == "povorcitinib" and g.measure == "HiSCR"} == {
        "HiSCR, wk 8", "HiSCR, wk 12", "HiSCR, wk 16"}
    povo = syn.grade_for("povorcitinib", "HiSCR", 16.0)
    assert povo is not None and povo.certainty == "very low" and povo.study_ids == ("kirby2024-povorcitinib-ph2",)
    assert povo.start_reason == "Started at high: 1 randomised comparison."
    assert any(j.domain == "indirectness" and j.change == -1 for j in povo.judgements)
    upa = syn.grade_for("upadacitinib", "HiSCR", 12.0)
    assert upa is not None and upa.certainty == "low"
    tofa = syn.grade_for("tofacitinib", "clinical response (narrative)")
    assert tofa is not None and tofa.certainty == "very low"
    assert all(g.summary.startswith(f"Certainty {g.certainty.upper()}. Started at ") for g in syn.grades)


def _hs():  # type: ignore[no-untyped-def]
    kb = knowledge_base()
    hs = kb.disease("HS")
    return synthesise(hs, kb.studies_for(disease=hs.name), kb)


def test_doses_are_judged_separately_not_collapsed() -> None:
    g = _hs().grade_for("povorcitinib", "HiSCR", 16.0)
    assert g is not None
    imp = next(j for j in g.judgements if j.domain == "imprecision")
    assert imp.change == -2
    assert ("the confidence interval includes no effect for povorcitinib 45 mg (RD +15.4 pp (95% CI -3.1 to +32.4)) "
            "and povorcitinib 75 mg (RD +16.4 pp (95% CI -2.0 to +33.4)) (doses judged separately)") in imp.reason


def test_two_outcomes_of_the_209_patient_trial_are_rated_alike_for_the_same_reasons() -> None:
    """Kirby 2024 (209 patients): HiSCR and AN at week 16 both very low, each judgement the same change."""
    syn = _hs()
    hiscr, an = syn.grade_for("povorcitinib", "HiSCR", 16.0), syn.grade_for("povorcitinib", "AN", 16.0)
    assert hiscr is not None and an is not None
    assert hiscr.certainty == an.certainty == "very low"
    assert [(j.domain, j.change) for j in hiscr.judgements] == [(j.domain, j.change) for j in an.judgements]


def test_single_arm_figures_of_a_randomised_trial_start_at_low() -> None:
    g = _hs().grade_for("povorcitinib", "DLQI")
    assert g is not None and g.start == "low"
    assert g.start_reason == ("Started at low: the figures are single-arm (uncontrolled) results, not a randomised "
                              "comparison, although alavi2022-study2 is a randomised trial.")
    rob = dict(g.risk_of_bias)["alavi2022-study2"]
    assert rob is not None and rob.tool == "ROBINS-I" and rob.domains["confounding"] == "critical"


def test_a_trial_without_results_is_not_graded() -> None:
    kb = knowledge_base()
    lp = kb.disease("lichen planus")
    syn = synthesise(lp, kb.studies_for(disease=lp.name), kb)
    assert syn.ungraded("ruxolitinib-cream-clp-rct-nct05593432")


def test_curated_risk_of_bias_is_stored_shown_and_drives_the_rating() -> None:
    from jakatlas.models.bias import RiskOfBias

    domains = {"randomisation process": "low", "deviations from intended interventions": "high",
               "missing outcome data": "low", "measurement of the outcome": "high",
               "selection of the reported result": "low"}
    rob = RiskOfBias(tool="RoB 2", domains=domains, overall="high", sources=["S3"])  # type: ignore[arg-type]
    st = _curated("a", title="Trial", n=400).model_copy(update={"risk_of_bias": rob})
    g = grade_outcome([st], drug="x", disease="y", outcome="z", effect=EffectEvidence("RD", 15.0, 8.0, 22.0))
    j = next(j for j in g.judgements if j.domain == "risk of bias")
    assert j.change == -1 and g.certainty == "moderate"
    assert j.reason == ("Rated down one level for risk of bias: most patients come from studies at serious or high "
                        "risk (RoB 2): a: RoB 2 (curated): high (deviations from intended interventions, measurement "
                        "of the outcome).")
    assert dict(g.risk_of_bias)["a"] is rob


def test_risk_of_bias_records_are_validated() -> None:
    from pydantic import ValidationError

    from jakatlas.models.bias import RiskOfBias

    with pytest.raises(ValidationError, match="RoB 2 needs exactly the domains"):
        RiskOfBias(tool="RoB 2", domains={"confounding": "low"}, overall="low", sources=["S1"])  # type: ignore[dict-item]
    with pytest.raises(ValidationError, match="a curated judgement names its sources"):
        RiskOfBias(tool="ROBINS-I", overall="serious", domains={d: "serious" for d in (  # type: ignore[misc]
            "confounding", "selection of participants", "classification of interventions",
            "deviations from intended interventions", "missing data", "measurement of outcomes",
            "selection of the reported result")})


def test_open_label_rct_is_high_risk_for_outcome_measurement() -> None:
    from jakatlas.synthesis.risk_of_bias import study_risk_of_bias

    st = knowledge_base().studies["tofacitinib-vs-cyclophosphamide-dcssc-nct06044844"]
    rob = study_risk_of_bias(st)
    assert rob is not None and (rob.tool, rob.basis, rob.overall) == ("RoB 2", "derived", "high")
    assert rob.reasons["measurement of the outcome"] == "open-label: assessors aware of treatment for rated outcomes"
