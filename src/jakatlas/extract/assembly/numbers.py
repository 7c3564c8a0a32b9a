"""The figures of one sentence, clause by clause: efficacy outcomes (:mod:`.outcomes`) and adverse-event
rates. In a clause about adverse events the percentages are event rates, one per inline study
reference ("70% (study 1) and 81% (study 2)").
"""

from __future__ import annotations

import re
from dataclasses import replace

from jakatlas.extract.assembly.outcomes import (
    Carry,
    FoundAE,
    FoundOutcome,
    arm_after,
    clause_outcomes,
    free_span,
    inline_ordinal,
    names_baseline,
)
from jakatlas.extract.assembly.sentences import Sent
from jakatlas.extract.negation import in_scopes
from jakatlas.extract.types import CueKind, QuantityKind
from jakatlas.models.evidence import AdverseEvent

__all__ = ["sentence_numbers"]

_ANY = re.compile(r"^(?:any|all|overall)\s+", re.I)
_GENERIC_AE = re.compile(r"(?:(?:treatment[- ]emergent|treatment[- ]emerging|treatment[- ]related|drug[- ]related|"
                         r"common|most common|frequent|mild)\s+)*(?:adverse (?:drug )?(?:events?|effects?|reactions?)|"
                         r"side[- ]effects?|(?:te|s)?aes?)", re.I)
_SERIOUS = re.compile(r"\bserious\b", re.I)


def _adverse_events(s: Sent, taken: list[tuple[int, int]]) -> list[FoundAE]:
    cues = [c for c in s.cues if c.kind == CueKind.AE]
    if not cues:
        return []
    scopes = [(c.start, c.end) for c in s.cues if c.kind == CueKind.NEGATION]
    serious: bool | None = None
    for m in _SERIOUS.finditer(s.doc_text, s.start, s.end):
        a, b = m.start(), m.end()
        serious = False if in_scopes(a, b, scopes) else (True if serious is None else serious)
    first = cues[0]
    term = _ANY.sub("", first.value.strip()).lower()
    if in_scopes(first.start, first.end, scopes):
        return [FoundAE(AdverseEvent(term=term, negated=True, serious=True if "serious" in term else serious))]
    if serious is True and "serious" not in term:
        serious = None
    out: list[FoundAE] = []
    for q in s.quant(QuantityKind.PERCENT):
        if q.role or not free_span(s, q.start, q.end, taken):
            continue
        taken.append((q.start, q.end))
        arm = arm_after(s, q.end, 30)
        arm_name = arm.canonical if arm is not None else None
        out.append(FoundAE(AdverseEvent(term=term, value=q.value, unit="%", serious=serious, arm=arm_name),
                           q.start, inline_ordinal(s, q.end)))
    if not out and not _GENERIC_AE.fullmatch(term):
        out.append(FoundAE(AdverseEvent(term=term, serious=serious)))
    return out


def _clauses(s: Sent) -> list[Sent]:
    """``s`` cut at semicolons outside parentheses (each clause reports its own figures)."""
    if ";" not in s.text:
        return [s]
    cuts: list[int] = []
    depth = 0
    for i, ch in enumerate(s.text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            cuts.append(s.start + i + 1)
    if not cuts:
        return [s]
    out: list[Sent] = []
    bounds = [s.start, *cuts, s.end]
    for a, b in zip(bounds, bounds[1:], strict=False):
        c = replace(s, start=a, end=b, text=s.doc_text[a:b])
        c.ents = [e for e in s.ents if a <= e.start < b]
        c.quants = [q for q in s.quants if a <= q.start < b]
        c.cues = [x for x in s.cues if a <= x.start < b or x.kind == CueKind.NEGATION and x.start < b and a < x.end]
        c.drugs = [e for e in s.drugs if a <= e.start < b]
        c.comparators = [e for e in s.comparators if a <= e.start < b]
        c.diseases = [e for e in s.diseases if a <= e.start < b]
        out.append(c)
    return out


def sentence_numbers(s: Sent, carry: Carry, falling: frozenset[str] = frozenset()
                     ) -> tuple[list[FoundOutcome], list[FoundAE]]:
    """Outcomes and adverse events reported in ``s`` (clause by clause); updates ``carry``.

    ``falling`` holds the measures on which lower is better (an 'improvement' of one is a fall)."""
    outcomes: list[FoundOutcome] = []
    aes: list[FoundAE] = []
    for c in _clauses(s):
        o, a = _clause_numbers(c, carry, falling)
        outcomes.extend(o)
        aes.extend(a)
    return outcomes, aes


def _clause_numbers(s: Sent, carry: Carry, falling: frozenset[str]) -> tuple[list[FoundOutcome], list[FoundAE]]:
    taken: list[tuple[int, int]] = []
    measures = s.of("OUTCOME_MEASURE")
    aes: list[FoundAE] = []
    ae_cues = [c for c in s.cues if c.kind == CueKind.AE]
    if ae_cues and not measures:
        aes = _adverse_events(s, taken)
        outcomes: list[FoundOutcome] = []
    else:
        outcomes = clause_outcomes(s, carry, taken, falling)
        if ae_cues:
            aes = _adverse_events(s, taken)
    if measures:
        carry.measure = measures[-1]
        carry.listed = len({m.id for m in measures}) > 1
        if not names_baseline(s.doc_text, s.start, s.end):
            carry.baseline = None
    elif outcomes:
        carry.baseline = None
    return outcomes, aes
