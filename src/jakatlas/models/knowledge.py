"""Pydantic models of the curated knowledge base shipped in ``jakatlas/data``.

Every record names its sources by tag (``S25``); each tag resolves to a :class:`Source` with
PMID / DOI / NCT / PMCID / URL identifiers. ``confirmed`` says whether a *primary* source
(journal abstract, PubMed record, regulator or registry) confirmed the record.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jakatlas.models.evidence import Study

__all__ = [
    "JAKS",
    "STATS",
    "Source",
    "IC50",
    "Selectivity",
    "Approval",
    "Dose",
    "BoxedWarning",
    "Drug",
    "Cytokine",
    "CytokineVariant",
    "Variant",
    "Disease",
    "OutcomeMeasure",
    "CuratedStudy",
    "ExtractedStudy",
]

JAKS: tuple[str, ...] = ("JAK1", "JAK2", "JAK3", "TYK2")
STATS: tuple[str, ...] = ("STAT1", "STAT2", "STAT3", "STAT4", "STAT5", "STAT6")
_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_TAG = re.compile(r"^S\d+[a-z]?$")


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Sourced(_Record):
    sources: list[str] = Field(min_length=1, description="Source tags, e.g. ['S25'].")
    confirmed: bool = Field(False, description="A primary source confirmed this record.")
    notes: list[str] = Field(default_factory=list, description="Caveats and disagreements.")

    @field_validator("sources")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if not _TAG.match(t)]
        if bad:
            raise ValueError(f"source tags must look like 'S25', got {bad}")
        return v


class Source(_Record):
    """A citable source: at least one of pmid, doi, nct, pmcid, url."""

    id: str = Field(description="Tag used by records, e.g. 'S25'.")
    title: str
    type: Literal["primary", "secondary", "vendor", "seed"]
    pmid: str | None = None
    doi: str | None = None
    nct: list[str] = Field(default_factory=list)
    pmcid: str | None = None
    urls: list[str] = Field(default_factory=list)

    def links(self) -> list[tuple[str, str]]:
        """(label, url) pairs for PubMed, DOI, ClinicalTrials.gov, PMC and web copies."""
        out: list[tuple[str, str]] = []
        if self.pmid:
            out.append((f"PMID {self.pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"))
        if self.doi:
            out.append((f"DOI {self.doi}", f"https://doi.org/{self.doi}"))
        for n in self.nct:
            out.append((n, f"https://clinicaltrials.gov/study/{n}"))
        if self.pmcid:
            out.append((self.pmcid, f"https://pmc.ncbi.nlm.nih.gov/articles/{self.pmcid}/"))
        out.extend(("web", u) for u in self.urls)
        return out


class IC50(_Record):
    target: str
    value_nm: float = Field(gt=0)
    assay: str = Field(description="'enzyme (cell-free)', 'cellular', ...")
    sources: list[str] = Field(min_length=1)


class Selectivity(_Record):
    """One sourced statement of a drug's selectivity (several may disagree)."""

    statement: str
    targets: list[str] = Field(default_factory=list, description="JAKs named, in rank order.")
    fold_over: dict[str, float] = Field(default_factory=dict, description="e.g. {'JAK2': 52}")
    sources: list[str] = Field(min_length=1)


class Approval(_Record):
    regulator: str = Field(description="FDA, EC, EMA/CHMP, MHRA, PMDA, NMPA ...")
    indication: str
    date: str | None = Field(None, description="ISO date, possibly partial ('2022-06', '2018').")
    dermatologic: bool = False
    status: Literal["approved", "positive_opinion", "refused", "filed"] = "approved"
    note: str | None = None
    sources: list[str] = Field(min_length=1)


class Dose(_Record):
    text: str
    indication: str | None = None
    sources: list[str] = Field(min_length=1)


class BoxedWarning(_Record):
    present: bool | None
    text: str | None = None
    sources: list[str] = Field(min_length=1)


