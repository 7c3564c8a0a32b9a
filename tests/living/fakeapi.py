"""A stand-in for NCBI E-utilities and ClinicalTrials.gov API v2 answering in the real formats.

Responses copy the structure of recorded ones (``tests/fixtures/living/*``): ESearch JSON with
``esearchresult`` (count, querykey, webenv), EFetch ``PubmedArticleSet`` XML with the articles'
own XML (and ``DeleteCitation`` for deleted PMIDs), CT.gov ``{"studies": [...],
"nextPageToken": ...}`` pages and ``/api/v2/version``. A record matches a query when one of the
query's quoted drug terms occurs in it. ``faults`` inject the failures a live service shows: 429,
5xx, an error message inside a 200 body, a timeout. The same handler serves
:class:`httpx.MockTransport` and a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "living"
_DATE = re.compile(r"(\d{4})/(\d{2})/(\d{2})")
_QUOTED = re.compile(r'"([^"]+)"')
_RANGE = re.compile(r"RANGE\[([^,\]]+),([^\]]+)\]")


@dataclass
class PubmedRecord:
    pmid: str
    edat: date
    mdat: date
    xml: bytes  # the <PubmedArticle> element
    deleted: bool = False

    def text(self) -> str:
        return self.xml.decode("utf-8", "replace").lower()


@dataclass
class CtgovRecord:
    nct: str
    updated: date
    study: dict[str, Any]


@dataclass
class Fault:
    """Fail the next request whose path ends with ``path``: 429, 500, 'error200' or 'timeout'."""

    path: str
    kind: str


@dataclass
class FakeApis:
    pubmed: dict[str, PubmedRecord] = field(default_factory=dict)
    ctgov: dict[str, CtgovRecord] = field(default_factory=dict)
    faults: deque[Fault] = field(default_factory=deque)
    data_timestamp: str = "2026-12-01T09:00:05"
    delay: float = 0.0
    match_all: bool = False  # every record matches every query (replay benchmarks)
    log: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    _history: dict[str, list[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- records ---------------------------------------------------------------------------
    def add_pubmed(self, rec: PubmedRecord) -> None:
        self.pubmed[rec.pmid] = rec

    def add_ctgov(self, rec: CtgovRecord) -> None:
        self.ctgov[rec.nct] = rec

    # -- dispatch --------------------------------------------------------------------------
    def handle(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        with self._lock:
            self.log.append((method, path, dict(params)))
            fault = self.faults[0] if self.faults and path.endswith(self.faults[0].path) else None
            if fault:
                self.faults.popleft()
        if fault is not None:
            if fault.kind == "429":
                return 429, {"Retry-After": "0", "Content-Type": "application/json"}, \
                    (FIXTURES / "eutils_429.json").read_bytes()
            if fault.kind == "500":
                return 502, {"Content-Type": "text/html"}, b"<html><body>Bad Gateway</body></html>"
            if fault.kind == "error200":
                name = "esearch_error_200.json" if "esearch" in path else (
                    "efetch_error_200.xml" if "efetch" in path else "ctgov_error_200.json")
                return 200, {"Content-Type": "application/json"}, (FIXTURES / name).read_bytes()
            if fault.kind == "timeout":
                raise httpx.ReadTimeout("timed out")
        if self.delay:
            time.sleep(self.delay)
        if path.endswith("/esearch.fcgi"):
            return self._esearch(params)
        if path.endswith("/efetch.fcgi"):
            return self._efetch(params)
        if path.endswith("/api/v2/version"):
            body = {"apiVersion": "2.0.3", "dataTimestamp": self.data_timestamp}
            return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()
        if path.endswith("/api/v2/studies"):
            return self._studies(params)
        return 404, {"Content-Type": "text/plain"}, b"Not Found"

    @staticmethod
    def _terms(term: str) -> list[str]:
        first = term.split(") AND (")[0]
        return [t.lower() for t in _QUOTED.findall(first)]

    def _esearch(self, p: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        lo, hi = (date(*map(int, _DATE.fullmatch(p[k]).groups())) for k in ("mindate", "maxdate"))  # type: ignore[union-attr]
        terms = self._terms(p["term"])
        attr = "mdat" if p.get("datetype") == "mdat" else "edat"
        ids = sorted((r.pmid for r in self.pubmed.values()
                      if lo <= getattr(r, attr) <= hi
                      and (self.match_all or r.deleted or any(t in r.text() for t in terms))),
                     key=int)
        with self._lock:
            key = f"MCID_{len(self._history) + 1:04d}"
            self._history[key] = ids
        body = json.loads((FIXTURES / "esearch_template.json").read_text())
        body["esearchresult"].update({"count": str(len(ids)), "webenv": key, "querykey": "1"})
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _efetch(self, p: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        if "id" in p:
            ids = p["id"].split(",")
        else:
            ids = self._history[p["WebEnv"]]
            start, size = int(p.get("retstart", 0)), int(p.get("retmax", 20))
            ids = ids[start:start + size]
        parts = [b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
                 b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
                 b"<PubmedArticleSet>\n"]
        deleted = []
        for pmid in ids:
            rec = self.pubmed.get(pmid)
            if rec is None:
                continue
            if rec.deleted:
                deleted.append(pmid)
            else:
                parts.append(rec.xml + b"\n")
        if deleted:
            parts.append(b"<DeleteCitation>" + b"".join(
                f'<PMID Version="1">{d}</PMID>'.encode() for d in deleted) + b"</DeleteCitation>\n")
        parts.append(b"</PubmedArticleSet>\n")
        return 200, {"Content-Type": "text/xml; charset=UTF-8"}, b"".join(parts)

    def _studies(self, p: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        m = _RANGE.search(p.get("filter.advanced", ""))
        lo = date.fromisoformat(m.group(1)) if m and m.group(1) != "MIN" else date.min
        hi = date.fromisoformat(m.group(2)) if m and m.group(2) != "MAX" else date.max
        terms = [t.lower() for t in _QUOTED.findall(p.get("query.intr", ""))]
        hits = sorted(n for n, r in self.ctgov.items()
                      if lo <= r.updated <= hi
                      and (self.match_all or any(t in json.dumps(r.study).lower() for t in terms)))
        size = int(p.get("pageSize", 10))
        start = int(p["pageToken"].removeprefix("tok")) if p.get("pageToken") else 0
        chunk = hits[start:start + size]
        body: dict[str, Any] = {"studies": [self.ctgov[n].study for n in chunk]}
        if p.get("countTotal") == "true" and not p.get("pageToken"):
            body["totalCount"] = len(hits)
        if chunk:  # like the live API, a chain may end with an empty page
            body["nextPageToken"] = f"tok{start + size}"
        return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

    # -- transports ------------------------------------------------------------------------
    def _params(self, request: httpx.Request) -> dict[str, str]:
        params = {k: v for k, v in request.url.params.items()}
        if request.method == "POST":
            form = parse_qs(request.content.decode(), keep_blank_values=True)
            params.update({k: v[-1] for k, v in form.items()})
        return params

    def transport(self) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            status, headers, body = self.handle(request.method, request.url.path, self._params(request))
            return httpx.Response(status, headers=headers, content=body)

        return httpx.MockTransport(handler)

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        """Serve on 127.0.0.1 (a free port) in a daemon thread; returns the server and base URL."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                url = urlsplit(self.path)
                params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
                if method == "POST":
                    size = int(self.headers.get("Content-Length") or 0)
                    form = parse_qs(self.rfile.read(size).decode(), keep_blank_values=True)
                    params.update({k: v[-1] for k, v in form.items()})
                try:
                    status, headers, body = fake.handle(method, url.path, params)
                except httpx.TimeoutException:
                    time.sleep(5)
                    return
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}"


