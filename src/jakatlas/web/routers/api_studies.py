"""JSON API: studies (query, detail), curation (accept, reject, edit) and the audit trail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response

from jakatlas.models.evidence import Design
from jakatlas.store.curation import AuditEntry, audit_log, curate
from jakatlas.web import present
from jakatlas.web.deps import AppContext, Ctx, Curator
from jakatlas.web.schemas import ErrorOut, StatusFilter, StudyDetail, StudyEdit, StudyPage
from jakatlas.web.tables import CSV_TYPE, JSON_TYPE, Format, Responses, csv_text, json_bytes, table_response

router = APIRouter(prefix="/api/v1", tags=["studies"])

FormatQ = Annotated[Format, Query(alias="format", description="json, or csv to download the table.")]
TABLE: Responses = {200: {"content": {CSV_TYPE.split(";")[0]: {"schema": {"type": "string"}}}}}
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such study (or disease/drug name)."}}
AUTH: Responses = {401: {"model": ErrorOut, "description": "Missing, unknown or revoked curator token."}}
STUDY_COLUMNS = ["id", "status", "title", "drugs", "dose", "comparators", "diseases", "design", "phase", "n",
                 "duration", "result", "evidence_level", "citation", "sources", "url"]


@router.get("/studies", response_model=StudyPage, responses={**TABLE, **NOT_FOUND})
def list_studies(
    ctx: Ctx,
    disease: Annotated[str | None, Query(max_length=200, description="Disease name, synonym or abbreviation.")] = None,
    drug: Annotated[str | None, Query(max_length=200, description="INN, brand or development code.")] = None,
    design: Annotated[Design | None, Query()] = None,
    level: Annotated[int | None, Query(ge=1, le=5, description="OCEBM level or better (2 keeps 1-2).")] = None,
    outcome: Annotated[str | None, Query(max_length=100, description="Outcome measure (substring).")] = None,
    status: Annotated[StatusFilter, Query(description="'reviewable' = curated and candidate.")] = "reviewable",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    fmt: FormatQ = "json",
) -> Response:
    """Studies filtered by disease, drug, design, evidence level, outcome measure and status, paginated.

    Responses are cached per query until the atlas changes.
    """
    page = present.study_page(ctx, path="/api/v1/studies", disease=disease, drug=drug, design=design,
                              level=level, outcome=outcome, status=status, limit=limit, offset=offset)
    if fmt == "csv":
        return Response(csv_text([i.model_dump() for i in page.items], STUDY_COLUMNS), media_type=CSV_TYPE,
                        headers={"Content-Disposition": 'attachment; filename="studies.csv"'})
    return Response(json_bytes(page.model_dump(mode="json")), media_type=JSON_TYPE)


@router.get("/studies/{study_id}", response_model=StudyDetail, responses=NOT_FOUND)
def get_study(study_id: str, ctx: Ctx) -> StudyDetail:
    """One study with its evidence row, source document reference and full record."""
    return present.study_detail(ctx, study_id)


def _decide(ctx: AppContext, study_id: str, action: Literal["accept", "reject"], curator: str) -> StudyDetail:
    current = ctx.atlas.study(study_id)
    target = "curated" if action == "accept" else "rejected"
    if current.status == target:
        raise HTTPException(409, detail={"error": f"Study {study_id!r} is already {target}.",
                                         "hint": "Reload it to see its current state."})
    curate(ctx.atlas, study_id, action, actor=curator)
    ctx.cache.invalidate()
    return present.study_detail(ctx, study_id)


CONFLICT: Responses = {409: {"model": ErrorOut, "description": "The study already has that status."}}


@router.post("/studies/{study_id}/accept", response_model=StudyDetail, responses={**AUTH, **NOT_FOUND, **CONFLICT})
def accept_study(study_id: str, ctx: Ctx, curator: Curator) -> StudyDetail:
    """Accept a candidate (or a rejected study) into the curated atlas. Needs a curator token."""
    return _decide(ctx, study_id, "accept", curator)


@router.post("/studies/{study_id}/reject", response_model=StudyDetail, responses={**AUTH, **NOT_FOUND, **CONFLICT})
def reject_study(study_id: str, ctx: Ctx, curator: Curator) -> StudyDetail:
    """Reject a study; it stays in the database and the audit trail but leaves every view."""
    return _decide(ctx, study_id, "reject", curator)


BAD_BODY: Responses = {400: {"model": ErrorOut, "description": "The body is not valid JSON."}}


@router.patch("/studies/{study_id}", response_model=StudyDetail, responses={**AUTH, **NOT_FOUND, **BAD_BODY})
def edit_study(study_id: str, edit: StudyEdit, ctx: Ctx, curator: Curator) -> StudyDetail:
    """Change fields of a study (validated against the extraction contract). Needs a curator token."""
    changes = edit.model_dump(mode="json", exclude_unset=True)
    if not changes:
        raise HTTPException(422, detail={"error": "No fields to change.", "hint": "Send at least one field."})
    curate(ctx.atlas, study_id, "edit", actor=curator, changes=changes)
    ctx.cache.invalidate()
    return present.study_detail(ctx, study_id)


@router.get("/audit", response_model=list[AuditEntry], responses=TABLE, tags=["audit"])
def get_audit(
    ctx: Ctx,
    study: Annotated[str | None, Query(max_length=200, description="Only this study's entries.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    fmt: FormatQ = "json",
) -> Response:
    """Who changed which study when, newest first, with the record before and after."""
    entries = [e.model_dump(mode="json") for e in audit_log(ctx.atlas, study_id=study, limit=limit)]
    return table_response(entries, ["id", "at", "actor", "action", "study_id", "before", "after"], fmt=fmt,
                          name="audit")
