"""JSON API: studies (query, detail), curation (accept, reject, edit) and the audit trail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from jakatlas.errors import ConflictError
from jakatlas.models.evidence import Design
from jakatlas.store.curation import AuditEntry, audit_log, curate
from jakatlas.web import present
from jakatlas.web.concurrency import IfMatch, etag, expected_version
from jakatlas.web.deps import AppContext, Ctx, Curator, get_ctx
from jakatlas.web.query import documented, parse_query
from jakatlas.web.schemas import ErrorOut, StatusFilter, StudyDetail, StudyEdit, StudyPage
from jakatlas.web.tables import CSV_TYPE, JSON_TYPE, Format, Responses, csv_text, table_response

router = APIRouter(prefix="/api/v1", tags=["studies"])

FormatQ = Annotated[Format, Query(alias="format", description="json, or csv to download the table.")]
TABLE: Responses = {200: {"content": {CSV_TYPE.split(";")[0]: {"schema": {"type": "string"}}}}}
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such study (or disease/drug name)."}}
AUTH: Responses = {401: {"model": ErrorOut, "description": "Missing, unknown or revoked curator token."}}
STUDY_COLUMNS = ["id", "status", "title", "drugs", "dose", "comparators", "diseases", "design", "phase", "n",
                 "duration", "result", "evidence_level", "citation", "sources", "url"]


class StudyQuery(BaseModel):
    """Filters and paging of the study list (unknown parameters are ignored)."""

    model_config = ConfigDict(extra="ignore")

    disease: str | None = Field(None, max_length=200, description="Disease name, synonym or abbreviation.")
    drug: str | None = Field(None, max_length=200, description="INN, brand or development code.")
    design: Design | None = None
    level: int | None = Field(None, ge=1, le=5, description="OCEBM level or better (2 keeps 1-2).")
    outcome: str | None = Field(None, max_length=100, description="Outcome measure (substring).")
    status: StatusFilter = Field("curated", description=(
        "Default: curated evidence only. 'candidate' = unreviewed extracted studies; 'reviewable' = both "
        "(every item says its status)."))
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)
    fmt: Format = Field("json", alias="format", description="json, or csv to download the table.")


@router.get("/studies", response_model=StudyPage, responses={**TABLE, **NOT_FOUND},
            openapi_extra=documented(StudyQuery))
async def list_studies(request: Request) -> Response:
    """Studies filtered by disease, drug, design, evidence level, outcome measure and status, paginated.

    Responses are cached per query until the atlas changes.
    """
    ctx = get_ctx(request)
    return await ctx.read(_study_list, ctx, parse_query(request, StudyQuery))


def _study_list(ctx: AppContext, q: StudyQuery) -> Response:
    page = present.study_page(ctx, path="/api/v1/studies", disease=q.disease, drug=q.drug,
                              design=q.design, level=q.level, outcome=q.outcome, status=q.status, limit=q.limit,
                              offset=q.offset)
    if q.fmt == "csv":
        return Response(csv_text([i.model_dump() for i in page.items], STUDY_COLUMNS), media_type=CSV_TYPE,
                        headers={"Content-Disposition": 'attachment; filename="studies.csv"'})
    return Response(page.model_dump_json(), media_type=JSON_TYPE, headers=_link_header(page))


def _link_header(page: StudyPage) -> dict[str, str]:
    """RFC 8288 ``Link`` with the next, previous, first and last pages."""
    rels = (("next", page.next), ("prev", page.previous), ("first", page.first), ("last", page.last))
    links = [f'<{url}>; rel="{rel}"' for rel, url in rels if url]
    return {"Link": ", ".join(links)} if links else {}


@router.get("/studies/{study_id}", response_model=StudyDetail, responses=NOT_FOUND)
async def get_study(study_id: str, ctx: Ctx, response: Response) -> StudyDetail:
    """One study with its evidence row, source document reference and full record.

    The ``ETag`` header names the study's version; send it back in ``If-Match`` to change the study.
    """
    detail = await ctx.read(present.study_detail, ctx, study_id)
    response.headers["ETag"] = etag(detail.version)
    return detail


def _written(ctx: AppContext, study_id: str, response: Response) -> StudyDetail:
    ctx.cache.invalidate()
    detail = present.study_detail(ctx, study_id)
    response.headers["ETag"] = etag(detail.version)
    return detail


def _decide(ctx: AppContext, study_id: str, action: Literal["accept", "reject"], curator: str,
            if_match: str | None, response: Response) -> StudyDetail:
    current = ctx.atlas.study(study_id)
    target = "curated" if action == "accept" else "rejected"
    if current.status == target:
        raise ConflictError(f"Study {study_id!r} is already {target} (version {current.version}).",
                            hint="Nothing to do; reload the study to see who changed it.")
    version = expected_version(if_match, study_id, current.version)
    curate(ctx.atlas, study_id, action, actor=curator, expected_version=version)
    return _written(ctx, study_id, response)


PRECONDITIONS: Responses = {
    412: {"model": ErrorOut, "description": "If-Match names a version that is no longer current: re-read and retry."},
    428: {"model": ErrorOut, "description": "If-Match is missing: send the ETag read with GET."},
}
CONFLICT: Responses = {409: {"model": ErrorOut, "description": "The study already has that status (another "
                                                               "curator decided first)."}, **PRECONDITIONS}
WRITE_HEADERS = {"ETag": {"description": "The study's new version.", "schema": {"type": "string"}}}


@router.post("/studies/{study_id}/accept", response_model=StudyDetail,
             responses={200: {"headers": WRITE_HEADERS}, **AUTH, **NOT_FOUND, **CONFLICT})
def accept_study(study_id: str, ctx: Ctx, curator: Curator, response: Response, if_match: IfMatch = None) -> StudyDetail:
    """Accept a candidate (or a rejected study) into the curated atlas. Needs a curator token and If-Match.

    Of two curators accepting the same version at once exactly one succeeds; the other gets 409.
    """
    return _decide(ctx, study_id, "accept", curator, if_match, response)


@router.post("/studies/{study_id}/reject", response_model=StudyDetail,
             responses={200: {"headers": WRITE_HEADERS}, **AUTH, **NOT_FOUND, **CONFLICT})
def reject_study(study_id: str, ctx: Ctx, curator: Curator, response: Response, if_match: IfMatch = None) -> StudyDetail:
    """Reject a study; it stays in the database and the audit trail but leaves every view.

    A rejected shipped study stays rejected when the atlas is rebuilt. Needs a curator token and If-Match.
    """
    return _decide(ctx, study_id, "reject", curator, if_match, response)


BAD_BODY: Responses = {400: {"model": ErrorOut, "description": "The body is not valid JSON."}}


@router.patch("/studies/{study_id}", response_model=StudyDetail,
              responses={200: {"headers": WRITE_HEADERS}, **AUTH, **NOT_FOUND, **BAD_BODY, **PRECONDITIONS})
def edit_study(study_id: str, edit: StudyEdit, ctx: Ctx, curator: Curator, response: Response,
               if_match: IfMatch = None) -> StudyDetail:
    """Change fields of a study (validated against its record's model). Needs a curator token and If-Match.

    Changed fields become curator overrides: a rebuild of the atlas keeps them (and audits any
    knowledge-base change under them).
    """
    changes = edit.model_dump(mode="json", exclude_unset=True)
    if not changes:
        raise HTTPException(422, detail={"error": "No fields to change.", "hint": "Send at least one field."})
    version = expected_version(if_match, study_id, ctx.atlas.study(study_id).version)
    curate(ctx.atlas, study_id, "edit", actor=curator, changes=changes, expected_version=version)
    return _written(ctx, study_id, response)


@router.get("/audit", response_model=list[AuditEntry], responses=TABLE, tags=["audit"])
def get_audit(
    ctx: Ctx,
    study: Annotated[str | None, Query(max_length=200, description="Only this study's entries.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    fmt: FormatQ = "json",
) -> Response:
    """Who changed which study when, newest first, with the record before and after."""
    entries = [e.model_dump(mode="json") for e in audit_log(ctx.atlas, study_id=study, limit=limit)]
    return table_response(entries, ["id", "at", "actor", "action", "study_id", "before", "after", "note"], fmt=fmt,
                          name="audit")
