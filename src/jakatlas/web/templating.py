"""Jinja2 environment (autoescape always on) and page rendering helpers."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader

from jakatlas import __version__
from jakatlas.errors import JakatlasError
from jakatlas.web.deps import PRE_COOKIE, csrf_for, page_user, presession

__all__ = ["environment", "render", "render_error", "LEVEL_TEXT", "DESIGN_TEXT"]

LEVEL_TEXT = {1: "Systematic review of randomised trials", 2: "Randomised trial",
              3: "Non-randomised controlled study", 4: "Case series or case report",
              5: "Mechanism-based reasoning"}
DESIGN_TEXT = {"rct": "Randomised controlled trial", "nonrandomized_trial": "Non-randomised trial",
               "open_label_trial": "Open-label trial", "cohort": "Cohort study", "case_control": "Case-control study",
               "case_series": "Case series", "case_report": "Case report", "systematic_review": "Systematic review",
               "narrative_review": "Narrative review", "preclinical": "Preclinical study", "other": "Other design"}


_CLASSES = {"jak_inhibitor": "JAK inhibitor", "tyk2_inhibitor": "TYK2 inhibitor"}


def _num(v: float | int | None) -> str:
    return "" if v is None else f"{v:g}"


def _title(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("jakatlas.web", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(version=__version__, LEVEL_TEXT=LEVEL_TEXT, DESIGN_TEXT=DESIGN_TEXT)
    env.filters.update(num=_num, cap=_title, drugclass=lambda c: _CLASSES.get(c, c.replace("_", " ").capitalize()), unit=lambda u: (u if not u or u.startswith("%") else f" {u}"),
                       design=lambda d: DESIGN_TEXT.get(d or "", d or "Design not stated"))
    return env


def render(request: Request, name: str, context: dict[str, Any], *, status: int = 200,
           headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render a page with the signed-in curator (if any) and a CSRF token for its forms."""
    try:
        user = page_user(request)
    except JakatlasError:  # an unreadable atlas still gets a readable error page
        user = None
    pre = None if user else presession(request)
    ctx = {"request": request, "user": user, "csrf": user.csrf if user else csrf_for(pre or ""),
           "path": request.url.path, "query": request.query_params.get("q", ""), **context}
    html = environment().get_template(name).render(ctx)
    resp = HTMLResponse(html, status_code=status, headers=headers)
    resp.headers["Cache-Control"] = "no-cache, private"
    if pre and request.cookies.get(PRE_COOKIE) != pre:
        resp.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="strict", secure=request.url.scheme == "https",
                        path="/")
    return resp


def render_error(request: Request, status: int, error: str, hint: str | None, suggestions: list[str],
                 *, headers: dict[str, str] | None = None) -> HTMLResponse:
    from jakatlas.web.present import search

    links = [h for s in suggestions[:3] for h in search(s).hits[:1]]
    return render(request, "error.html", {"title": "Not found" if status == 404 else "Something went wrong",
                                          "status": status, "error": error, "hint": hint, "links": links},
                  status=status, headers=headers)
