"""Inverse-variance meta-analysis of effect sizes ``yi`` with sampling variances ``vi``.

Equal-effects (EE) and random-effects models with the DerSimonian-Laird (DL; DerSimonian & Laird
1986), Paule-Mandel (PM; Paule & Mandel 1982) or restricted maximum-likelihood (REML; Viechtbauer
2005) estimator of tau², the optional Hartung-Knapp(-Sidik-Jonkman) adjustment (Hartung & Knapp
2001), prediction intervals, heterogeneity statistics (Higgins & Thompson 2002), subgroup analysis
and leave-one-out. Output conventions reproduce metafor's ``rma.uni`` (Viechtbauer 2010).

statsmodels' ``combine_effects`` supplies the DL and PM tau² estimates. Two of its behaviours are
handled here: it does not truncate the DL estimate at zero (metafor does), and its PM iteration
neither reports non-convergence nor guards against an overshooting step (it then returns 0), so
every PM estimate is checked against the PM estimating equation and re-solved by root finding when
it fails. REML has no statsmodels implementation and is fitted by Fisher scoring.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from jakatlas.errors import StatisticsError

__all__ = [
    "METHODS",
    "LeaveOneOut",
    "MetaResult",
    "SubgroupFit",
    "SubgroupResult",
    "Tau2Fit",
    "estimate_tau2",
    "leave_one_out",
    "meta_analysis",
    "subgroup_analysis",
]

Method = Literal["EE", "DL", "PM", "REML"]
METHODS: tuple[Method, ...] = ("EE", "DL", "PM", "REML")
RATIO_MEASURES = frozenset({"RR", "OR", "HR", "IRR"})
Array = NDArray[np.float64]

_TOL = 1e-10
_MAXITER = 500


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Tau2Fit:
    """An estimate of the between-study variance tau² and how it was reached."""

    method: str
    tau2: float
    se: float | None
    iterations: int
    converged: bool


@dataclass(frozen=True)
class MetaResult:
    """A fitted meta-analysis. Effects are on the analysis scale (log scale for ratio measures).

    ``weights`` are percentages; ``i2`` is a percentage (as metafor prints it). ``df`` is the
    t-distribution's degrees of freedom when the Hartung-Knapp adjustment is used, else ``None``.
    """

    method: str
    measure: str | None
    k: int
    labels: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    weights: tuple[float, ...]
    estimate: float
    se: float
    statistic: float
    p_value: float
    ci_lower: float
    ci_upper: float
    pi_lower: float | None
    pi_upper: float | None
    tau2: float
    tau2_se: float | None
    i2: float | None
    h2: float | None
    q: float
    q_df: int
    q_p: float | None
    knha: bool
    df: int | None
    level: float
    converged: bool = True
    iterations: int = 0
    notes: tuple[str, ...] = ()

    @property
    def tau(self) -> float:
        return math.sqrt(self.tau2)

    @property
    def test(self) -> Literal["z", "t"]:
        return "t" if self.knha else "z"

    @property
    def is_ratio(self) -> bool:
        return (self.measure or "").upper() in RATIO_MEASURES

    def back_transformed(self) -> dict[str, float | None]:
        """Pooled estimate, CI and PI on the ratio scale (``exp``); empty for non-ratio measures."""
        if not self.is_ratio:
            return {}

        def ex(x: float | None) -> float | None:
            return None if x is None else math.exp(x)

        return {"estimate": math.exp(self.estimate), "ci_lower": math.exp(self.ci_lower),
                "ci_upper": math.exp(self.ci_upper), "pi_lower": ex(self.pi_lower), "pi_upper": ex(self.pi_upper)}

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        studies = [{"label": lab, "yi": y, "vi": v, "weight": w}
                   for lab, y, v, w in zip(self.labels, self.yi, self.vi, self.weights, strict=True)]
        for key in ("labels", "yi", "vi", "weights"):
            del d[key]
        d.update(tau=self.tau, test=self.test, studies=studies, notes=list(self.notes))
        if self.is_ratio:
            d["ratio_scale"] = self.back_transformed()
        return d


@dataclass(frozen=True)
class SubgroupFit:
    """One subgroup's own meta-analysis."""

    name: str
    result: MetaResult

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "result": self.result.to_dict()}