def pubmed_article(pmid: str, title: str, abstract: str, *, authors: tuple[tuple[str, str], ...] = (),
                   year: int = 2026, doi: str | None = None, pub_types: tuple[str, ...] = ("Journal Article",),
                   registry: tuple[str, ...] = (), journal: str = "Journal of Dermatology Reports") -> bytes:
    """A ``<PubmedArticle>`` element in the structure of the real records in the shared corpus."""
    from xml.sax.saxutils import escape

    au = "".join(f'<Author ValidYN="Y"><LastName>{escape(last)}</LastName><Initials>{escape(ini)}</Initials></Author>'
                 for last, ini in authors)
    paras = [p.strip() for p in abstract.split("\n") if p.strip()]
    abst = "".join(f"<AbstractText>{escape(p)}</AbstractText>" for p in paras)
    types = "".join(f"<PublicationType>{escape(t)}</PublicationType>" for t in pub_types)
    banks = ""
    if registry:
        nums = "".join(f"<AccessionNumber>{n}</AccessionNumber>" for n in registry)
        banks = (f'<DataBankList CompleteYN="Y"><DataBank><DataBankName>ClinicalTrials.gov</DataBankName>'
                 f"<AccessionNumberList>{nums}</AccessionNumberList></DataBank></DataBankList>")
    ids = f'<ArticleId IdType="pubmed">{pmid}</ArticleId>' + (f'<ArticleId IdType="doi">{escape(doi)}</ArticleId>'
                                                              if doi else "")
    xml = (f'<PubmedArticle><MedlineCitation Status="PubMed-not-MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
           f'<Article PubModel="Print-Electronic"><Journal><JournalIssue CitedMedium="Internet"><PubDate><Year>{year}'
           f"</Year></PubDate></JournalIssue><Title>{escape(journal)}</Title></Journal>"
           f"<ArticleTitle>{escape(title)}</ArticleTitle><Abstract>{abst}</Abstract>"
           f'<AuthorList CompleteYN="Y">{au}</AuthorList><Language>eng</Language>{banks}'
           f"<PublicationTypeList>{types}</PublicationTypeList></Article></MedlineCitation>"
           f'<PubmedData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>{ids}</ArticleIdList>'
           f"</PubmedData></PubmedArticle>")
    return xml.encode("utf-8")


def corpus_articles(shared: Path) -> list[tuple[str, bytes]]:
    """``(pmid, <PubmedArticle> bytes)`` of the real records in ``shared/corpora/pubmed_xml``."""
    from lxml import etree

    out = []
    for f in sorted((shared / "corpora" / "pubmed_xml").glob("*.xml")):
        root = etree.parse(str(f), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)).getroot()
        for el in root.iter("PubmedArticle"):
            out.append((el.findtext("./MedlineCitation/PMID"), etree.tostring(el, with_tail=False)))
    return out
