"""Effect sizes for the atlas: per-arm effects from curated outcomes, and pooled estimates.

Each outcome reported as a responder percentage with arm sizes becomes a risk difference with
Newcombe's hybrid score CI, a risk ratio with a log CI and an NNT (Altman 1998), all from
:mod:`jakatlas.synthesis.effects`. Single-arm responder rates get a Wilson CI. When an arm size is
missing, or a percentage is not a whole count of the stated arm size (57.1% of 9), the result says
"insufficient" with the reason, and no count or interval is invented.

Comparable studies (same disease, outcome measure and timepoint) are pooled by drug and by
selectivity class with a random-effects model (REML with the Hartung-Knapp adjustment, IntHout et
al., BMC Med Res Methodol 2014; plain REML for two studies) when at least two studies have counts. Multi-dose trials enter a
pooled analysis once, with their dose arms combined against the shared control (Cochrane Handbook
v6.4, section 23.3.4), so the control group is never double-counted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jakatlas.errors import StatisticsError
from jakatlas.models.evidence import Outcome, Study
from jakatlas.models.knowledge import Drug, OutcomeMeasure
from jakatlas.synthesis._common import (
    is_placebo,
    measure_key,
    measure_label,
    outcome_weeks,
    study_text,
    study_weeks,
)
from jakatlas.synthesis.effects import (
    EffectEstimate,
    NNTResult,
    ProportionEstimate,
    from_percentages,
    nnt,
    proportion,
    risk_difference,
    risk_ratio,
)
from jakatlas.synthesis.grading import EffectEvidence
from jakatlas.synthesis.mechanism import JAKI_CLASSES, selectivity_class
from jakatlas.synthesis.meta import meta_analysis

__all__ = [
    "INSUFFICIENT",
    "ArmEffect",
    "PooledEffect",
    "study_label",
    "arm_effects",
    "pool_effects",
    "grading_effect",
    "fmt_rd",
]

INSUFFICIENT = "insufficient: arm sizes not reported"
Kind = Literal["comparative", "single_arm", "continuous", "insufficient", "descriptive"]
Role = Literal["arm", "combined", "subgroup", "historical"]
_PROPORTION_UNIT = re.compile(r"^%(\s+(with|of|improved|clear|reporting|achiev|respond|reach)\b.*)?$")


@dataclass(frozen=True)
class ArmEffect:
    """One reported outcome of one arm, with the effect sizes its numbers allow.

    Risk differences are in proportion units (-1..1); ``fmt_rd`` prints percentage points.
    """

    study_id: str
    label: str
    drug: str
    disease: str
    measure: str
    measure_key: str
    arm: str | None
    weeks: float | None
    weeks_assumed: bool
    design: str | None
    kind: Kind
    role: Role
    value: float | None
    unit: str | None
    n: int | None
    comparator: str | None
    comparator_value: float | None
    comparator_n: int | None
    higher_is_better: bool | None
    rd: EffectEstimate | None = None
    rr: EffectEstimate | None = None
    nnt: NNTResult | None = None
    proportion: ProportionEstimate | None = None
    events: int | None = None
    comparator_events: int | None = None
    note: str = ""

    @property
    def placebo_controlled(self) -> bool:
        return is_placebo(self.comparator)

    @property
    def summary(self) -> str:
        """The effect in one line, e.g. 'RD +19.3 pp (95% CI 1.2 to 35.8); RR 1.67 ...'."""
        if self.kind == "comparative" and self.rd is not None:
            out = f"RD {fmt_rd(self.rd)}"
            if self.rr is not None:
                out += f"; RR {self.rr.estimate:.2f} ({self.rr.ci_lower:.2f} to {self.rr.ci_upper:.2f})"
            if self.nnt is not None:
                out += f"; {self.nnt.text.replace('95% CI: ', '')}"
            return out
        if self.kind == "single_arm" and self.proportion is not None:
            p = self.proportion
            return (f"{100 * p.estimate:.1f}% ({p.events}/{p.n}; Wilson 95% CI {100 * p.ci_lower:.1f} to "
                    f"{100 * p.ci_upper:.1f}%)")
        return self.note


@dataclass(frozen=True)
class PooledEffect:
    """Random-effects pooled risk difference of comparable studies (proportion units)."""

    disease: str
    measure: str
    measure_key: str
    weeks: float | None
    group: str
    group_kind: Literal["drug", "class"]
    k: int
    study_ids: tuple[str, ...]
    labels: tuple[str, ...]
    drugs: tuple[str, ...]
    n_total: int
    estimate: float
    ci_lower: float
    ci_upper: float
    pi_lower: float | None
    pi_upper: float | None
    i2: float | None
    tau2: float
    method: str

    @property
    def summary(self) -> str:
        i2 = "" if self.i2 is None else f"; I² {self.i2:.0f}%"
        pi = ("" if self.pi_lower is None or self.pi_upper is None else
              f"; 95% PI {100 * self.pi_lower:+.1f} to {100 * self.pi_upper:+.1f}")
        return (f"RD {100 * self.estimate:+.1f} pp (95% CI {100 * self.ci_lower:+.1f} to {100 * self.ci_upper:+.1f})"
                f"{pi}{i2}; k={self.k}, n={self.n_total}")


def fmt_rd(e: EffectEstimate) -> str:
    """A risk difference in percentage points with its CI: '+19.3 pp (95% CI 1.2 to 35.8)'."""
    return f"{100 * e.estimate:+.1f} pp (95% CI {100 * e.ci_lower:+.1f} to {100 * e.ci_upper:+.1f})"


_HYPHENATED = re.compile(r"^([A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+|[A-Z]{3,} \d+)\b")
_CAPS = re.compile(r"^([A-Z]{3,})\b")
# A trial named at the head of a curated title: 'PIONEER II: ...', 'BE HEARD I: ...', 'SUNSHINE: ...'.
_TITLE_TRIAL = re.compile(r"^([A-Z][A-Z0-9]+(?:[ -][A-Z0-9]+)*):")
_AUTHOR = re.compile(r"^([A-Z][A-Za-z'\-]+)(?:\s+(?:[A-Z]{1,3}\b|et al)|,|\s+&)")
_SOURCE_YEAR = re.compile(r"^([A-Z][A-Za-z .&/]{2,40}?)[ ,.]+((?:19|20)\d\d)\b")
_NOT_TRIALS = ("NCT", "PMC", "PMID", "DOI", "JAK", "JAMA", "JAAD")


def _acronym(pattern: re.Pattern[str], *texts: str) -> str | None:
    for text in texts:
        m = pattern.match(text)
        if m and sum(c.isupper() for c in m.group(1)) >= 2 and not m.group(1).startswith(_NOT_TRIALS):
            return m.group(1)
    return None


def study_label(study: Any) -> str:
    """A short label: trial acronym ('STOP-HS1', 'DELTA 1'), first author and year ('Kirby 2024'),
    journal and year when no author is given ('Clin Rheumatol 2020'), or the registry id."""
    title = str(getattr(study, "title", "") or "")
    citation = str(getattr(study, "citation", "") or "")
    named = _acronym(_HYPHENATED, citation, title)
    if named:
        return named
    trial = _TITLE_TRIAL.match(title)
    if trial:
        return trial.group(1)
    year = re.search(r"\b(19|20)\d\d\b", citation)
    sub = re.search(r"study[ -]?(\d+)", study.id)
    suffix = f" (study {sub.group(1)})" if sub else ""
    author = _AUTHOR.match(citation)
    if author:
        return author.group(1) + (f" {year.group(0)}" if year else "") + suffix
    journal = _SOURCE_YEAR.match(citation)
    if journal:
        return f"{journal.group(1).strip()} {journal.group(2)}{suffix}"
    named = _acronym(_CAPS, citation, title)
    if named:
        return named
    reg = re.search(r"NCT\d{8}|PMC\d{5,9}", citation + " " + title)
    if reg:
        return reg.group(0)
    short = title.split(":")[0].strip()
    return (short[:40].rsplit(" ", 1)[0] + "\u2026" if len(short) > 40 else short) or study.id


def _is_proportion(o: Outcome, om: OutcomeMeasure | None) -> bool:
    if o.value is None or not 0 <= o.value <= 100 or o.baseline_value is not None:
        return False
    if o.comparator_value is not None and not 0 <= o.comparator_value <= 100:
        return False
    unit = (o.unit or "").strip().lower()
    if unit and _PROPORTION_UNIT.match(unit):
        return True
    return not unit and om is not None and om.kind == "responder"


def _role(arm: str | None) -> Role:
    a = (arm or "").lower()
    if "subgroup" in a:
        return "subgroup"
    if "historical" in a:
        return "historical"
    if "all doses" in a or "pooled" in a or "combined" in a or "both" in a:
        return "combined"
    return "arm"


def _arm_drug(study: Study, arm: str | None, drugs: Mapping[str, Drug]) -> str:
    names = [i.name for i in study.interventions]
    jaki = [n for n in names if n in drugs and drugs[n].drug_class in JAKI_CLASSES] or \
           [n for n in names if n == "jak inhibitor"] or names
    a = (arm or "").lower()
    for n in jaki:
        if n in a:
            return n
    return jaki[0] if jaki else "unknown"


def arm_effects(
    study: Study | Any,
    disease: str,
    *,
    outcomes: Mapping[str, OutcomeMeasure] | None = None,
    drugs: Mapping[str, Drug] | None = None,
) -> list[ArmEffect]:
    """Effect sizes for every outcome of ``study`` (one row per reported arm and measure).

    Parameters
    ----------
    study
        A contract or curated study.
    disease
        The disease the rows are filed under.
    outcomes, drugs
        Knowledge-base outcome measures (for responder detection and labels) and drugs by name.
    """
    outcomes = outcomes or {}
    by_name = {d.name: d for d in (drugs or {}).values()}
    label = study_label(study)
    comparator = study.comparators[0].name if study.comparators else None
    rows: list[ArmEffect] = []
    for o in study.outcomes:
        key = measure_key(o.measure, outcomes)
        om = outcomes.get(key.split(":")[0])
        weeks, assumed = outcome_weeks(o), False
        if weeks is None:
            sibling = {outcome_weeks(x) for x in study.outcomes
                       if x.measure == o.measure and outcome_weeks(x) is not None}
            weeks = sibling.pop() if len(sibling) == 1 else study_weeks(study)
            assumed = weeks is not None
        role = _role(o.arm)
        if (role == "arm" and not study.comparators and o.comparator_value is not None
                and "historical" in study_text(study)):
            role = "historical"
        comp = "historical controls" if role == "historical" else (
            comparator if comparator else ("comparator arm" if o.comparator_value is not None else None))
        hib = om.higher_is_better if om else None
        if ":" in key and _is_proportion(o, om):
            hib = True  # a responder threshold of a score ('AN50', 'SALT <=20'): more responders is better
        base: dict[str, Any] = dict(
            study_id=study.id, label=label, drug=_arm_drug(study, o.arm, by_name), disease=disease,
            measure=measure_label(key, outcomes, o.measure) if ":" not in key else o.measure, measure_key=key,
            arm=o.arm, weeks=weeks, weeks_assumed=assumed, design=study.design, role=role, value=o.value,
            unit=o.unit, n=o.n, comparator=comp, comparator_value=o.comparator_value, comparator_n=o.comparator_n,
            higher_is_better=hib)
        rows.append(_effect_row(o, om, base))
    return rows


def _effect_row(o: Outcome, om: OutcomeMeasure | None, base: dict[str, Any]) -> ArmEffect:
    if o.value is None:
        return ArmEffect(kind="descriptive", note="no on-treatment figure reported", **base)
    if _is_proportion(o, om):
        if o.comparator_value is not None:
            counts = from_percentages(o.value, o.n, o.comparator_value, o.comparator_n)
            if not counts.sufficient:
                diff = o.value - o.comparator_value
                if base["role"] == "historical":
                    return ArmEffect(kind="insufficient", note=f"vs a historical control rate ({o.value:g}% vs "
                                     f"{o.comparator_value:g}%, difference {diff:+.1f} pp); no concurrent arm, "
                                     "no CI", **base)
                if counts.notes:
                    return ArmEffect(kind="insufficient", note=f"insufficient: {'; '.join(counts.notes)} "
                                     f"({o.value:g}% vs {o.comparator_value:g}%, difference {diff:+.1f} pp, "
                                     "no CI)", **base)
                return ArmEffect(kind="insufficient", note=f"{INSUFFICIENT} ({o.value:g}% vs "
                                 f"{o.comparator_value:g}%, difference {diff:+.1f} pp, no CI)", **base)
            et, nt, ec, nc = (counts.events_treated, counts.n_treated, counts.events_control, counts.n_control)
            if et is None or nt is None or ec is None or nc is None:  # pragma: no cover - guarded by sufficient
                raise StatisticsError("reconstructed counts are incomplete")
            rd = risk_difference(et, nt, ec, nc)
            rr = risk_ratio(et, nt, ec, nc) if et + ec > 0 else None
            direction: Literal["beneficial", "harmful"] = "harmful" if base["higher_is_better"] is False \
                else "beneficial"
            n_res = nnt(rd.estimate, rd.ci_lower, rd.ci_upper, outcome=direction) if rd.estimate != 0 else None
            return ArmEffect(kind="comparative", rd=rd, rr=rr, nnt=n_res, events=et, comparator_events=ec,
                             **base)
        if o.n is None:
            return ArmEffect(kind="insufficient", note=f"{INSUFFICIENT}: {o.value:g}% without a denominator, "
                                                       "no CI", **base)
        counts = from_percentages(o.value, o.n, 0.0, 1)
        if counts.events_treated is None:
            return ArmEffect(kind="insufficient", note=f"insufficient: {'; '.join(counts.notes)} (no CI)".replace(
                "treated arm: ", ""), **base)
        ev = counts.events_treated
        return ArmEffect(kind="single_arm", proportion=proportion(ev, o.n), events=ev, **base)
    if o.comparator_value is not None:
        diff = o.value - o.comparator_value
        return ArmEffect(kind="continuous", note=f"{o.value:g} vs {o.comparator_value:g} {o.unit or ''}".rstrip()
                         + f" (difference {diff:+.2f}; SDs not reported, no CI)", **base)
    if o.baseline_value is not None:
        unit = (o.unit or "").strip()
        pct = "%" if unit.startswith("%") else ""
        shown = f"{o.value:g}{unit}" if pct else f"{o.value:g} {unit}".rstrip()
        return ArmEffect(kind="descriptive", note=f"from {o.baseline_value:g}{pct} at baseline to {shown} "
                                                  "(uncontrolled)", **base)
    return ArmEffect(kind="descriptive", note=f"{o.value:g} {o.unit or ''}".rstrip() + " (uncontrolled)", **base)


# -- pooling -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _StudyCounts:
    study_id: str
    label: str
    drug: str
    et: int
    nt: int
    ec: int
    nc: int


def _study_counts(rows: Sequence[ArmEffect]) -> _StudyCounts | None:
    """One 2x2 table per study: a reported combined arm, else its dose arms summed (shared control)."""
    usable = [r for r in rows if r.kind == "comparative" and r.role in ("arm", "combined")
              and r.events is not None and r.n is not None and r.comparator_events is not None
              and r.comparator_n is not None]
    if not usable:
        return None
    combined = [r for r in usable if r.role == "combined"]
    chosen = combined[:1] or usable
    first = chosen[0]
    et = sum(r.events or 0 for r in chosen)
    nt = sum(r.n or 0 for r in chosen)
    return _StudyCounts(first.study_id, first.label, first.drug, et, nt, first.comparator_events or 0,
                        first.comparator_n or 0)


def _random_effects(yi: Sequence[float], vi: Sequence[float], labels: Sequence[str] | None = None,
                    measure: str | None = None) -> Any:
    """REML; with the Hartung-Knapp adjustment from 3 studies on (with 2 its t on 1 df is uninformative)."""
    return meta_analysis(yi, vi, method="REML", knha=len(yi) >= 3, labels=labels, measure=measure)


def _fit(tables: Sequence[_StudyCounts]) -> tuple[Any, list[EffectEstimate]]:
    ests = [risk_difference(t.et, t.nt, t.ec, t.nc) for t in tables]
    res = _random_effects([e.yi for e in ests], [e.vi for e in ests], [t.study_id for t in tables], "RD")
    return res, ests


def pool_effects(rows: Iterable[ArmEffect], drugs: Mapping[str, Drug] | None = None,
                 *, min_studies: int = 2) -> list[PooledEffect]:
    """Pool comparable placebo/vehicle-controlled studies by drug and by selectivity class.

    Comparable = same disease, measure key and timepoint (weeks). Class pools are reported only
    when they span more than one drug.
    """
    by_name = {d.name: d for d in (drugs or {}).values()}
    groups: dict[tuple[str, str, float | None], dict[str, list[ArmEffect]]] = {}
    for r in rows:
        if r.kind != "comparative" or not r.placebo_controlled:
            continue
        groups.setdefault((r.disease, r.measure_key, r.weeks), {}).setdefault(r.study_id, []).append(r)
    out: list[PooledEffect] = []
    for (disease, key, weeks), per_study in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                                   kv[0][2] or 0.0)):
        tables = [t for t in (_study_counts(v) for v in per_study.values()) if t is not None]
        measure = next(iter(per_study.values()))[0].measure
        partitions: list[tuple[str, Literal["drug", "class"], list[_StudyCounts]]] = []
        for drug in sorted({t.drug for t in tables}):
            partitions.append((drug, "drug", [t for t in tables if t.drug == drug]))
        classes: dict[str, list[_StudyCounts]] = {}
        for t in tables:
            cls = selectivity_class(by_name[t.drug]) if t.drug in by_name else "unknown"
            classes.setdefault(cls, []).append(t)
        for cls, ts in sorted(classes.items()):
            if len({t.drug for t in ts}) > 1:
                partitions.append((cls, "class", ts))
        for name, kind, ts in partitions:
            if len(ts) < min_studies:
                continue
            res, _ = _fit(ts)
            out.append(PooledEffect(
                disease, measure, key, weeks, name, kind, res.k, tuple(t.study_id for t in ts),
                tuple(t.label for t in ts), tuple(sorted({t.drug for t in ts})), sum(t.nt + t.nc for t in ts),
                res.estimate, max(-1.0, res.ci_lower), min(1.0, res.ci_upper),
                None if res.pi_lower is None else max(-1.0, res.pi_lower),
                None if res.pi_upper is None else min(1.0, res.pi_upper),
                res.i2, res.tau2, "REML, Hartung-Knapp" if res.knha else "REML"))
    return out


def grading_effect(rows: Sequence[ArmEffect]) -> EffectEvidence | None:
    """The comparative effect GRADE judges for one drug x outcome x timepoint (percentage points).

    The caller passes the rows of one timepoint: estimates from different timepoints are never
    pooled. One study: each dose arm is judged on its own (doses are not combined); a study that
    reports only a combined arm contributes that. Several studies: one 2x2 table per study (its
    reported combined arm, else its dose arms against the shared control, Cochrane Handbook v6.4
    23.3.4), pooled by REML (Hartung-Knapp from three studies on), the estimate the dossier shows.
    """
    per_study: dict[str, list[ArmEffect]] = {}
    for r in rows:
        if r.kind == "comparative" and r.role in ("arm", "combined") and r.rd is not None:
            per_study.setdefault(r.study_id, []).append(r)
    if not per_study:
        return None
    if len(per_study) == 1:
        rs = next(iter(per_study.values()))
        arms = [r for r in rs if r.role == "arm"] or rs
        main = max(arms, key=lambda r: (r.n or 0) + (r.comparator_n or 0))
        rr = (main.rr.estimate, main.rr.ci_lower, main.rr.ci_upper) if main.rr is not None else None
        each = tuple((r.arm or r.drug, 100 * r.rd.estimate, 100 * r.rd.ci_lower, 100 * r.rd.ci_upper)
                     for r in arms if r.rd is not None) if len(arms) > 1 else ()
        rd = main.rd
        if rd is None:  # pragma: no cover - rows without an RD were filtered above
            return None
        return EffectEvidence("RD", 100 * rd.estimate, 100 * rd.ci_lower, 100 * rd.ci_upper, 1, None, rr, each)
    tables = [t for t in (_study_counts(v) for v in per_study.values()) if t is not None]
    rrs = [risk_ratio(t.et, t.nt, t.ec, t.nc) for t in tables if t.et + t.ec > 0]
    res, _ = _fit(tables)
    rr = None
    if len(rrs) == len(tables):
        fit = _random_effects([x.yi for x in rrs], [x.vi for x in rrs], measure="RR")
        rr = (math.exp(fit.estimate), math.exp(fit.ci_lower), math.exp(fit.ci_upper))
    return EffectEvidence("RD", 100 * res.estimate, 100 * max(-1.0, res.ci_lower), 100 * min(1.0, res.ci_upper),
                          res.k, res.i2, rr)
