"""``jakatlas update``: fetch new and revised records, extract, store as linked candidates.

For each source the run asks for [watermark - 1 day, today] (or ``since``), so records that
arrive late or a run cut short are fetched again; unchanged records are recognised by their
content hash and left alone. The watermark moves to ``today`` only when every query of the
source succeeded. PubMed is searched by Entrez date (new records) and by modification date
(revised ones); deleted citations and retractions ("Retracted Publication") are marked. CT.gov
is searched by LastUpdatePostDate; a WITHDRAWN study is marked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from jakatlas.errors import InputError, NetworkError
from jakatlas.extract import extract_many
from jakatlas.ingest import Document
from jakatlas.ingest.ctgov_api import CtgovClient, canonical_study_bytes
from jakatlas.ingest.eutils import EutilsClient, FetchBatch
from jakatlas.ingest.http import UnreachableError
from jakatlas.ingest.queries import SearchQuery, build_queries
from jakatlas.ingest.readers import study_document
from jakatlas.runtime import batch_gc
from jakatlas.store.atlas import Atlas
from jakatlas.store.living import (
    BatchCounts,
    FetchedItem,
    finish_run,
    get_watermark,
    set_watermark,
    start_run,
    store_batch,
)

__all__ = ["SourceName", "SOURCES", "DEFAULT_START", "SourcePlan", "SourceSummary", "plan_update", "run_update",
           "pubmed_items", "ctgov_items"]

SourceName = Literal["pubmed", "ctgov"]
SOURCES: tuple[SourceName, ...] = ("pubmed", "ctgov")
DEFAULT_START = date(2000, 1, 1)
Progress = Callable[[str, int, int | None], None]


class SourcePlan(BaseModel):
    source: SourceName
    since: date
    until: date
    watermark: date | None
    queries: list[SearchQuery]


class SourceSummary(BaseModel):
    """What one source's run did (``failed`` holds one reason per failed record or query)."""

    source: SourceName
    since: date
    until: date
    data_timestamp: str | None = None
    queries: int = 0
    counts: BatchCounts = Field(default_factory=BatchCounts)
    requests: int = 0
    retries: int = 0
    complete: bool = False


def plan_update(atlas: Atlas, sources: Sequence[SourceName] = SOURCES, *, since: date | None = None,
                today: date | None = None, queries: Sequence[SearchQuery] | None = None) -> list[SourcePlan]:
    """The window and queries of each source (no network); ``queries`` default to the knowledge base's."""
    today = today or date.today()
    queries = list(queries) if queries is not None else build_queries()
    atlas.migrate()
    plans = []
    for src in sources:
        mark = get_watermark(atlas.url, src)
        start = since or (mark - timedelta(days=1) if mark else DEFAULT_START)
        plans.append(SourcePlan(source=src, since=start, until=today, watermark=mark, queries=queries))
    return plans


def _citation(doc: Document) -> str:
    st = doc.structured or {}
    authors = st.get("authors") or []
    who = f"{authors[0]}, et al." if len(authors) > 1 else (f"{authors[0]}." if authors else "")
    parts = [who, st.get("journal_abbrev") or st.get("journal") or "", str(st.get("year") or "")]
    text = " ".join(p for p in parts if p).strip()
    if st.get("pmid"):
        text += f". PMID {st['pmid']}"
    if st.get("doi"):
        text += f". DOI {st['doi']}"
    return text.strip(". ") or doc.source_id


def pubmed_items(batch: FetchBatch, seen: set[str], *, prescreen: bool = True) -> Iterator[FetchedItem]:
    """Fetched items of one EFetch batch (records already seen in this run are skipped)."""
    for pmid in batch.deleted:
        if f"d{pmid}" not in seen:
            seen.add(f"d{pmid}")
            yield FetchedItem(source="pubmed", record_id=pmid, pmid=pmid, content_hash="deleted", status="deleted")
    docs = []
    for d in batch.documents:
        pid: str | None = (d.structured or {}).get("pmid")
        if pid and pid not in seen:
            seen.add(pid)
            docs.append(d)
    yield from _items(docs, prescreen)


def _items(docs: list[Document], prescreen: bool) -> Iterator[FetchedItem]:
    for doc, result in zip(docs, extract_many(docs, prescreen=prescreen), strict=True):
        st = doc.structured or {}
        if doc.kind == "pubmed_xml":
            types = {t.lower() for t in st.get("publication_types", [])}
            authors = st.get("authors") or []
            yield FetchedItem(
                source="pubmed", record_id=st["pmid"], pmid=st["pmid"], doi=st.get("doi"),
                nct=(st.get("registry_ids") or [None])[0], title=doc.title, content_hash=doc.sha256,
                status="retracted" if "retracted publication" in types else "active",
                first_author=authors[0] if authors else None, year=st.get("year"), citation=_citation(doc),
                kind=doc.kind, text=doc.text, result=result)
        else:
            record = st.get("record") or {}
            status = (record.get("protocolSection", {}).get("statusModule", {}).get("overallStatus") or "").upper()
            nct = st.get("nct_id") or doc.source_id
            yield FetchedItem(
                source="ctgov", record_id=nct, nct=nct, title=doc.title, content_hash=doc.sha256,
                status="withdrawn" if status == "WITHDRAWN" else "active", citation=f"ClinicalTrials.gov {nct}",
                kind=doc.kind, text=doc.text, result=result)


