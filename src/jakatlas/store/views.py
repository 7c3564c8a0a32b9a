"""Read models for one disease or one drug: the record plus its evidence from the atlas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from jakatlas.data import knowledge_base
from jakatlas.models.knowledge import Disease, Drug
from jakatlas.store.atlas import Atlas, StudyRecord

__all__ = ["EvidenceRow", "DiseaseView", "DrugView", "evidence_row", "disease_view", "drug_view", "lookup"]


class EvidenceRow(BaseModel):
    """One study as a clinician reads it in a table."""

    id: str
    status: str
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
        parts.append(s)
    return "; ".join(parts) or "no outcome figures extracted"


def evidence_row(rec: StudyRecord) -> EvidenceRow:
    """Flatten a stored study for tables (dose and frequency of the interventions joined)."""
    d = rec.data
    kb = knowledge_base()
    ivs = d.get("interventions", [])
    doses = [" ".join(x for x in (i.get("dose"), i.get("frequency")) if x) for i in ivs]
    dur = d.get("duration")
    links: list[tuple[str, str]] = []
    for tag in d.get("sources", []):
        src = kb.sources.get(tag)
        if src:
            links.extend(src.links())
    for nct in d.get("registry_ids", []):
        if nct.upper().startswith("NCT"):
            links.append((nct, f"https://clinicaltrials.gov/study/{nct}"))
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
        links=list(dict.fromkeys(links)),
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
