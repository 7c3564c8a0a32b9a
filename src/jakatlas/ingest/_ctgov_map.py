"""Mapping helpers for ClinicalTrials.gov API v2 records (see :mod:`jakatlas.ingest.ctgov`).

Every accessor tolerates missing or mistyped fields: registry JSON is loosely typed (numbers often
arrive as strings) and a user file may hold anything.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from jakatlas.ingest._text import normalize_text
from jakatlas.models.evidence import AdverseEvent, Comparator, Duration, Intervention, Outcome, Span

__all__ = [
    "REGISTRY_ID_TYPES",
    "Groups",
    "adverse_events",
    "arms_of",
    "categories",
    "design_of",
    "dict_at",
    "get_path",
    "interventions_of",
    "list_at",
    "outcomes_of",
    "parse_timeframe",
    "phase_of",
    "text_of",
    "whole_number",
]

_ROLE_BY_TYPE = {
    "EXPERIMENTAL": "experimental",
    "PLACEBO_COMPARATOR": "placebo",
    "SHAM_COMPARATOR": "sham",
    "ACTIVE_COMPARATOR": "active",
    "NO_INTERVENTION": "none",
}
_COMPARATOR_ROLES = frozenset({"placebo", "sham", "active"})
_DRUG_TYPES = frozenset(
    {"DRUG", "BIOLOGICAL", "COMBINATION_PRODUCT", "GENETIC", "DIETARY_SUPPLEMENT", "OTHER", ""}
)
_INACTIVE = re.compile(r"\b(?:placebo|vehicle|sham|dummy)\b", re.IGNORECASE)
_TOTAL = re.compile(r"^\s*(?:total|overall|all\s+(?:participants|patients|subjects))\s*$", re.IGNORECASE)
_DOSE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:mg/kg|mg/m2|mg|mcg|µg|μg|g|ml|mL|%|IU|units?)(?![A-Za-z])")
_FREQUENCIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), f)
    for p, f in (
        (r"\btwice[\s-]+(?:a\s+|per\s+)?da(?:y|ily)\b|\bBID\b", "twice daily"),
        (r"\bthree times[\s-]+(?:a\s+|per\s+)?da(?:y|ily)\b|\bTID\b", "three times daily"),
        (r"\bevery (?:other|2|two) weeks?\b|\bQ2W\b", "every 2 weeks"),
        (r"\bonce[\s-]+(?:a\s+|per\s+)?week(?:ly)?\b|\bQW\b|\bweekly\b", "weekly"),
        (r"\b(?:once|one time)[\s-]+(?:a\s+|per\s+)?da(?:y|ily)\b|\bQD\b|\bOD\b|\bdaily\b", "once daily"),
    )
)
_ROUTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), r)
    for p, r in (
        (r"\b(?:topical|cream|ointment|gel|lotion|foam)\b", "topical"),
        (r"\b(?:oral|orally|by mouth|tablets?|capsules?)\b", "oral"),
        (r"\bsubcutaneous(?:ly)?\b|\bSC\b", "subcutaneous"),
        (r"\bintravenous(?:ly)?\b|\bIV\b", "intravenous"),
    )
)
_TIMEPOINT = re.compile(
    r"\b(?:(?P<unit1>day|week|wk|month|year)s?\s*(?P<value1>\d+(?:\.\d+)?)"
    r"|(?P<value2>\d+(?:\.\d+)?)[\s-]*(?P<unit2>day|week|wk|month|year)s?)\b",
    re.IGNORECASE,
)
_UNIT = {"day": "day", "week": "week", "wk": "week", "month": "month", "year": "year"}
REGISTRY_ID_TYPES = frozenset({"EUDRACT_NUMBER", "CTIS", "ISRCTN"})
_MAX_CATEGORIES = 20


# -- tolerant accessors: registry JSON is loosely typed and user files may be anything -----------


def dict_at(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def list_at(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def text_of(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    if isinstance(value, str) and value.isascii():
        return " ".join(value.split())  # nothing to repair or normalise
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return normalize_text(" ".join(text.split()))


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        match = re.search(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?", text_of(value).replace(",", ""))
        if not match:
            return None
        number = float(match.group(0))
    return number if math.isfinite(number) else None


def whole_number(value: Any) -> int | None:
    number = _num(value)
    return int(number) if number is not None and number >= 0 and number.is_integer() else None


def get_path(obj: Any, *path: str) -> Any:
    for key in path:
        obj = dict_at(obj).get(key)
    return obj


def parse_timeframe(text: str) -> Duration | None:
    """The latest time point in a time frame: ``"Baseline to Week 16"`` -> 16 weeks."""
    best: Duration | None = None
    for m in _TIMEPOINT.finditer(text):
        value = float(m.group("value1") or m.group("value2"))
        unit = _UNIT[(m.group("unit1") or m.group("unit2")).lower()]
        candidate = Duration(value=value, unit=unit)  # type: ignore[arg-type]
        if value > 0 and (best is None or candidate.days() > best.days()):
            best = candidate
    return best


# -- arms --------------------------------------------------------------------------------------


@dataclass
class _Arm:
    label: str
    role: str
    description: str
    drugs: list[dict[str, Any]] = field(default_factory=list)
    kind: str = ""


def arms_of(protocol: dict[str, Any]) -> list[_Arm]:
    module = dict_at(protocol.get("armsInterventionsModule"))
    interventions = [dict_at(i) for i in list_at(module.get("interventions"))]
    arms: list[_Arm] = []
    for group in map(dict_at, list_at(module.get("armGroups"))):
        label = text_of(group.get("label"))
        kind = text_of(group.get("type")).upper()
        role = _ROLE_BY_TYPE.get(kind) or ("placebo" if _INACTIVE.search(label) else "experimental")
        arm = _Arm(label=label, role=role, description=text_of(group.get("description")), kind=kind)
        for iv in interventions:
            if label and label.lower() in {text_of(x).lower() for x in list_at(iv.get("armGroupLabels"))}:
                arm.drugs.append(iv)
        if not arm.drugs:
            for name in map(text_of, list_at(group.get("interventionNames"))):
                kind_name = name.split(":", 1)
                iv_type, iv_name = (kind_name[0], kind_name[1]) if len(kind_name) == 2 else ("", name)
                arm.drugs.append({"type": iv_type.strip().upper().replace(" ", "_"), "name": iv_name.strip()})
        arms.append(arm)
    if not arms and interventions:
        arms.append(_Arm(label="", role="experimental", description="", drugs=interventions))
    return arms


def _active_drugs(arm: _Arm) -> list[dict[str, Any]]:
    return [
        iv
        for iv in arm.drugs
        if text_of(iv.get("type")).upper() in _DRUG_TYPES
        and text_of(iv.get("name"))
        and not _INACTIVE.search(text_of(iv.get("name")))
    ]


def _first_match(patterns: Iterable[tuple[re.Pattern[str], str]], texts: list[str]) -> str | None:
    for text in texts:
        for pattern, value in patterns:
            if pattern.search(text):
                return value
    return None


def _regimen(arm: _Arm, iv: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    texts = [arm.label, text_of(iv.get("name")), text_of(iv.get("description")), arm.description]
    dose = next((m.group(0) for t in texts if (m := _DOSE.search(t))), None)
    return dose, _first_match(_FREQUENCIES, texts), _first_match(_ROUTES, texts)


def interventions_of(arms: list[_Arm]) -> tuple[list[Intervention], list[Comparator]]:
    interventions: list[Intervention] = []
    comparators: list[Comparator] = []
    for arm in arms:
        if arm.role in {"placebo", "sham"}:
            names = " ".join([arm.label, *(text_of(iv.get("name")) for iv in arm.drugs)]).lower()
            name = (
                "vehicle"
                if "vehicle" in names
                else "sham"
                if arm.role == "sham" or "sham" in names
                else "placebo"
            )
            item = Comparator(name=name)
            if item not in comparators:
                comparators.append(item)
            continue
        if arm.role not in {"experimental", "active"}:
            continue
        for iv in _active_drugs(arm):
            dose, frequency, route = _regimen(arm, iv)
            name = text_of(iv.get("name")).lower()
            if arm.role == "active":
                comp = Comparator(name=name, dose=dose, frequency=frequency)
                if comp not in comparators:
                    comparators.append(comp)
            else:
                new = Intervention(name=name, dose=dose, frequency=frequency, route=route)
                if new not in interventions:
                    interventions.append(new)
    return interventions, comparators


def _arm_for(title: str, arms: list[_Arm]) -> _Arm | None:
    key = title.lower().strip()
    if not key:
        return None
    for arm in arms:
        if arm.label.lower().strip() == key:
            return arm
    partial = [a for a in arms if a.label and (a.label.lower() in key or key in a.label.lower())]
    return max(partial, key=lambda a: len(a.label)) if partial else None


class Groups:
    """Result groups (``OG000``, ``EG000``...) resolved to roles and arm names."""

    def __init__(self, groups: list[Any], arms: list[_Arm]) -> None:
        self.title: dict[str, str] = {}
        self.role: dict[str, str] = {}
        self.arm_name: dict[str, str] = {}
        drug_arms: dict[str, int] = {}
        for candidate in arms:
            if candidate.role == "experimental":
                for name in {text_of(iv.get("name")).lower() for iv in _active_drugs(candidate)}:
                    drug_arms[name] = drug_arms.get(name, 0) + 1
        for group in map(dict_at, groups):
            gid, title = text_of(group.get("id")), text_of(group.get("title"))
            if not gid:
                continue
            arm = _arm_for(title, arms)
            if _TOTAL.match(title):
                role = "total"
            elif arm is not None:
                role = arm.role
            else:
                role = (
                    "placebo"
                    if _INACTIVE.search(f"{title} {text_of(group.get('description'))}")
                    else "experimental"
                )
            self.title[gid], self.role[gid] = title, role
            drugs = [text_of(iv.get("name")).lower() for iv in _active_drugs(arm)] if arm else []
            unique = len(drugs) == 1 and drug_arms.get(drugs[0]) == 1
            self.arm_name[gid] = drugs[0] if unique else title


# -- results ----------------------------------------------------------------------------------


def _counts(denoms: Any) -> dict[str, int]:
    for denom in map(dict_at, list_at(denoms)):
        counts = {
            text_of(c.get("groupId")): n
            for c in map(dict_at, list_at(denom.get("counts")))
            if (n := whole_number(c.get("value"))) is not None
        }
        if counts:
            return counts
    return {}


def _p_value(analyses: list[Any], gids: set[str]) -> float | None:
    for analysis in map(dict_at, analyses):
        if gids <= {text_of(g) for g in list_at(analysis.get("groupIds"))}:
            p = _num(analysis.get("pValue"))
            if p is not None and 0 <= p <= 1:
                return p
    return None


@dataclass
class _Category:
    measure: str
    unit: str | None
    timeframe: str
    values: dict[str, float]
    counts: dict[str, int]
    analyses: list[Any]
    param: str

    def reported(self, gid: str) -> tuple[float | None, str | None]:
        """The value for group ``gid`` as the contract wants it: participant counts become %."""
        value = self.values.get(gid)
        if value is None:
            return None, self.unit
        if self.param == "COUNT_OF_PARTICIPANTS" and self.counts.get(gid):
            return round(100.0 * value / self.counts[gid], 2), "%"
        if self.unit and re.search(r"percent", self.unit, re.IGNORECASE):
            return value, "%"
        return value, self.unit

    def cell(self, gid: str) -> str:
        """The value for group ``gid`` as rendered in the document text."""
        value, n = self.values.get(gid), self.counts.get(gid)
        if value is None:
            return "NA"
        if self.param == "COUNT_OF_PARTICIPANTS" and n:
            return f"{value:g}/{n} ({100.0 * value / n:.1f}%)"
        return f"{value:g}" + (f" (n={n})" if n is not None else "")


def categories(measure: dict[str, Any]) -> list[_Category]:
    title = text_of(measure.get("title"))
    unit = text_of(measure.get("unitOfMeasure"))
    param = text_of(measure.get("paramType")).upper()
    base_counts = _counts(measure.get("denoms"))
    classes = [dict_at(c) for c in list_at(measure.get("classes"))]
    multiple = sum(len(list_at(c.get("categories"))) or 1 for c in classes) > 1
    out: list[_Category] = []
    for cls in classes:
        counts = _counts(cls.get("denoms")) or base_counts
        for cat in map(dict_at, list_at(cls.get("categories"))):
            values = {
                text_of(m.get("groupId")): v
                for m in map(dict_at, list_at(cat.get("measurements")))
                if (v := _num(m.get("value"))) is not None
            }
            label = " ".join(x for x in (text_of(cls.get("title")), text_of(cat.get("title"))) if x)
            name = f"{title}: {label}" if multiple and label else title
            out.append(
                _Category(
                    name,
                    unit or None,
                    text_of(measure.get("timeFrame")),
                    values,
                    counts,
                    list_at(measure.get("analyses")),
                    param,
                )
            )
            if len(out) >= _MAX_CATEGORIES:
                return out
    return out


def outcomes_of(cat: _Category, groups: Groups, span: Span | None) -> list[Outcome]:
    present = [g for g in groups.title if g in cat.values]
    comparators = [g for g in present if groups.role.get(g) in _COMPARATOR_ROLES]
    treated = [g for g in present if groups.role.get(g) not in _COMPARATOR_ROLES | {"total"}]
    comp = comparators[0] if len(comparators) == 1 else None
    comp_value, _unit = cat.reported(comp) if comp else (None, None)
    timepoint = parse_timeframe(cat.timeframe)
    outcomes = []
    for gid in treated:
        value, unit = cat.reported(gid)
        outcomes.append(
            Outcome(
                measure=cat.measure,
                arm=groups.arm_name.get(gid),
                value=value,
                unit=unit,
                comparator_value=comp_value,
                timepoint=timepoint,
                n=cat.counts.get(gid),
                comparator_n=cat.counts.get(comp) if comp else None,
                p_value=_p_value(cat.analyses, {gid, comp}) if comp else None,
                spans=[span] if span else [],
            )
        )
    return outcomes


def _percent(affected: Any, at_risk: Any) -> float | None:
    a, n = whole_number(affected), whole_number(at_risk)
    return round(100.0 * a / n, 2) if a is not None and n and a <= n else None


def adverse_events(module: dict[str, Any], arms: list[_Arm]) -> list[AdverseEvent]:
    groups = Groups(list_at(module.get("eventGroups")), arms)
    events: list[AdverseEvent] = []
    for group in map(dict_at, list_at(module.get("eventGroups"))):
        arm = groups.arm_name.get(text_of(group.get("id")))
        for term, prefix, serious in (
            ("any serious adverse event", "serious", True),
            ("any other adverse event", "other", False),
            ("death", "deaths", True),
        ):
            value = _percent(group.get(f"{prefix}NumAffected"), group.get(f"{prefix}NumAtRisk"))
            if value is not None:
                events.append(AdverseEvent(term=term, value=value, unit="%", serious=serious, arm=arm))
    for key, serious in (("seriousEvents", True), ("otherEvents", False)):
        for event in map(dict_at, list_at(module.get(key))):
            term = text_of(event.get("term")).lower()
            for stat in map(dict_at, list_at(event.get("stats"))):
                value = _percent(stat.get("numAffected"), stat.get("numAtRisk"))
                if term and value is not None:
                    events.append(
                        AdverseEvent(
                            term=term,
                            value=value,
                            unit="%",
                            serious=serious,
                            arm=groups.arm_name.get(text_of(stat.get("groupId"))),
                        )
                    )
    return events


# -- design -----------------------------------------------------------------------------------


def design_of(module: dict[str, Any]) -> str | None:
    study_type = text_of(module.get("studyType")).upper()
    info = dict_at(module.get("designInfo"))
    if study_type == "OBSERVATIONAL":
        model = text_of(info.get("observationalModel")).upper()
        return {"CASE_CONTROL": "case_control", "CASE_ONLY": "case_series"}.get(model, "cohort")
    if study_type == "EXPANDED_ACCESS":
        return "other"
    if study_type != "INTERVENTIONAL":
        return None
    allocation = text_of(info.get("allocation")).upper()
    if allocation == "RANDOMIZED":
        return "rct"
    if allocation == "NON_RANDOMIZED":
        return "nonrandomized_trial"
    masking = text_of(dict_at(info.get("maskingInfo")).get("masking")).upper()
    return "open_label_trial" if masking in {"", "NONE"} else "nonrandomized_trial"


def phase_of(module: dict[str, Any]) -> str | None:
    names = {"EARLY_PHASE1": "0", "PHASE1": "1", "PHASE2": "2", "PHASE3": "3", "PHASE4": "4"}
    phases = sorted({names[p] for p in map(text_of, list_at(module.get("phases"))) if p.upper() in names})
    return "/".join(phases) or None
