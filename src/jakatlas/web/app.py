"""Build the web app: JSON API under /api/v1, FHIR R5 under /fhir, server-rendered pages elsewhere."""

from __future__ import annotations

import gzip
import logging
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from jakatlas import __version__
from jakatlas.errors import (
    AuthError,
    ConflictError,
    DataFileError,
    InputError,
    InvalidChangeError,
    JakatlasError,
    NetworkError,
    NotFoundError,
    StaleVersionError,
    StatisticsError,
    StorageError,
    VersionRequiredError,
)
from jakatlas.runtime import freeze_heap
from jakatlas.store.db import ENV_VAR
from jakatlas.web.cache import ResponseCacheMiddleware
from jakatlas.web.conditional import ConditionalGetMiddleware
from jakatlas.web.deps import AppContext, WebSettings
from jakatlas.web.fhir import FHIR_JSON, operation_outcome
from jakatlas.web.heap import HeapFreezeMiddleware
from jakatlas.web.problems import document_problems, problem_response
from jakatlas.web.routers import api_atlas, api_extract, api_studies, feeds, fhir, meta, pages, session
from jakatlas.web.security import BodyLimitMiddleware, SecurityHeadersMiddleware
from jakatlas.web.templating import render_error

__all__ = ["create_app", "create_app_from_env"]

log = logging.getLogger("jakatlas.web")

_STATUS: list[tuple[type[JakatlasError], int]] = [
    (NotFoundError, 404), (AuthError, 401), (StaleVersionError, 412), (ConflictError, 409),
    (VersionRequiredError, 428), (InvalidChangeError, 422), (InputError, 400), (StatisticsError, 422),
    (StorageError, 503), (NetworkError, 502), (DataFileError, 500),
]
_FHIR_CODES = {404: "not-found", 401: "login", 403: "forbidden", 400: "invalid", 409: "conflict", 412: "conflict",
               422: "invalid", 428: "required", 503: "transient"}


def _is_api(request: Request) -> bool:
    p = request.url.path
    return p.startswith(("/api/", "/health", "/openapi.json"))


def _is_fhir(request: Request) -> bool:
    return request.url.path.startswith("/fhir")


def _error_response(request: Request, status: int, error: str, hint: str | None = None,
                    suggestions: list[str] | None = None, headers: dict[str, str] | None = None,
                    errors: list[dict[str, Any]] | None = None) -> Response:
    if _is_fhir(request):
        body = operation_outcome(error, code=_FHIR_CODES.get(status, "processing"), hint=hint).model_dump_json()
        return Response(body, status_code=status, media_type=FHIR_JSON, headers=headers)
    if _is_api(request):
        return problem_response(status, error, hint=hint, suggestions=suggestions, headers=headers,
                                instance=request.url.path, errors=errors)
    return render_error(request, status, error, hint, suggestions or [], headers=headers)


RETRY_AFTER_S = 5
_STORAGE_HINTS = {
    "unreachable": "Try again in a few seconds.", "timeout": "Try again in a few seconds.",
    "locked": "Try again in a few seconds.", "disk_full": "Tell the atlas administrator.",
    "read_only": "This atlas is read-only; changes cannot be saved here.",
    "schema": "The administrator needs to run 'jakatlas build'.",
    "not_built": "The administrator needs to run 'jakatlas build'.",
}


