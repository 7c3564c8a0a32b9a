"""Effect sizes against published worked examples and their defining formulas."""

from __future__ import annotations

import dataclasses
import json
import math

import pytest

from jakatlas.errors import StatisticsError
from jakatlas.synthesis.effects import (
    escalc,
    from_percentages,
    mean_difference,
    nnt,
    odds_ratio,
    proportion,
    risk_difference,
    risk_ratio,
    wilson_interval,
)

# Published figures are printed to 4 decimals, so a correct implementation is within half a unit
# of the 4th decimal (5e-5); 1e-9 absorbs floating-point noise.
PUBLISHED_4DP = 5e-5 + 1e-9
# Fagerland, Lydersen & Laake (2015) print 2 significant figures.
PUBLISHED_2SF = 0.005


# --------------------------------------------------------------------------- Wilson
def test_wilson_matches_newcombe_1998_single_proportion_example() -> None:
    # Newcombe RG (1998) Stat Med 17:857-872, Table I, method 3 (score, no continuity correction):
    # 81/263 -> 0.2553 to 0.3662.
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=PUBLISHED_4DP)
    assert hi == pytest.approx(0.3662, abs=PUBLISHED_4DP)


def test_wilson_boundaries_are_exact() -> None:
    # With 0 events the lower limit is 0 and the upper is z²/(n + z²) (closed form).
    z2 = 1.959963984540054**2
    assert wilson_interval(0, 20) == (0.0, pytest.approx(z2 / (20 + z2), abs=1e-12))
    lo, hi = wilson_interval(20, 20)
    assert hi == 1.0 and lo == pytest.approx(20 / (20 + z2), abs=1e-12)


def test_proportion_result_is_named_and_frozen() -> None:
    p = proportion(81, 263)
    assert p.estimate == pytest.approx(81 / 263)
    assert p.to_dict()["method"] == "Wilson score"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.events = 3  # type: ignore[misc]


def test_wider_level_gives_wider_interval() -> None:
    lo95, hi95 = wilson_interval(15, 148, 0.95)
    lo99, hi99 = wilson_interval(15, 148, 0.99)
    assert lo99 < lo95 and hi99 > hi95


# --------------------------------------------------------------------------- risk difference
@pytest.mark.parametrize(
    ("counts", "rd", "ci"),
    [
        # Newcombe RG (1998) Stat Med 17:873-890, Table II, method 10 (hybrid score), examples (a), (b).
        # Example (a) is a difference of 0.2000 (56/70 = 0.8 against 48/80 = 0.6).
        ((56, 70, 48, 80), 0.2000, (0.0524, 0.3339)),
        ((9, 10, 3, 10), 0.6000, (0.1705, 0.8090)),
    ],
)
def test_newcombe_method_10_matches_published_examples(counts: tuple[int, int, int, int], rd: float,
                                                       ci: tuple[float, float]) -> None:
    res = risk_difference(*counts)
    assert res.estimate == pytest.approx(rd, abs=1e-12)
    assert res.ci_lower == pytest.approx(ci[0], abs=PUBLISHED_4DP)
    assert res.ci_upper == pytest.approx(ci[1], abs=PUBLISHED_4DP)
    assert res.method == "Newcombe hybrid score (method 10)"


def test_newcombe_matches_fagerland_2015_table() -> None:
    # Fagerland, Lydersen & Laake (2015) SMMR 24:224, 7/34 vs 1/34: Newcombe hybrid score 0.019 to 0.34.
    res = risk_difference(7, 34, 1, 34)
    assert res.ci_lower == pytest.approx(0.019, abs=5e-4)
    assert res.ci_upper == pytest.approx(0.34, abs=PUBLISHED_2SF)


def test_newcombe_stays_in_range_with_zero_and_full_arms() -> None:
    res = risk_difference(10, 10, 0, 20)
    assert -1 <= res.ci_lower < res.estimate == 1.0 and res.ci_upper == 1.0
    res = risk_difference(0, 10, 0, 20)
    assert res.ci_lower < 0 < res.ci_upper and res.continuity_correction == 0.0


def test_risk_difference_is_antisymmetric() -> None:
    a, b = risk_difference(9, 12, 20, 138), risk_difference(20, 138, 9, 12)
    assert a.ci_lower == pytest.approx(-b.ci_upper) and a.ci_upper == pytest.approx(-b.ci_lower)


