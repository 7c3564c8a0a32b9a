"""Placebo context: controlled placebo/vehicle rates, logit pooling, and flags for single-arm results."""

from __future__ import annotations

import pytest

from jakatlas.data import knowledge_base
from jakatlas.synthesis.atlas_effects import ArmEffect, arm_effects
from jakatlas.synthesis.placebo import placebo_context, uncontrolled_flags


@pytest.fixture(scope="module")
def hs_rows() -> list[ArmEffect]:
    kb = knowledge_base()
    rows: list[ArmEffect] = []
    for s in kb.studies_for(disease="hidradenitis suppurativa"):
        rows += arm_effects(s, "hidradenitis suppurativa", outcomes=kb.outcomes, drugs=kb.drugs)
    return rows


def _arm(study: str, value: float, n: int | None, comparator_value: float | None, comparator_n: int | None,
         *, comparator: str | None = "placebo", role: str = "arm") -> ArmEffect:
    kind = "comparative" if comparator_value is not None and n and comparator_n else "insufficient"
    return ArmEffect(study_id=study, label=study, drug="x", disease="d", measure="IGA-TS", measure_key="iga_ts",
                     arm=None, weeks=16.0, weeks_assumed=False, design="rct", kind=kind, role=role,  # type: ignore[arg-type]
                     value=value, unit="%", n=n, comparator=comparator, comparator_value=comparator_value,
                     comparator_n=comparator_n, higher_is_better=True)


def test_hidradenitis_hiscr_placebo_rates(hs_rows: list[ArmEffect]) -> None:
    ctx = next(c for c in placebo_context(hs_rows) if c.measure_key == "hiscr50")
    assert sorted(r.value for r in ctx.rates) == [23.8, 26.0, 27.6, 28.6, 28.8, 29.0, 29.7, 32.0, 57.1]
    assert {r.label for r in ctx.rates} == {"Alavi 2022 (study 2)", "Kirby 2024", "STOP-HS1", "STOP-HS2",
                                            "NCT04430855", "PIONEER I", "PIONEER II", "BE HEARD I", "BE HEARD II"}
    assert ctx.range_text == "24–57%"
    # Alavi 2022 study 2: 57.1% of 9 randomised is no whole count (the source's 4/7 had a smaller
    # denominator), so it is not rounded to 5/9 and not pooled; STOP-HS1/2 and BE HEARD I/II report
    # no arm sizes. Kirby 2024, NCT04430855 and the adalimumab benchmarks PIONEER I/II are pooled.
    assert ctx.k_pooled == 4 and ctx.pooled is not None
    assert ctx.pooled == pytest.approx(26.94, abs=0.01)
    assert ctx.ci_lower < 26.0 < 27.6 < ctx.ci_upper
    assert ctx.note == ("Alavi 2022 (study 2): 57.1% is not a whole count of 9, so its denominator is not "
                        "reported; it is in the range but not the pooled estimate. 4 studies without arm sizes "
                        "are in the range but not the pooled estimate.")

def test_inexact_placebo_rate_is_excluded_from_a_pool_with_a_note() -> None:
    rows = [_arm("A", 40.0, 50, 20.0, 50), _arm("B", 50.0, 40, 30.0, 40), _arm("C", 45.0, 60, 25.0, 60),
            _arm("D", 55.6, 9, 57.1, 9)]
    ctx = placebo_context(rows)[0]
    assert ctx.k_pooled == 3 and ctx.pooled is not None
    assert ctx.note == ("D: 57.1% is not a whole count of 9, so its denominator is not reported; it is in the "
                        "range but not the pooled estimate.")


def test_subgroup_and_historical_rates_are_not_placebo_context(hs_rows: list[ArmEffect]) -> None:
    values = {r.value for c in placebo_context(hs_rows) for r in c.rates}
    assert 19.5 not in values and 25.0 not in values


def test_too_few_sized_studies_give_a_range(hs_rows: list[ArmEffect]) -> None:
    an50 = next(c for c in placebo_context(hs_rows) if c.measure_key == "an_count:an50")
    assert an50.comparators == "vehicle"
    assert an50.pooled is None
    assert an50.note == ("Not pooled: 0 of 1 studies report counts (at least 3 needed); the range is "
                         "shown instead.")


def test_single_arm_result_is_flagged_against_placebo(hs_rows: list[ArmEffect]) -> None:
    flags = uncontrolled_flags(hs_rows, placebo_context(hs_rows))
    flag = next(f for f in flags if f.study_id == "alavi2022-study1")
    assert flag.text.startswith("uncontrolled: 42.9% HiSCR (wk 8) vs placebo responses of 24–57% in RCTs")
    assert flag.within_placebo_range
    assert "cannot be told apart from placebo response" in flag.text


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # statsmodels with Q = 0
def test_identical_rates_pool_to_that_rate() -> None:
    rows = [_arm(f"s{i}", 50.0, 100, 30.0, 100) for i in range(3)]
    (ctx,) = placebo_context(rows)
    assert ctx.pooled == pytest.approx(30.0)
    assert ctx.method == "random effects on logit proportions (REML, Hartung-Knapp)"


def test_one_rate_per_study_and_active_comparators_ignored() -> None:
    rows = [_arm("s1", 50.0, 50, 30.0, 50), _arm("s1", 60.0, 50, 30.0, 50),
            _arm("s2", 50.0, 50, 20.0, 50, comparator="methotrexate")]
    (ctx,) = placebo_context(rows)
    assert [r.study_id for r in ctx.rates] == ["s1"]
