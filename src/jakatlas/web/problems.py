"""One error format for the JSON API: RFC 9457 problem details (``application/problem+json``).

Every API error, validation errors (422) included, is a :class:`Problem`. Besides the standard
members (``type``, ``title``, ``status``, ``detail``, ``instance``) it carries the extension
members ``error`` (same text as ``detail``), ``hint`` (how to fix it), ``suggestions`` (close
matches of an unknown name) and, for 422, ``errors`` (one entry per invalid field).

Routes raise ``HTTPException(status, detail={"error": ..., "hint": ...})`` or a
:class:`jakatlas.errors.JakatlasError`; :func:`problem_response` builds the body for any of them.
:func:`document_problems` rewrites the OpenAPI description to match.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import Response
from pydantic import BaseModel, Field

from jakatlas.web.tables import json_bytes

FHIR_JSON = "application/fhir+json"

__all__ = ["PROBLEM_JSON", "Problem", "problem_response", "problem_body", "document_problems"]

PROBLEM_JSON = "application/problem+json"
_RFC9110 = {413: "Content Too Large", 422: "Unprocessable Content"}  # names of RFC 9110 (older ones in http)


class Problem(BaseModel):
    """RFC 9457 problem details with the atlas's extension members."""

    type: str = Field("about:blank", description="A URI naming the kind of problem ('about:blank' = the status).")
    title: str = Field(description="The HTTP status phrase.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong.")
    instance: str | None = Field(None, description="The path of the request.")
    error: str = Field(description="Same as detail (kept for clients of earlier versions).")
    hint: str | None = Field(None, description="How to fix it.")
    suggestions: list[str] = Field(default_factory=list, description="Close matches of an unknown name.")
    errors: list[dict[str, Any]] | None = Field(None, description="Invalid fields (422 only).")


def problem_body(status: int, detail: str, *, hint: str | None = None, instance: str | None = None,
                 suggestions: list[str] | None = None, errors: list[dict[str, Any]] | None = None,
                 type_: str = "about:blank") -> dict[str, Any]:
    try:
        title = _RFC9110.get(status) or HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body: dict[str, Any] = {"type": type_, "title": title, "status": status, "detail": detail, "error": detail,
                            "hint": hint, "suggestions": suggestions or []}
    if instance is not None:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    return body


def problem_response(status: int, detail: str, *, hint: str | None = None, instance: str | None = None,
                     suggestions: list[str] | None = None, errors: list[dict[str, Any]] | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    """An ``application/problem+json`` response (use it from any route or handler)."""
    body = problem_body(status, detail, hint=hint, instance=instance, suggestions=suggestions, errors=errors)
    return Response(json_bytes(body), status_code=status, media_type=PROBLEM_JSON, headers=headers)


_REF = "#/components/schemas/Problem"
_STANDARD = {
    "503": ("The atlas database is unreachable, busy or did not answer in time; retry after Retry-After "
            "seconds."),
    "413": "The request body is larger than the limit (1 MB by default).",
    "422": "A parameter or the body is invalid; 'errors' lists each field.",
}


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": _REF}}}


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """Describe every error response as problem+json; add 503 everywhere and 413 where a body is read."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError", "ErrorOut"):
        schemas.pop(name, None)
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            for code, resp in responses.items():
                ref = resp.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                if code.startswith(("4", "5")) and ref.endswith(("/ErrorOut", "/HTTPValidationError")):
                    resp["content"] = _problem_content()
            if path.startswith("/fhir"):
                responses.setdefault("503", {"description": _STANDARD["503"] + " The body is an OperationOutcome.",
                                             "content": {FHIR_JSON: {"schema": {"type": "object"}}}})
                continue
            if method in ("post", "put", "patch"):
                responses.setdefault("413", {"description": _STANDARD["413"], "content": _problem_content()})
            if op.get("parameters") or "requestBody" in op:
                responses.setdefault("422", {"description": _STANDARD["422"], "content": _problem_content()})
            responses.setdefault("503", {"description": _STANDARD["503"], "content": _problem_content(),
                                         "headers": {"Retry-After": {"schema": {"type": "integer"},
                                                                     "description": "Seconds to wait."}}})
    return spec
