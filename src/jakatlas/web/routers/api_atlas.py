"""JSON API: diseases, drugs, search, evidence map and comparison."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from jakatlas.errors import InputError
from jakatlas.store.views import EvidenceRow
from jakatlas.web import present
from jakatlas.web.deps import Ctx
from jakatlas.web.schemas import (
    CompareOut,
    DiseaseDetail,
    DiseaseSummary,
    DrugDetail,
    DrugSummary,
    ErrorOut,
    EvidenceMapOut,
    SearchOut,
)
from jakatlas.web.tables import CSV_TYPE, Format, Responses, json_bytes, table_response

router = APIRouter(prefix="/api/v1", tags=["atlas"])

FormatQ = Annotated[Format, Query(alias="format", description="json, or csv to download the table.")]
TABLE: Responses = {200: {"content": {CSV_TYPE.split(";")[0]: {"schema": {"type": "string"}}}}}
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "Unknown name; suggestions list close matches."}}
EVIDENCE_COLUMNS = ["id", "status", "drugs", "dose", "comparators", "diseases", "design", "phase", "n", "duration",
                    "result", "evidence_level", "citation", "sources"]


def evidence_table(rows: list[EvidenceRow], fmt: Format, name: str, payload: BaseModel) -> Response:
    """The evidence rows as CSV, or ``payload`` as JSON."""
    return table_response([r.model_dump() for r in rows] if fmt == "csv" else [], EVIDENCE_COLUMNS, fmt=fmt,
                          name=name, payload=payload)


@router.get("/diseases", response_model=list[DiseaseSummary], responses=TABLE)
def list_diseases(ctx: Ctx, fmt: FormatQ = "json") -> Response:
    """Every disease of the knowledge base with its study counts and best evidence level."""
    rows = present.disease_summaries(ctx)
    cols = ["id", "name", "abbreviations", "synonyms", "identifiers", "studies", "candidates", "best_level", "url"]
    return table_response([r.model_dump() for r in rows], cols, fmt=fmt, name="diseases")


@router.get("/diseases/{name}", response_model=DiseaseDetail, responses={**TABLE, **NOT_FOUND})
async def get_disease(name: str, ctx: Ctx, fmt: FormatQ = "json") -> Response:
    """One disease (id, name, synonym, abbreviation or variant) with its curated and candidate evidence.

    With ``format=csv`` the evidence table is returned.
    """
    d = present.resolve_disease(name)
    detail = await ctx.read(present.disease_detail, ctx, d)
    return evidence_table(detail.evidence + detail.candidates, fmt, f"{d.id}-evidence", detail)


@router.get("/drugs", response_model=list[DrugSummary], responses=TABLE)
def list_drugs(ctx: Ctx, fmt: FormatQ = "json") -> Response:
    """Every drug of the knowledge base (JAK and TYK2 inhibitors first)."""
    rows = present.drug_summaries(ctx)
    cols = ["id", "name", "drug_class", "brands", "codes", "targets", "status", "boxed_warning", "studies", "url"]
    return table_response([r.model_dump() for r in rows], cols, fmt=fmt, name="drugs")


@router.get("/drugs/{name}", response_model=DrugDetail, responses={**TABLE, **NOT_FOUND})
async def get_drug(name: str, ctx: Ctx, fmt: FormatQ = "json") -> Response:
    """One drug (INN, brand, development code or synonym) with selectivity, approvals and evidence."""
    g = present.resolve_drug(name)
    detail = await ctx.read(present.drug_detail, ctx, g)
    return evidence_table(detail.evidence, fmt, f"{g.id}-evidence", detail)


SearchKind = Literal["disease", "drug", "cytokine", "outcome", "study"]


@router.get("/search", response_model=SearchOut)
def search(
    ctx: Ctx,
    q: Annotated[str, Query(min_length=1, max_length=200,
                            description="Words, a name, trial acronym, registry id, PMID or DOI.")],
    kind: Annotated[list[SearchKind] | None, Query(description="Kinds of record to search (default: all).")] = None,
    candidates: Annotated[bool, Query(description="Include unreviewed extracted candidates.")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchOut:
    """Resolve a disease or drug name exactly, list names containing the query, and rank full-text
    matches across diseases, drugs, cytokines, outcome measures and studies with highlighted snippets."""
    out = present.search(q)
    try:
        out.results = present.full_text(ctx, q, kinds=tuple(kind) if kind else None, candidates=candidates,
                                        limit=limit)
    except InputError:
        out.results = []  # nothing searchable in the query (punctuation only): no full-text results
    return out


RefFormatQ = Annotated[Literal["ris", "bibtex", "json"], Query(alias="format", description="ris, bibtex or json.")]
REFERENCES: Responses = {200: {"content": {"application/x-research-info-systems": {}, "application/x-bibtex": {},
                                           "application/json": {}}}}


def _references_response(stem: str, refs: list[Any], fmt: str) -> Response:
    from jakatlas.report.citations import EXTENSIONS, MEDIA_TYPES, write_references

    if fmt == "json":
        return Response(json_bytes([r.model_dump() for r in refs]), media_type="application/json")
    return Response(write_references(refs, fmt), media_type=f"{MEDIA_TYPES[fmt]}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{EXTENSIONS[fmt]}"'})


@router.get("/diseases/{name}/references", responses={**REFERENCES, **NOT_FOUND})
def disease_references(name: str, ctx: Ctx, fmt: RefFormatQ = "ris") -> Response:
    """The disease dossier's reference list as RIS or BibTeX for reference managers (or JSON)."""
    return _references_response(*present.reference_list(ctx, disease=name), fmt)


