"""Everything the synthesis layer says about one disease, in one call.

Per-arm effect sizes and pooled estimates (:mod:`atlas_effects`), placebo context
(:mod:`placebo`), OCEBM 2011 levels and GRADE certainty per drug x outcome (:mod:`grading`), and
mechanism coverage (:mod:`mechanism`). The store and report layers call :func:`synthesise`; this
module never reads the database itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jakatlas.data import KnowledgeBase, knowledge_base
from jakatlas.models.evidence import Study
from jakatlas.models.knowledge import Disease
from jakatlas.synthesis._common import fmt_weeks
from jakatlas.synthesis.atlas_effects import (
    ArmEffect,
    PooledEffect,
    arm_effects,
    grading_effect,
    pool_effects,
)
from jakatlas.synthesis.grading import GradeAssessment, OcebmLevel, grade_outcome, ocebm_level
from jakatlas.synthesis.mechanism import JAKI_CLASSES, MechanismReport, mechanism_report
from jakatlas.synthesis.placebo import PlaceboContext, UncontrolledFlag, placebo_context, uncontrolled_flags

__all__ = ["NARRATIVE", "DiseaseSynthesis", "study_drugs", "synthesise"]

NARRATIVE = "clinical response (narrative)"
"""Outcome name used to grade studies that report no usable figure."""


@dataclass(frozen=True)
class DiseaseSynthesis:
    """Effects, pooled estimates, placebo context, grades, levels and mechanism for one disease."""

    disease: str
    effects: tuple[ArmEffect, ...]
    pooled: tuple[PooledEffect, ...]
    placebo: tuple[PlaceboContext, ...]
    flags: tuple[UncontrolledFlag, ...]
    grades: tuple[GradeAssessment, ...]
    levels: tuple[OcebmLevel, ...]
    mechanism: MechanismReport

    def grade_for(self, drug: str, measure: str, weeks: float | None = None) -> GradeAssessment | None:
        """The grade of ``drug`` for ``measure`` (at ``weeks`` when given; else the first listed)."""
        for g in self.grades:
            if g.drug == drug and (g.outcome == measure or g.measure == measure) and (weeks is None or g.weeks == weeks):
                return g
        return None

    def ungraded(self, study_id: str) -> bool:
        """The study is in no grade (it reports no results, or only non-randomised figures where trials exist)."""
        return not any(study_id in g.study_ids for g in self.grades)


def study_drugs(study: Study, kb: KnowledgeBase) -> list[str]:
    """The JAK inhibitors a study gives (the unnamed class 'jak inhibitor' when none is named)."""
    names = list(dict.fromkeys(i.name for i in study.interventions))
    jaki = [n for n in names if any(d.name == n and d.drug_class in JAKI_CLASSES for d in kb.drugs.values())]
    return jaki or [n for n in names if n == "jak inhibitor"] or names[:1]


_NO_RESULTS = re.compile(r"\bresults?\b(?: \w+){0,3} (?:were|was|are|is|have|has) not (?:yet )?(?:been )?"
                         r"(?:retrieved|reported|posted|available)|\bno results\b", re.I)


def _no_results(study: Study) -> bool:
    """No outcome figure, and either a randomised trial (a narrative claim is not its result) or a
    result statement that says the results are missing."""
    if any(o.value is not None for o in study.outcomes):
        return False
    return study.design == "rct" or bool(_NO_RESULTS.search(str(getattr(study, "result", "") or "")))


def _grades(studies: Sequence[Study], rows: Sequence[ArmEffect], disease: str, kb: KnowledgeBase) -> list[GradeAssessment]:
    """GRADE per drug x outcome measure x timepoint (estimates of different timepoints are never
    pooled); narrative grades for studies without figures; none for studies without results."""
    by_id = {s.id: s for s in studies}
    groups: dict[tuple[str, str, float | None], list[ArmEffect]] = {}
    for r in rows:
        if r.kind == "descriptive" and r.value is None:
            continue
        groups.setdefault((r.drug, r.measure_key, r.weeks), []).append(r)
    out: list[GradeAssessment] = []
    covered: set[tuple[str, str]] = set()
    for (drug, _key, weeks), rs in groups.items():
        ids = list(dict.fromkeys(r.study_id for r in rs))
        comparative = [r for r in rs if r.kind == "comparative" and r.placebo_controlled] or \
                      [r for r in rs if r.kind == "comparative"]
        concurrent = {r.study_id for r in rs if r.comparator_value is not None
                      and r.role in ("arm", "combined") and r.comparator != "historical controls"}
        label = f"{rs[0].measure}, {fmt_weeks(weeks)}" if weeks is not None else rs[0].measure
        out.append(grade_outcome([by_id[i] for i in ids], drug=drug, disease=disease, outcome=label,
                                 effect=grading_effect(comparative), sources=kb.sources,
                                 comparative_ids=concurrent, measure=rs[0].measure, weeks=weeks))
        covered |= {(drug, i) for i in ids}
    narrative: dict[str, list[Study]] = {}
    for s in studies:
        if _no_results(s):
            continue
        for drug in study_drugs(s, kb):
            if (drug, s.id) not in covered:
                narrative.setdefault(drug, []).append(s)
    for drug, ss in narrative.items():
        out.append(grade_outcome(ss, drug=drug, disease=disease, outcome=NARRATIVE, sources=kb.sources,
                                 comparative_ids=()))
    order = {"high": 0, "moderate": 1, "low": 2, "very low": 3}
    out.sort(key=lambda g: (g.drug, g.outcome == NARRATIVE, order[g.certainty], -(g.total_n or 0), g.outcome))
    return out


def synthesise(
    disease: Disease,
    studies: Sequence[Study | Any],
    kb: KnowledgeBase | None = None,
    *,
    concentration_nm: float | None = None,
) -> DiseaseSynthesis:
    """Synthesise the evidence on ``disease`` from ``studies`` (curated studies preferred).

    Parameters
    ----------
    disease
        The disease record.
    studies
        Studies filed under the disease (contract :class:`Study` or curated studies).
    kb
        Knowledge base for outcome measures, drugs, cytokines and sources (the shipped one by default).
    concentration_nm
        Free drug concentration for the Hill model of the mechanism section (optional).
    """
    kb = kb or knowledge_base()
    rows: list[ArmEffect] = []
    for s in studies:
        rows.extend(arm_effects(s, disease.name, outcomes=kb.outcomes, drugs=kb.drugs))
    contexts = placebo_context(rows)
    return DiseaseSynthesis(
        disease=disease.name,
        effects=tuple(rows),
        pooled=tuple(pool_effects(rows, kb.drugs)),
        placebo=tuple(contexts),
        flags=tuple(uncontrolled_flags(rows, contexts)),
        grades=tuple(_grades(studies, rows, disease.name, kb)),
        levels=tuple(ocebm_level(s) for s in studies),
        mechanism=mechanism_report(disease, kb.cytokines, kb.drugs.values(), concentration_nm=concentration_nm),
    )
