"""Equal-effects pooling of 2x2 tables by the Mantel-Haenszel and Peto methods.

Mantel-Haenszel (Mantel & Haenszel 1959): the odds ratio with the Robins-Breslow-Greenland
variance (Robins et al. 1986), computed by statsmodels' ``StratifiedTable``; the risk ratio with
the Greenland-Robins (1985) variance; the risk difference with the Sato-Greenland-Robins (1989)
variance. Peto's one-step odds ratio (Yusuf et al. 1985) pools observed minus expected events
over their hypergeometric variances. Neither method needs a continuity correction for the pooled
estimate; as in metafor's ``rma.mh``/``rma.peto`` (Viechtbauer 2010), studies with no events in
either arm (or only events) are left out by default, with a note, and the per-study effects shown
beside the pooled one use the ``escalc`` correction of 0.5 for tables with a zero cell. Q is
Cochran's statistic of those per-study effects around the pooled estimate (metafor's ``QE``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from jakatlas.errors import StatisticsError
from jakatlas.synthesis.effects import CONTINUITY, escalc
from jakatlas.synthesis.meta import MetaResult

__all__ = ["mantel_haenszel", "peto"]


def _tables(ai: Sequence[int], bi: Sequence[int], ci: Sequence[int], di: Sequence[int],
            labels: Sequence[str] | None, drop00: bool) -> tuple[list[tuple[int, int, int, int]], list[str],
                                                                 list[str]]:
    cols = [list(ai), list(bi), list(ci), list(di)]
    if len({len(c) for c in cols}) != 1 or not cols[0]:
        raise StatisticsError("Give one 2x2 table (ai, bi, ci, di) per study, at least one study.")
    labs = [str(x) for x in labels] if labels is not None else [f"Study {i}" for i in range(1, len(cols[0]) + 1)]
    if len(labs) != len(cols[0]):
        raise StatisticsError(f"Got {len(labs)} labels for {len(cols[0])} studies; give one label per study.")
    if len(set(labs)) != len(labs):
        raise StatisticsError("Each study needs its own label; some labels appear more than once.")
    keep: list[tuple[int, int, int, int]] = []
    kept: list[str] = []
    dropped: list[str] = []
    for lab, a, b, c, d in zip(labs, *cols, strict=True):
        if min(a, b, c, d) < 0 or a + b == 0 or c + d == 0:
            raise StatisticsError(f"{lab}: counts must be >= 0 with at least one participant per arm.")
        if drop00 and ((a == 0 and c == 0) or (b == 0 and d == 0)):
            dropped.append(lab)
            continue
        keep.append((int(a), int(b), int(c), int(d)))
        kept.append(lab)
    if not keep:
        raise StatisticsError("Every study has no events (or only events) in both arms; nothing to pool.")
    return keep, kept, dropped


def _result(method: str, measure: str, labels: list[str], tables: list[tuple[int, int, int, int]], est: float,
            se: float, weights: np.ndarray, level: float, dropped: list[str]) -> MetaResult:
    if not 0.0 < level < 1.0:
        raise StatisticsError(f"Confidence level must be a fraction between 0 and 1, got {level!r}.")
    esc = escalc("OR" if measure == "PETO" else measure, *zip(*tables, strict=True), add=CONTINUITY)
    yi, vi = np.asarray(esc.yi), np.asarray(esc.vi)
    if measure == "PETO":
        yi, vi = _peto_yi(tables)
    k = len(tables)
    q = float(np.sum((yi - est) ** 2 / vi))
    q_df = k - 1
    i2 = max(0.0, 100.0 * (q - q_df) / q) if q_df > 0 and q > 0 else (0.0 if q_df > 0 else None)
    crit = float(stats.norm.isf((1 - level) / 2))
    z = est / se
    notes = [] if not dropped else [f"Left out (no events, or only events, in both arms): {', '.join(dropped)}."]
    return MetaResult(
        method=method, measure="OR" if measure == "PETO" else measure, k=k, labels=tuple(labels),
        yi=tuple(yi.tolist()), vi=tuple(vi.tolist()), weights=tuple((100 * weights / weights.sum()).tolist()),
        estimate=est, se=se, statistic=z, p_value=float(2 * stats.norm.sf(abs(z))), ci_lower=est - crit * se,
        ci_upper=est + crit * se, pi_lower=None, pi_upper=None, tau2=0.0, tau2_se=None, i2=i2,
        h2=(q / q_df) if q_df > 0 else None, q=q, q_df=q_df, q_p=float(stats.chi2.sf(q, q_df)) if q_df > 0 else None,
        knha=False, df=None, level=level, notes=tuple(notes))


def mantel_haenszel(ai: Sequence[int], bi: Sequence[int], ci: Sequence[int], di: Sequence[int], *,
                    measure: str = "OR", labels: Sequence[str] | None = None, drop00: bool = True,
                    level: float = 0.95) -> MetaResult:
    """Mantel-Haenszel equal-effects estimate of an OR, RR or RD (log scale for ratios)."""
    m = str(measure).upper()
    if m not in ("OR", "RR", "RD"):
        raise StatisticsError(f"Mantel-Haenszel pools OR, RR or RD, not {measure!r}.")
    tables, labs, dropped = _tables(ai, bi, ci, di, labels, drop00)
    t = np.asarray(tables, dtype=float)
    a, b, c, d = t.T
    n1, n2 = a + b, c + d
    n = n1 + n2
    if m == "OR":
        from statsmodels.stats.contingency_tables import StratifiedTable

        st = StratifiedTable(np.stack([t[:, :2], t[:, 2:]], axis=1).transpose(1, 2, 0))
        r, s = a * d / n, b * c / n
        if r.sum() == 0 or s.sum() == 0:
            raise StatisticsError("The Mantel-Haenszel odds ratio is 0 or infinite (no discordant cells); "
                                  "use the risk difference.")
        est, se, w = float(st.logodds_pooled), float(st.logodds_pooled_se), s
    elif m == "RR":
        r, s = a * n2 / n, c * n1 / n
        if r.sum() == 0 or s.sum() == 0:
            raise StatisticsError("The Mantel-Haenszel risk ratio is 0 or infinite (no events in one arm of every "
                                  "study); use the risk difference.")
        var = float(np.sum((n1 * n2 * (a + c) - a * c * n) / n**2)) / (r.sum() * s.sum())
        est, se, w = math.log(r.sum() / s.sum()), math.sqrt(var), s
    else:
        w = n1 * n2 / n
        est = float(np.sum((a * n2 - c * n1) / n) / w.sum())
        p = np.sum((n1**2 * c - n2**2 * a + n1 * n2 * (n2 - n1) / 2) / n**2)
        q = np.sum((a * (n2 - c) + c * (n1 - a)) / (2 * n))
        se = math.sqrt(float(est * p + q) / float(w.sum()) ** 2)
    return _result("MH", m, labs, tables, est, se, np.asarray(w, dtype=float), level, dropped)


def _peto_parts(tables: list[tuple[int, int, int, int]]) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(tables, dtype=float)
    a, b, c, d = t.T
    n1, n2, m1, m2 = a + b, c + d, a + c, b + d
    n = n1 + n2
    o_e = a - n1 * m1 / n
    v = n1 * n2 * m1 * m2 / (n**2 * (n - 1))
    return o_e, v


def _peto_yi(tables: list[tuple[int, int, int, int]]) -> tuple[np.ndarray, np.ndarray]:
    o_e, v = _peto_parts(tables)
    return o_e / v, 1.0 / v


def peto(ai: Sequence[int], bi: Sequence[int], ci: Sequence[int], di: Sequence[int], *,
         labels: Sequence[str] | None = None, drop00: bool = True, level: float = 0.95) -> MetaResult:
    """Peto's one-step log odds ratio: sum(O - E) / sum(V), SE 1/sqrt(sum(V)) (Yusuf et al. 1985)."""
    tables, labs, dropped = _tables(ai, bi, ci, di, labels, drop00)
    o_e, v = _peto_parts(tables)
    if np.any(v <= 0):
        bad = ", ".join(lab for lab, x in zip(labs, v, strict=True) if x <= 0)
        raise StatisticsError(f"Peto's method needs events and non-events in every study; {bad} has none "
                              "(leave double-zero studies out, the default).")
    est = float(o_e.sum() / v.sum())
    return _result("PETO", "PETO", labs, tables, est, 1.0 / math.sqrt(float(v.sum())), v, level, dropped)
