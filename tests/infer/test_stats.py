"""P-value and confidence-interval parsing on sentences quoted from Evidence Inference 2.0 train articles."""

from __future__ import annotations

import pytest

from jakatlas.infer.stats import parse_intervals, parse_p_values


def _p(text: str) -> list[tuple[str, float | None]]:
    return [(p.op, p.value) for p in parse_p_values(text)]


def _ci(text: str) -> list[tuple[float, float, str, int]]:
    return [(i.low, i.high, i.scale, i.side) for i in parse_intervals(text)]


# PMC3499458: thin spaces around '=' and a difference scale
ADHERENCE = ("Mean (sd) percentage of adherent days was 77.4% (26.3) in the intervention group and 69.0% (30.8) in "
             "standard care (mean difference between groups 8.4%, 95% confidence interval 0.2% to 16.7%, "
             "p\u2009=\u20090.044).")
# PMC5976950: decimal middle dots and an adjusted odds ratio crossing 1
MRS = ("In a sensitivity analysis, we detected no difference between the groups in the proportion of participants "
       "who were dead or dependent at day 90 (mRS >3) and the aOR was 0\u00b782 (95% CI 0\u00b765\u20131\u00b703, "
       "p=0\u00b708; table 2).")
# PMC4431716: thousands separators
COST = ("This led to a difference between the two groups of 1,586.01\u20ac (95% CI 1,087.18 to 6,277.28; p<0.001) "
        "per newborn.")
# PMC3978457: Unicode minus, interval crossing 0, no p-value
ARMS = ("he mean improvement after 1 year was not significantly different between arms 1 and 2 (mean "
        "difference\u2009=\u20091.0, 95% CI\u2009=\u2009\u22122.8 to 4.7).")
# PMC5706840: hazard ratio above 1 with a semicolon between the bounds
PFS = ("The median progression-free survival for the combined populations with mid or high miR-31-3p expression was "
       "shorter in the CTX versus the CT arm (26.7 months versus 12.3 months, HR=2.28 95%CI 1.27; 4.09 p=0.006).")
# PMC59610: a table row (one cell a line) with a relative risk below 1 and a bare p-value
ROW = "Total mortality\n98/2006 (4.9%)\n132/2027 (6.5%)\n0.76 (0.59-0.98)\n0.03"


@pytest.mark.parametrize(
    ("text", "p_values", "intervals"),
    [
        (ADHERENCE, [("=", 0.044)], [(0.2, 16.7, "difference", 1)]),
        (MRS, [("=", 0.08)], [(0.65, 1.03, "ratio", 0)]),
        (COST, [("<", 0.001)], [(1087.18, 6277.28, "difference", 1)]),
        (ARMS, [], [(-2.8, 4.7, "difference", 0)]),
        (PFS, [("=", 0.006)], [(1.27, 4.09, "ratio", 1)]),
        (ROW, [], [(0.59, 0.98, "ratio", -1)]),
    ],
)
def test_real_sentences(text: str, p_values: list[tuple[str, float]], intervals: list[tuple[float, float, str, int]]) -> None:
    assert _p(text) == p_values
    assert _ci(text) == intervals


def test_p_value_forms() -> None:
    assert _p("P<0.001, p \u2264 0.05, P value of 0.34, P = .03, p > 0.05 (NS)") == [
        ("<", 0.001), ("<", 0.05), ("=", 0.34), ("=", 0.03), (">", 0.05), ("=", None)]
    assert _p("p = 1.2 \u00d7 10\u22124") == [("=", pytest.approx(1.2e-4))]
    assert _p("p = 3e-5") == [("=", pytest.approx(3e-5))]


def test_p_value_significance() -> None:
    sig = [p.significant for p in parse_p_values("p<0.05; p=0.05; p=0.049; p>0.05; p>0.01; NS")]
    assert sig == [True, False, True, False, None, False]


def test_not_p_values() -> None:
    assert _p("pH = 7.4 and p = 1.5 and SpO2 = 0.9") == []


def test_median_with_range_is_not_an_interval() -> None:
    assert _ci("median age 12 (30-40) years") == []


def test_ratio_named_before_the_interval() -> None:
    assert _ci("odds were 2.1 times higher (95% CI 1.3-3.4)") == [(1.3, 3.4, "ratio", 1)]
    assert _ci("95% confidence interval for the difference 1.9% to 11.7%") == [(1.9, 11.7, "difference", 1)]