@dataclass(frozen=True)
class SubgroupResult:
    """Separate fits per subgroup with the test for subgroup differences (Q-between).

    Q-between is the heterogeneity Q of the subgroup estimates around their inverse-variance
    weighted mean (each subgroup with its own tau²), referred to chi² with G - 1 df.
    """

    overall: MetaResult
    groups: tuple[SubgroupFit, ...]
    q_between: float
    df_between: int
    p_between: float
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"overall": self.overall.to_dict(), "groups": [g.to_dict() for g in self.groups],
                "q_between": self.q_between, "df_between": self.df_between, "p_between": self.p_between,
                "notes": list(self.notes)}


@dataclass(frozen=True)
class LeaveOneOut:
    """The meta-analysis refitted without one study."""

    omitted: str
    result: MetaResult

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {"omitted": self.omitted, "estimate": r.estimate, "se": r.se, "ci_lower": r.ci_lower,
                "ci_upper": r.ci_upper, "p_value": r.p_value, "tau2": r.tau2, "i2": r.i2, "h2": r.h2,
                "q": r.q, "q_p": r.q_p}


# --------------------------------------------------------------------------- validation
def _method(method: str) -> Method:
    m = str(method).upper()
    if m == "FE":
        m = "EE"
    if m not in METHODS:
        raise StatisticsError(f"Unknown meta-analysis method {method!r}; use one of {', '.join(METHODS)}.")
    return cast(Method, m)


def _level(level: float) -> float:
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0.0 < level < 1.0:
        raise StatisticsError(f"Confidence level must be a fraction between 0 and 1 (e.g. 0.95), got {level!r}.")
    return float(level)


def _arrays(yi: Sequence[float], vi: Sequence[float]) -> tuple[Array, Array]:
    try:
        y = np.asarray(yi, dtype=float).ravel()
        v = np.asarray(vi, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise StatisticsError(f"yi and vi must be numbers ({exc}).") from exc
    if y.size != v.size:
        raise StatisticsError(f"yi has {y.size} values but vi has {v.size}; give one effect and one "
                              "sampling variance per study.")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(v))):
        raise StatisticsError("yi and vi must be finite numbers; remove or fix studies with missing values.")
    if np.any(v <= 0):
        bad = ", ".join(str(i + 1) for i in np.flatnonzero(v <= 0))
        raise StatisticsError(f"Sampling variances must be positive; study {bad} has vi <= 0. "
                              "Check the variances (a standard error must be squared).")
    return y, v


