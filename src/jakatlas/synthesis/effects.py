"""Effect sizes for two-arm trials and single-arm proportions.

Conventions follow metafor's ``escalc`` (Viechtbauer 2010): arm 1 is the treated arm, ``ai`` and
``bi`` are its events and non-events, ``ci`` and ``di`` the control arm's. Ratios are analysed on the
log scale, and 0.5 is added to every cell of a table only when that table has a zero cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal, cast

from scipy.stats import norm

from jakatlas.errors import StatisticsError

__all__ = [
    "EffectEstimate",
    "EffectSizes",
    "NNTResult",
    "ProportionEstimate",
    "ReconstructedCounts",
    "escalc",
    "from_percentages",
    "mean_difference",
    "nnt",
    "odds_ratio",
    "proportion",
    "risk_difference",
    "risk_ratio",
    "hedges_correction",
    "standardized_mean_difference",
    "wilson_interval",
]

CONTINUITY = 0.5
Measure2x2 = Literal["RR", "OR", "RD"]


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class EffectEstimate:
    """One study's effect with its confidence interval.

    ``estimate``/``ci_lower``/``ci_upper`` are on the natural scale (a risk ratio, not its log);
    ``yi``/``vi`` are the analysis-scale value and sampling variance that a meta-analysis pools.
    """

    measure: str
    estimate: float
    ci_lower: float
    ci_upper: float
    yi: float
    vi: float
    level: float
    method: str
    continuity_correction: float = 0.0
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "notes": list(self.notes)}


@dataclass(frozen=True)
class ProportionEstimate:
    """A single-arm proportion with its Wilson score interval (Wilson 1927; Newcombe 1998)."""

    events: int
    n: int
    estimate: float
    ci_lower: float
    ci_upper: float
    level: float
    method: str = "Wilson score"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class NNTResult:
    """Number needed to treat, derived from a risk difference and its CI (Altman 1998).

    ``kind`` says which direction the point estimate points: ``"NNTB"`` (benefit) or ``"NNTH"``
    (harm). Bounds are given per direction; ``math.inf`` marks an unbounded end, which happens when
    the risk-difference CI includes zero: the NNT interval then runs from an NNTB through infinity
    to an NNTH and is reported in two pieces.
    """

    kind: Literal["NNTB", "NNTH"]
    value: float
    nntb_range: tuple[float, float] | None
    nnth_range: tuple[float, float] | None
    crosses_no_effect: bool
    level: float
    text: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: unbounded ends (infinity) become ``None``."""

        def fin(x: float) -> float | None:
            return None if math.isinf(x) else x

        def rng(r: tuple[float, float] | None) -> list[float | None] | None:
            return None if r is None else [fin(r[0]), fin(r[1])]

        return {
            "kind": self.kind,
            "value": fin(self.value),
            "nntb_range": rng(self.nntb_range),
            "nnth_range": rng(self.nnth_range),
            "crosses_no_effect": self.crosses_no_effect,
            "level": self.level,
            "text": self.text,
        }


@dataclass(frozen=True)
class ReconstructedCounts:
    """Event counts rounded back from reported percentages, or why they cannot be.

    ``status`` is ``"insufficient"`` when an arm size or percentage is missing; the counts are then
    ``None`` and ``reason`` says what to look up. Nothing is guessed.
    """

    status: Literal["ok", "insufficient"]
    events_treated: int | None
    n_treated: int | None
    events_control: int | None
    n_control: int | None
    reason: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def sufficient(self) -> bool:
        return self.status == "ok"

    def counts(self) -> tuple[int, int, int, int]:
        """``(ai, bi, ci, di)`` in metafor's layout; raises if the counts are insufficient."""
        if (
            self.events_treated is None
            or self.n_treated is None
            or self.events_control is None
            or self.n_control is None
        ):
            raise StatisticsError(f"Counts are insufficient: {self.reason}")
        return (
            self.events_treated,
            self.n_treated - self.events_treated,
            self.events_control,
            self.n_control - self.events_control,
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "notes": list(self.notes)}


@dataclass(frozen=True)
class EffectSizes:
    """``escalc``-style analysis-scale effects ``yi`` with sampling variances ``vi``."""

    measure: Measure2x2
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    corrected: tuple[bool, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "yi": list(self.yi), "vi": list(self.vi),
                "corrected": list(self.corrected)}


