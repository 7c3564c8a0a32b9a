"""Structured evidence in the shape of the public extraction contract.

The JSON produced by ``jakatlas extract`` is a public interface (see docs/extraction.md); these
models are its single definition. Unknown values are ``None`` or ``[]``, never guessed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Design",
    "DurationUnit",
    "Span",
    "Duration",
    "Intervention",
    "Comparator",
    "DiseaseRef",
    "Outcome",
    "InferredEffect",
    "AdverseEvent",
    "Study",
    "Mention",
    "SourceInfo",
    "ExtractionResult",
    "DESIGNS",
]

Design = Literal[
    "rct",
    "nonrandomized_trial",
    "open_label_trial",
    "cohort",
    "case_control",
    "case_series",
    "case_report",
    "systematic_review",
    "narrative_review",
    "preclinical",
    "other",
]
DESIGNS: tuple[str, ...] = Design.__args__  # type: ignore[attr-defined]
DurationUnit = Literal["day", "week", "month", "year"]
MentionLabel = Literal[
    "DRUG", "DISEASE", "CYTOKINE", "STAT", "JAK", "OUTCOME_MEASURE", "REGISTRY_ID", "ABBREVIATION"
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Model):
    """Half-open character range ``[start, end)`` into the document's plain text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Duration(_Model):
    value: float = Field(description="Amount of time, in `unit`.")
    unit: DurationUnit

    def days(self) -> float:
        return self.value * {"day": 1.0, "week": 7.0, "month": 30.4375, "year": 365.25}[self.unit]


class Intervention(_Model):
    name: str = Field(description="Lower-case INN, or 'jak inhibitor' for the unnamed class.")
    dose: str | None = Field(None, description="Dose as written, e.g. '5 mg' or '1.5%'.")
    frequency: str | None = Field(None, description="'once daily', 'twice daily', 'weekly', ...")
    route: str | None = Field(None, description="'oral', 'topical', 'subcutaneous', ...")


class Comparator(_Model):
    name: str
    dose: str | None = None
    frequency: str | None = None


class DiseaseRef(_Model):
    name: str = Field(description="Canonical lower-case disease name from the knowledge base.")
    variant: str | None = Field(None, description="Subtype, e.g. 'erosive', 'nail'.")


class InferredEffect(_Model):
    """Machine-inferred direction of the intervention vs the comparator on an outcome
    (:mod:`jakatlas.infer`), with the evidence sentence it rests on; never curated fact."""

    label: Literal["significantly increased", "no significant difference", "significantly decreased"]
    probability: float = Field(ge=0, le=1, description="Model probability of `label`.")
    intervention: str
    comparator: str
    evidence: str = Field(description="The evidence sentence as written.")
    evidence_span: Span
    method: str = Field("machine-inferred", description="Always 'machine-inferred'.")


class Outcome(_Model):
    measure: str = Field(description="Outcome measure name or abbreviation (HiSCR, DLQI, mRSS...).")
    arm: str | None = None
    value: float | None = Field(None, description="On-treatment figure; signed for changes.")
    unit: str | None = None
    comparator_value: float | None = None
    baseline_value: float | None = None
    timepoint: Duration | None = None
    p_value: float | None = None
    p_operator: Literal["<", "<=", "=", ">", ">="] | None = Field(
        None, description="How the p-value was given: 'p<0.05' keeps '<' (p_value is then a bound).")
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = Field(None, description="Patients in the arm, when reported.")
    comparator_n: int | None = None
    spans: list[Span] = Field(default_factory=list)
    inferred: InferredEffect | None = Field(None, description="Machine-inferred direction (full texts only).")


class AdverseEvent(_Model):
    term: str
    value: float | None = None
    unit: str | None = None
    serious: bool | None = None
    arm: str | None = None
    negated: bool = Field(False, description="True for statements such as 'no adverse events'.")


class Study(_Model):
    id: str
    interventions: list[Intervention] = Field(default_factory=list)
    comparators: list[Comparator] = Field(default_factory=list)
    diseases: list[DiseaseRef] = Field(default_factory=list)
    design: Design | None = None
    phase: str | None = None
    n: int | None = None
    duration: Duration | None = None
    registry_ids: list[str] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    adverse_events: list[AdverseEvent] = Field(default_factory=list)
    evidence_level: int | None = Field(None, ge=1, le=5, description="OCEBM 2011 level.")
    spans: list[Span] = Field(default_factory=list)
    hedged: bool = Field(False, description="The claim is stated tentatively ('may', 'might').")


class Mention(_Model):
    label: MentionLabel
    text: str
    id: str | None = None
    start: int
    end: int


class SourceInfo(_Model):
    id: str
    kind: Literal["text", "html", "pubmed_xml", "ctgov_json"]
    sha256: str
    title: str | None = None


class ExtractionResult(_Model):
    source: SourceInfo
    studies: list[Study] = Field(default_factory=list)
    mentions: list[Mention] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
