"""Meta-analysis behaviour: estimating equations, conventions, edge cases and error messages."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest
from scipy import stats

import jakatlas
from jakatlas.errors import StatisticsError
from jakatlas.synthesis.meta import (
    METHODS,
    estimate_tau2,
    leave_one_out,
    meta_analysis,
    subgroup_analysis,
)

# A small heterogeneous set (log odds ratios) and a homogeneous one.
YI = [-0.9, -1.6, -1.3, -1.4, -0.2, -0.9, -1.6, 0.0, -0.5]
VI = [0.35, 0.21, 0.43, 0.02, 0.05, 0.01, 0.22, 0.004, 0.06]
FLAT_YI = [0.10, 0.12, 0.09, 0.11]
FLAT_VI = [0.04, 0.05, 0.03, 0.06]
EXACT = 1e-9


def _q_gen(tau2: float) -> float:
    w = 1 / (np.array(VI) + tau2)
    mu = np.dot(w, YI) / w.sum()
    return float(np.dot(w, (np.array(YI) - mu) ** 2))


def test_public_entry_point_is_meta_analysis() -> None:
    assert jakatlas.meta_analysis is meta_analysis


def test_equal_effects_is_the_inverse_variance_mean() -> None:
    res = meta_analysis(YI, VI, method="EE")
    w = 1 / np.array(VI)
    assert res.estimate == pytest.approx(np.dot(w, YI) / w.sum(), abs=EXACT)
    assert res.se == pytest.approx(1 / math.sqrt(w.sum()), abs=EXACT)
    assert res.tau2 == 0 and res.pi_lower is None and res.pi_upper is None
    # I² and H² of the EE model come from Q (Higgins & Thompson 2002).
    assert res.i2 == pytest.approx(100 * (res.q - 8) / res.q) and res.h2 == pytest.approx(res.q / 8)


def test_dl_is_the_closed_form_moment_estimator() -> None:
    w = 1 / np.array(VI)
    mu = np.dot(w, YI) / w.sum()
    q = float(np.dot(w, (np.array(YI) - mu) ** 2))
    tau2 = (q - 8) / (w.sum() - (w**2).sum() / w.sum())
    res = meta_analysis(YI, VI, method="DL")
    assert res.tau2 == pytest.approx(tau2, abs=EXACT) and res.q == pytest.approx(q, abs=EXACT)
    # For DL, I² from the typical variance equals (Q - df)/Q.
    assert res.i2 == pytest.approx(100 * (q - 8) / q, abs=1e-7)


def test_pm_solves_its_estimating_equation() -> None:
    res = meta_analysis(YI, VI, method="PM")
    assert _q_gen(res.tau2) == pytest.approx(len(YI) - 1, abs=1e-7)


def test_reml_solves_the_score_equation_and_reports_se() -> None:
    res = meta_analysis(YI, VI, method="REML")
    w = 1 / (np.array(VI) + res.tau2)
    mu = np.dot(w, YI) / w.sum()
    score = np.dot(w**2, (np.array(YI) - mu) ** 2) - (w.sum() - (w**2).sum() / w.sum())
    assert abs(score) < 1e-7 and res.converged
    assert res.tau2_se is not None and res.tau2_se > 0


@pytest.mark.parametrize("method", ["DL", "PM", "REML"])
def test_homogeneous_data_truncate_tau2_at_zero(method: str) -> None:
    res = meta_analysis(FLAT_YI, FLAT_VI, method=method)
    assert res.tau2 == 0.0 and res.i2 == 0.0 and res.h2 == 1.0
    ee = meta_analysis(FLAT_YI, FLAT_VI, method="EE")
    assert res.estimate == pytest.approx(ee.estimate)


def test_estimate_tau2_for_every_method() -> None:
    fits = {m: estimate_tau2(YI, VI, m) for m in METHODS}
    assert fits["EE"].tau2 == 0
    assert all(f.tau2 > 0 and f.converged for m, f in fits.items() if m != "EE")


def test_pm_recovers_when_statsmodels_returns_a_bad_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # statsmodels' PM iteration returns 0 when a step overshoots and does not report convergence;
    # a result that fails the estimating equation is re-solved by root finding.
    import statsmodels.stats.meta_analysis as sm_meta

    class Bogus:
        tau2 = 0.0

    monkeypatch.setattr(sm_meta, "combine_effects", lambda *a, **k: Bogus())
    fit = estimate_tau2(YI, VI, "PM")
    assert fit.converged and _q_gen(fit.tau2) == pytest.approx(len(YI) - 1, abs=1e-7)


def test_reml_falls_back_to_bounded_maximisation(monkeypatch: pytest.MonkeyPatch) -> None:
    import jakatlas.synthesis.meta as meta_mod

    reference = estimate_tau2(YI, VI, "REML").tau2
    monkeypatch.setattr(meta_mod, "_MAXITER", 1)
    fit = estimate_tau2(YI, VI, "REML")
    assert fit.converged and fit.tau2 == pytest.approx(reference, abs=1e-6)


def test_knha_scales_the_variance_and_uses_t_with_k_minus_1_df() -> None:
    plain = meta_analysis(YI, VI, method="REML")
    adj = meta_analysis(YI, VI, method="REML", knha=True)
    w = 1 / (np.array(VI) + plain.tau2)
    s2 = np.dot(w, (np.array(YI) - plain.estimate) ** 2) / 8
    assert adj.se == pytest.approx(plain.se * math.sqrt(s2), abs=EXACT)
    crit = stats.t.isf(0.025, 8)
    assert adj.df == 8 and adj.test == "t"
    assert adj.ci_upper - adj.estimate == pytest.approx(crit * adj.se)
    # Prediction interval: t(k-1) and the adjusted SE (metafor's predict.rma with test="knha").
    assert adj.pi_upper == pytest.approx(adj.estimate + crit * math.sqrt(adj.se**2 + adj.tau2))
    assert adj.p_value == pytest.approx(2 * stats.t.sf(abs(adj.estimate / adj.se), 8))


def test_prediction_interval_uses_z_without_knha() -> None:
    res = meta_analysis(YI, VI, method="DL")
    z = stats.norm.isf(0.025)
    assert res.pi_lower == pytest.approx(res.estimate - z * math.sqrt(res.se**2 + res.tau2))
    assert res.df is None and res.test == "z"


def test_weights_are_percentages_summing_to_100() -> None:
    res = meta_analysis(YI, VI, method="REML")
    assert sum(res.weights) == pytest.approx(100.0)
    assert max(res.weights) == res.weights[VI.index(min(VI))]


def test_result_is_frozen_and_json_ready() -> None:
    res = meta_analysis(YI, VI, method="REML", measure="OR", labels=[f"S{i}" for i in range(9)])
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.tau2 = 1.0  # type: ignore[misc]
    d = res.to_dict()
    json.dumps(d)
    assert d["studies"][0]["label"] == "S0" and d["tau"] == pytest.approx(math.sqrt(res.tau2))
    assert d["ratio_scale"]["estimate"] == pytest.approx(math.exp(res.estimate))


def test_back_transform_only_for_ratios() -> None:
    assert meta_analysis(YI, VI, measure="RD").back_transformed() == {}
    assert "ratio_scale" not in meta_analysis(YI, VI, measure="RD").to_dict()


def test_single_study_equal_effects_has_no_heterogeneity() -> None:
    res = meta_analysis([0.3], [0.04], method="EE")
    assert res.q == 0 and res.q_df == 0 and res.q_p is None and res.i2 is None


@pytest.mark.parametrize("method", ["DL", "PM", "REML"])
def test_random_effects_needs_two_studies(method: str) -> None:
    with pytest.raises(StatisticsError, match=r"needs at least 2 studies, got 1; add studies or use --method EE"):
        meta_analysis([0.3], [0.04], method=method)


@pytest.mark.parametrize(
    ("yi", "vi", "message"),
    [
        ([0.1, 0.2], [0.1], "yi has 2 values but vi has 1"),
        ([0.1, 0.2], [0.1, 0.0], "study 2 has vi <= 0"),
        ([0.1, float("nan")], [0.1, 0.1], "finite"),
        ([], [], "No studies"),
    ],
)
def test_input_errors_say_how_to_fix(yi: list[float], vi: list[float], message: str) -> None:
    with pytest.raises(StatisticsError, match=message):
        meta_analysis(yi, vi, method="EE")


def test_unknown_method_and_level() -> None:
    with pytest.raises(StatisticsError, match="use one of EE, DL, PM, REML"):
        meta_analysis(YI, VI, method="HS")
    with pytest.raises(StatisticsError, match="between 0 and 1"):
        meta_analysis(YI, VI, level=1.5)
    assert meta_analysis(YI, VI, method="fe").method == "EE"  # metafor's older name


def test_subgroups_are_separate_fits_with_q_between() -> None:
    groups = ["a"] * 4 + ["b"] * 5
    res = subgroup_analysis(YI, VI, groups, method="REML")
    a = meta_analysis(YI[:4], VI[:4], method="REML")
    b = meta_analysis(YI[4:], VI[4:], method="REML")
    assert [g.name for g in res.groups] == ["a", "b"]
    assert res.groups[0].result.estimate == pytest.approx(a.estimate)
    w = np.array([1 / a.se**2, 1 / b.se**2])
    est = np.array([a.estimate, b.estimate])
    mean = np.dot(w, est) / w.sum()
    assert res.q_between == pytest.approx(float(np.dot(w, (est - mean) ** 2)))
    assert res.df_between == 1 and res.p_between == pytest.approx(stats.chi2.sf(res.q_between, 1))
    assert res.overall.k == 9
    json.dumps(res.to_dict())


def test_single_study_subgroup_is_noted() -> None:
    res = subgroup_analysis(YI, VI, ["a"] * 8 + ["b"], method="DL")
    assert res.groups[1].result.k == 1 and "single study" in res.notes[0]


def test_subgroup_errors() -> None:
    with pytest.raises(StatisticsError, match="at least 2 groups"):
        subgroup_analysis(YI, VI, ["a"] * 9)
    with pytest.raises(StatisticsError, match="one group per study"):
        subgroup_analysis(YI, VI, ["a", "b"])


def test_leave_one_out_refits_without_each_study() -> None:
    rows = leave_one_out(YI, VI, method="DL", labels=[f"S{i}" for i in range(9)])
    assert [r.omitted for r in rows] == [f"S{i}" for i in range(9)]
    ref = meta_analysis(YI[1:], VI[1:], method="DL")
    assert rows[0].result.estimate == pytest.approx(ref.estimate) and rows[0].result.k == 8
    assert rows[0].to_dict()["tau2"] == pytest.approx(ref.tau2)


def test_leave_one_out_needs_enough_studies() -> None:
    with pytest.raises(StatisticsError, match="needs at least 3 studies"):
        leave_one_out(YI[:2], VI[:2], method="REML")


def test_duplicate_labels_are_refused() -> None:
    from jakatlas.errors import StatisticsError as _SE

    with pytest.raises(_SE, match=r"^Study label 'A' appear more than once; each study enters a meta-analysis once"):
        meta_analysis([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], labels=["A", "A", "B"])


def test_egger_needs_ten_studies() -> None:
    from jakatlas.errors import StatisticsError as _SE
    from jakatlas.synthesis.pubbias import egger_test

    with pytest.raises(_SE, match=r"^Egger's test needs at least 10 studies, got 9: with fewer it cannot tell"):
        egger_test([0.1] * 9, [0.1] * 9)


def test_hedges_g_needs_every_input() -> None:
    from jakatlas.errors import StatisticsError as _SE
    from jakatlas.synthesis.effects import standardized_mean_difference

    with pytest.raises(_SE, match=r"^Cannot compute a mean difference: missing SD \(control\)"):
        standardized_mean_difference(1.0, 1.0, 10, 0.5, None, 10)
