"""NCBI E-utilities client: windowed ESearch on the History server, EFetch by POST in batches.

ESearch (``db=pubmed``, ``usehistory=y``, ``datetype=edat`` for new records or ``mdat`` for
revised ones, ``mindate``/``maxdate`` as ``YYYY/MM/DD``) can hand out at most 9,999 records of
one result set, so a date range whose count reaches 10,000 is split in halves until every window
holds fewer (E-utilities in depth, https://www.ncbi.nlm.nih.gov/books/NBK25499/). Each window's
records are then fetched with EFetch by POST from the History server (``WebEnv`` and
``query_key``, ``retstart``/``retmax``) in batches of a few hundred and parsed with the PubMed
reader (:func:`jakatlas.ingest.pubmed.article_document`); ``<DeleteCitation>`` entries come back
as deleted PMIDs. ``tool``, ``email`` and ``api_key`` come from ``NCBI_TOOL``, ``NCBI_EMAIL``
and ``NCBI_API_KEY`` and are never logged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

import httpx
from lxml import etree

from jakatlas.errors import InputError, NetworkError
from jakatlas.ingest.document import Document
from jakatlas.ingest.http import ApiClient, RateLimiter, RetryPolicy, shared_limiter
from jakatlas.ingest.pubmed import (
    ARTICLE_TAGS,
    article_document,
    article_pmid,
    check_xml_safe,
    safe_xml_parser,
)

__all__ = ["EUTILS_URL", "EutilsClient", "SearchWindow", "FetchBatch", "ncbi_identity", "parse_efetch",
           "WINDOW_LIMIT"]

EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
WINDOW_LIMIT = 10_000
DateType = Literal["edat", "mdat"]


def ncbi_identity() -> dict[str, str]:
    """``tool``, ``email`` and (when set) ``api_key`` from the environment."""
    ident = {"tool": os.environ.get("NCBI_TOOL") or "jakatlas"}
    if os.environ.get("NCBI_EMAIL"):
        ident["email"] = os.environ["NCBI_EMAIL"]
    if os.environ.get("NCBI_API_KEY"):
        ident["api_key"] = os.environ["NCBI_API_KEY"]
    return ident


@dataclass(frozen=True)
class SearchWindow:
    """One date window of an ESearch kept on the History server (count < 10,000)."""

    term: str
    datetype: DateType
    mindate: date
    maxdate: date
    count: int
    webenv: str
    query_key: str


@dataclass
class FetchBatch:
    """One EFetch batch: the articles read as documents and the PMIDs PubMed deleted."""

    documents: list[Document] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    raw_bytes: int = 0
    skipped: list[str] = field(default_factory=list)


def _ymd(d: date) -> str:
    return d.strftime("%Y/%m/%d")


def _esearch_error(resp: httpx.Response) -> str | None:
    try:
        body = resp.json()
    except ValueError:
        return "ESearch returned no JSON"
    if not isinstance(body, dict):
        return "ESearch returned unexpected JSON"
    if "error" in body:
        return str(body["error"])
    result = body.get("esearchresult")
    if not isinstance(result, dict):
        return "ESearch JSON has no 'esearchresult'"
    if "ERROR" in result:
        return str(result["ERROR"])
    if "count" not in result:
        return "ESearch JSON has no count"
    return None


_FETCH_ROOTS = (b"<PubmedArticleSet", b"<!DOCTYPE PubmedArticleSet")


def _efetch_error(resp: httpx.Response) -> str | None:
    head = resp.content[:4096].lstrip()
    if head.startswith(b"<?xml"):
        head = head[head.find(b"?>") + 2:].lstrip()
    if any(head.startswith(r) for r in _FETCH_ROOTS):
        return None
    if b"<ERROR>" in head:
        start = head.find(b"<ERROR>") + 7
        return head[start: head.find(b"</ERROR>", start)].decode("utf-8", "replace")[:200]
    if head.startswith(b"{"):
        try:
            return str(json.loads(resp.content).get("error", "EFetch returned JSON instead of XML"))
        except (ValueError, AttributeError):
            return "EFetch returned malformed JSON"
    return "EFetch returned something other than a PubmedArticleSet"


def parse_efetch(content: bytes, label: str = "EFetch response", *,
                 skip: Container[str] = frozenset()) -> FetchBatch:
    """Read an EFetch ``PubmedArticleSet`` into documents and deleted PMIDs (safe parser).

    Articles whose PMID is in ``skip`` (already read in this run: a record entered in the window
    is usually modified in it too) are listed in ``skipped`` without being read."""
    check_xml_safe(content[:1 << 16].decode("latin-1"), label, complete=len(content) < 1 << 16)
    try:
        root = etree.fromstring(content, safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{label}: malformed XML ({exc.msg}).") from None
    batch = FetchBatch(raw_bytes=len(content))
    for el in root:
        if el.tag in ARTICLE_TAGS:
            pmid = article_pmid(el) if skip else None
            if pmid is not None and pmid in skip:
                batch.skipped.append(pmid)
            else:
                batch.documents.append(article_document(el))
        elif el.tag == "DeleteCitation":
            batch.deleted.extend(p.text.strip() for p in el.iterfind("PMID") if p.text)
    return batch


class EutilsClient(ApiClient):
    """ESearch/EFetch against ``$JAKATLAS_EUTILS_URL`` (default: NCBI)."""

    service = "PubMed E-utilities"
    env_var = "JAKATLAS_EUTILS_URL"

    def __init__(self, base_url: str | None = None, *, identity: dict[str, str] | None = None,
                 limiter: RateLimiter | None = None, retry: RetryPolicy | None = None,
                 transport: httpx.BaseTransport | None = None, batch_size: int = 200, **kw: Any) -> None:
        self.identity = dict(identity if identity is not None else ncbi_identity())
        rate = 10.0 if self.identity.get("api_key") else 3.0
        super().__init__(base_url or os.environ.get("JAKATLAS_EUTILS_URL") or EUTILS_URL,
                         limiter=limiter or shared_limiter(rate), retry=retry, transport=transport,
                         secrets=tuple(v for k, v in self.identity.items() if k in ("api_key", "email")), **kw)
        if not 1 <= batch_size <= 10_000:
            raise ValueError("batch_size must be between 1 and 10,000")
        self.batch_size = batch_size

    def esearch(self, term: str, mindate: date, maxdate: date, datetype: DateType = "edat") -> SearchWindow:
        """One ESearch kept on the History server (``retmax=0``: the count and the WebEnv only)."""
        params = {**self.identity, "db": "pubmed", "term": term, "datetype": datetype,
                  "mindate": _ymd(mindate), "maxdate": _ymd(maxdate), "usehistory": "y",
                  "retmax": "0", "retmode": "json"}
        resp = self.request("POST", "/esearch.fcgi", data=params, check=_esearch_error)
        result = resp.json()["esearchresult"]
        try:
            count = int(result["count"])
        except (TypeError, ValueError):
            raise NetworkError(f"{self.service} sent a count that is not a number: {result.get('count')!r}.",
                               hint="Try again later.") from None
        if count and not (result.get("webenv") and result.get("querykey")):
            raise NetworkError(f"{self.service} kept no History server result (no WebEnv).",
                               hint="Try again later.")
        return SearchWindow(term, datetype, mindate, maxdate, count, str(result.get("webenv", "")),
                            str(result.get("querykey", "")))

    def windows(self, term: str, mindate: date, maxdate: date,
                datetype: DateType = "edat") -> Iterator[SearchWindow]:
        """Windows covering [mindate, maxdate], each halved until it holds < 10,000 records."""
        stack = [(mindate, maxdate)]
        while stack:
            lo, hi = stack.pop()
            win = self.esearch(term, lo, hi, datetype)
            if win.count < WINDOW_LIMIT:
                if win.count:
                    yield win
                continue
            if lo >= hi:
                raise NetworkError(
                    f"{self.service}: {win.count:,} records on {_ymd(lo)} alone, more than one search "
                    f"can page through ({WINDOW_LIMIT:,}).", hint="Narrow the query.")
            mid = lo + timedelta(days=(hi - lo).days // 2)
            stack.append((mid + timedelta(days=1), hi))  # popped second: windows come out in date order
            stack.append((lo, mid))

    def efetch(self, window: SearchWindow, retstart: int, retmax: int | None = None, *,
               skip: Container[str] = frozenset()) -> FetchBatch:
        """One batch of a window's records, by POST from the History server (``skip``: PMIDs not to read)."""
        params = {**self.identity, "db": "pubmed", "WebEnv": window.webenv, "query_key": window.query_key,
                  "retstart": str(retstart), "retmax": str(retmax or self.batch_size), "retmode": "xml"}
        resp = self.request("POST", "/efetch.fcgi", data=params, check=_efetch_error)
        return parse_efetch(resp.content, f"{self.service} EFetch batch at {retstart}", skip=skip)

    def efetch_ids(self, pmids: list[str]) -> FetchBatch:
        """Fetch given PMIDs by POST (to re-check stored records)."""
        params = {**self.identity, "db": "pubmed", "id": ",".join(pmids), "retmode": "xml"}
        resp = self.request("POST", "/efetch.fcgi", data=params, check=_efetch_error)
        return parse_efetch(resp.content, f"{self.service} EFetch of {len(pmids)} PMIDs")

    def fetch_window(self, window: SearchWindow, start: int = 0, *,
                     skip: Container[str] = frozenset()) -> Iterator[tuple[int, FetchBatch]]:
        """Batches of one window from ``start``: ``(next_retstart, batch)``; PMIDs in ``skip`` are
        not read (the set may grow between batches)."""
        pos = start
        while pos < window.count:
            batch = self.efetch(window, pos, skip=skip)
            pos += self.batch_size
            yield min(pos, window.count), batch
