"""Which measure a figure of a clause reports: the measure named in its part of the clause, the
nearest one, a rate the sentence names ('the response rate was 58%'), or none when the clause
names a score the vocabulary lacks."""

from __future__ import annotations

import re

from jakatlas.extract.assembly.sentences import Ent, Sent
from jakatlas.extract.types import CueKind

__all__ = ["generic_measures", "last_before", "measure_for", "unknown_score_before"]

_GENERIC_MEASURE = re.compile(
    r"\b(?:(?:disease\s+)?(?:activity|severity|itch|pruritus|pain|symptom)\s+(?:scores?|index)|"
    r"(?:(?:total|overall)\s+)?(?:response|remission|clearance|repigmentation|regrowth|relapse|recurrence|flare|"
    r"effective|efficacy|cure|success)\s+rates?)\b",
    re.I,
)
# where a clause falls into parts that each report one measure ('..., and 42% versus 23% were free of X')
_PART = re.compile(r",\s+(?:and\s+|while\s+|whereas\s+|but\s+)?|\s+(?:and|while|whereas|but)\s+", re.I)
# '30% achieved EASI-75': a figure followed by the verb that links it to the measure after it
_VALUE_THEN_MEASURE = re.compile(r"\s*%?\s*(?:\([^()]*\)\s*)?(?:of\s+(?:the\s+)?(?:patients|participants|subjects)\s+)?"
                                 r"(?:achieved|reached|attained|had|showed|met|with|for|in)\s+(?:an?\s+|the\s+|their\s+)?$",
                                 re.I)


def _nearest(items: list[Ent], pos: int) -> Ent | None:
    return min(items, key=lambda e: min(abs(e.start - pos), abs(e.end - pos)), default=None)


def measure_for(measures: list[Ent], pos: int, end: int, text: str, measure_first: bool,
                 bounds: tuple[int, int]) -> Ent | None:
    """The measure a figure at ``[pos, end)`` reports: the only measure of its part of the clause
    ('the SALT score fell by 65% | and the DLQI by 40%'); else, in a clause that names its measure
    before its first figure, the closest measure before it unless a verb links the figure to the
    next one ('30% achieved EASI-75'); else the nearest."""
    lo, hi = bounds
    cut_lo = max((m.end() for m in _PART.finditer(text, lo, pos)), default=lo)
    nxt = _PART.search(text, end, hi)
    cut_hi = nxt.start() if nxt else hi
    own = {m.id: m for m in measures if cut_lo <= m.start and m.end <= cut_hi}
    if len(own) == 1:
        return next(iter(own.values()))
    before = [m for m in measures if m.end <= pos]
    after = [m for m in measures if m.start >= end]
    if not before or not after:
        return _nearest(measures, pos)
    if _VALUE_THEN_MEASURE.fullmatch(text, end, after[0].start):
        return after[0]
    return before[-1] if measure_first else after[0]


# a score's short name written with its number ('ACR20', 'SF-36', 'EQ-5D', 'HAQ-DI'); not the
# names of genes, cytokines, receptors, diseases or registries ('JAK1', 'IL-17', 'CD4', 'COVID-19')
_SCORE_NAME = re.compile(r"(?<![-‐\w])(?!(?:JAK|TYK|STAT|IL|CD|HLA|TNF|IFN|COVID|NCT|TH|IGA|IG)[-‐]?\d)"
                         r"[A-Z]{2,}(?:[-‐]?\d{1,3}[A-Z]?|[-‐][A-Z]{2,3})\b")


def last_before(ents: list[Ent], pos: int) -> Ent | None:
    """The last of ``ents`` named before ``pos`` ('a response rate of 58% and a relapse rate of
    71%'), else the first."""
    before = [e for e in ents if e.start < pos]
    return before[-1] if before else (ents[0] if ents else None)


def unknown_score_before(s: Sent, pos: int) -> bool:
    """The clause names, before ``pos``, a score the vocabulary does not know (not a trial's name)."""
    known = [(e.start, e.end) for e in s.ents] + [(c.start, c.end) for c in s.cues if c.kind == CueKind.TRIAL]
    return any(not any(a <= m.start() < b for a, b in known) for m in _SCORE_NAME.finditer(s.doc_text, s.start, pos))




def generic_measures(text: str, lo: int, hi: int) -> list[Ent]:
    """Rates and scores named in ``text[lo:hi]`` without a vocabulary measure ('the relapse rate')."""
    return [Ent("OUTCOME_MEASURE", g[0].lower(), g[0].lower(), g.start(), g.end(), g[0])
            for g in _GENERIC_MEASURE.finditer(text, lo, hi)]
