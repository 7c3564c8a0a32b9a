"""Storage of living updates: fetched records as candidates, links, watermarks, runs, what's new.

Every batch is written in one transaction, record ids and candidate study ids are derived from
the source ids (``pubmed:PMID`` -> ``pubmed-PMID-s1``), and a record whose content hash has not
changed is left alone, so an interrupted or repeated run neither loses nor duplicates anything.
A changed record replaces its candidate studies (curators' decisions on them are kept); a
retracted, withdrawn or deleted record is marked and its candidates are set aside as
``withdrawn``, never dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from jakatlas.models.evidence import ExtractionResult
from jakatlas.store.db import session_scope
from jakatlas.store.lifecycle import effective, index_rows
from jakatlas.store.link import KeyIndex, LinkDecision, StudyKey, link_studies, study_key
from jakatlas.store.living_schema import FetchedRecordRow, StudyLinkRow, UpdateRunRow, WatermarkRow
from jakatlas.store.schema import AuditRow, DocumentRow, StudyDiseaseRow, StudyDrugRow, StudyRow, utcnow

__all__ = [
    "FetchedItem", "BatchCounts", "NewEntry", "store_batch", "get_watermark", "set_watermark", "start_run",
    "finish_run", "whats_new", "last_runs", "existing_keys", "RecordStatus", "link_new_studies", "link_decisions",
]

RecordStatus = Literal["active", "retracted", "withdrawn", "deleted"]
Source = Literal["pubmed", "ctgov"]


class FetchedItem(BaseModel):
    """One fetched record with its extraction (``result`` is None for deleted records)."""

    source: Source
    record_id: str
    content_hash: str
    status: RecordStatus = "active"
    pmid: str | None = None
    doi: str | None = None
    nct: str | None = None
    title: str | None = None
    first_author: str | None = None
    year: int | None = None
    citation: str | None = None
    kind: str = "pubmed_xml"
    text: str | None = None
    result: ExtractionResult | None = None

    @property
    def key(self) -> str:
        return f"{self.source}:{self.record_id}"


class BatchCounts(BaseModel):
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    linked: int = 0
    candidates: int = 0
    failed: list[str] = Field(default_factory=list)

    def add(self, other: BatchCounts) -> None:
        for name in ("fetched", "new", "updated", "unchanged", "withdrawn", "linked", "candidates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failed.extend(other.failed)


def existing_keys(s: Session) -> list[StudyKey]:
    """Keys of the studies that count: curated ones and candidates that duplicate nothing."""
    linked = select(StudyLinkRow.study_id)
    rows = s.execute(select(StudyRow.id, StudyRow.status, StudyRow.title, StudyRow.data, StudyRow.document_id)
                     .where(StudyRow.status.in_(("curated", "candidate")), StudyRow.id.not_in(linked))
                     .order_by(StudyRow.created_at, StudyRow.id))
    return [study_key(i, {"title": t, **d}, status=st, record=doc) for i, st, t, d, doc in rows]


# The key index of the last batch stored at each URL, with the stamp of the tables it reflects:
# the next batch reuses it when nothing else has written since (building it decodes every study).
_indexes: dict[str, tuple[tuple[Any, ...], KeyIndex]] = {}
_indexes_lock = threading.Lock()


def _stamp(s: Session) -> tuple[Any, ...]:
    """What changes whenever a study or a link is added, changed or removed."""
    studies = s.execute(select(func.count(), func.max(StudyRow.updated_at))).one()
    links = s.execute(select(func.count(), func.max(StudyLinkRow.created_at))).one()
    return (*studies, *links)


def _index(s: Session, url: str) -> tuple[KeyIndex, tuple[Any, ...]]:
    """The key index of the stored studies (the cached one when the tables have not changed)."""
    stamp = _stamp(s)
    with _indexes_lock:
        cached = _indexes.pop(url, None)  # taken out: a batch that fails must not leave its keys behind
    if cached is not None and cached[0] == stamp:
        return cached[1], stamp
    return KeyIndex(existing_keys(s)), stamp


def _study_base(item: FetchedItem, st: dict[str, Any]) -> dict[str, Any]:
    """The extracted study with the record's citation, which names its PMID and DOI."""
    return {**st, "citation": item.citation} if item.citation else st


def _title(item: FetchedItem, st: dict[str, Any]) -> str:
    drugs = ", ".join(i["name"] for i in st.get("interventions", [])) or "unnamed intervention"
    dis = ", ".join(d["name"] for d in st.get("diseases", [])) or "unspecified disease"
    where = f"PMID {item.pmid}" if item.pmid else (item.nct or item.record_id)
    return f"{drugs} in {dis} ({where})"


