"""JSON API: extraction of structured evidence from a posted document (rate-limited per client)."""

from __future__ import annotations

import importlib
import math
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request

from jakatlas.models.evidence import ExtractionResult
from jakatlas.web.deps import get_ctx
from jakatlas.web.schemas import ErrorOut, ExtractIn

router = APIRouter(prefix="/api/v1", tags=["extract"])


def rate_limit(request: Request) -> None:
    """429 with ``Retry-After`` when this client IP has used up its extraction calls."""
    ctx = get_ctx(request)
    client = request.client.host if request.client else "unknown"
    wait = ctx.extract_limiter.hit(client)
    if wait:
        raise HTTPException(
            429, headers={"Retry-After": str(math.ceil(wait))},
            detail={"error": f"Too many extraction requests: {ctx.settings.extract_per_window} per "
                             f"{ctx.settings.rate_window_seconds:g} s per client.",
                    "hint": f"Retry in {math.ceil(wait)} s, or run 'jakatlas extract' locally."})


def _pipeline() -> tuple[Any, Any]:
    try:
        extract = importlib.import_module("jakatlas.extract").extract
        read_document = importlib.import_module("jakatlas.ingest.readers").read_document
    except (ImportError, AttributeError) as exc:
        raise HTTPException(503, detail={"error": "The extraction pipeline is not available in this installation.",
                                         "hint": "Reinstall jakatlas with its NLP dependencies."}) from exc
    return extract, read_document


@router.post(
    "/extract",
    response_model=ExtractionResult,
    dependencies=[Depends(rate_limit)],
    responses={
        400: {"model": ErrorOut, "description": "The document cannot be read."},
        413: {"model": ErrorOut, "description": "Body larger than the limit (1 MB by default)."},
        429: {"model": ErrorOut, "description": "Rate limit reached; see Retry-After."},
        503: {"model": ErrorOut, "description": "Extraction is not installed."},
    },
)
def extract_document(body: ExtractIn) -> ExtractionResult:
    """Extract studies, outcomes and mentions from a document (extraction-contract JSON).

    Nothing is stored; curators add documents with ``jakatlas add``.
    """
    extract, read_document = _pipeline()
    doc = read_document(body.text.encode("utf-8"), name=body.name or "request.txt")
    result: ExtractionResult = extract(doc)
    return result
