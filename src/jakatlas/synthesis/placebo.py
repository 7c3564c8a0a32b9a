"""Placebo context: the placebo/vehicle response rates seen in controlled studies of a disease.

Uncontrolled response rates are hard to read without them: in the hidradenitis suppurativa trials
of the atlas a quarter to over half of placebo patients reached HiSCR. The rates of each outcome
are listed, pooled as logit proportions (metafor's measure "PLO", Viechtbauer 2010) with a
random-effects model (REML; Hartung-Knapp from three studies on) when at least ``min_pooled``
studies report arm sizes, and shown as a range otherwise. Single-arm results are then flagged
against that range.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jakatlas.synthesis._common import fmt_weeks, is_placebo
from jakatlas.synthesis.atlas_effects import ArmEffect
from jakatlas.synthesis.effects import from_percentages
from jakatlas.synthesis.meta import meta_analysis

__all__ = ["PlaceboRate", "PlaceboContext", "UncontrolledFlag", "placebo_rates", "placebo_context",
           "uncontrolled_flags"]


@dataclass(frozen=True)
class PlaceboRate:
    """One placebo or vehicle arm's response rate (percent)."""

    study_id: str
    label: str
    comparator: str
    value: float
    n: int | None
    weeks: float | None
    weeks_assumed: bool
    design: str | None


@dataclass(frozen=True)
class PlaceboContext:
    """Placebo/vehicle responses for one disease and outcome measure, pooled when possible."""

    disease: str
    measure: str
    measure_key: str
    rates: tuple[PlaceboRate, ...]
    low: float
    high: float
    pooled: float | None = None
    ci_lower: float | None = None
    ci_upper: float | None = None
    pi_lower: float | None = None
    pi_upper: float | None = None
    k_pooled: int = 0
    i2: float | None = None
    method: str | None = None
    note: str = ""

    @property
    def range_text(self) -> str:
        if round(self.low) == round(self.high):
            return f"{self.low:.0f}%"
        return f"{self.low:.0f}\u2013{self.high:.0f}%"

    @property
    def comparators(self) -> str:
        names = sorted({r.comparator for r in self.rates})
        return "/".join(names)

    @property
    def summary(self) -> str:
        listed = ", ".join(f"{r.value:.1f}%" for r in self.rates)
        text = (f"{self.comparators.capitalize()} {self.measure} response in {len(self.rates)} controlled "
                f"stud{'y' if len(self.rates) == 1 else 'ies'}: {listed} (range {self.range_text}).")
        if self.pooled is not None and self.ci_lower is not None and self.ci_upper is not None:
            text += (f" Pooled {self.pooled:.1f}% (95% CI {self.ci_lower:.1f} to {self.ci_upper:.1f}%"
                     + (f"; 95% PI {self.pi_lower:.1f} to {self.pi_upper:.1f}%"
                        if self.pi_lower is not None and self.pi_upper is not None else "")
                     + f"), {self.k_pooled} studies with arm sizes, {self.method}.")
        if self.note:
            text += f" {self.note}"
        return text


@dataclass(frozen=True)
class UncontrolledFlag:
    """A single-arm result set next to the placebo responses of the same outcome."""

    study_id: str
    label: str
    drug: str
    measure: str
    value: float
    weeks: float | None
    low: float
    high: float
    text: str

    @property
    def within_placebo_range(self) -> bool:
        return self.low <= self.value <= self.high


def placebo_rates(rows: Iterable[ArmEffect]) -> dict[str, list[PlaceboRate]]:
    """Placebo/vehicle rates by measure key: one per study and timepoint, concurrent arms only."""
    out: dict[str, list[PlaceboRate]] = {}
    seen: set[tuple[str, str, float | None]] = set()
    for r in rows:
        if (r.comparator_value is None or not r.placebo_controlled or r.role in ("subgroup", "historical")
                or r.kind not in ("comparative", "insufficient")):
            continue
        key = (r.measure_key, r.study_id, r.weeks)
        if key in seen:
            continue
        seen.add(key)
        out.setdefault(r.measure_key, []).append(PlaceboRate(
            r.study_id, r.label, r.comparator or "placebo", r.comparator_value, r.comparator_n, r.weeks,
            r.weeks_assumed, r.design))
    return out


def _exact_count(r: PlaceboRate) -> int | None:
    """Events of a placebo arm when its percentage is a whole count of its size, else None."""
    if r.n is None:
        return None
    return from_percentages(r.value, r.n, r.value, r.n).events_treated


