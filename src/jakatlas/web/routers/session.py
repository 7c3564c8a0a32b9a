"""Curator pages: sign in and out (HttpOnly, SameSite=Strict cookie) and curation forms with CSRF."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse

from jakatlas.errors import AuthError, StaleVersionError
from jakatlas.store.curation import curate
from jakatlas.store.sessions import SESSION_SECONDS, close_session, open_session
from jakatlas.web.deps import PRE_COOKIE, SESSION_COOKIE, Ctx, check_csrf, page_user
from jakatlas.web.present import study_url
from jakatlas.web.templating import render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths (no scheme, no '//' host, no backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/signin")
def signin_form(request: Request, next: str | None = None) -> Response:
    return render(request, "signin.html", {"title": "Curator sign-in", "next": _safe_next(next), "failed": False})


@router.post("/signin")
def signin(
    request: Request,
    ctx: Ctx,
    token: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    check_csrf(request.cookies.get(PRE_COOKIE), csrf)
    try:
        secret = open_session(ctx.atlas, token.strip())
    except AuthError:
        return render(request, "signin.html", {"title": "Curator sign-in", "next": _safe_next(next), "failed": True},
                      status=401)
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, secret, max_age=SESSION_SECONDS, httponly=True, samesite="strict",
                    secure=request.url.scheme == "https", path="/")
    resp.delete_cookie(PRE_COOKIE, path="/")
    return resp


@router.post("/signout")
def signout(request: Request, ctx: Ctx, csrf: Annotated[str, Form(max_length=200)]) -> Response:
    secret = request.cookies.get(SESSION_COOKIE)
    check_csrf(secret, csrf)
    close_session(ctx.atlas, secret)
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


def _int_or_none(text: str | None, field: str) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise HTTPException(400, detail={"error": f"{field} must be a whole number.", "hint": None}) from exc


@router.post("/studies/{study_id}/curate")
def curate_form(
    study_id: str,
    request: Request,
    ctx: Ctx,
    action: Annotated[Literal["accept", "reject", "edit"], Form()],
    csrf: Annotated[str, Form(max_length=200)],
    design: Annotated[str | None, Form(max_length=40)] = None,
    phase: Annotated[str | None, Form(max_length=20)] = None,
    n: Annotated[str | None, Form(max_length=12)] = None,
    evidence_level: Annotated[str | None, Form(max_length=2)] = None,
    result: Annotated[str | None, Form(max_length=4000)] = None,
    version: Annotated[str | None, Form(max_length=12)] = None,
) -> Response:
    """Accept, reject or edit a study from its page (signed-in curators only).

    The form carries the version of the study it was rendered from; if another curator changed
    the study since, nothing is written and the curator is asked to reload (412).
    """
    user = page_user(request)
    if user is None:
        raise HTTPException(403, detail={"error": "Only signed-in curators can change the atlas.",
                                         "hint": "Sign in with your curator token."})
    check_csrf(request.cookies.get(SESSION_COOKIE), csrf)
    expected = _int_or_none(version, "version")
    if expected is None:
        raise HTTPException(428, detail={"error": "The form does not say which version of the study it changes.",
                                         "hint": "Reload the study page and submit the form again."})
    try:
        if action == "edit":
            changes: dict[str, Any] = {"design": design or None, "phase": (phase or "").strip() or None,
                                       "n": _int_or_none(n, "n"),
                                       "evidence_level": _int_or_none(evidence_level, "Evidence level")}
            if result is not None and result.strip():
                changes["result"] = result.strip()
            current = ctx.atlas.study(study_id).data
            changes = {k: v for k, v in changes.items() if current.get(k) != v}
            if not changes:
                return RedirectResponse(f"{study_url(study_id)}#curation", status_code=303)
            curate(ctx.atlas, study_id, "edit", actor=user.name, changes=changes, expected_version=expected)
            done = "edited"
        else:
            curate(ctx.atlas, study_id, action, actor=user.name, expected_version=expected)
            done = "accepted" if action == "accept" else "rejected"
    except StaleVersionError as exc:
        raise HTTPException(412, detail={
            "error": f"Nothing was saved: someone changed this study since you opened it (now version {exc.version}).",
            "hint": "Reload the study page, check their change in the audit trail, and make yours again."}) from exc
    ctx.cache.invalidate()
    return RedirectResponse(f"{study_url(study_id)}?done={quote(done)}#curation", status_code=303)