# --------------------------------------------------------------------------- ratios
def test_katz_and_woolf_match_fagerland_2015() -> None:
    # Fagerland et al. (2015), 7/34 vs 1/34: Katz log RR 0.91 to 54; Woolf logit OR 0.99 to 74.
    rr, orr = risk_ratio(7, 34, 1, 34), odds_ratio(7, 34, 1, 34)
    assert rr.estimate == pytest.approx(7.0)
    assert rr.ci_lower == pytest.approx(0.91, abs=PUBLISHED_2SF) and rr.ci_upper == pytest.approx(54, abs=0.5)
    assert orr.estimate == pytest.approx(7 * 33 / (27 * 1))
    assert orr.ci_lower == pytest.approx(0.99, abs=PUBLISHED_2SF) and orr.ci_upper == pytest.approx(74, abs=0.5)
    assert rr.continuity_correction == orr.continuity_correction == 0.0


def test_log_variance_formulas() -> None:
    rr = risk_ratio(12, 40, 6, 38)
    assert rr.vi == pytest.approx(1 / 12 - 1 / 40 + 1 / 6 - 1 / 38)
    assert rr.yi == pytest.approx(math.log((12 / 40) / (6 / 38)))
    orr = odds_ratio(12, 40, 6, 38)
    assert orr.vi == pytest.approx(1 / 12 + 1 / 28 + 1 / 6 + 1 / 32)


def test_continuity_correction_only_when_a_cell_is_zero() -> None:
    rr = risk_ratio(0, 20, 5, 20)
    # 0.5 added to all four cells: (0.5/21) / (5.5/21).
    assert rr.continuity_correction == 0.5
    assert rr.estimate == pytest.approx(0.5 / 5.5)
    assert rr.vi == pytest.approx(1 / 0.5 - 1 / 21 + 1 / 5.5 - 1 / 21)
    assert "zero cell" in rr.notes[0]
    orr = odds_ratio(20, 20, 5, 20)  # zero non-events in the treated arm
    assert orr.continuity_correction == 0.5
    assert orr.estimate == pytest.approx((20.5 / 0.5) / (5.5 / 15.5))


def test_double_zero_ratio_is_flagged_not_hidden() -> None:
    rr = risk_ratio(0, 10, 0, 10)
    assert rr.estimate == pytest.approx(1.0)
    assert any("risk difference" in n for n in rr.notes)


# --------------------------------------------------------------------------- NNT (Altman 1998)
def test_nnt_ci_crossing_zero_runs_through_infinity() -> None:
    # Altman DG (1998) BMJ 317:1309: ARR 10% (95% CI -5% to 25%) gives NNTB 10, CI NNTB 4 to ∞ to NNTH 20.
    res = nnt(0.10, -0.05, 0.25)
    assert res.kind == "NNTB" and res.value == pytest.approx(10)
    assert res.crosses_no_effect
    assert res.nntb_range == (pytest.approx(4.0), math.inf)
    assert res.nnth_range == (pytest.approx(20.0), math.inf)
    assert res.text == "NNTB 10.0 (95% CI: NNTB 4.0 to ∞ to NNTH 20.0)"
    assert res.to_dict()["nntb_range"] == [pytest.approx(4.0), None]
    json.dumps(res.to_dict())  # infinity is not left in the dict


def test_nnt_significant_benefit() -> None:
    # Barrowman NJ (2002) CMAJ 166:1676: ARR 16.6% (0.9% to 32.2%) -> NNT 6 (3.1 to 111.1).
    res = nnt(0.166, 0.009, 0.322)
    assert res.kind == "NNTB" and not res.crosses_no_effect and res.nnth_range is None
    assert res.nntb_range is not None
    assert res.nntb_range[0] == pytest.approx(3.1, abs=0.05) and res.nntb_range[1] == pytest.approx(111.1, abs=0.05)


def test_nnt_for_a_harmful_outcome_reverses_direction() -> None:
    res = nnt(0.05, 0.02, 0.08, outcome="harmful")  # more adverse events on treatment
    assert res.kind == "NNTH" and res.value == pytest.approx(20)
    assert res.nnth_range == (pytest.approx(12.5), pytest.approx(50.0)) and res.nntb_range is None


def test_nnt_zero_difference_is_infinite() -> None:
    res = nnt(0.0, -0.1, 0.1)
    assert math.isinf(res.value) and res.to_dict()["value"] is None


