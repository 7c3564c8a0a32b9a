"""Service endpoints: health check and the local API documentation page."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.engine import make_url

from jakatlas import __version__
from jakatlas.errors import JakatlasError
from jakatlas.web.deps import Ctx
from jakatlas.web.schemas import HealthOut
from jakatlas.web.templating import render

router = APIRouter()


@router.get("/health", response_model=HealthOut, tags=["service"],
            responses={503: {"model": HealthOut, "description": "The atlas cannot be read."}})
def health(ctx: Ctx) -> Response:
    """Liveness and readiness: 200 when the atlas database answers, 503 otherwise."""
    backend = make_url(ctx.atlas.url).get_backend_name()
    try:
        studies = ctx.atlas.counts()["studies"]
    except JakatlasError:
        out = HealthOut(status="unavailable", version=__version__, database=backend)
        return JSONResponse(out.model_dump(), status_code=503)
    return JSONResponse(HealthOut(status="ok", version=__version__, database=backend, studies=studies).model_dump())


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    """API reference rendered in the browser from /openapi.json (no external assets)."""
    return render(request, "docs.html", {"title": "API reference"})
