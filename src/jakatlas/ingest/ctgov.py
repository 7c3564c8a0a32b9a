"""ClinicalTrials.gov API v2 study JSON to a contract :class:`~jakatlas.models.evidence.Study`.

A registry record is already structured, so it maps straight to the contract instead of going
through NLP: arms and interventions, design and phase, enrolment, the primary outcome time frame,
posted outcome measures (value per arm against the comparator arm) and adverse events (percentage
of participants affected per arm). Intervention and condition names are kept as registered, in
lower case; the NLP layer maps them to INNs and knowledge-base diseases. The document text is a
readable rendering of the record; study and outcome spans point into it.

Field names follow the public API v2 data structure (``protocolSection``, ``resultsSection``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from jakatlas.errors import InputError
from jakatlas.ingest._ctgov_map import (
    REGISTRY_ID_TYPES,
    Groups,
    adverse_events,
    arms_of,
    categories,
    design_of,
    dict_at,
    get_path,
    interventions_of,
    list_at,
    outcomes_of,
    parse_timeframe,
    phase_of,
    text_of,
    whole_number,
)
from jakatlas.ingest._text import ACCEPTED
from jakatlas.ingest.document import Section
from jakatlas.models.evidence import DiseaseRef, Outcome, Span, Study

__all__ = [
    "CtgovRendering",
    "ctgov_records",
    "ctgov_study",
    "is_ctgov_study",
    "parse_timeframe",
    "render_study",
]


def is_ctgov_study(obj: Any) -> bool:
    """True for an API v2 study object (it has a ``protocolSection`` mapping)."""
    return isinstance(obj, dict) and isinstance(obj.get("protocolSection"), dict)


def ctgov_records(obj: Any, label: str) -> list[dict[str, Any]]:
    """The study objects of a single study, a ``{"studies": [...]}`` page or a list of studies."""
    if is_ctgov_study(obj):
        return [obj]
    items = obj.get("studies") if isinstance(obj, dict) else obj
    if isinstance(items, list):
        if not items:
            raise InputError(f"{label} is empty: the JSON lists no studies; give at least one study.")
        for i, item in enumerate(items):
            if not is_ctgov_study(item):
                raise InputError(
                    f"{label}: item {i} of the study list is not a ClinicalTrials.gov v2 study "
                    "(no 'protocolSection'); fetch studies from the API v2 (format=json)."
                )
        return items
    raise InputError(
        f"{label}: this JSON is not a ClinicalTrials.gov v2 study; accepted inputs are {ACCEPTED} "
        "(a study object with 'protocolSection', {\"studies\": [...]} or a list of studies)."
    )


# -- rendering and assembly -------------------------------------------------------------------


class _Writer:
    """Lines of text with their spans; ``open``/``close`` delimit named sections."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.sections: list[Section] = []
        self._open: tuple[str, int | None] | None = None

    def line(self, text: str) -> Span | None:
        if not text:
            return None
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        if self._open is not None and self._open[1] is None:
            self._open = (self._open[0], start)
        return Span(start=start, end=self.length)

    def blank(self) -> None:
        if self.parts and self.parts[-1] != "\n":
            self.parts.append("\n")
            self.length += 1

    def open(self, name: str) -> None:
        self.blank()
        self._open = (name, None)

    def close(self) -> None:
        if self._open is not None and self._open[1] is not None:
            self.sections.append(Section(self._open[0], self._open[1], self.length))
        self._open = None

    def text(self) -> str:
        return "".join(self.parts).rstrip("\n")


@dataclass
class CtgovRendering:
    """A study record as readable text, its sections, and the contract :class:`Study`."""

    nct_id: str | None
    title: str | None
    text: str
    sections: list[Section]
    study: Study


