"""FHIR R5 read API: Evidence search and read, Citation read (``application/fhir+json``)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from jakatlas.data import knowledge_base
from jakatlas.errors import NotFoundError
from jakatlas.store.atlas import StudyRecord
from jakatlas.web import present
from jakatlas.web.deps import AppContext, Ctx
from jakatlas.web.fhir import (
    FHIR_JSON,
    citation_resource,
    evidence_resource,
    fhir_id,
    search_bundle,
    source_citation,
)
from jakatlas.web.schemas import StatusFilter
from jakatlas.web.tables import Responses

router = APIRouter(prefix="/fhir", tags=["fhir"])

RESOURCE: Responses = {200: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}, "description": "A FHIR R5 resource."},
            404: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}, "description": "OperationOutcome."},
            422: {"content": {FHIR_JSON: {"schema": {"type": "object"}}}, "description": "OperationOutcome."}}


def _by_fhir_id(ctx: AppContext) -> dict[str, StudyRecord]:
    def build() -> dict[str, StudyRecord]:
        return {fhir_id(r.id): r for r in ctx.atlas.studies(status=present.STATUSES["all"])}

    return ctx.cache.get("fhir-ids", build)


def _record(ctx: AppContext, rid: str) -> StudyRecord:
    rec = _by_fhir_id(ctx).get(rid)
    if rec is None:
        raise NotFoundError("study", rid)
    return rec


def _fhir(body: str) -> Response:
    return Response(body, media_type=FHIR_JSON)


@router.get("/Evidence", responses=RESOURCE, summary="Search Evidence")
def search_evidence(
    request: Request,
    ctx: Ctx,
    disease: Annotated[str | None, Query(max_length=200)] = None,
    drug: Annotated[str | None, Query(max_length=200)] = None,
    status: Annotated[StatusFilter, Query()] = "curated",
    count: Annotated[int, Query(alias="_count", ge=1, le=500)] = 100,
    offset: Annotated[int, Query(alias="_offset", ge=0, le=1_000_000)] = 0,
) -> Response:
    """A searchset Bundle of Evidence resources (curated studies by default)."""
    key = f"fhir-bundle?{sorted(request.query_params.multi_items())}"
    base = str(request.base_url).rstrip("/")

    def build() -> str:
        dis = present.resolve_disease(disease).name if disease else None
        dr = present.resolve_drug(drug).name if drug else None
        recs = ctx.atlas.studies(disease=dis, drug=dr, status=present.STATUSES[status])
        params = {k: v for k, v in {"disease": disease, "drug": drug, "status": status}.items() if v}
        nxt = (f"{base}/fhir/Evidence?{urlencode({**params, '_count': count, '_offset': offset + count})}"
               if offset + count < len(recs) else None)
        bundle = search_bundle([evidence_resource(r) for r in recs[offset: offset + count]], base=base,
                               total=len(recs), self_url=str(request.url), next_url=nxt)
        return bundle.model_dump_json()

    return _fhir(ctx.cache.get(key + base, build))


@router.get("/Evidence/{rid}", responses=RESOURCE, summary="Read Evidence")
def read_evidence(rid: str, ctx: Ctx) -> Response:
    """One study as a FHIR R5 Evidence resource (``meta.versionId`` and a weak ``ETag`` name its version)."""
    def build() -> tuple[str, int]:
        rec = _record(ctx, rid)
        return evidence_resource(rec).model_dump_json(), rec.version

    body, version = ctx.cache.get(f"fhir-evidence:{rid}", build)
    resp = _fhir(body)
    resp.headers["ETag"] = f'W/"{version}"'
    return resp


@router.get("/Citation/{rid}", responses=RESOURCE, summary="Read Citation")
def read_citation(rid: str, ctx: Ctx) -> Response:
    """The Citation of a study (same id as its Evidence) or of a knowledge-base source tag such as S25."""
    src = knowledge_base().sources.get(rid)
    if src is not None:
        return _fhir(source_citation(src).model_dump_json())

    def build() -> str:
        rec = _record(ctx, rid)
        doc = ctx.atlas.document(rec.document_id) if rec.document_id else None
        return citation_resource(rec, document_source=doc.source_id if doc else None,
                                 document_title=doc.title if doc else None).model_dump_json()

    return _fhir(ctx.cache.get(f"fhir-citation:{rid}", build))