def _set_aside(s: Session, ids: Sequence[str]) -> None:
    for sid in ids:
        row = s.get(StudyRow, sid)
        if row is not None and row.status == "candidate":
            row.status = "withdrawn"
            row.updated_at = utcnow()


def _drop_candidates(s: Session, ids: Sequence[str]) -> None:
    """Remove a changed record's old candidates (curated or rejected ones are kept)."""
    gone = [sid for sid in ids if (r := s.get(StudyRow, sid)) is not None and r.status in ("candidate", "withdrawn")]
    if gone:
        s.execute(delete(StudyLinkRow).where(StudyLinkRow.study_id.in_(gone)))
        s.execute(delete(StudyDrugRow).where(StudyDrugRow.study_id.in_(gone)))
        s.execute(delete(StudyDiseaseRow).where(StudyDiseaseRow.study_id.in_(gone)))
        s.execute(delete(StudyRow).where(StudyRow.id.in_(gone)))
        s.expire_all()


def store_batch(url: str, items: Sequence[FetchedItem], *, actor: str = "update") -> BatchCounts:
    """Store one batch of fetched records in one transaction (see the module docstring)."""
    counts = BatchCounts(fetched=len(items))
    with session_scope(url) as s, s.no_autoflush:
        index: KeyIndex | None = None
        known = {r.id: r for r in s.scalars(select(FetchedRecordRow)
                                            .where(FetchedRecordRow.id.in_([i.key for i in items])))}
        wanted = [f"{i.source}-{i.record_id}-{st.id}" for i in items if i.result for st in i.result.studies]
        taken = set(s.scalars(select(StudyRow.id).where(StudyRow.id.in_(wanted)))) if wanted else set()
        docs = {i.result.source.sha256 for i in items if i.result and i.result.studies}
        stored_docs = set(s.scalars(select(DocumentRow.id).where(DocumentRow.id.in_(docs)))) if docs else set()
        index = _index(s, url)[0] if wanted else None  # before any write; new keys join as they come
        for i in items:  # documents first, in one flush (no relationship orders them before the studies)
            if i.result and i.result.studies and i.text is not None and i.status != "deleted" \
                    and i.result.source.sha256 not in stored_docs:
                s.add(DocumentRow(id=i.result.source.sha256, kind=i.kind, source_id=i.result.source.id,
                                  title=i.result.source.title, text=i.text))
                stored_docs.add(i.result.source.sha256)
        s.flush()
        links: list[StudyLinkRow] = []
        new = _NewRows()  # added studies, their index rows, first-seen records and audit entries
        for item in items:
            if item.key in new.records:  # the same record twice in one batch: the second sees the first
                new.write(s)
                known[item.key] = s.get_one(FetchedRecordRow, item.key)
            row = known.get(item.key)
            if row is not None and row.content_hash == item.content_hash and row.status == item.status:
                counts.unchanged += 1
                continue
            if item.status == "deleted":
                if row is None:
                    new.records[item.key] = _record_row(item, None, [], "deleted")
                else:
                    _set_aside(s, row.studies)
                    row.status, row.change, row.changed_at = "deleted", "deleted", func.now()
                    row.version += 1
                    counts.withdrawn += 1
                continue
            if item.result is None or item.text is None:
                counts.failed.append(f"{item.key}: no extraction result")
                continue
            doc_id: str | None = item.result.source.sha256
            if not item.result.studies:  # nothing to curate: the record and its hash suffice
                doc_id = None
            if row is not None:
                s.flush()
                _drop_candidates(s, row.studies)
                if index is not None:
                    index.discard(row.studies)
            ids: list[str] = []
            new_rows: list[tuple[dict[str, Any], dict[str, Any]]] = []
            for st in item.result.studies:
                sid = f"{item.source}-{item.record_id}-{st.id}"
                ids.append(sid)
                if (sid in taken if row is None else s.get(StudyRow, sid) is not None):
                    continue  # a curator's decision on an earlier version is kept
                base = _study_base(item, st.model_dump(mode="json"))
                data = effective(sid, "extracted", base, None)
                status = "candidate" if item.status == "active" else "withdrawn"
                now = utcnow()
                srow = {"id": sid, "status": status, "origin": "extracted", "version": 1, "base": base,
                        "overrides": {}, "title": _title(item, data), "design": data.get("design"),
                        "n": data.get("n"), "evidence_level": data.get("evidence_level"), "document_id": doc_id,
                        "data": data, "created_at": now, "updated_at": now}
                new.add_study(srow, data)
                new.audits.append({"actor": actor, "action": "add", "study_id": sid, "before": None,
                                   "after": {"status": status, "version": 1, **data}, "note": None})
                new_rows.append((srow, data))
            change = "new" if row is None else "updated"
            if item.status != "active":
                change = item.status
                counts.withdrawn += 1
            elif row is None:
                counts.new += 1
            else:
                counts.updated += 1
            counts.candidates += len(new_rows)
            if row is None:
                new.records[item.key] = _record_row(item, doc_id, ids, change)
            else:
                row.version += 1
                row.changed_at = func.now()
                row.pmid, row.doi, row.nct, row.title = item.pmid, item.doi, item.nct, item.title
                row.content_hash, row.status, row.document_id = item.content_hash, item.status, doc_id
                row.studies, row.change = ids, change
            active = [(r, d) for r, d in new_rows if r["status"] == "candidate"]
            if active:
                if index is None:
                    s.flush()
                    index = KeyIndex(k for k in existing_keys(s) if k.id not in {r["id"] for r, _ in active})
                cand = [study_key(r["id"], {"title": item.title, **d}, title=item.title, pmid=item.pmid,
                                  doi=item.doi, year=item.year, record=doc_id) for r, d in active]
                links += _link(cand, index, counts)
        new.write(s)
        if links:  # after the studies they name
            s.flush()
            s.add_all(links)
        s.flush()
        after = _stamp(s) if index is not None else None
    if index is not None and after is not None:  # committed: the next batch may start from this index
        with _indexes_lock:
            _indexes[url] = (after, index)
    return counts