@router.get("/drugs/{name}/references", responses={**REFERENCES, **NOT_FOUND})
def drug_references(name: str, ctx: Ctx, fmt: RefFormatQ = "ris") -> Response:
    """The drug page's reference list (with its studies' sources) as RIS or BibTeX (or JSON)."""
    return _references_response(*present.reference_list(ctx, drug=name), fmt)


@router.get("/search/references", responses=REFERENCES)
def search_references(
    ctx: Ctx,
    q: Annotated[str, Query(min_length=1, max_length=200, description="The same query as /search.")],
    fmt: RefFormatQ = "ris",
) -> Response:
    """The sources of the studies a full-text search finds, as RIS or BibTeX (or JSON)."""
    try:
        stem, refs = present.reference_list(ctx, q=q)
    except InputError:
        stem, refs = "search-references", []
    return _references_response(stem, refs, fmt)


@router.get("/evidence-map", response_model=EvidenceMapOut, responses=TABLE)
def evidence_map(ctx: Ctx, fmt: FormatQ = "json") -> Response:
    """The disease x drug evidence map of curated studies."""
    emap = present.evidence_map(ctx)
    cols = ["disease", "drug", "studies", "patients", "best_level", "study_ids"]
    rows = [c.model_dump() for c in emap.cells]
    rows += [{**c.model_dump(), "drug": "class-level (no drug named)"} for c in emap.class_cells]
    return table_response(rows, cols, fmt=fmt, name="evidence-map", payload=emap.model_dump())


@router.get("/compare", response_model=CompareOut, responses={**TABLE, **NOT_FOUND})
def compare(
    ctx: Ctx,
    disease: Annotated[str, Query(max_length=200)],
    drug: Annotated[list[str], Query(min_length=1, max_length=8, description="Repeat for each drug.")],
    fmt: FormatQ = "json",
) -> Response:
    """Several drugs side by side for one disease, strongest evidence first."""
    d = present.resolve_disease(disease)
    out = present.compare(ctx, d, [present.resolve_drug(x) for x in dict.fromkeys(drug)])
    cols = ["drug", "best_level", "certainty", "certainty_outcome", "key_result", "studies", "patients", "largest_n",
            "targets", "selectivity", "boxed_warning", "approved_for_disease", "designs", "results", "adverse_events"]
    return table_response([c.model_dump() for c in out.columns], cols, fmt=fmt, name=f"compare-{d.id}",
                          payload=out.model_dump())
