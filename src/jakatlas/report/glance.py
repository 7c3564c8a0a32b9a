"""The dossier's "at a glance" box: the few numbers a reader needs before the tables.

Every figure is taken from the dossier's own synthesis (no new computation): the evidence volume,
the best OCEBM level, the highest GRADE certainty with its outcome, the largest comparison against
placebo or vehicle with its risk difference, and the year of the newest source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jakatlas.data import KnowledgeBase, knowledge_base
from jakatlas.synthesis._common import fmt_timepoint
from jakatlas.synthesis.atlas_effects import ArmEffect, fmt_rd
from jakatlas.synthesis.grading import GradeAssessment

if TYPE_CHECKING:
    from jakatlas.report.dossier import Dossier
    from jakatlas.synthesis.disease import DiseaseSynthesis

__all__ = ["KeyFact", "at_a_glance", "best_grade", "largest_comparison", "describe_comparison"]

_RANK = {"high": 0, "moderate": 1, "low": 2, "very low": 3}
_LEVEL_WORDS = {1: "systematic review of randomised trials", 2: "randomised trial", 3: "controlled study",
                4: "case series or case report", 5: "mechanism-based reasoning"}


@dataclass(frozen=True)
class KeyFact:
    label: str
    value: str


def best_grade(syn: DiseaseSynthesis, drug: str | None = None) -> GradeAssessment | None:
    """The highest GRADE certainty (over ``drug``'s outcomes, or all); ties keep the larger evidence base."""
    grades = [g for g in syn.grades if drug is None or g.drug == drug]
    return min(grades, key=lambda g: (_RANK.get(g.certainty, 9), -(g.total_n or 0)), default=None)


def largest_comparison(syn: DiseaseSynthesis, drug: str | None = None) -> ArmEffect | None:
    """The controlled comparison (arm sizes known, risk difference computed) with the most patients."""
    rows = [e for e in syn.effects if (drug is None or e.drug == drug) and e.rd is not None
            and e.comparator_value is not None]
    return max(rows, key=lambda e: ((e.n or 0) + (e.comparator_n or 0), e.rd.estimate if e.rd else 0.0),
               default=None)


def describe_comparison(e: ArmEffect, *, with_drug: bool = False) -> str:
    """'HiSCR, wk 16: 48.1% vs placebo 28.8%; RD +19.2 pp (95% CI ...) (Kirby 2024)'."""
    head = f"{e.arm or e.drug}, " if with_drug else ""
    rd = f"; RD {fmt_rd(e.rd)}" if e.rd is not None else ""
    return (f"{head}{e.measure}, {fmt_timepoint(e.weeks, e.weeks_assumed)}: {e.value:g}% vs "
            f"{e.comparator or 'comparator'} {e.comparator_value:g}%{rd} ({e.label})")


def at_a_glance(d: Dossier, kb: KnowledgeBase | None = None) -> list[KeyFact]:
    """Key facts for the top of a dossier, each traceable to a table further down. Levels, certainty
    and effects are those of the JAK inhibitors; other drugs (benchmarks such as biologics) are counted
    in the evidence volume and named as benchmarks."""
    from jakatlas.synthesis.mechanism import JAKI_CLASSES

    kb = kb or knowledge_base()
    names = {g.name for g in kb.drugs.values() if g.drug_class in JAKI_CLASSES} | {"jak inhibitor"}  # class-level
    jaki = names & {s.drug for s in d.drugs}
    ids = list(dict.fromkeys(s.id for s in d.studies))
    lines = {s.id: s for s in d.studies}
    randomised = sum(1 for i in ids if lines[i].design and "RCT" in lines[i].design.upper())
    on_jaki = len({s.id for s in d.studies if s.drug in jaki})
    n = d.n_patients
    facts = [KeyFact("Evidence", f"{len(ids)} {'study' if len(ids) == 1 else 'studies'} ({randomised} randomised; "
                     f"{on_jaki} on JAK inhibitors); "
                     + ("patients not reported" if n is None else f"{n:,} patients with reported n"))]
    others = sorted({s.drug for s in d.drugs} - jaki)
    if others:
        facts.append(KeyFact("Benchmarks (not JAK inhibitors)", ", ".join(others)))
    levels = [s.best_level for s in d.drugs if s.best_level is not None and s.drug in jaki]
    if levels:
        best = min(levels)
        at = ", ".join(s.drug for s in d.drugs if s.best_level == best and s.drug in jaki)
        facts.append(KeyFact("Best JAK-inhibitor evidence", f"level {best} ({_LEVEL_WORDS.get(best, '')}): {at}"))
    grades = [g for g in (best_grade(d.synthesis, x) for x in jaki) if g is not None]
    grade = min(grades, key=lambda g: (_RANK.get(g.certainty, 9), -(g.total_n or 0)), default=None)
    facts.append(KeyFact("Highest certainty", f"{grade.certainty.upper()}: {grade.drug}, {grade.outcome}"
                         if grade else "no JAK-inhibitor outcome could be graded"))
    comps = [c for c in (largest_comparison(d.synthesis, x) for x in jaki) if c is not None]
    comp = max(comps, key=lambda e: ((e.n or 0) + (e.comparator_n or 0), e.rd.estimate if e.rd else 0.0),
               default=None)
    facts.append(KeyFact("Largest JAK-inhibitor comparison", describe_comparison(comp, with_drug=True)
                         if comp else "no controlled comparison with arm sizes"))
    years: dict[int, list[str]] = {}
    for s in d.studies:
        if s.drug not in jaki:
            continue
        ys = [y for t in s.sources if t in kb.sources and (y := kb.sources[t].year) is not None]
        if ys:
            years.setdefault(max(ys), []).append(s.label)
    if years:
        newest = max(years)
        facts.append(KeyFact("Newest JAK-inhibitor evidence", f"{newest} ({', '.join(dict.fromkeys(years[newest]))})"))
    else:
        facts.append(KeyFact("Newest JAK-inhibitor evidence", "publication years not recorded"))
    return facts
