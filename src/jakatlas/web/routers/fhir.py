"""FHIR R5 read API: Evidence search and read, Citation read (``application/fhir+json``)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from jakatlas.data import knowledge_base
from jakatlas.errors import NotFoundError
from jakatlas.store.atlas import StudyRecord
from jakatlas.web import present
from jakatlas.web.deps import AppContext, Ctx, get_ctx
from jakatlas.web.fhir import (
    FHIR_JSON,
    SEARCH_PARAMS,
    bundle_json,
    capability_statement,
    citation_resource,
    evidence_json,
    fhir_id,
    source_citation,
)
from jakatlas.web.query import documented, parse_query
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
    """The study whose FHIR id is ``rid`` (ids that are not valid FHIR ids are looked up by digest)."""
    if not rid.startswith("x-"):
        try:
            rec = ctx.atlas.study(rid)
        except NotFoundError:
            rec = None
        if rec is not None and fhir_id(rec.id) == rid:
            return rec
    found = _by_fhir_id(ctx).get(rid) if rid.startswith("x-") else None
    if found is None:
        raise NotFoundError("study", rid)
    return found


def _fhir(body: str, headers: dict[str, str] | None = None) -> Response:
    return Response(body, media_type=FHIR_JSON, headers=headers)


def _lenient(prefer: str | None) -> bool:
    """``Prefer: handling=lenient`` (FHIR R5 3.2.1.1.5): ignore unknown search parameters."""
    return bool(prefer) and any(p.strip().lower() == "handling=lenient" for p in str(prefer).split(";"))


def _check_params(request: Request, prefer: str | None) -> None:
    unknown = sorted({k for k in request.query_params if k not in SEARCH_PARAMS})
    if unknown and not _lenient(prefer):
        raise HTTPException(400, detail={
            "error": f"Unknown search parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
            "hint": f"Evidence supports {', '.join(sorted(SEARCH_PARAMS))}; send 'Prefer: handling=lenient' to "
                    "ignore unknown ones."})


def _by_ids(ctx: AppContext, ids: str, statuses: tuple[str, ...]) -> list[StudyRecord]:
    out: list[StudyRecord] = []
    for rid in dict.fromkeys(x.strip() for x in ids.split(",") if x.strip()):
        try:
            rec = _record(ctx, rid)
        except NotFoundError:
            continue
        if rec.status in statuses:
            out.append(rec)
    return out


SEARCH: Responses = {**RESOURCE, 400: {"content": {FHIR_JSON: {"schema": {"type": "object"}}},
                                       "description": "OperationOutcome: an unknown search parameter."}}


class EvidenceQuery(BaseModel):
    """Evidence search parameters (names outside :data:`SEARCH_PARAMS` are refused before validation)."""

    model_config = ConfigDict(extra="ignore")

    subject: str | None = Field(None, max_length=200, description="The population's condition: disease name, "
                                                                   "synonym or id.")
    disease: str | None = Field(None, max_length=200, description="Same as subject.")
    drug: str | None = Field(None, max_length=200, description="Exposure: INN, brand or code.")
    status: StatusFilter = "curated"
    ids: str | None = Field(None, alias="_id", max_length=2000, description="Comma-separated ids.")
    count: int = Field(100, alias="_count", ge=0, le=500)
    offset: int = Field(0, alias="_offset", ge=0, le=1_000_000)


_PREFER = {"name": "prefer", "in": "header", "required": False, "schema": {"type": "string"},
           "description": "RFC 7240 preferences; unknown ones are ignored."}


@router.get("/Evidence", responses=SEARCH, summary="Search Evidence",
            openapi_extra={"parameters": [*documented(EvidenceQuery)["parameters"], _PREFER]})
async def search_evidence(request: Request) -> Response:
    """A searchset Bundle of Evidence resources (curated studies by default).

    Unknown parameters are refused with an OperationOutcome (400) unless the request says
    ``Prefer: handling=lenient``; ``_count=0`` returns only the total.
    """
    ctx = get_ctx(request)
    _check_params(request, request.headers.get("prefer"))
    return await ctx.read(_search, ctx, request, parse_query(request, EvidenceQuery))


def _search(ctx: AppContext, request: Request, q: EvidenceQuery) -> Response:
    subject, disease, drug, status, ids, count, offset = (q.subject, q.disease, q.drug, q.status, q.ids, q.count,
                                                          q.offset)
    base = str(request.base_url).rstrip("/")
    key = f"fhir-bundle?{sorted(request.query_params.multi_items())}{base}"

    def build() -> tuple[str, str]:
        names = {present.resolve_disease(x).name for x in (subject, disease) if x}
        dr = present.resolve_drug(drug).name if drug else None
        statuses = present.STATUSES[status]
        if len(names) > 1:
            total, recs = 0, []
        elif ids is not None:
            matches = [r for r in _by_ids(ctx, ids, statuses)
                       if (not names or names & {d["name"] for d in r.data.get("diseases", [])})
                       and (dr is None or dr in {i["name"] for i in r.data.get("interventions", [])})]
            total, recs = len(matches), matches[offset: offset + count]
        else:
            total, recs = ctx.atlas.page(disease=next(iter(names), None), drug=dr, status=statuses,
                                         limit=count, offset=offset)
            recs = recs[:count]
        params = {k: v for k, v in {"subject": subject, "disease": disease, "drug": drug, "status": status,
                                    "_id": ids}.items() if v}

        def url(off: int) -> str:
            return f"{base}/fhir/Evidence?{urlencode({**params, '_count': count, '_offset': off})}"

        nxt = url(offset + count) if count and offset + count < total else None
        prev = url(max(offset - count, 0)) if count and offset > 0 else None
        entries = [(f"{base}/fhir/Evidence/{fhir_id(r.id)}", ctx.renditions.get("fhir-evidence", r, evidence_json))
                   for r in recs]
        rels = [("self", str(request.url)), *((rel, u) for rel, u in (("next", nxt), ("previous", prev)) if u)]
        links = [f'<{u}>; rel="{rel if rel != "previous" else "prev"}"' for rel, u in rels[1:]]
        return bundle_json(entries, total=total, links=rels), ", ".join(links)

    body, link = ctx.cache.get(key, build)
    return _fhir(body, {"Link": link} if link else None)


@router.get("/Evidence/{rid}", responses=RESOURCE, summary="Read Evidence")
async def read_evidence(rid: str, ctx: Ctx) -> Response:
    """One study as a FHIR R5 Evidence resource (``meta.versionId`` and a weak ``ETag`` name its version)."""
    def build() -> tuple[str, int]:
        rec = _record(ctx, rid)
        return ctx.renditions.get("fhir-evidence", rec, evidence_json), rec.version

    body, version = await ctx.read(ctx.cache.get, f"fhir-evidence:{rid}", build)
    resp = _fhir(body)
    resp.headers["ETag"] = f'W/"{version}"'
    return resp


@router.get("/metadata", responses=RESOURCE, summary="CapabilityStatement")
def metadata(request: Request) -> Response:
    """What this FHIR server supports: Evidence read and search, Citation read (R5 CapabilityStatement)."""
    return _fhir(capability_statement(str(request.base_url).rstrip("/")).model_dump_json())


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