def ctgov_items(studies: Iterable[dict], seen: set[str], failed: list[str], *,
                prescreen: bool = False) -> Iterator[FetchedItem]:
    """Fetched items of CT.gov study objects, read by the registry reader."""
    docs = []
    for study in studies:
        nct = str(study.get("protocolSection", {}).get("identificationModule", {}).get("nctId") or "?")
        if nct in seen:
            continue
        seen.add(nct)
        try:
            docs.append(study_document(study, canonical_study_bytes(study), nct))
        except InputError as exc:
            failed.append(f"ctgov:{nct}: {exc}")
    yield from _items(docs, prescreen)


def _store(atlas: Atlas, items: Iterable[FetchedItem], summary: SourceSummary) -> BatchCounts:
    counts = store_batch(atlas.url, list(items))
    summary.counts.add(counts)
    return counts


def _run_pubmed(atlas: Atlas, plan: SourcePlan, client: EutilsClient, summary: SourceSummary,
                progress: Progress | None) -> None:
    seen: set[str] = set()
    done = 0
    for q in plan.queries:
        try:
            windows = [w for dt in ("edat", "mdat") for w in client.windows(q.pubmed, plan.since, plan.until, dt)]
            for win in windows:
                for _pos, batch in client.fetch_window(win, skip=seen):
                    c = _store(atlas, pubmed_items(batch, seen), summary)
                    done += c.fetched
                    if progress:
                        progress("pubmed", done, None)
        except UnreachableError:
            raise
        except (NetworkError, InputError) as exc:
            summary.counts.failed.append(f"PubMed query for {q.drug}: {exc}")
        summary.queries += 1


def _run_ctgov(atlas: Atlas, plan: SourcePlan, client: CtgovClient, summary: SourceSummary,
               progress: Progress | None) -> None:
    seen: set[str] = set()
    done = 0
    summary.data_timestamp = client.data_timestamp()
    for q in plan.queries:
        try:
            for _token, page in client.pages(intr=q.ctgov_intr, cond=q.ctgov_cond, since=plan.since):
                c = _store(atlas, ctgov_items(page.studies, seen, summary.counts.failed), summary)
                done += c.fetched
                if progress:
                    progress("ctgov", done, None)
        except UnreachableError:
            raise
        except (NetworkError, InputError) as exc:
            summary.counts.failed.append(f"CT.gov query for {q.drug}: {exc}")
        summary.queries += 1


def run_update(atlas: Atlas, sources: Sequence[SourceName] = SOURCES, *, since: date | None = None,
               today: date | None = None, eutils: EutilsClient | None = None, ctgov: CtgovClient | None = None,
               progress: Progress | None = None, queries: Sequence[SearchQuery] | None = None) -> list[SourceSummary]:
    """Run each source's update; the watermark moves only after a source's complete success."""
    atlas.require_built()
    with batch_gc():
        return [_run_source(atlas, plan, eutils, ctgov, progress)
                for plan in plan_update(atlas, sources, since=since, today=today, queries=queries)]


def _run_source(atlas: Atlas, plan: SourcePlan, eutils: EutilsClient | None, ctgov: CtgovClient | None,
                progress: Progress | None) -> SourceSummary:
    summary = SourceSummary(source=plan.source, since=plan.since, until=plan.until)
    client: EutilsClient | CtgovClient = (eutils or EutilsClient()) if plan.source == "pubmed" \
        else (ctgov or CtgovClient())
    run_id = start_run(atlas.url, plan.source, plan.since, plan.until)
    status = "failed"
    try:
        if isinstance(client, EutilsClient):
            _run_pubmed(atlas, plan, client, summary, progress)
        else:
            _run_ctgov(atlas, plan, client, summary, progress)
        summary.complete = not any(f.startswith(("PubMed query", "CT.gov query")) for f in summary.counts.failed)
        if summary.complete:
            set_watermark(atlas.url, plan.source, plan.until, summary.data_timestamp)
            status = "done"
    finally:
        summary.requests, summary.retries = client.requests, client.retries
        finish_run(atlas.url, run_id, status, summary.model_dump(mode="json"))
        if client is not eutils and client is not ctgov:
            client.close()
    return summary
