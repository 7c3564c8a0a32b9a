"""Pydantic schemas of the JSON API (kept apart from the ORM tables and the core models)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from jakatlas.models.evidence import (
    AdverseEvent,
    Comparator,
    DiseaseRef,
    Duration,
    Intervention,
    Outcome,
)
from jakatlas.models.knowledge import Disease, Drug
from jakatlas.store.views import EvidenceRow

__all__ = [
    "ErrorOut",
    "HealthOut",
    "DiseaseSummary",
    "DrugSummary",
    "DiseaseDetail",
    "DrugDetail",
    "CoverageItem",
    "StudyItem",
    "StudyPage",
    "DocumentOut",
    "StudyDetail",
    "StudyEdit",
    "SearchHit",
    "SearchOut",
    "MapCell",
    "EvidenceMapOut",
    "CompareColumn",
    "CompareOut",
    "ExtractIn",
    "StatusFilter",
]

StatusFilter = Literal["curated", "candidate", "rejected", "reviewable", "all"]


class ErrorOut(BaseModel):
    """Every error: what went wrong, how to fix it, and close matches for unknown names."""

    error: str
    hint: str | None = None
    suggestions: list[str] = Field(default_factory=list)


class HealthOut(BaseModel):
    status: Literal["ok", "unavailable"]
    version: str
    database: str = Field(description="Backend name: sqlite or postgresql.")
    studies: int | None = None


class DiseaseSummary(BaseModel):
    id: str
    name: str
    abbreviations: list[str]
    synonyms: list[str]
    identifiers: list[str]
    studies: int = Field(description="Curated studies in the atlas.")
    candidates: int = Field(description="Extracted studies awaiting curation.")
    best_level: int | None = Field(None, description="Best (lowest) OCEBM level among curated studies.")
    url: str


class DrugSummary(BaseModel):
    id: str
    name: str
    drug_class: str
    brands: list[str]
    codes: list[str]
    targets: list[str]
    status: str
    boxed_warning: bool | None
    studies: int
    url: str


class CoverageItem(BaseModel):
    """Whether a drug's JAK targets reach a cytokine's signalling pair."""

    cytokine_id: str
    cytokine: str
    jaks: list[str]
    jak_dependent: bool | None
    blocked_via: list[str] = Field(description="The cytokine's JAKs through which the drug reaches it.")
    reach: str | None = Field(None, description="'reached', 'partial' or 'not reached' (JAK-dependent cytokines).")
    reach_basis: str | None = Field(None, description="'sourced', 'model-based', 'secondary target', ...")
    reason: str | None = Field(None, description="Why, in words.")


class DiseaseDetail(BaseModel):
    disease: Disease
    cytokines: list[dict[str, Any]]
    evidence: list[EvidenceRow]
    candidates: list[EvidenceRow]


class DrugDetail(BaseModel):
    drug: Drug
    coverage: list[CoverageItem]
    evidence: list[EvidenceRow]


class StudyItem(EvidenceRow):
    title: str
    url: str


class StudyPage(BaseModel):
    """One page of studies with what a client needs to fetch the others."""

    total: int
    limit: int
    offset: int
    next: str | None = Field(None, description="Relative URL of the next page, if any.")
    previous: str | None = None
    first: str | None = Field(None, description="Relative URL of the first page.")
    last: str | None = Field(None, description="Relative URL of the last page.")
    items: list[StudyItem]


class DocumentOut(BaseModel):
    id: str = Field(description="SHA-256 of the source bytes.")
    kind: str
    source_id: str
    title: str | None


class StudyDetail(BaseModel):
    id: str
    status: str
    origin: str = Field("shipped", description="'shipped' (knowledge base) or 'extracted' (from a document).")
    version: int = Field(1, description="Grows by one on every change; the ETag is derived from it.")
    overrides: list[str] = Field(default_factory=list, description="Fields a curator changed.")
    title: str
    design: str | None
    n: int | None
    evidence_level: int | None
    row: EvidenceRow
    document: DocumentOut | None
    data: dict[str, Any] = Field(description="The full record in the extraction-contract shape.")


class StudyEdit(BaseModel):
    """Fields a curator may change; omitted fields stay as they are."""

    model_config = ConfigDict(extra="forbid")
    interventions: list[Intervention] | None = None
    comparators: list[Comparator] | None = None
    diseases: list[DiseaseRef] | None = None
    design: Literal[
        "rct", "nonrandomized_trial", "open_label_trial", "cohort", "case_control", "case_series",
        "case_report", "systematic_review", "narrative_review", "preclinical", "other",
    ] | None = None
    phase: str | None = Field(None, max_length=20)
    n: int | None = Field(None, ge=0)
    duration: Duration | None = None
    registry_ids: list[str] | None = None
    outcomes: list[Outcome] | None = None
    adverse_events: list[AdverseEvent] | None = None
    evidence_level: int | None = Field(None, ge=1, le=5)
    hedged: bool | None = None
    result: str | None = Field(None, max_length=4000, description="Main result in words.")
    citation: str | None = Field(None, max_length=1000)


class SearchHit(BaseModel):
    kind: Literal["disease", "drug"]
    id: str
    name: str
    matched: str = Field(description="The name, synonym, abbreviation or code that matched.")
    url: str


class TextHit(BaseModel):
    """A ranked full-text result across diseases, drugs, cytokines, outcome measures and studies."""

    kind: Literal["disease", "drug", "cytokine", "outcome", "study"]
    id: str
    title: str
    title_html: str = Field(description="The title, HTML-escaped, with the matches in <mark>.")
    snippet_html: str = Field(description="Matching passages, HTML-escaped, with the matches in <mark>.")
    status: str = Field(description="curated, or candidate for an unreviewed extracted study.")
    score: float = Field(description="Rank within this result list (higher is better).")
    url: str | None = Field(description="Page of the record; null for kinds without a page of their own.")


class SearchOut(BaseModel):
    query: str
    exact: SearchHit | None
    hits: list[SearchHit] = Field(description="Diseases and drugs whose names contain the query.")
    suggestions: list[str]
    results: list[TextHit] = Field(default_factory=list, description="Full-text results, best first.")


class MapCell(BaseModel):
    disease: str
    drug: str
    studies: int
    patients: int | None = Field(description="Sum of the studies' reported n; null when none reports n.")
    best_level: int | None
    study_ids: list[str]


class EvidenceMapOut(BaseModel):
    diseases: list[str]
    drugs: list[str]
    cells: list[MapCell]
    class_cells: list[MapCell] = Field(
        default_factory=list,
        description="Evidence that names no particular JAK inhibitor (class-level), one cell per disease.")


class CompareColumn(BaseModel):
    drug: str
    drug_id: str
    certainty: str | None = Field(None, description="Best GRADE certainty over this drug's outcomes in the disease.")
    certainty_outcome: str | None = Field(None, description="The outcome (and time point) that certainty is for.")
    key_result: str | None = Field(
        None, description="The comparison against placebo or vehicle with the most patients, with its risk difference.")
    patients: int | None = Field(None, description="Sum of the curated studies' reported n; null when none reports n.")
    targets: list[str]
    selectivity: list[str]
    boxed_warning: bool | None
    approved_for_disease: list[str]
    studies: int
    best_level: int | None
    largest_n: int | None
    designs: list[str]
    results: list[str]
    adverse_events: list[str]


class CompareOut(BaseModel):
    disease: str
    columns: list[CompareColumn]


class ExtractIn(BaseModel):
    """A document to extract: plain text, HTML, PubMed XML or ClinicalTrials.gov JSON as text."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=1_000_000)
    name: str | None = Field(None, max_length=200, description="File name; its extension guides the reader.")