def _record_row(item: FetchedItem, document_id: str | None, studies: list[str], change: str) -> dict[str, Any]:
    """The row of a record seen for the first time."""
    return {"id": item.key, "source": item.source, "record_id": item.record_id, "pmid": item.pmid, "doi": item.doi,
            "nct": item.nct, "title": item.title, "content_hash": item.content_hash, "status": item.status,
            "version": 1, "document_id": document_id, "studies": studies, "change": change}


@dataclass
class _NewRows:
    """Rows a batch adds, written in one statement per table (no ORM objects: a batch adds thousands)."""

    studies: list[dict[str, Any]] = field(default_factory=list)
    drugs: list[dict[str, Any]] = field(default_factory=list)
    diseases: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    audits: list[dict[str, Any]] = field(default_factory=list)

    def add_study(self, row: dict[str, Any], data: dict[str, Any]) -> None:
        self.studies.append(row)
        drugs, diseases = index_rows(row["id"], data)
        self.drugs += drugs
        self.diseases += diseases

    def write(self, s: Session) -> None:
        """Insert everything pending, parents first (after the documents the session holds)."""
        s.flush()
        for table, rows in ((StudyRow, self.studies), (StudyDrugRow, self.drugs), (StudyDiseaseRow, self.diseases),
                            (FetchedRecordRow, list(self.records.values())), (AuditRow, self.audits)):
            if rows:
                s.execute(insert(table), rows)
        for pending in (self.studies, self.drugs, self.diseases, self.audits):
            pending.clear()
        self.records.clear()


def _link(cand: list[StudyKey], index: KeyIndex, counts: BatchCounts | None = None) -> list[StudyLinkRow]:
    """Link rows for the candidates that duplicate a key; the others join ``index``."""
    out = []
    for decision in index.link(cand):
        if decision.target_id is not None:
            out.append(StudyLinkRow(study_id=decision.study_id, target_id=decision.target_id,
                                    basis=decision.basis or "", score=decision.score))
            if counts is not None:
                counts.linked += 1
    return out


def link_new_studies(s: Session, study_ids: Sequence[str]) -> None:
    """Link just-added candidate studies (flushed in ``s``) to the studies already counted."""
    ids = set(study_ids)
    index = KeyIndex(k for k in existing_keys(s) if k.id not in ids)
    cand = [study_key(r.id, {"title": r.title, **r.data}, record=r.document_id)
            for sid in study_ids if (r := s.get(StudyRow, sid))]
    s.add_all(_link(cand, index))


def link_decisions(url: str, candidates: Sequence[StudyKey]) -> list[LinkDecision]:
    """Decisions for ``candidates`` against the studies stored at ``url`` (nothing is written)."""
    with session_scope(url) as s:
        return link_studies(candidates, existing_keys(s))


