"""Pydantic models of the curated knowledge base shipped in ``jakatlas/data``.

Every record names its sources by tag (``S25``); each tag resolves to a :class:`Source` with
PMID / DOI / NCT / PMCID / URL identifiers. ``confirmed`` says whether a *primary* source
(journal abstract, PubMed record, regulator or registry) confirmed the record.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from jakatlas.models.bias import RiskOfBias
from jakatlas.models.evidence import Study

__all__ = [
    "ALLOWED_HOSTS",
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
PMID_RE = re.compile(r"^[1-9]\d{0,8}$")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
NCT_RE = re.compile(r"^NCT\d{8}$")
PMCID_RE = re.compile(r"^PMC\d{4,9}$")

#: Hosts a source link may point to (the host itself or any subdomain of it): literature databases and
#: DOI resolution, journal publishers, regulators, trial registries, terminology and pathway databases,
#: company news rooms and the wire services that carry their press releases (topline results only),
#: and dermatology societies (guidelines). Anything else (news sites, chatbots, vendors, mirrors,
#: bare IP addresses) is refused when the file is loaded.
ALLOWED_HOSTS: frozenset[str] = frozenset({
    # literature databases, DOI resolution
    "ncbi.nlm.nih.gov", "europepmc.org", "doi.org",
    # journals and publishers
    "nejm.org", "thelancet.com", "jamanetwork.com", "jaad.org", "jidonline.org", "journals.aai.org",
    "nature.com", "science.org", "sciencemag.org", "springer.com", "biomedcentral.com", "wiley.com",
    "frontiersin.org", "academic.oup.com", "bmj.com", "medicaljournalssweden.se", "jstage.jst.go.jp",
    "asm.org", "actasdermo.org", "sagepub.com", "sage.figshare.com", "mdpi.com", "pnas.org",
    "ashpublications.org", "karger.com", "tandfonline.com",
    # regulators
    "fda.gov", "dailymed.nlm.nih.gov", "ema.europa.eu", "ec.europa.eu", "gov.uk", "pmda.go.jp",
    "nmpa.gov.cn", "aifa.gov.it", "tga.gov.au", "canada.ca",
    # trial registries
    "clinicaltrials.gov", "clinicaltrialsregister.eu", "euclinicaltrials.eu", "isrctn.com",
    "trialsearch.who.int", "chictr.org.cn", "jrct.niph.go.jp",
    # terminologies, ontologies and curated pathway databases
    "icd.who.int", "meshb.nlm.nih.gov", "omim.org", "orpha.net", "ebi.ac.uk", "reactome.org",
    "rarediseases.info.nih.gov",
    # company news rooms and press-release wires (topline results)
    "incyte.com", "pfizer.com", "abbvie.com", "lilly.com", "ucb.com", "bms.com", "leo-pharma.com",
    "sunpharma.com", "novartis.com", "businesswire.com", "prnewswire.com", "globenewswire.com",
    "via.ritzau.dk",
    # dermatology societies (guidelines)
    "aad.org", "eadv.org", "bad.org.uk",
})


def host_allowed(url: str) -> bool:
    """True when ``url`` is http(s) on a host in :data:`ALLOWED_HOSTS` (or a subdomain of one)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in ("http", "https") or not host:
        return False
    return any(host == h or host.endswith("." + h) for h in ALLOWED_HOSTS)


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


_ID_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "pmid": (PMID_RE, "a PMID is 1-9 digits"),
    "doi": (DOI_RE, "a DOI looks like '10.1056/NEJMoa2110343'"),
    "nct": (NCT_RE, "NCT numbers look like 'NCT03570749'"),
    "pmcid": (PMCID_RE, "a PMCID looks like 'PMC6901833'"),
}


