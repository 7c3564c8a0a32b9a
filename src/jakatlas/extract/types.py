"""Plain data objects written by the pipeline components (no spaCy types inside)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Abbreviation", "Block", "Cue", "CueKind", "Quantity", "QuantityKind"]


class QuantityKind(StrEnum):
    """What a number-bearing expression is."""

    N = "n"
    PERCENT = "percent"
    NUMBER = "number"
    DOSE = "dose"
    FREQUENCY = "frequency"
    DURATION = "duration"
    P_VALUE = "p_value"
    CI = "ci"


class CueKind(StrEnum):
    """What a lexical cue signals to the assembler."""

    DESIGN = "design"  # value: a design cue kind ('rct', 'open_label', 'case_series', ...)
    PHASE = "phase"  # value: normalised phase ('2b')
    ORDINAL = "ordinal"  # value: the study's position ('2' for 'the second trial')
    ANAPHOR = "anaphor"  # value: 'former' or 'latter'
    GROUP = "group"  # value: how many studies are introduced together
    GROUP_REF = "group_ref"  # 'both trials', 'these studies'
    NEW_STUDY = "new_study"  # 'another study'
    SUMMARY = "summary"  # 'In conclusion'
    NEGATION = "negation"  # value: the negated scope's text
    HEDGE = "hedge"  # 'may', 'suggest'
    AE = "ae"  # value: the adverse-event term
    TRIAL = "trial"  # value: a trial name
    COMPARE = "compare"  # 'versus', 'compared with'
    BACKGROUND = "background"  # 'approved', 'refractory to'
    EVIDENCE = "evidence"  # 'improved', 'achieved'
    SPECULATIVE = "speculative"  # 'is being investigated'



@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph, heading or ``Label: value`` field line: half-open range ``[start, end)``."""

    start: int
    end: int
    heading: bool = False
    reference: bool = False
    field: bool = False


@dataclass(frozen=True, slots=True)
class Abbreviation:
    """A short form defined in the text as ``long form (SF)`` (Schwartz & Hearst 2003)."""

    short: str
    long: str
    short_start: int
    long_start: int
    long_end: int


@dataclass(slots=True)
class Quantity:
    """One number-bearing expression found in the text.

    ``kind`` is one of ``n``, ``percent``, ``number``, ``dose``, ``frequency``, ``duration``,
    ``p_value`` and ``ci``. ``value`` is numeric where that makes sense; ``unit`` is the
    normalised unit ('%', 'week', 'mg'); ``text`` is the normalised surface ('5 mg', 'twice daily');
    ``role`` qualifies the expression: for durations 'for' (length of treatment), 'at' (a timepoint)
    or 'adj' ('12-week trial'); for percentages 'threshold' ('>=50%') or 'dose' ('1.5% cream').
    """

    kind: QuantityKind
    start: int
    end: int
    value: float | None = None
    unit: str | None = None
    text: str = ""
    role: str | None = None
    extra: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Cue:
    """A lexical cue: ``kind`` (design, phase, ordinal, group, ae, negation, hedge, ...) and value."""

    kind: CueKind
    value: str
    start: int
    end: int