def _logit_pool(rates: Sequence[PlaceboRate]) -> tuple[float, float, float, float | None, float | None,
                                                        float | None, str, list[str]]:
    yi: list[float] = []
    vi: list[float] = []
    notes: list[str] = []
    for r in rates:
        x = _exact_count(r)
        if x is None or r.n is None:  # pragma: no cover - the caller passes exact counts only
            raise ValueError(f"{r.label}: no exact count")
        a, b = (x + 0.5, r.n - x + 0.5) if x in (0, r.n) else (float(x), float(r.n - x))
        yi.append(math.log(a / b))
        vi.append(1 / a + 1 / b)
    res = meta_analysis(yi, vi, method="REML", knha=len(yi) >= 3, labels=[r.study_id for r in rates],
                        measure="PLO")

    def expit(v: float | None) -> float | None:
        return None if v is None else 100.0 / (1.0 + math.exp(-v))

    method = "random effects on logit proportions (REML" + (", Hartung-Knapp)" if res.knha else ")")
    pooled = expit(res.estimate)
    lo, hi = expit(res.ci_lower), expit(res.ci_upper)
    if pooled is None or lo is None or hi is None:  # pragma: no cover - expit of a float is a float
        raise ValueError("pooling failed")
    return pooled, lo, hi, expit(res.pi_lower), expit(res.pi_upper), res.i2, method, notes


def placebo_context(rows: Iterable[ArmEffect], *, min_pooled: int = 3) -> list[PlaceboContext]:
    """Placebo/vehicle context for every measure with at least one controlled rate in ``rows``.

    Parameters
    ----------
    rows
        Arm effects of one disease (``atlas_effects.arm_effects``).
    min_pooled
        Studies with arm sizes needed before a pooled logit estimate is given; below it only the
        range is reported.
    """
    rows = list(rows)
    labels = {r.measure_key: r.measure for r in rows}
    disease = rows[0].disease if rows else ""
    out: list[PlaceboContext] = []
    for key, rates in sorted(placebo_rates(rows).items()):
        rates = sorted(rates, key=lambda r: (r.weeks or 0.0, r.label))
        low, high = min(r.value for r in rates), max(r.value for r in rates)
        first_per_study: dict[str, PlaceboRate] = {}
        for r in rates:
            first_per_study.setdefault(r.study_id, r)
        inexact = [r for r in first_per_study.values() if r.n is not None and _exact_count(r) is None]
        with_n = [r for r in first_per_study.values() if r.n is not None and r not in inexact]
        excluded = [f"{r.label}: {r.value:g}% is not a whole count of {r.n}, so its denominator is not "
                    "reported; it is in the range but not the pooled estimate." for r in inexact]
        if len(with_n) >= min_pooled:
            pooled, lo, hi, pil, piu, i2, method, notes = _logit_pool(with_n)
            notes += excluded
            missing = len(first_per_study) - len(with_n) - len(inexact)
            if missing:
                notes.append(f"{missing} stud{'y' if missing == 1 else 'ies'} without arm sizes are in the "
                             "range but not the pooled estimate.")
            out.append(PlaceboContext(disease, labels[key], key, tuple(rates), low, high, pooled, lo, hi, pil,
                                      piu, len(with_n), i2, method, " ".join(notes)))
        else:
            note = " ".join([f"Not pooled: {len(with_n)} of {len(first_per_study)} studies report counts "
                             f"(at least {min_pooled} needed); the range is shown instead.", *excluded])
            out.append(PlaceboContext(disease, labels[key], key, tuple(rates), low, high, note=note))
    return out


def uncontrolled_flags(rows: Iterable[ArmEffect], contexts: Sequence[PlaceboContext]) -> list[UncontrolledFlag]:
    """Flag single-arm responder results with the placebo responses of the same outcome.

    Example text: 'uncontrolled: 42.9% HiSCR vs placebo responses of 24-57% in RCTs'.
    """
    by_key = {c.measure_key: c for c in contexts}
    out: list[UncontrolledFlag] = []
    for r in rows:
        ctx = by_key.get(r.measure_key)
        if ctx is None or r.value is None or r.comparator_value is not None or r.kind == "descriptive":
            continue
        if is_placebo(r.comparator) or r.kind not in ("single_arm", "insufficient"):
            continue
        where = "RCTs" if all(x.design == "rct" for x in ctx.rates) else "controlled studies"
        text = (f"uncontrolled: {r.value:.1f}% {r.measure} ({fmt_weeks(r.weeks)}) vs {ctx.comparators} "
                f"responses of {ctx.range_text} in {where}")
        if ctx.low <= r.value <= ctx.high:
            text += "; within the placebo range, so the response cannot be told apart from placebo response"
        elif r.value > ctx.high:
            text += "; above every placebo rate, but not randomised"
        out.append(UncontrolledFlag(r.study_id, r.label, r.drug, r.measure, r.value, r.weeks, ctx.low, ctx.high,
                                    text))
    return out
