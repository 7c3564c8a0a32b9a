"""Read models for one disease or one drug: the record plus its evidence from the atlas."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from jakatlas.data import KnowledgeBase, knowledge_base
from jakatlas.models.knowledge import Disease, Drug
from jakatlas.store.atlas import Atlas, StudyRecord

__all__ = ["study_links", "EvidenceRow", "DiseaseView", "DrugView", "evidence_row", "disease_view", "drug_view", "lookup"]


class EvidenceRow(BaseModel):
    """One study as a clinician reads it in a table."""

    id: str
    status: str = Field(description="curated, or candidate: extracted by machine and not yet reviewed.")
    drugs: list[str]
    dose: str | None
    comparators: list[str]
    diseases: list[str]
    design: str | None
    phase: str | None
    n: int | None
    duration: str | None
    result: str
    evidence_level: int | None
    citation: str | None
    sources: list[str] = Field(default_factory=list)
    links: list[tuple[str, str]] = Field(default_factory=list)


class DiseaseView(BaseModel):
    kind: str = "disease"
    disease: Disease
    cytokines: list[dict[str, Any]]
    evidence: list[EvidenceRow]


class DrugView(BaseModel):
    kind: str = "drug"
    drug: Drug
    evidence: list[EvidenceRow]


def _fmt_num(v: float | None) -> str:
    return "" if v is None else (f"{v:g}")


def _result_text(data: dict[str, Any]) -> str:
    if data.get("result"):
        return str(data["result"])
    parts = []
    for o in data.get("outcomes", [])[:3]:
        s = f"{o['measure']}: {_fmt_num(o.get('value'))}{o.get('unit') or ''}"
        if o.get("comparator_value") is not None:
            s += f" vs {_fmt_num(o['comparator_value'])}{o.get('unit') or ''}"
        if o.get("baseline_value") is not None:
            s += f" (baseline {_fmt_num(o['baseline_value'])})"
        if o.get("inferred"):
            inf = o["inferred"]
            s += (f" [machine-inferred: {inf['label']} vs {inf['comparator']}, probability "
                  f"{inf['probability']:.2f}; evidence: \"{inf['evidence']}\"]")
        parts.append(s)
    return "; ".join(parts) or "no outcome figures extracted"


_DOI = re.compile(r"\bDOI:?\s*(10\.\d{4,9}/[^\s;,()]+[^\s;,().])", re.I)
_PMID = re.compile(r"\bPMID:?\s*(\d{5,9})\b", re.I)
_PMC = re.compile(r"\b(PMC\d{5,9})\b")


def study_links(d: dict[str, Any], kb: KnowledgeBase) -> list[tuple[str, str]]:
    """Links that identify this study: its registry ids and the PMID/DOI/PMCID in its citation.

    Source-level links are used only when the study has none of its own, because one source tag
    may cover several papers.
    """
    own: list[tuple[str, str]] = []
    cite = str(d.get("citation") or "")
    # Curated studies name their own publication's identifiers; the citation is parsed only for
    # records without them (candidates), since a DOI such as 10.1016/S0140-6736(21)00588-2 has
    # brackets that free-text parsing cannot delimit reliably.
    named = [d.get("pmid"), d.get("doi"), d.get("pmcid")]
    pmids = [named[0]] if named[0] else _PMID.findall(cite)
    dois = [named[1]] if named[1] else ([] if any(named) else _DOI.findall(cite))
    pmcs = [named[2]] if named[2] else ([] if any(named) else _PMC.findall(cite))
    own += [(f"PMID {m}", f"https://pubmed.ncbi.nlm.nih.gov/{m}/") for m in pmids]
    own += [(f"DOI {m}", f"https://doi.org/{m}") for m in dois]
    own += [(m, f"https://pmc.ncbi.nlm.nih.gov/articles/{m}/") for m in pmcs]
    own += [(n, f"https://clinicaltrials.gov/study/{n}") for n in d.get("registry_ids", [])
            if n.upper().startswith("NCT")]
    if own:
        return list(dict.fromkeys(own))
    out: list[tuple[str, str]] = []
    for tag in d.get("sources", []):
        src = kb.sources.get(tag)
        if src:
            out.extend(src.links())
    return list(dict.fromkeys(out))


def evidence_row(rec: StudyRecord) -> EvidenceRow:
    """Flatten a stored study for tables (dose and frequency of the interventions joined)."""
    d = rec.data
    kb = knowledge_base()
    ivs = d.get("interventions", [])
    doses = [" ".join(x for x in (i.get("dose"), i.get("frequency")) if x) for i in ivs]
    dur = d.get("duration")
    links = study_links(d, kb)
    return EvidenceRow(
        id=rec.id,
        status=rec.status,
        drugs=[i["name"] for i in ivs],
        dose="; ".join(x for x in doses if x) or None,
        comparators=[c["name"] for c in d.get("comparators", [])],
        diseases=[x["name"] + (f" ({x['variant']})" if x.get("variant") else "") for x in d.get("diseases", [])],
        design=d.get("design"),
        phase=d.get("phase"),
        n=d.get("n"),
        duration=f"{_fmt_num(dur['value'])} {dur['unit']}s" if dur else None,
        result=_result_text(d),
        evidence_level=d.get("evidence_level"),
        citation=d.get("citation"),
        sources=list(d.get("sources", [])),
        links=links,
    )


def lookup(name: str) -> Drug | Disease:
    """Resolve a disease or drug name, synonym or development code (NotFoundError otherwise)."""
    return knowledge_base().find(name)


def disease_view(atlas: Atlas, disease: Disease, *, candidates: bool = False) -> DiseaseView:
    kb = knowledge_base()
    status = ("curated", "candidate") if candidates else ("curated",)
    cyts = []
    for cid in disease.cytokines:
        c = kb.cytokines.get(cid)
        if c:
            cyts.append({"id": c.id, "name": c.name, "jak_dependent": c.jak_dependent,
                         "jaks": c.jaks, "stats": c.stats})
    rows = [evidence_row(r) for r in atlas.studies(disease=disease.name, status=status)]
    return DiseaseView(disease=disease, cytokines=cyts, evidence=rows)


def drug_view(atlas: Atlas, drug: Drug, *, candidates: bool = False) -> DrugView:
    status = ("curated", "candidate") if candidates else ("curated",)
    return DrugView(drug=drug, evidence=[evidence_row(r) for r in atlas.studies(drug=drug.name, status=status)])