class Source(_Record):
    """A source: one publication, registration, regulator document or press release.

    A source with a PMID, DOI or NCT number describes exactly one record and carries that record's
    ``record_title``, ``year`` and ``first_author`` so they can be checked against what cites it.
    Links are allowed only on reputable hosts (:data:`ALLOWED_HOSTS`); a reference whose only copy
    was on another host keeps its description and says so in ``notes``.
    """

    id: str = Field(description="Tag used by records, e.g. 'S25'.")
    title: str = Field(description="What the source is, in words.")
    type: Literal["primary", "secondary", "vendor", "seed"]
    pmid: str | None = None
    doi: str | None = None
    nct: list[str] = Field(default_factory=list)
    pmcid: str | None = None
    urls: list[str] = Field(default_factory=list)
    record_title: str | None = Field(None, description="Title as on the PubMed, DOI or registry record.")
    year: int | None = Field(None, ge=1950, le=2100, description="Publication (or first-posted) year.")
    first_author: str | None = Field(
        None, description="First author as 'Surname Initials'; the sponsor for a registration.")
    notes: list[str] = Field(default_factory=list)

    @field_validator("pmid", "doi", "nct", "pmcid")
    @classmethod
    def _identifier(cls, v: Any, info: ValidationInfo) -> Any:
        """Each identifier in its registry's format (the message shows the expected shape)."""
        pattern, shape = _ID_FORMATS[info.field_name or ""]
        values = v if isinstance(v, list) else [] if v is None else [v]
        bad = [x for x in values if not pattern.match(x)]
        if bad:
            raise ValueError(f"{shape}, got {bad if isinstance(v, list) else repr(v)}")
        return v

    @field_validator("urls")
    @classmethod
    def _urls(cls, v: list[str]) -> list[str]:
        bad = [u for u in v if not host_allowed(u)]
        if bad:
            raise ValueError(f"links must point to a reputable host (journal, PubMed/PMC, DOI, regulator, "
                             f"trial registry, company press release or society); not allowed: {bad}. "
                             "Cite the PMID/DOI/NCT instead, or add the host to ALLOWED_HOSTS with a reason")
        return v

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
    """A curated study: the contract's study shape plus its citation and a result in words.

    ``pmid``, ``doi`` and ``pmcid`` are the identifiers of the study's *own* publication (with
    ``registry_ids`` its own registrations); nothing else may be shown against the study.
    """

    model_config = ConfigDict(extra="forbid")
    title: str
    citation: str = Field(description="Human-readable citation (authors, journal, year).")
    year: int | None = Field(None, ge=1950, le=2100, description="Year of the study's own publication.")
    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    sources: list[str] = Field(min_length=1)
    confirmed: bool = False
    result: str = Field(description="Main result in words, with numbers.")
    notes: list[str] = Field(default_factory=list)
    origin: Literal["seed", "domain_facts_s1", "domain_facts_s5", "curated"] = "curated"
    risk_of_bias: RiskOfBias | None = Field(None, description="RoB 2 / ROBINS-I judgement from the publication; "
                                                               "derived conservatively when absent.")

    @field_validator("pmid")
    @classmethod
    def _pmid(cls, v: str | None) -> str | None:
        if v is not None and not PMID_RE.match(v):
            raise ValueError(f"a PMID is 1-9 digits, got {v!r}")
        return v

    @field_validator("doi")
    @classmethod
    def _doi(cls, v: str | None) -> str | None:
        if v is not None and not DOI_RE.match(v):
            raise ValueError(f"a DOI looks like '10.1056/NEJMoa2110343', got {v!r}")
        return v

    @field_validator("pmcid")
    @classmethod
    def _pmcid(cls, v: str | None) -> str | None:
        if v is not None and not PMCID_RE.match(v):
            raise ValueError(f"a PMCID looks like 'PMC6901833', got {v!r}")
        return v


class ExtractedStudy(Study):
    """An extracted study as curators keep it: the contract's study plus an optional citation and
    result in words (the fields a curator may add before the publication is in the knowledge base)."""

    model_config = ConfigDict(extra="forbid")
    citation: str | None = Field(None, description="Human-readable citation, when a curator adds one.")
    result: str | None = Field(None, description="Main result in words, when a curator adds one.")
    risk_of_bias: RiskOfBias | None = Field(None, description="RoB 2 / ROBINS-I judgement, when a curator adds one.")
