"""Evidence grading: OCEBM 2011 levels per study and GRADE certainty per drug x disease x outcome.

OCEBM: Oxford Centre for Evidence-Based Medicine Levels of Evidence Working Group, "The Oxford 2011
Levels of Evidence" (question 'Does this intervention help?'), read from the one shipped table
``data/ocebm.json`` that extraction uses too. A level may be graded down for imprecision.

GRADE: Guyatt et al., BMJ 2008;336:924; GRADE guidelines series, J Clin Epidemiol 2011 (parts 4-9:
risk of bias, imprecision, inconsistency, indirectness, publication bias, rating up); GRADE
handbook (Schünemann et al., 2013). Randomised evidence starts high, observational evidence low;
each domain rates down by one (serious) or two (very serious) levels; large effects rate up
observational evidence that has no serious risk of bias.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jakatlas.data.ocebm import ocebm_table
from jakatlas.models.bias import SEVERITY, RiskOfBias
from jakatlas.models.evidence import Study
from jakatlas.models.knowledge import CuratedStudy, Source
from jakatlas.synthesis._common import has_comparator, study_text
from jakatlas.synthesis.risk_of_bias import study_risk_of_bias

__all__ = [
    "CERTAINTIES",
    "OIS_PATIENTS",
    "Certainty",
    "OcebmLevel",
    "Judgement",
    "EffectEvidence",
    "GradeAssessment",
    "ocebm_level",
    "grade_outcome",
]

Certainty = Literal["very low", "low", "moderate", "high"]
CERTAINTIES: tuple[Certainty, ...] = ("very low", "low", "moderate", "high")
Domain = Literal["risk of bias", "imprecision", "inconsistency", "indirectness", "publication bias", "large effect"]

OIS_PATIENTS = 300
"""Rule-of-thumb optimal information size (patients) below which GRADE rates down for imprecision."""
SMALL_RCT = 30
"""Randomised trials with fewer patients are graded down one OCEBM level for imprecision."""

_SURROGATE_CUES = ("ultrasound", "skin thickness", "biomarker", "gene expression", "transcript", "cxcl",
                   "interferon signature", "isg", "pstat", "serum", "histolog", "biopsy")
_WORDS = {1: "one level", 2: "two levels"}


# -- OCEBM 2011 ----------------------------------------------------------------------------------
RecordedBy = Literal["curated", "extracted"]
_REVIEWED = (("rct", re.compile(r"randomi[sz]ed|\brcts?\b|controlled trials?")),
             ("cohort", re.compile(r"\bcohorts?\b|observational")),
             ("case_series", re.compile(r"case reports?|case series|\bcases\b")))


@dataclass(frozen=True)
class OcebmLevel:
    """OCEBM 2011 level of one study: the level used, the one derived from the shared table, the
    recorded one and who recorded it ("curated" by a person, or "extracted" by the NLP pipeline)."""

    study_id: str
    level: int | None
    computed: int | None
    recorded: int | None
    recorded_by: RecordedBy | None
    reason: str
    disagreement: str | None = None

    @property
    def basis(self) -> str:
        """Where the level used comes from: 'curated' only when a person recorded it."""
        if self.level is None:
            return "none"
        return "curated" if self.recorded_by == "curated" and self.level == self.recorded else "derived"


def _historical(text: str) -> bool:
    return "historical control" in text or "historically controlled" in text or "historical placebo" in text


def _computed_level(s: Study, text: str) -> tuple[int | None, str]:
    """The level from the shared table (:mod:`jakatlas.data.ocebm`), the controls and the size."""
    table = ocebm_table()
    d = s.design
    entry = table.entry(d)
    if entry is None:
        return None, "Design not reported, so no level can be derived."
    if d == "systematic_review":
        reviewed = [name for name, cue in _REVIEWED if cue.search(text)]
        level = table.review_level(reviewed)
        if level is None:
            return None, ("Systematic review whose included designs are not stated: OCEBM grades a review by "
                          "what it reviews, so no level is derived.")
        shown = ", ".join({"rct": "randomised trials", "cohort": "cohort studies",
                           "case_series": "case reports or series"}[r] for r in reviewed)
        return level, f"Systematic review of {shown}, graded by what it reviews (level {level})."
    if d == "rct":
        level = table.level(d, True)
        if level is not None and s.n is not None and s.n < SMALL_RCT:
            return level + 1, (f"Randomised trial graded down one level for imprecision (only {s.n} patients; "
                               f"level {level + 1}).")
        return level, f"Randomised controlled trial (level {level})."
    if entry.uncontrolled_level is not None:
        label = entry.label[0].upper() + entry.label[1:]
        if _historical(text):
            return entry.uncontrolled_level, f"{label} with historical controls only (level {entry.uncontrolled_level})."
        if has_comparator(s):
            return entry.level, f"{label} with a concurrent control group (level {entry.level})."
        return entry.uncontrolled_level, (f"{label} without a control group, i.e. a single-arm series "
                                          f"(level {entry.uncontrolled_level}).")
    if entry.level is None:
        return None, f"{entry.rule}"
    return entry.level, entry.rule


def _recorded_by(study: Any) -> RecordedBy:
    return "curated" if isinstance(study, CuratedStudy) else "extracted"


def ocebm_level(study: Study | Any, recorded_by: RecordedBy | None = None) -> OcebmLevel:
    """OCEBM 2011 level for treatment benefit, from design, controls and size (one shared table).

    A curated ``evidence_level`` is kept as the level used and any difference from the derived
    level is stated; a level recorded by extraction is machine-derived, so the level derived here
    (the same table, with the study's controls and size) is used and never called curated.
    ``recorded_by`` defaults to "curated" for :class:`CuratedStudy` records and "extracted" otherwise.
    """
    text = study_text(study)
    computed, reason = _computed_level(study, text)
    recorded = study.evidence_level
    by = (recorded_by or _recorded_by(study)) if recorded is not None else None
    level = recorded if by == "curated" else (computed if computed is not None else recorded)
    disagreement = None
    if recorded is not None and computed is not None and recorded != computed:
        who = "Curated" if by == "curated" else "Extracted (machine-derived)"
        disagreement = f"{who} level {recorded} differs from the level {computed} derived from the design: {reason}"
    return OcebmLevel(study.id, level, computed, recorded, by, reason, disagreement)


# -- GRADE ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Judgement:
    """One GRADE domain judgement: ``change`` levels (-2..+2) and the reason in a sentence."""

    domain: Domain
    change: int
    reason: str


@dataclass(frozen=True)
class EffectEvidence:
    """The comparative effect behind a GRADE judgement (pooled when ``k`` > 1).

    ``measure`` is 'RD' (percentage points), 'RR', 'OR' or 'MD'; ratios have no effect at 1,
    differences at 0.
    """

    measure: str
    estimate: float
    ci_low: float
    ci_high: float
    k: int = 1
    i2: float | None = None
    rr: tuple[float, float, float] | None = None
    arms: tuple[tuple[str, float, float, float], ...] = ()
    """Separate estimates (label, estimate, low, high) judged one by one: doses are not combined."""

    @property
    def null(self) -> float:
        return 1.0 if self.measure in ("RR", "OR") else 0.0

    @property
    def crosses_null(self) -> bool:
        return self.ci_low <= self.null <= self.ci_high

    def each(self) -> tuple[tuple[str, float, float, float], ...]:
        """The estimates to judge: every arm when doses are kept apart, else the one estimate."""
        return self.arms or (("", self.estimate, self.ci_low, self.ci_high),)

    def describe(self) -> str:
        if len(self.arms) > 1:
            return "; ".join(self._one(e, lo, hi) + f" for {lab}" for lab, e, lo, hi in self.arms)
        return self._one(self.estimate, self.ci_low, self.ci_high)

    def _one(self, estimate: float, ci_low: float, ci_high: float) -> str:
        if self.measure == "RD":
            return f"RD {estimate:+.1f} pp (95% CI {ci_low:+.1f} to {ci_high:+.1f})"
        return f"{self.measure} {estimate:.2f} (95% CI {ci_low:.2f} to {ci_high:.2f})"


@dataclass(frozen=True)
class GradeAssessment:
    """GRADE certainty for one drug x disease x outcome, with every judgement in words."""

    drug: str
    disease: str
    outcome: str
    certainty: Certainty
    start: Certainty
    judgements: tuple[Judgement, ...]
    study_ids: tuple[str, ...]
    total_n: int | None
    start_reason: str
    risk_of_bias: tuple[tuple[str, RiskOfBias | None], ...] = ()
    measure: str = ""
    weeks: float | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        return (self.start_reason, *(j.reason for j in self.judgements))

    @property
    def key_reasons(self) -> tuple[str, ...]:
        """The starting point and every judgement that moved the rating, then one line for the rest."""
        moved = [j.reason for j in self.judgements if j.change != 0]
        kept = [j.domain for j in self.judgements if j.change == 0 and j.domain != "publication bias"]
        tail = (f"Not rated down for {', '.join(kept)}; publication bias not assessed (too few studies)."
                if kept else "Publication bias not assessed (too few studies).")
        return (self.start_reason, *moved, tail)

    @property
    def summary(self) -> str:
        return f"Certainty {self.certainty.upper()}. " + " ".join(self.reasons)


def _source_only_secondary(study: Any, sources: Mapping[str, Source] | None) -> bool:
    """Backed only by secondary reports: not confirmed by a primary source, or no primary source cited."""
    if getattr(study, "confirmed", None) is False:
        return True
    tags = list(getattr(study, "sources", []) or [])
    if not tags or sources is None:
        return False
    types = {sources[t].type for t in tags if t in sources}
    return bool(types) and "primary" not in types


def _n(s: Study) -> int:
    return s.n or 0


def _risk_of_bias(body: Sequence[Study], randomised: bool,
                  sources: Mapping[str, Source] | None) -> tuple[Judgement, tuple[tuple[str, RiskOfBias | None], ...]]:
    """GRADE risk of bias from the per-study RoB 2 / ROBINS-I judgements, weighted by patients.

    Rated down one level when most patients come from studies at high (RoB 2) or serious (ROBINS-I)
    risk, two when most come from studies at critical risk; "some concerns" and "moderate" alone
    do not rate down (GRADE handbook 5.2.1).
    """
    robs = tuple((s.id, study_risk_of_bias(s, sources, randomised_comparison=randomised)) for s in body)
    known = [s for s in body if s.n]
    weight = {s.id: (_n(s) if known else 1) for s in body}
    total = sum(weight.values()) or 1
    serious = sum(weight[i] for i, r in robs if r is not None and SEVERITY[r.overall] >= 2)
    critical = sum(weight[i] for i, r in robs if r is not None and SEVERITY[r.overall] >= 3)
    listed = "; ".join(f"{i}: {r.summary}" if r is not None else f"{i}: not assessable" for i, r in robs)
    tools = " and ".join(sorted({r.tool for _, r in robs if r is not None})) or "no tool"
    if critical / total > 0.5:
        return Judgement("risk of bias", -2, f"Rated down two levels for risk of bias: most patients come from "
                                             f"studies at critical risk ({tools}): {listed}."), robs
    if serious / total > 0.5:
        return Judgement("risk of bias", -1, f"Rated down one level for risk of bias: most patients come from "
                                             f"studies at serious or high risk ({tools}): {listed}."), robs
    return Judgement("risk of bias", 0, f"Not rated down for risk of bias: most patients come from studies at low "
                                        f"risk or with some concerns only ({tools}): {listed}."), robs


def _imprecision(body: Sequence[Study], effect: EffectEvidence | None) -> Judgement:
    total_n = sum(_n(s) for s in body)
    unknown = [s.id for s in body if not s.n]
    problems = []
    remarks = []
    if unknown and len(unknown) == len(body):
        problems.append("no study reports its number of patients")
    elif total_n < OIS_PATIENTS and not unknown:
        problems.append(f"only {total_n} patients in total, fewer than the ~{OIS_PATIENTS} of an optimal "
                        "information size")
    elif total_n < OIS_PATIENTS:
        remarks.append(f"{len(unknown)} stud{'y does' if len(unknown) == 1 else 'ies do'} not report n, so the "
                       f"information size (at least {total_n} patients) could not be checked")
    if effect is None:
        problems.append("no between-group estimate with a confidence interval is available")
    else:
        crossing = [lab for lab, _, lo, hi in effect.each() if lo <= effect.null <= hi]
        wide = [lab for lab, _, lo, hi in effect.each()
                if (effect.measure == "RD" and hi - lo > 30)
                or (effect.measure in ("RR", "OR") and lo > 0 and hi / lo > 4)]
        how = "is wider than 30 percentage points" if effect.measure == "RD" else "spans more than a four-fold range"
        if crossing == [""]:
            problems.append(f"the confidence interval of {effect.describe()} includes no effect")
        elif crossing:
            shown = " and ".join(f"{lab} ({effect._one(e, lo, hi)})" for lab, e, lo, hi in effect.arms
                                 if lab in crossing)
            problems.append(f"the confidence interval includes no effect for {shown} (doses judged separately)")
        elif wide:
            problems.append(f"the confidence interval of {effect.describe()} {how}")
    tail = f"; {'; '.join(remarks)}" if remarks else ""
    if not problems:
        shown = effect.describe() if effect else "the estimate"
        return Judgement("imprecision", 0, f"Not rated down for imprecision: {shown} excludes no effect{tail}.")
    change = -min(2, len(problems))
    return Judgement("imprecision", change, f"Rated down {_WORDS[-change]} for imprecision: "
                                            + " and ".join(problems) + tail + ".")


def _inconsistency(effect: EffectEvidence | None, k: int) -> Judgement:
    if effect is None or effect.k < 2 or effect.i2 is None:
        return Judgement("inconsistency", 0, "Inconsistency not assessable: a single study (not rated down)."
                         if k < 2 else
                         "Inconsistency not assessable: fewer than two comparative estimates (not rated down).")
    if effect.i2 > 50:
        return Judgement("inconsistency", -1, f"Rated down one level for inconsistency: I² = {effect.i2:.0f}% "
                                              f"across {effect.k} studies (above 50%).")
    return Judgement("inconsistency", 0, f"Not rated down for inconsistency: I² = {effect.i2:.0f}% across "
                                         f"{effect.k} studies.")


def _indirectness(body: Sequence[Study], disease: str, outcome: str,
                  sources: Mapping[str, Source] | None) -> Judgement:
    issues = []
    if any(c in outcome.lower() for c in _SURROGATE_CUES):
        issues.append(f"'{outcome}' is a surrogate rather than a patient-important outcome")
    mixed = [s.id for s in body if len({d.name for d in s.diseases}) > 1]
    if mixed and len(mixed) * 2 >= len(body):
        issues.append(f"the population mixes {disease} with other diseases ({', '.join(mixed)})")
    combo = [s.id for s in body if len({i.name for i in s.interventions}) > 1
             or "in combination" in study_text(s) or "multimodal" in study_text(s)]
    if combo and len(combo) * 2 >= len(body):
        issues.append("the JAK inhibitor was given with other active treatments")
    if sources is not None and all(_source_only_secondary(s, sources) for s in body):
        issues.append("results come only from conference reports, press releases or other secondary sources, "
                      "not a peer-reviewed primary record")
    if not issues:
        return Judgement("indirectness", 0, "Not rated down for indirectness: population, intervention and "
                                            "outcome match the question.")
    change = -min(2, len(issues))
    return Judgement("indirectness", change, f"Rated down {_WORDS[-change]} for indirectness: "
                                             + "; ".join(issues) + ".")


def _large_effect(effect: EffectEvidence | None, randomised: bool, rob: Judgement) -> Judgement | None:
    if randomised or effect is None:
        return None
    if effect.measure in ("RR", "OR"):
        rr: tuple[float, float, float] | None = (effect.estimate, effect.ci_low, effect.ci_high)
    else:
        rr = effect.rr
    if rr is None or rr[1] <= 1.0 <= rr[2] or rr[0] <= 0:
        return None
    text = f"RR {rr[0]:.2f} (95% CI {rr[1]:.2f} to {rr[2]:.2f})"
    big = max(rr[0], 1 / rr[0])
    if big <= 2:
        return None
    if rob.change < 0:
        return Judgement("large effect", 0, f"Not rated up for a large effect ({text}): plausible bias in the "
                                            "observational studies could explain it.")
    if big > 5:
        return Judgement("large effect", 2, f"Rated up two levels for a very large effect: {text}.")
    return Judgement("large effect", 1, f"Rated up one level for a large effect: {text}.")


def grade_outcome(
    studies: Sequence[Study],
    *,
    drug: str,
    disease: str,
    outcome: str,
    effect: EffectEvidence | None = None,
    sources: Mapping[str, Source] | None = None,
    comparative_ids: Collection[str] | None = None,
    measure: str = "",
    weeks: float | None = None,
) -> GradeAssessment:
    """GRADE certainty of the evidence for one drug x disease x outcome.

    Parameters
    ----------
    studies
        Studies reporting the outcome for the drug in the disease (curated studies carry title,
        result and sources, which supply design cues and the source-type check).
    drug, disease, outcome
        What is graded (outcome as displayed, e.g. 'HiSCR').
    effect
        The (pooled) comparative effect and its I², when one can be computed.
    sources
        Source records by tag; studies backed only by secondary sources are rated down.
    comparative_ids
        Studies whose figures for this outcome are a concurrent between-group comparison. A
        randomised trial reporting only single-arm figures for the outcome is not randomised
        evidence for it, so the rating starts at low (default: every study is comparative).
    measure, weeks
        The outcome measure and its timepoint (the rating is per timepoint; ``outcome`` is the label).

    Notes
    -----
    When randomised comparisons exist, the rating uses them alone (GRADE uses the highest-certainty
    body of evidence; Schünemann et al., J Clin Epidemiol 2019). Risk of bias comes from each
    study's RoB 2 / ROBINS-I judgement (:mod:`jakatlas.synthesis.risk_of_bias`).
    """
    comparative = set(comparative_ids) if comparative_ids is not None else {s.id for s in studies}
    rcts = [s for s in studies if s.design == "rct" and s.id in comparative]
    single_arm_rcts = [s.id for s in studies if s.design == "rct" and s.id not in comparative]
    randomised = bool(rcts)
    body = rcts if randomised else list(studies)
    ignored = len(studies) - len(body)
    if randomised:
        start: Certainty = "high"
        start_reason = (f"Started at high: {len(body)} randomised comparison{'s' if len(body) != 1 else ''}"
                        + (f" ({ignored} stud{'y' if ignored == 1 else 'ies'} without a randomised comparison not "
                           "used for the rating)." if ignored else "."))
    elif single_arm_rcts:
        start = "low"
        start_reason = ("Started at low: the figures are single-arm (uncontrolled) results, not a randomised "
                        f"comparison, although {', '.join(single_arm_rcts)} "
                        f"{'is a randomised trial' if len(single_arm_rcts) == 1 else 'are randomised trials'}.")
    else:
        start = "low"
        start_reason = (f"Started at low: {len(body)} non-randomised stud{'y' if len(body) == 1 else 'ies'} "
                        "(observational or uncontrolled evidence).")
    total_n = sum(_n(s) for s in body)
    rob, robs = _risk_of_bias(body, randomised, sources)
    judgements = [rob, _imprecision(body, effect), _inconsistency(effect, len(body)),
                  _indirectness(body, disease, outcome, sources)]
    judgements.append(Judgement("publication bias", 0, "Publication bias not assessed: too few studies "
                                                       "for a funnel plot (not rated down)."))
    up = _large_effect(effect, randomised, rob)
    if up is not None:
        judgements.append(up)
    score = CERTAINTIES.index(start) + sum(j.change for j in judgements)
    certainty = CERTAINTIES[max(0, min(3, score))]
    return GradeAssessment(drug, disease, outcome, certainty, start, tuple(judgements),
                           tuple(s.id for s in body), total_n or None, start_reason, robs, measure or outcome, weeks)