# --------------------------------------------------------------------------- validation
def _z(level: float) -> float:
    if not isinstance(level, int | float) or isinstance(level, bool) or not 0.0 < level < 1.0:
        raise StatisticsError(f"Confidence level must be a fraction between 0 and 1 (e.g. 0.95), got {level!r}.")
    return float(norm.isf((1.0 - level) / 2.0))


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatisticsError(f"{name} must be a whole number of participants, got {value!r}.")
    if not math.isfinite(value) or value != int(value):
        raise StatisticsError(f"{name} must be a whole number of participants, got {value!r}; "
                              "round reported counts before passing them.")
    if value < 0:
        raise StatisticsError(f"{name} cannot be negative (got {value!r}); check the extracted counts.")
    return int(value)


def _finite(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StatisticsError(f"{name} must be a finite number, got {value!r}.")
    return float(value)


def _arm(events: object, n: object, arm: str) -> tuple[int, int]:
    e, total = _count(f"events ({arm} arm)", events), _count(f"n ({arm} arm)", n)
    if total == 0:
        raise StatisticsError(f"The {arm} arm has no participants (n = 0); an arm size of at least 1 is needed.")
    if e > total:
        raise StatisticsError(f"The {arm} arm has more events ({e}) than participants ({total}); "
                              "check that events and arm size were not swapped.")
    return e, total


# --------------------------------------------------------------------------- proportions
def wilson_interval(events: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927; Newcombe 1998, method 3).

    Returns ``(lower, upper)``; exact at the boundaries (lower is 0 when ``events == 0``).
    """
    z = _z(level)
    e, total = _arm(events, n, "single")
    p = e / total
    z2n = z * z / total
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / total + z * z / (4.0 * total * total))
    lower = 0.0 if e == 0 else max(0.0, centre - half)
    upper = 1.0 if e == total else min(1.0, centre + half)
    return lower, upper


def proportion(events: int, n: int, level: float = 0.95) -> ProportionEstimate:
    """Single-arm proportion with a Wilson score interval (Wilson 1927; Newcombe 1998)."""
    e, total = _arm(events, n, "single")
    lower, upper = wilson_interval(e, total, level)
    return ProportionEstimate(e, total, e / total, lower, upper, level)


# --------------------------------------------------------------------------- two-arm binary
def risk_difference(events_t: int, n_t: int, events_c: int, n_c: int, level: float = 0.95) -> EffectEstimate:
    """Risk difference ``p_t - p_c`` with Newcombe's hybrid score interval (Newcombe 1998, method 10).

    The interval combines the two arms' Wilson intervals, so it needs no continuity correction and
    stays inside [-1, 1]. ``vi`` is the large-sample variance that metafor's ``escalc`` uses.
    """
    et, nt = _arm(events_t, n_t, "treated")
    ec, nc = _arm(events_c, n_c, "control")
    p1, p2 = et / nt, ec / nc
    l1, u1 = wilson_interval(et, nt, level)
    l2, u2 = wilson_interval(ec, nc, level)
    d = p1 - p2
    lower = max(-1.0, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2))
    upper = min(1.0, d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
    vi = p1 * (1 - p1) / nt + p2 * (1 - p2) / nc
    return EffectEstimate("RD", d, lower, upper, d, vi, level, "Newcombe hybrid score (method 10)")


def _log_ratio(measure: Literal["RR", "OR"], events_t: int, n_t: int, events_c: int, n_c: int,
               level: float) -> EffectEstimate:
    z = _z(level)
    et, nt = _arm(events_t, n_t, "treated")
    ec, nc = _arm(events_c, n_c, "control")
    yi, vi, corrected = _escalc_one(measure, et, nt - et, ec, nc - ec, CONTINUITY)
    notes: list[str] = []
    if corrected:
        notes.append("0.5 added to every cell because the table has a zero cell.")
    if (et == 0 and ec == 0) or (et == nt and ec == nc):
        notes.append("Both arms have the same all-or-none outcome: the ratio carries no information "
                     "about the effect; report the risk difference instead.")
    half = z * math.sqrt(vi)
    method = "log method (Katz)" if measure == "RR" else "log method (Woolf)"
    return EffectEstimate(measure, math.exp(yi), math.exp(yi - half), math.exp(yi + half), yi, vi, level,
                          method, CONTINUITY if corrected else 0.0, tuple(notes))


def risk_ratio(events_t: int, n_t: int, events_c: int, n_c: int, level: float = 0.95) -> EffectEstimate:
    """Risk ratio with the log-method CI (Katz et al. 1978).

    0.5 is added to all four cells only if one of them is zero (metafor's ``to="only0"``).
    """
    return _log_ratio("RR", events_t, n_t, events_c, n_c, level)


def odds_ratio(events_t: int, n_t: int, events_c: int, n_c: int, level: float = 0.95) -> EffectEstimate:
    """Odds ratio with Woolf's log-method CI (Woolf 1955), 0.5 added only to tables with a zero cell."""
    return _log_ratio("OR", events_t, n_t, events_c, n_c, level)


def nnt(rd: float, ci_lower: float, ci_upper: float, *, outcome: Literal["beneficial", "harmful"] = "beneficial",
        level: float = 0.95) -> NNTResult:
    """Number needed to treat from a risk difference (treated minus control) and its CI (Altman 1998).

    ``outcome="beneficial"`` (e.g. EASI-75 response) counts a positive difference as benefit;
    ``"harmful"`` (e.g. an adverse event) counts a negative difference as benefit. When the CI of the
    difference includes zero the NNT interval is split: NNTB from ``1/upper`` to infinity and NNTH
    from ``1/|lower|`` to infinity, reported as "NNTB a to ∞ to NNTH b".
    """
    for name, value in (("risk difference", rd), ("CI lower bound", ci_lower), ("CI upper bound", ci_upper)):
        if not isinstance(value, int | float) or not math.isfinite(value) or not -1.0 <= value <= 1.0:
            raise StatisticsError(f"The {name} must be a number between -1 and 1, got {value!r}.")
    if not ci_lower <= rd <= ci_upper:
        raise StatisticsError(f"The risk difference {rd} lies outside its CI ({ci_lower}, {ci_upper}); "
                              "check that the bounds belong to this estimate and are in order.")
    if outcome not in ("beneficial", "harmful"):
        raise StatisticsError(f"outcome must be 'beneficial' or 'harmful', got {outcome!r}.")
    _z(level)
    sign = 1.0 if outcome == "beneficial" else -1.0
    b, b_lo, b_hi = sign * rd, min(sign * ci_lower, sign * ci_upper), max(sign * ci_lower, sign * ci_upper)

    def inv(x: float) -> float:
        return math.inf if x == 0 else 1.0 / abs(x)

    kind: Literal["NNTB", "NNTH"] = "NNTB" if b >= 0 else "NNTH"
    value = inv(b)
    nntb: tuple[float, float] | None = None
    nnth: tuple[float, float] | None = None
    crosses = b_lo <= 0.0 <= b_hi and not (b_lo == b_hi == 0.0)
    if b_lo > 0:
        nntb = (inv(b_hi), inv(b_lo))
    elif b_hi < 0:
        nnth = (inv(b_lo), inv(b_hi))
    else:
        if b_hi > 0:
            nntb = (inv(b_hi), math.inf)
        if b_lo < 0:
            nnth = (inv(b_lo), math.inf)
    pct = f"{100 * level:g}% CI"

    def fmt(x: float) -> str:
        return "∞" if math.isinf(x) else f"{x:.1f}"

    if nntb is not None and nnth is not None:
        ci_text = f"NNTB {fmt(nntb[0])} to ∞ to NNTH {fmt(nnth[0])}"
    elif nntb is not None:
        ci_text = f"NNTB {fmt(nntb[0])} to {fmt(nntb[1])}"
    elif nnth is not None:
        ci_text = f"NNTH {fmt(nnth[0])} to {fmt(nnth[1])}"
    else:
        ci_text = "∞"
    return NNTResult(kind, value, nntb, nnth, crosses, level, f"{kind} {fmt(value)} ({pct}: {ci_text})")


# --------------------------------------------------------------------------- continuous
def mean_difference(mean_t: float | None, sd_t: float | None, n_t: int | None,
                    mean_c: float | None, sd_c: float | None, n_c: int | None,
                    level: float = 0.95) -> EffectEstimate:
    """Mean difference (treated minus control) with a normal-approximation CI.

    Uses ``vi = sd_t²/n_t + sd_c²/n_c`` (metafor's ``MD``, Cochrane Handbook). Every input is
    required; a missing one raises a :class:`StatisticsError` naming it rather than being imputed.
    """
    given = {"mean (treated)": mean_t, "SD (treated)": sd_t, "n (treated)": n_t,
             "mean (control)": mean_c, "SD (control)": sd_c, "n (control)": n_c}
    missing = [name for name, v in given.items() if v is None]
    if missing:
        raise StatisticsError(f"Cannot compute a mean difference: missing {', '.join(missing)}. "
                              "Extract them from the paper (or derive SDs from SEs/CIs) and try again.")
    mt, st, mc, sc = (_finite(name, given[name]) for name in
                      ("mean (treated)", "SD (treated)", "mean (control)", "SD (control)"))
    for name, sd in (("SD (treated)", st), ("SD (control)", sc)):
        if sd < 0:
            raise StatisticsError(f"{name} cannot be negative (got {sd!r}).")
    nt, nc = _count("n (treated)", n_t), _count("n (control)", n_c)
    if nt == 0 or nc == 0:
        raise StatisticsError("Both arms need at least one participant to compute a mean difference.")
    z = _z(level)
    vi = st**2 / nt + sc**2 / nc
    if vi <= 0:
        raise StatisticsError("Both SDs are zero, so the mean difference has no sampling variance; "
                              "check the extracted SDs.")
    md = mt - mc
    half = z * math.sqrt(vi)
    return EffectEstimate("MD", md, md - half, md + half, md, vi, level, "normal approximation")


def hedges_correction(df: float) -> float:
    """Exact small-sample bias correction J(m) = Γ(m/2) / (sqrt(m/2) Γ((m-1)/2)) (Hedges 1981)."""
    return math.exp(math.lgamma(df / 2) - 0.5 * math.log(df / 2) - math.lgamma((df - 1) / 2))


def standardized_mean_difference(mean_t: float | None, sd_t: float | None, n_t: int | None,
                                 mean_c: float | None, sd_c: float | None, n_c: int | None,
                                 level: float = 0.95) -> EffectEstimate:
    """Hedges' g: the mean difference over the pooled SD, times the exact correction J (Hedges 1981).

    ``vi = 1/n_t + 1/n_c + g²/(2 (n_t + n_c))``, the large-sample variance metafor's ``escalc``
    uses for ``measure="SMD"``. Every input is required and nothing is imputed.
    """
    md = mean_difference(mean_t, sd_t, n_t, mean_c, sd_c, n_c, level)  # validates every input
    nt, nc = int(n_t or 0), int(n_c or 0)
    if nt + nc < 3:
        raise StatisticsError("Hedges' g needs at least 3 participants in total (n_t + n_c - 2 >= 1).")
    sd_pooled = math.sqrt(((nt - 1) * float(sd_t or 0) ** 2 + (nc - 1) * float(sd_c or 0) ** 2) / (nt + nc - 2))
    if sd_pooled == 0:
        raise StatisticsError("The pooled SD is zero, so the standardised mean difference is undefined.")
    g = hedges_correction(nt + nc - 2) * md.estimate / sd_pooled
    vi = 1 / nt + 1 / nc + g * g / (2 * (nt + nc))
    half = _z(level) * math.sqrt(vi)
    return EffectEstimate("SMD", g, g - half, g + half, g, vi, level, "Hedges' g (exact J), normal approximation")


# --------------------------------------------------------------------------- reported percentages
def _half_up(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_percentages(p_t: float | None, n_t: int | None, p_c: float | None, n_c: int | None) -> ReconstructedCounts:
    """Event counts from reported percentages (``45.2`` means 45.2 %), only when they are exact.

    A count is taken only when a whole number of events out of the stated arm size reproduces the
    reported percentage at its reported precision (55.6% of 9 is 5/9). Otherwise, or when a
    percentage or arm size is missing, the result is ``"insufficient"`` and ``reason`` says why:
    57.1% of 9 has no whole count, so the percentage belongs to another denominator (patients
    with an assessment, say) and rounding it to 5/9 would invent a count. Nothing is guessed.
    """
    missing = [name for name, v in (("treated-arm percentage", p_t), ("treated-arm size", n_t),
                                    ("control-arm percentage", p_c), ("control-arm size", n_c)) if v is None]
    if missing:
        return ReconstructedCounts("insufficient", None, n_t, None, n_c,
                                   reason=f"missing {', '.join(missing)}; find it in the paper's "
                                          "participant flow or baseline table (it is not guessed)")
    notes: list[str] = []
    events: list[int] = []
    sizes: list[int] = []
    for arm, p, n in (("treated", p_t, n_t), ("control", p_c, n_c)):
        size = _count(f"n ({arm} arm)", n)
        if size == 0:
            raise StatisticsError(f"The {arm} arm size is 0; percentages of an empty arm cannot be converted.")
        try:
            dp = Decimal(str(p))
        except InvalidOperation as exc:
            raise StatisticsError(f"The {arm}-arm percentage must be a number, got {p!r}.") from exc
        if isinstance(p, bool) or not dp.is_finite() or not Decimal(0) <= dp <= Decimal(100):
            raise StatisticsError(f"The {arm}-arm percentage must lie between 0 and 100, got {p!r} "
                                  "(pass 45.2 for 45.2 %, not 0.452).")
        e = _half_up(dp * size / 100)
        exponent = dp.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        back = (Decimal(e) * 100 / size).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if back != dp.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):
            notes.append(f"{arm} arm: {p:g}% is not a whole count of {size} (nearest {e}/{size} = {back}%), "
                         "so its denominator is not the arm size")
        events.append(e)
        sizes.append(size)
    if notes:
        return ReconstructedCounts("insufficient", None, sizes[0], None, sizes[1],
                                   reason="; ".join(notes) + "; the count is not reconstructed (find the "
                                          "denominator in the paper)", notes=tuple(notes))
    return ReconstructedCounts("ok", events[0], sizes[0], events[1], sizes[1])


# --------------------------------------------------------------------------- escalc
def _escalc_one(measure: Measure2x2, ai: int, bi: int, ci: int, di: int, add: float) -> tuple[float, float, bool]:
    corrected = add > 0 and 0 in (ai, bi, ci, di)
    a, b, c, d = (float(x) + (add if corrected else 0.0) for x in (ai, bi, ci, di))
    n1, n2 = a + b, c + d
    p1, p2 = a / n1, c / n2
    if measure == "RR":
        if a == 0 or c == 0:
            raise StatisticsError("log RR is undefined with a zero event count and no continuity correction.")
        return math.log(p1) - math.log(p2), 1 / a - 1 / n1 + 1 / c - 1 / n2, corrected
    if measure == "OR":
        if 0 in (a, b, c, d):
            raise StatisticsError("log OR is undefined with a zero cell and no continuity correction.")
        return math.log(a / b) - math.log(c / d), 1 / a + 1 / b + 1 / c + 1 / d, corrected
    return p1 - p2, p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2, corrected


def escalc(measure: str, ai: Sequence[int], bi: Sequence[int], ci: Sequence[int], di: Sequence[int],
           *, add: float = CONTINUITY) -> EffectSizes:
    """Analysis-scale effects and sampling variances from 2x2 counts, as metafor's ``escalc``.

    ``measure`` is ``"RR"`` (log risk ratio), ``"OR"`` (log odds ratio) or ``"RD"`` (risk
    difference, large-sample variance). ``add`` is added to all cells of tables with a zero cell
    (metafor's ``add=1/2, to="only0"``); tables with no events in either arm are kept, as metafor's
    default ``drop00=FALSE`` does.
    """
    m = str(measure).upper()
    if m not in ("RR", "OR", "RD"):
        raise StatisticsError(f"Unknown measure {measure!r}; use RR, OR or RD.")
    cols = [list(ai), list(bi), list(ci), list(di)]
    if len({len(c) for c in cols}) != 1:
        raise StatisticsError("ai, bi, ci and di must have one value per study (their lengths differ).")
    if not cols[0]:
        raise StatisticsError("No studies given; pass at least one 2x2 table.")
    if not isinstance(add, int | float) or add < 0:
        raise StatisticsError(f"The continuity correction must be >= 0, got {add!r}.")
    yi: list[float] = []
    vi: list[float] = []
    flags: list[bool] = []
    for i, (a, b, c, d) in enumerate(zip(*cols, strict=True), start=1):
        cells = [_count(f"study {i}: {name}", v) for name, v in zip(("ai", "bi", "ci", "di"), (a, b, c, d),
                                                                     strict=True)]
        if cells[0] + cells[1] == 0 or cells[2] + cells[3] == 0:
            raise StatisticsError(f"Study {i} has an empty arm (ai+bi or ci+di is 0); drop it or fix the counts.")
        y, v, corr = _escalc_one(cast(Measure2x2, m), cells[0], cells[1], cells[2], cells[3], float(add))
        yi.append(y)
        vi.append(v)
        flags.append(corr)
    return EffectSizes(cast(Measure2x2, m), tuple(yi), tuple(vi), tuple(flags))
