"""Helpers shared by the synthesis modules: outcome-measure keys, timepoints, comparators, text cues."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from jakatlas.data._kb import norm_key
from jakatlas.models.evidence import Duration, Outcome, Study
from jakatlas.models.knowledge import OutcomeMeasure

__all__ = [
    "PLACEBO_NAMES",
    "is_placebo",
    "measure_key",
    "measure_label",
    "outcome_weeks",
    "study_text",
    "study_weeks",
    "has_comparator",
    "fmt_pct",
    "fmt_weeks",
]

PLACEBO_NAMES: frozenset[str] = frozenset({"placebo", "vehicle", "vehicle cream", "sham"})
_RESPONDER_WORDS = frozenset({"ts", "response", "responder", "success"})
_TRAILING_50 = re.compile(r"^(hiscr|an|easi|pasi|salt|vasi|fvasi|tvasi)50$")


def is_placebo(name: str | None) -> bool:
    """True for placebo, vehicle and sham comparators."""
    return bool(name) and norm_key(name or "") in {norm_key(p) for p in PLACEBO_NAMES}


def _alnum(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", norm_key(text))


def measure_key(measure: str, outcomes: Mapping[str, OutcomeMeasure] | None = None) -> str:
    """A comparable key for an outcome measure as written ('HiSCR50', 'HiSCR' -> 'hiscr50').

    Resolves through the knowledge base's outcome names, abbreviations and synonyms. A synonym
    that adds a responder threshold the record's id does not carry ('AN50' of the AN count,
    'SALT ≤20' of SALT) keeps it as a suffix, so responder rates and scores are never pooled
    together.
    """
    key = _alnum(measure)
    if outcomes:
        for o in outcomes.values():
            base = {_alnum(n) for n in (o.id, o.name, *([o.abbreviation] if o.abbreviation else []))}
            if key in base:
                return o.id
            if key in {_alnum(n) for n in o.synonyms}:
                extra = re.sub(r"[^0-9]", "", key)
                words = set(re.findall(r"[a-z]+", measure.lower())) & _RESPONDER_WORDS
                same = (not extra or extra in _alnum(o.id)) and not (words - set(re.findall(r"[a-z]+", o.id)))
                return o.id if same else f"{o.id}:{key}"
    m = _TRAILING_50.match(key)
    if m and m.group(1) == "hiscr":
        return "hiscr50"
    return key


def measure_label(key: str, outcomes: Mapping[str, OutcomeMeasure] | None = None, fallback: str = "") -> str:
    """Display label of a measure key: the abbreviation or name from the knowledge base."""
    if outcomes and key in outcomes:
        o = outcomes[key]
        return o.abbreviation or o.name
    return fallback or key.split(":")[-1]


def _weeks(d: Duration | None) -> float | None:
    return None if d is None else round(d.days() / 7.0, 1)


def outcome_weeks(o: Outcome) -> float | None:
    """Timepoint of an outcome in weeks (None when not reported)."""
    return _weeks(o.timepoint)


def study_weeks(s: Study) -> float | None:
    return _weeks(s.duration)


def fmt_weeks(w: float | None) -> str:
    if w is None:
        return "time not reported"
    return f"wk {round(w):d}" if abs(w - round(w)) < 0.3 else f"wk {w:g}"


def fmt_timepoint(w: float | None, assumed: bool = False) -> str:
    """A result's time point; when the source gives none, say so and show the study length apart
    (``not reported (study wk 48)``), never as if it were the time point."""
    if assumed:
        return "not reported" + (f" (study {fmt_weeks(w)})" if w is not None else "")
    return fmt_weeks(w)


def fmt_pct(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}%"


def study_text(s: Any) -> str:
    """Lower-case free text of a study (title, result, notes, citation) for design cues."""
    parts = [str(getattr(s, k, "") or "") for k in ("title", "result", "citation")]
    parts += [str(n) for n in getattr(s, "notes", []) or []]
    return " ".join(parts).lower()


def has_comparator(s: Study) -> bool:
    """The study reports a concurrent comparator arm (or comparator figures)."""
    return bool(s.comparators) or any(o.comparator_value is not None for o in s.outcomes)