class Drug(_Sourced):
    id: str
    name: str = Field(description="Lower-case INN (or class name such as 'placebo').")
    drug_class: Literal[
        "jak_inhibitor", "tyk2_inhibitor", "biologic", "conventional_systemic", "corticosteroid",
        "antimalarial", "antibiotic", "antiviral", "topical", "placebo", "drug_class",
    ]
    brands: list[str] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list, description="Development codes, e.g. INCB054707.")
    synonyms: list[str] = Field(default_factory=list)
    targets: list[str] = Field(default_factory=list)
    selectivity: list[Selectivity] = Field(default_factory=list)
    ic50: list[IC50] = Field(default_factory=list)
    routes: list[str] = Field(default_factory=list)
    status: Literal["approved", "investigational", "not_applicable"] = "approved"
    development: str | None = Field(None, description="Development status in words, sourced.")
    approvals: list[Approval] = Field(default_factory=list)
    doses: list[Dose] = Field(default_factory=list)
    boxed_warning: BoxedWarning | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError("ids are lower-case letters, digits, '-' and '_'")
        return v


class CytokineVariant(_Record):
    """An alternative JAK/STAT assignment from another source (disagreement kept)."""

    jaks: list[str] = Field(default_factory=list)
    stats: list[str] = Field(default_factory=list)
    note: str
    sources: list[str] = Field(min_length=1)


class Cytokine(_Sourced):
    id: str
    name: str
    synonyms: list[str] = Field(default_factory=list)
    receptor_chains: list[str] = Field(default_factory=list)
    jak_dependent: bool | None = Field(description="False for TNF, IL-1, IL-17...; None when no source says.")
    jaks: list[str] = Field(default_factory=list)
    stats: list[str] = Field(default_factory=list, description="Main STATs first.")
    alternatives: list[CytokineVariant] = Field(default_factory=list)


class Variant(_Record):
    name: str
    synonyms: list[str] = Field(default_factory=list)


class Disease(_Sourced):
    id: str
    name: str = Field(description="Canonical lower-case name.")
    synonyms: list[str] = Field(default_factory=list)
    abbreviations: list[str] = Field(default_factory=list)
    variants: list[Variant] = Field(default_factory=list)
    identifiers: list[str] = Field(default_factory=list, description="prefix:id, e.g. MESH:D017497")
    cytokines: list[str] = Field(default_factory=list, description="Cytokine ids implicated.")
    stats: list[str] = Field(default_factory=list)
    outcome_measures: list[str] = Field(default_factory=list, description="OutcomeMeasure ids.")
    rare: bool | None = None


class OutcomeMeasure(_Sourced):
    id: str
    name: str
    abbreviation: str | None = None
    synonyms: list[str] = Field(default_factory=list)
    definition: str
    range_min: float | None = None
    range_max: float | None = None
    higher_is_better: bool | None = None
    kind: Literal["responder", "score", "count", "change", "patient_reported", "composite"] = "score"
    responder_thresholds: list[str] = Field(default_factory=list)
    diseases: list[str] = Field(default_factory=list)


class CuratedStudy(Study):
    """A curated study: the contract's study shape plus its citation and a result in words."""

    model_config = ConfigDict(extra="forbid")
    title: str
    citation: str = Field(description="Human-readable citation (authors, journal, year).")
    sources: list[str] = Field(min_length=1)
    confirmed: bool = False
    result: str = Field(description="Main result in words, with numbers.")
    notes: list[str] = Field(default_factory=list)
    origin: Literal["seed", "domain_facts_s1", "domain_facts_s5", "curated"] = "curated"


class ExtractedStudy(Study):
    """An extracted study as curators keep it: the contract's study plus an optional citation and
    result in words (the fields a curator may add before the publication is in the knowledge base)."""

    model_config = ConfigDict(extra="forbid")
    citation: str | None = Field(None, description="Human-readable citation, when a curator adds one.")
    result: str | None = Field(None, description="Main result in words, when a curator adds one.")
