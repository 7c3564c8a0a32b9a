"""ClinicalTrials.gov API v2 client: studies updated in a date range, page by page.

``GET /api/v2/studies`` with ``query.intr`` and ``query.cond`` (Essie expressions),
``filter.advanced=AREA[LastUpdatePostDate]RANGE[from,to]``, ``pageSize`` up to 1000 and the
``nextPageToken`` of each page passed back as ``pageToken`` until a page carries none; ``GET
/api/v2/version`` gives the ``dataTimestamp`` of the data served, recorded per run
(https://clinicaltrials.gov/data-api/api). Study objects are read with
:mod:`jakatlas.ingest.ctgov` through :func:`jakatlas.ingest.read_document`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from jakatlas.ingest.http import ApiClient, RateLimiter, RetryPolicy, shared_limiter

__all__ = ["CTGOV_URL", "CtgovClient", "StudiesPage", "MAX_PAGE_SIZE", "canonical_study_bytes"]

CTGOV_URL = "https://clinicaltrials.gov"
MAX_PAGE_SIZE = 1000


@dataclass
class StudiesPage:
    studies: list[dict[str, Any]] = field(default_factory=list)
    next_token: str | None = None
    total: int | None = None


def _json_error(resp: httpx.Response) -> str | None:
    try:
        body = resp.json()
    except ValueError:
        return "the response is not JSON"
    if not isinstance(body, dict):
        return "the response is not a JSON object"
    for key in ("error", "errors", "message"):
        if key in body:
            return str(body[key])[:200]
    return None


def _studies_error(resp: httpx.Response) -> str | None:
    message = _json_error(resp)
    if message is None and not isinstance(resp.json().get("studies"), list):
        return "the page has no 'studies' list"
    return message


class CtgovClient(ApiClient):
    """Studies and version from ``$JAKATLAS_CTGOV_URL`` (default: clinicaltrials.gov)."""

    service = "ClinicalTrials.gov API"
    env_var = "JAKATLAS_CTGOV_URL"

    def __init__(self, base_url: str | None = None, *, limiter: RateLimiter | None = None,
                 retry: RetryPolicy | None = None, transport: httpx.BaseTransport | None = None,
                 page_size: int = MAX_PAGE_SIZE, **kw: Any) -> None:
        super().__init__(base_url or os.environ.get("JAKATLAS_CTGOV_URL") or CTGOV_URL,
                         limiter=limiter or shared_limiter(3.0), retry=retry, transport=transport, **kw)
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        self.page_size = page_size

    def data_timestamp(self) -> str:
        """``dataTimestamp`` of ``/api/v2/version`` (when the served data were last refreshed)."""
        resp = self.request("GET", "/api/v2/version", check=_json_error)
        body = resp.json()
        return str(body.get("dataTimestamp") or "")

    def page(self, *, intr: str | None, cond: str | None, since: date, until: date | None = None,
             token: str | None = None) -> StudiesPage:
        """One page of studies last updated in [since, until]."""
        upper = until.isoformat() if until else "MAX"
        params: dict[str, Any] = {"format": "json", "pageSize": str(self.page_size), "countTotal": "true",
                                  "filter.advanced": f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},{upper}]"}
        if intr:
            params["query.intr"] = intr
        if cond:
            params["query.cond"] = cond
        if token:
            params["pageToken"] = token
        resp = self.request("GET", "/api/v2/studies", params=params, check=_studies_error)
        body = resp.json()
        total = body.get("totalCount")
        return StudiesPage(studies=list(body["studies"]), next_token=body.get("nextPageToken") or None,
                           total=int(total) if isinstance(total, int) else None)

    def pages(self, *, intr: str | None, cond: str | None, since: date, until: date | None = None,
              token: str | None = None) -> Iterator[tuple[str | None, StudiesPage]]:
        """Follow the ``nextPageToken`` chain: ``(token used, page)`` until a page has no token."""
        while True:
            page = self.page(intr=intr, cond=cond, since=since, until=until, token=token)
            yield token, page
            if not page.next_token:
                return
            token = page.next_token


def canonical_study_bytes(study: dict[str, Any]) -> bytes:
    """Canonical JSON bytes of one study (sorted keys): its content hash does not depend on layout."""
    return json.dumps(study, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