def test_nnt_rejects_estimate_outside_ci() -> None:
    with pytest.raises(StatisticsError, match="outside its CI"):
        nnt(0.3, 0.0, 0.2)


# --------------------------------------------------------------------------- mean difference
def test_mean_difference_formula() -> None:
    res = mean_difference(10.0, 2.0, 30, 8.0, 3.0, 30)
    se = math.sqrt(4 / 30 + 9 / 30)
    assert res.estimate == 2.0 and res.vi == pytest.approx(se**2)
    assert res.ci_lower == pytest.approx(2.0 - 1.959963984540054 * se)


def test_mean_difference_names_missing_inputs() -> None:
    with pytest.raises(StatisticsError, match=r"missing SD \(control\)"):
        mean_difference(10.0, 2.0, 30, 8.0, None, 30)


# --------------------------------------------------------------------------- percentages
def test_from_percentages_rounds_half_up() -> None:
    res = from_percentages(45.2, 250, 12.5, 8)
    assert res.sufficient and res.counts() == (113, 137, 1, 7)
    assert res.notes == ()


def test_from_percentages_refuses_percentages_of_another_denominator() -> None:
    res = from_percentages(45.2, 100, 30.0, 100)
    assert res.status == "insufficient" and res.events_treated is None and res.events_control is None
    assert res.reason == ("treated arm: 45.2% is not a whole count of 100 (nearest 45/100 = 45.0%), so its "
                          "denominator is not the arm size; the count is not reconstructed (find the "
                          "denominator in the paper)")
    with pytest.raises(StatisticsError, match="Counts are insufficient"):
        res.counts()


def test_from_percentages_povorcitinib_placebo_57_1_of_9_is_not_5_of_9() -> None:
    """Alavi 2022 study 2: 57.1% placebo HiSCR is 4/7, not a share of the 9 randomised; 55.6% is 5/9."""
    res = from_percentages(55.6, 9, 57.1, 9)
    assert res.status == "insufficient"
    assert res.notes == ("control arm: 57.1% is not a whole count of 9 (nearest 5/9 = 55.6%), so its "
                         "denominator is not the arm size",)
    assert from_percentages(55.6, 9, 57.1, 7).counts() == (5, 4, 4, 3)


def test_from_percentages_missing_arm_size_is_insufficient_not_guessed() -> None:
    res = from_percentages(45.2, 250, 30.0, None)
    assert res.status == "insufficient" and res.events_control is None and res.events_treated is None
    assert res.reason is not None and "control-arm size" in res.reason
    with pytest.raises(StatisticsError, match="insufficient"):
        res.counts()


def test_from_percentages_rejects_fractions() -> None:
    with pytest.raises(StatisticsError, match="between 0 and 100"):
        from_percentages(145.0, 100, 3.0, 100)


# --------------------------------------------------------------------------- escalc
def test_escalc_rd_correction_matches_metafor_only0() -> None:
    es = escalc("RD", [0, 3], [10, 7], [2, 3], [8, 7])
    assert es.corrected == (True, False)
    # Study 1 gets 0.5 in every cell: p1 = 0.5/11, p2 = 2.5/11.
    assert es.yi[0] == pytest.approx(0.5 / 11 - 2.5 / 11)
    assert es.yi[1] == 0.0
    assert es.vi[1] == pytest.approx(2 * 0.3 * 0.7 / 10)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"ai": [-1]}, "cannot be negative"),
        ({"ai": [1.5]}, "whole number"),
        ({"ai": [0], "bi": [0]}, "empty arm"),
        ({"ai": [1, 2]}, "lengths differ"),
    ],
)
def test_escalc_rejects_bad_counts(bad: dict[str, list[float]], message: str) -> None:
    cells: dict[str, list[float]] = {"ai": [1], "bi": [9], "ci": [2], "di": [8], **bad}
    with pytest.raises(StatisticsError, match=message):
        escalc("RR", cells["ai"], cells["bi"], cells["ci"], cells["di"])  # type: ignore[arg-type]


def test_escalc_unknown_measure() -> None:
    with pytest.raises(StatisticsError, match="use RR, OR or RD"):
        escalc("SMD", [1], [2], [3], [4])


def test_level_is_validated() -> None:
    with pytest.raises(StatisticsError, match="between 0 and 1"):
        risk_ratio(1, 10, 2, 10, level=95)


def test_more_events_than_participants() -> None:
    with pytest.raises(StatisticsError, match="more events"):
        risk_difference(12, 10, 1, 10)