def _storage_response(request: Request, exc: StorageError) -> Response:
    """503 with Retry-After for every storage failure; the details (path, host, user) go to the log only."""
    log.warning("storage error on %s %s: %s", request.method, request.url.path, exc)
    if exc.kind == "unique":
        return _error_response(request, 409, exc.public, "Reload the record and try again.")
    return _error_response(request, 503, exc.public, _STORAGE_HINTS.get(exc.kind, "Try again later."),
                           headers={"Retry-After": str(RETRY_AFTER_S)})


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(JakatlasError)
    async def jakatlas_error(request: Request, exc: JakatlasError) -> Response:
        if isinstance(exc, StorageError):
            return _storage_response(request, exc)
        status = next((code for cls, code in _STATUS if isinstance(exc, cls)), 500)
        suggestions = exc.suggestions if isinstance(exc, NotFoundError) else []
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return _error_response(request, status, exc.message, exc.hint, suggestions, headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail: Any = exc.detail
        if isinstance(detail, dict):
            error, hint = str(detail.get("error", "")), detail.get("hint")
        else:
            error, hint = str(detail), None
            if exc.status_code == 404:
                hint = "Check the address, or search for a disease or drug."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return _error_response(request, exc.status_code, error, hint, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        if _is_api(request):
            return _error_response(request, 422, f"Invalid request ({where}: {first.get('msg', 'invalid value')}).",
                                   "Fix the listed fields and send the request again.",
                                   errors=_plain(exc.errors()))
        return _error_response(request, 400 if not _is_fhir(request) else 422,
                               f"Invalid request ({where}: {first.get('msg', 'invalid value')}).")

    @app.exception_handler(ValidationError)
    async def invalid_record(request: Request, exc: ValidationError) -> Response:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return _error_response(request, 422, f"The change makes the record invalid ({where}: {first['msg']}).",
                               "Fix the field and send it again.")


def _allowed_methods(request: Request) -> list[str]:
    """Every method any route accepts for this path (Starlette reports only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, APIRoute) and route.path_regex.match(request.url.path):
            methods |= route.methods or set()
    return sorted(methods)


def _plain(errors: Any) -> Any:
    """Validation errors without the raw input (which may be a whole document)."""
    return [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in errors]


def _known_params(app: FastAPI) -> Callable[[str], frozenset[str] | None]:
    """For a request path, the query parameter names its GET operation declares in the OpenAPI
    description (``None``: no such operation)."""
    table: list[tuple[re.Pattern[str], frozenset[str]]] = []

    def lookup(path: str) -> frozenset[str] | None:
        if not table:
            for template, item in app.openapi().get("paths", {}).items():
                if "get" in item:
                    names = frozenset(p["name"] for p in item["get"].get("parameters", []) if p.get("in") == "query")
                    pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
                    table.append((re.compile(f"^{pattern}$"), names))
        return next((allowed for regex, allowed in table if regex.match(path)), None)

    return lookup


@cache
def _gzipped(path: Path) -> bytes:
    """A large static file compressed once per process (plotly.min.js: 4.8 MB -> about 1.4 MB)."""
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


def _plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_app(db_url: str | None = None, *, settings: WebSettings | None = None) -> FastAPI:
    """The web app for the atlas at ``db_url`` (default: ``$JAKATLAS_DB`` or the user's SQLite file)."""
    settings = settings or WebSettings()
    known_params: list[Callable[[str], frozenset[str] | None]] = []

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        """Build the OpenAPI description (and the table of query parameters) before serving."""
        await anyio.to_thread.run_sync(known_params[0], "/")
        ctx: AppContext = _app.state.ctx
        await ctx.open()
        if settings.freeze_heap_after:  # a server: what start-up loaded stays out of full collections
            freeze_heap(collect=True)
        try:
            yield
        finally:
            await ctx.close()

    app = FastAPI(
        lifespan=lifespan,
        title="jakatlas",
        version=__version__,
        summary="Living evidence atlas for JAK inhibitors in dermatology.",
        description="Read the atlas (diseases, drugs, studies, evidence map, FHIR R5 Evidence) and curate "
                    "candidate evidence with a curator token (`Authorization: Bearer TOKEN`).",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.ctx = AppContext(db_url, settings)
    _install_handlers(app)
    for r in (meta.router, api_atlas.router, api_studies.router, api_extract.router, fhir.router,
              session.router, feeds.router, pages.router):
        app.include_router(r)

    plotly_js = _plotly_js()

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_bundle(request: Request) -> Response:
        if not plotly_js.is_file():
            return Response("/* plotly is not installed */", media_type="text/javascript", status_code=404)
        headers = {"Cache-Control": "public, max-age=604800", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(_gzipped(plotly_js), media_type="text/javascript",
                            headers={**headers, "Content-Encoding": "gzip"})
        return FileResponse(plotly_js, media_type="text/javascript", headers=headers)

    app.mount("/static", StaticFiles(directory=str(resources.files("jakatlas.web") / "static")), name="static")
    _base_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        spec = _base_openapi()
        return document_problems(spec) if fresh else spec

    app.openapi = openapi  # type: ignore[method-assign]
    cache = app.state.ctx.cache
    known_params.append(_known_params(app))
    app.add_middleware(ResponseCacheMiddleware, cache=cache, known_params=known_params[0])
    app.add_middleware(ConditionalGetMiddleware, last_modified=lambda: cache.last_modified)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.freeze_heap_after:
        app.add_middleware(HeapFreezeMiddleware, after=settings.freeze_heap_after)
    return app


def create_app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory`` and multi-worker servers: the URL comes from ``$JAKATLAS_DB``."""
    return create_app(os.environ.get(ENV_VAR), settings=WebSettings.from_env())