def _labels(labels: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if labels is None:
        return tuple(f"Study {i}" for i in range(1, k + 1))
    out = tuple(str(x) for x in labels)
    if len(out) != k:
        raise StatisticsError(f"Got {len(out)} labels for {k} studies; give one label per study.")
    dups = sorted({x for x in out if out.count(x) > 1})
    if dups:
        raise StatisticsError(f"Study label{'s' if len(dups) > 1 else ''} {', '.join(repr(d) for d in dups)} "
                              "appear more than once; each study enters a meta-analysis once, under its own label.")
    return out


# --------------------------------------------------------------------------- tau² estimators
def _q_gen(y: Array, v: Array, tau2: float) -> float:
    """Generalised Q: sum of w_i (y_i - mu_w)² with w_i = 1 / (v_i + tau2)."""
    w = 1.0 / (v + tau2)
    mu = float(np.dot(w, y) / w.sum())
    return float(np.dot(w, (y - mu) ** 2))


def _tau2_dl(y: Array, v: Array) -> Tau2Fit:
    from statsmodels.stats.meta_analysis import combine_effects

    with np.errstate(invalid="ignore"):  # its untruncated tau2 may be < 0; sqrt of it is unused here
        res = combine_effects(y, v, method_re="dl")
    return Tau2Fit("DL", max(0.0, float(res.tau2)), None, 0, True)


def _tau2_pm(y: Array, v: Array) -> Tau2Fit:
    from statsmodels.stats.meta_analysis import combine_effects

    k = y.size
    target = k - 1.0
    with np.errstate(invalid="ignore"):
        res = combine_effects(y, v, method_re="pm", atol=1e-12, maxiter=_MAXITER)
    tau2 = float(res.tau2)
    # Verify the PM estimating equation Q_gen(tau2) = k - 1 (or Q_gen(0) <= k - 1 at the boundary).
    if _q_gen(y, v, 0.0) <= target:
        return Tau2Fit("PM", 0.0, None, 0, True)
    if tau2 > 0 and abs(_q_gen(y, v, tau2) - target) <= 1e-8 * max(1.0, target):
        return Tau2Fit("PM", tau2, None, 0, True)
    hi = max(1.0, float(np.var(y)))
    while _q_gen(y, v, hi) > target:
        hi *= 2.0
    root, info = optimize.brentq(lambda t: _q_gen(y, v, t) - target, 0.0, hi, xtol=1e-14, full_output=True)
    return Tau2Fit("PM", float(root), None, int(info.iterations), bool(info.converged))


def _reml_parts(y: Array, v: Array, tau2: float) -> tuple[float, float, float]:
    """Restricted log-likelihood (up to a constant), its score and Fisher information in tau2."""
    w = 1.0 / (v + tau2)
    sw = w.sum()
    mu = float(np.dot(w, y) / sw)
    r = y - mu
    loglik = -0.5 * (float(np.log(v + tau2).sum()) + math.log(sw) + float(np.dot(w, r**2)))
    tr_p = sw - float(np.dot(w, w)) / sw
    score = 0.5 * (float(np.dot(w**2, r**2)) - tr_p)
    tr_pp = float(np.dot(w, w)) - 2.0 * float((w**3).sum()) / sw + (float(np.dot(w, w)) / sw) ** 2
    return loglik, score, 0.5 * tr_pp


def _tau2_reml(y: Array, v: Array) -> Tau2Fit:
    """REML by Fisher scoring with step halving, constrained to tau2 >= 0 (Viechtbauer 2005)."""
    tau2 = _tau2_dl(y, v).tau2
    loglik, score, info = _reml_parts(y, v, tau2)
    converged = False
    it = 0
    while it < _MAXITER:
        it += 1
        step = score / info
        new = max(0.0, tau2 + step)
        new_ll, new_score, new_info = _reml_parts(y, v, new)
        halvings = 0
        while new_ll < loglik - 1e-12 and halvings < 60:
            step /= 2.0
            new = max(0.0, tau2 + step)
            new_ll, new_score, new_info = _reml_parts(y, v, new)
            halvings += 1
        change = abs(new - tau2)
        tau2, loglik, score, info = new, new_ll, new_score, new_info
        if change <= _TOL * (1.0 + tau2) or (tau2 == 0.0 and score <= 0.0):
            converged = True
            break
    if not converged:
        upper = max(10.0, 100.0 * float(np.var(y)))
        opt = optimize.minimize_scalar(lambda t: -_reml_parts(y, v, t)[0], bounds=(0.0, upper),
                                       method="bounded", options={"xatol": 1e-12})
        tau2, converged = float(opt.x), bool(opt.success)
        info = _reml_parts(y, v, tau2)[2]
    se = math.sqrt(1.0 / info) if info > 0 else None
    return Tau2Fit("REML", tau2, se, it, converged)


def estimate_tau2(yi: Sequence[float], vi: Sequence[float], method: str = "REML") -> Tau2Fit:
    """Between-study variance by EE (fixed at 0), DL, PM or REML; see the module docstring."""
    m = _method(method)
    y, v = _arrays(yi, vi)
    if m == "EE":
        return Tau2Fit("EE", 0.0, None, 0, True)
    if y.size < 2:
        raise StatisticsError(f"A random-effects model ({m}) needs at least 2 studies, got {y.size}; "
                              "add studies or use --method EE.")
    if m == "DL":
        return _tau2_dl(y, v)
    if m == "PM":
        return _tau2_pm(y, v)
    return _tau2_reml(y, v)


# --------------------------------------------------------------------------- the model
def meta_analysis(yi: Sequence[float], vi: Sequence[float], *, method: str = "REML", knha: bool = False,
                  level: float = 0.95, labels: Sequence[str] | None = None,
                  measure: str | None = None) -> MetaResult:
    """Pool ``yi`` with inverse-variance weights ``1 / (vi + tau²)``.

    Parameters
    ----------
    yi, vi
        Effects on the analysis scale (e.g. log RR) and their sampling variances.
    method
        ``"EE"`` (equal/fixed effects), ``"DL"``, ``"PM"`` or ``"REML"`` (metafor's default).
    knha
        Hartung & Knapp (2001) / Sidik & Jonkman adjustment: the variance of the pooled estimate is
        scaled by ``sum w (y - mu)² / (k - 1)`` (not truncated at 1) and the test, CI and prediction
        interval use a t distribution with k - 1 df. Without it they use the normal distribution,
        as metafor does by default.
    level
        Confidence (and prediction) level.
    labels, measure
        Study labels and the effect measure's name (``"RR"``/``"OR"`` mark ratios on the log scale).

    Notes
    -----
    Q is Cochran's statistic with equal-effects weights. For random-effects methods I² and H² use
    the "typical" within-study variance (Higgins & Thompson 2002), as metafor does; for EE they come
    from Q. The prediction interval (Higgins et al. 2009) is ``mu ± crit * sqrt(se² + tau²)`` and is
    not given for the EE model.
    """
    m = _method(method)
    lvl = _level(level)
    y, v = _arrays(yi, vi)
    k = int(y.size)
    if k == 0:
        raise StatisticsError("No studies to pool; give at least one effect size.")
    if knha and k < 2:
        raise StatisticsError("The Hartung-Knapp adjustment needs at least 2 studies (k - 1 df); drop --knha.")
    labs = _labels(labels, k)
    fit = estimate_tau2(y.tolist(), v.tolist(), m)
    tau2 = float(fit.tau2)

    w = 1.0 / (v + tau2)
    sw = float(w.sum())
    mu = float(np.dot(w, y) / sw)
    var_mu = 1.0 / sw
    df: int | None = None
    if knha:
        s2 = float(np.dot(w, (y - mu) ** 2)) / (k - 1)
        var_mu *= s2
        df = k - 1
    se = math.sqrt(var_mu)
    alpha = 1.0 - lvl
    if df is None:
        crit = float(stats.norm.isf(alpha / 2))
    else:
        crit = float(stats.t.isf(alpha / 2, df))
    if se > 0:
        stat = mu / se
        p_value = float(2 * (stats.t.sf(abs(stat), df) if df is not None else stats.norm.sf(abs(stat))))
    else:  # all studies agree exactly under knha: s2 = 0
        stat, p_value = (math.copysign(math.inf, mu) if mu != 0 else 0.0), (0.0 if mu != 0 else 1.0)

    pi_lower = pi_upper = None
    if m != "EE":
        pi_se = math.sqrt(var_mu + tau2)
        pi_lower, pi_upper = mu - crit * pi_se, mu + crit * pi_se

    w_fe = 1.0 / v
    mu_fe = float(np.dot(w_fe, y) / w_fe.sum())
    q = float(np.dot(w_fe, (y - mu_fe) ** 2))
    q_df = k - 1
    q_p = float(stats.chi2.sf(q, q_df)) if q_df > 0 else None
    i2: float | None
    h2: float | None
    if q_df == 0:
        i2 = h2 = None
    elif m == "EE":
        i2 = max(0.0, 100.0 * (q - q_df) / q) if q > 0 else 0.0
        h2 = q / q_df
    else:
        typical = q_df / (float(w_fe.sum()) - float(np.dot(w_fe, w_fe)) / float(w_fe.sum()))
        i2 = float(100.0 * tau2 / (typical + tau2))
        h2 = float((typical + tau2) / typical)

    return MetaResult(
        method=m, measure=measure, k=k, labels=labs, yi=tuple(y.tolist()), vi=tuple(v.tolist()),
        weights=tuple((100.0 * w / sw).tolist()), estimate=mu, se=se, statistic=stat, p_value=p_value,
        ci_lower=mu - crit * se, ci_upper=mu + crit * se, pi_lower=pi_lower, pi_upper=pi_upper,
        tau2=tau2, tau2_se=fit.se, i2=i2, h2=h2, q=q, q_df=q_df, q_p=q_p, knha=knha, df=df, level=lvl,
        converged=fit.converged, iterations=fit.iterations,
    )


# --------------------------------------------------------------------------- subgroups, influence
def subgroup_analysis(yi: Sequence[float], vi: Sequence[float], groups: Sequence[str], *, method: str = "REML",
                      knha: bool = False, level: float = 0.95, labels: Sequence[str] | None = None,
                      measure: str | None = None) -> SubgroupResult:
    """Fit each subgroup separately and test for subgroup differences (Q-between, chi² G - 1 df).

    Subgroups keep their own tau² (as separate ``rma`` fits in metafor); a subgroup with a single
    study is summarised by that study alone (equal-effects fit) and a note says so.
    """
    y, v = _arrays(yi, vi)
    k = int(y.size)
    g = [str(x) for x in groups]
    if len(g) != k:
        raise StatisticsError(f"Got {len(g)} group values for {k} studies; give one group per study.")
    if any(not x.strip() for x in g):
        raise StatisticsError("Some studies have an empty group; fill in the group of every study.")
    labs = _labels(labels, k)
    names = list(dict.fromkeys(g))
    if len(names) < 2:
        raise StatisticsError(f"A subgroup test needs at least 2 groups; all studies are in {names[0]!r}.")
    overall = meta_analysis(y.tolist(), v.tolist(), method=method, knha=knha, level=level, labels=labs,
                            measure=measure)
    fits: list[SubgroupFit] = []
    notes: list[str] = []
    for name in names:
        idx = [i for i, x in enumerate(g) if x == name]
        sub_method, sub_knha = (method, knha) if len(idx) >= 2 else ("EE", False)
        if len(idx) < 2:
            notes.append(f"Subgroup {name!r} has a single study; its estimate is that study's effect.")
        res = meta_analysis(y[idx].tolist(), v[idx].tolist(), method=sub_method, knha=sub_knha, level=level,
                            labels=[labs[i] for i in idx], measure=measure)
        fits.append(SubgroupFit(name, res))
    est = np.array([f.result.estimate for f in fits])
    var = np.array([f.result.se ** 2 for f in fits])
    if np.any(var <= 0):
        raise StatisticsError("A subgroup estimate has zero variance (its studies agree exactly under the "
                              "Hartung-Knapp adjustment); run without --knha.")
    wb = 1.0 / var
    mean_b = float(np.dot(wb, est) / wb.sum())
    q_b = float(np.dot(wb, (est - mean_b) ** 2))
    df_b = len(fits) - 1
    return SubgroupResult(overall, tuple(fits), q_b, df_b, float(stats.chi2.sf(q_b, df_b)), tuple(notes))


def leave_one_out(yi: Sequence[float], vi: Sequence[float], *, method: str = "REML", knha: bool = False,
                  level: float = 0.95, labels: Sequence[str] | None = None,
                  measure: str | None = None) -> tuple[LeaveOneOut, ...]:
    """Refit the model k times, each time without one study (metafor's ``leave1out``)."""
    m = _method(method)
    y, v = _arrays(yi, vi)
    k = int(y.size)
    need = 2 if m == "EE" and not knha else 3
    if k < need:
        raise StatisticsError(f"Leave-one-out with {m}{' and --knha' if knha else ''} needs at least {need} "
                              f"studies, got {k}.")
    labs = _labels(labels, k)
    out: list[LeaveOneOut] = []
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        res = meta_analysis(y[keep].tolist(), v[keep].tolist(), method=m, knha=knha, level=level,
                            labels=[labs[j] for j in keep], measure=measure)
        out.append(LeaveOneOut(labs[i], res))
    return tuple(out)