# -- watermarks and runs ---------------------------------------------------------------------
def get_watermark(url: str, source: str) -> date | None:
    with session_scope(url) as s:
        row = s.get(WatermarkRow, source)
        return date.fromisoformat(row.watermark) if row else None


def set_watermark(url: str, source: str, value: date, data_timestamp: str | None = None) -> None:
    with session_scope(url) as s:
        row = s.get(WatermarkRow, source)
        if row is None:
            s.add(WatermarkRow(source=source, watermark=value.isoformat(), data_timestamp=data_timestamp))
        else:
            row.watermark, row.data_timestamp, row.updated_at = value.isoformat(), data_timestamp, func.now()


def start_run(url: str, source: str, since: date, until: date, data_timestamp: str | None = None) -> int:
    with session_scope(url) as s:
        run = UpdateRunRow(source=source, since=since.isoformat(), until=until.isoformat(), status="running",
                           data_timestamp=data_timestamp, summary={})
        s.add(run)
        s.flush()
        return run.id


def finish_run(url: str, run_id: int, status: str, summary: dict[str, Any]) -> None:
    with session_scope(url) as s:
        run = s.get(UpdateRunRow, run_id)
        if run is not None:
            run.status, run.summary, run.finished_at = status, summary, datetime.now(UTC)


def last_runs(url: str) -> list[dict[str, Any]]:
    """The latest run of each source with its watermark (for the what's-new page)."""
    out = []
    with session_scope(url) as s:
        for src in ("pubmed", "ctgov"):
            run = s.scalars(select(UpdateRunRow).where(UpdateRunRow.source == src)
                            .order_by(UpdateRunRow.id.desc()).limit(1)).first()
            mark = s.get(WatermarkRow, src)
            if run is None and mark is None:
                continue
            out.append({"source": src, "status": run.status if run else None,
                        "started_at": run.started_at if run else None, "since": run.since if run else None,
                        "until": run.until if run else None, "counts": (run.summary or {}).get("counts", {}) if run else {},
                        "watermark": mark.watermark if mark else None,
                        "data_timestamp": (mark.data_timestamp if mark else None) or (run.data_timestamp if run else None)})
    return out


# -- what's new ------------------------------------------------------------------------------
class NewEntry(BaseModel):
    """A record that arrived or changed, with its candidate studies and what they link to."""

    record: str
    source: str
    change: str
    status: str
    changed_at: datetime
    title: str | None
    pmid: str | None
    doi: str | None
    nct: str | None
    studies: list[dict[str, Any]] = Field(default_factory=list)


def whats_new(url: str, *, since: date | None = None, disease: str | None = None, drug: str | None = None,
              limit: int | None = None) -> list[NewEntry]:
    """Records changed since ``since`` (newest first); with ``disease``/``drug`` only records
    whose candidate studies concern it."""
    q = select(FetchedRecordRow).order_by(FetchedRecordRow.changed_at.desc(), FetchedRecordRow.id)
    if since is not None:
        q = q.where(FetchedRecordRow.changed_at >= datetime(since.year, since.month, since.day, tzinfo=UTC))
    out: list[NewEntry] = []
    with session_scope(url) as s:
        for row in s.scalars(q):
            studies = []
            for sid in row.studies or []:
                st = s.get(StudyRow, sid)
                if st is None:
                    continue
                link = s.get(StudyLinkRow, sid)
                studies.append({"id": sid, "status": st.status, "title": st.title, "design": st.design,
                                "n": st.n, "evidence_level": st.evidence_level,
                                "drugs": [d.drug for d in st.drugs if d.role == "intervention"],
                                "diseases": [d.disease for d in st.diseases],
                                "same_as": link.target_id if link else None, "link_basis": link.basis if link else None})
            if disease and not any(disease in x["diseases"] for x in studies):
                continue
            if drug and not any(drug in x["drugs"] for x in studies):
                continue
            if (disease or drug) is None and not studies and row.change in ("new", "updated"):
                continue  # records with nothing to curate are not news
            changed = row.changed_at if row.changed_at.tzinfo else row.changed_at.replace(tzinfo=UTC)
            out.append(NewEntry(record=row.id, source=row.source, change=row.change, status=row.status,
                                changed_at=changed, title=row.title, pmid=row.pmid, doi=row.doi, nct=row.nct,
                                studies=studies))
            if limit is not None and len(out) >= limit:
                break
    return out