def render_study(record: dict[str, Any], label: str = "input") -> CtgovRendering:
    """Render one API v2 study object and map it to a contract :class:`Study`."""
    protocol = dict_at(record.get("protocolSection"))
    results = dict_at(record.get("resultsSection"))
    ident = dict_at(protocol.get("identificationModule"))
    design_module = dict_at(protocol.get("designModule"))
    nct = text_of(ident.get("nctId")) or None
    brief, official = text_of(ident.get("briefTitle")), text_of(ident.get("officialTitle"))
    conditions = [c for c in map(text_of, list_at(get_path(protocol, "conditionsModule", "conditions"))) if c]
    arms = arms_of(protocol)
    w = _Writer()

    w.open("title")
    w.line(brief or official or (nct or "Untitled study"))
    if official and official != brief and brief:
        w.line(official)
    w.close()
    w.open("design")
    w.line(f"ClinicalTrials.gov identifier: {nct}" if nct else "")
    w.line(f"Conditions: {'; '.join(conditions)}." if conditions else "")
    info = dict_at(design_module.get("designInfo"))
    enrollment = dict_at(design_module.get("enrollmentInfo"))
    facts = [
        f"{text_of(design_module.get('studyType')).lower().replace('_', ' ')} study"
        if design_module.get("studyType")
        else "",
        f"phase {phase_of(design_module)}" if phase_of(design_module) else "",
        f"{text_of(info.get('allocation')).lower().replace('_', '-')} allocation"
        if text_of(info.get("allocation")).upper() not in {"", "NA"}
        else "",
        f"{text_of(info.get('interventionModel')).lower().replace('_', ' ')} assignment"
        if info.get("interventionModel")
        else "",
        f"masking: {text_of(dict_at(info.get('maskingInfo')).get('masking')).lower()}"
        if dict_at(info.get("maskingInfo")).get("masking")
        else "",
        f"enrollment {text_of(enrollment.get('count'))} participants"
        if text_of(enrollment.get("count"))
        else "",
    ]
    w.line("Design: " + ", ".join(f for f in facts if f) + "." if any(facts) else "")
    w.close()
    summary = text_of(get_path(protocol, "descriptionModule", "briefSummary"))
    if summary:
        w.open("summary")
        w.line(f"Summary: {summary}")
        w.close()
    if arms:
        w.open("arms")
        w.line("Arms and interventions:")
        for arm in arms:
            names = ", ".join(
                f"{text_of(iv.get('type')).lower().replace('_', ' ')}: {text_of(iv.get('name'))}"
                for iv in arm.drugs
            )
            kind = arm.kind.lower().replace("_", " ") or arm.role
            w.line(
                f"- {arm.label or 'Single arm'} ({kind}): {arm.description} Interventions: {names or 'none listed'}."
            )
        w.close()
    primaries = [dict_at(o) for o in list_at(get_path(protocol, "outcomesModule", "primaryOutcomes"))]
    secondaries = [dict_at(o) for o in list_at(get_path(protocol, "outcomesModule", "secondaryOutcomes"))]
    if primaries or secondaries:
        w.open("planned_outcomes")
        for kind_name, items in (("Primary", primaries), ("Secondary", secondaries)):
            for o in items:
                tf = text_of(o.get("timeFrame"))
                w.line(
                    f"{kind_name} outcome: {text_of(o.get('measure'))}"
                    + (f" (time frame: {tf})." if tf else ".")
                )
        w.close()

    outcomes: list[Outcome] = []
    measures = [dict_at(m) for m in list_at(get_path(results, "outcomeMeasuresModule", "outcomeMeasures"))]
    if measures:
        w.open("results")
        w.line("Results:")
        for measure in measures:
            groups = Groups(list_at(measure.get("groups")), arms)
            for cat in categories(measure):
                cells = [f"{groups.title[g]} {cat.cell(g)}" for g in groups.title if g in cat.values]
                unit = f" [{cat.unit}]" if cat.unit else ""
                tf = f" at {cat.timeframe}" if cat.timeframe else ""
                span = w.line(f"- {cat.measure}{unit}{tf}: {'; '.join(cells) or 'no values posted'}.")
                outcomes.extend(outcomes_of(cat, groups, span))
        w.close()
    ae_module = dict_at(results.get("adverseEventsModule"))
    adverse = adverse_events(ae_module, arms)
    if ae_module.get("eventGroups"):
        w.open("adverse_events")
        w.line("Adverse events:")
        for group in map(dict_at, list_at(ae_module.get("eventGroups"))):
            w.line(
                f"- {text_of(group.get('title'))}: serious {text_of(group.get('seriousNumAffected')) or 'NA'}/"
                f"{text_of(group.get('seriousNumAtRisk')) or 'NA'}, other {text_of(group.get('otherNumAffected')) or 'NA'}/"
                f"{text_of(group.get('otherNumAtRisk')) or 'NA'}."
            )
        w.close()

    text = w.text()
    duration = None
    if primaries:
        duration = parse_timeframe(text_of(primaries[0].get("timeFrame")))
    if duration is None and measures:
        duration = parse_timeframe(text_of(measures[0].get("timeFrame")))
    interventions, comparators = interventions_of(arms)
    registry = [nct] if nct else []
    for sid in map(dict_at, list_at(ident.get("secondaryIdInfos"))):
        if text_of(sid.get("type")).upper() in REGISTRY_ID_TYPES and text_of(sid.get("id")):
            registry.append(text_of(sid.get("id")))
    try:
        study = Study(
            id=nct or "s1",
            interventions=interventions,
            comparators=comparators,
            diseases=[DiseaseRef(name=c.lower()) for c in conditions],
            design=design_of(design_module),  # type: ignore[arg-type]
            phase=phase_of(design_module),
            n=whole_number(enrollment.get("count")),
            duration=duration,
            registry_ids=registry,
            outcomes=outcomes,
            adverse_events=adverse,
            spans=[Span(start=0, end=len(text))],
        )
    except ValidationError as exc:
        raise InputError(
            f"{label}: study {nct or '?'} has values outside the evidence contract ({exc.error_count()} errors); check the record."
        ) from None
    return CtgovRendering(
        nct_id=nct, title=brief or official or None, text=text, sections=w.sections, study=study
    )


def ctgov_study(record: dict[str, Any]) -> Study:
    """The contract :class:`Study` of one API v2 study object (spans index its rendering)."""
    return render_study(record).study
