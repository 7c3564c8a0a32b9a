"""The atlas repository: load the knowledge base, query evidence, store extracted candidates.

All writes of one call happen in one transaction (:func:`jakatlas.store.db.session_scope`), so an
interrupted or failing build leaves the database as it was.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from jakatlas.data import KnowledgeBase, knowledge_base
from jakatlas.errors import NotFoundError, StorageError
from jakatlas.models.evidence import ExtractionResult, Study
from jakatlas.models.knowledge import CuratedStudy
from jakatlas.store import reads
from jakatlas.store.db import (
    describe_url,
    get_engine,
    has_links,
    migrate,
    resolve_url,
    session_scope,
)
from jakatlas.store.lifecycle import apply_columns, candidate_title, effective, link_rows, load_shipped
from jakatlas.store.queries import NO_LIMIT, Filters, page_statements, record_statements
from jakatlas.store.schema import (
    CytokineRow,
    DiseaseRow,
    DocumentRow,
    DrugRow,
    OutcomeRow,
    SourceRow,
    StudyRow,
)

__all__ = ["Atlas", "BuildReport", "AddReport", "StudyRecord"]

Progress = Callable[[str, int, int], None]


class BuildReport(BaseModel):
    """What ``build`` changed, per table (``unchanged`` rows were already identical)."""

    url: str
    inserted: dict[str, int] = Field(default_factory=dict)
    updated: dict[str, int] = Field(default_factory=dict)
    unchanged: dict[str, int] = Field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values())


class AddReport(BaseModel):
    document_id: str
    added: list[str] = Field(default_factory=list)
    existing: list[str] = Field(default_factory=list)


class StudyRecord(BaseModel):
    """A stored study with its curation status, origin (shipped | extracted) and version."""

    id: str
    status: str
    origin: str = "shipped"
    version: int = 1
    title: str
    design: str | None
    n: int | None
    evidence_level: int | None
    document_id: str | None
    data: dict[str, Any]
    overrides: dict[str, Any] = Field(default_factory=dict)

    def study(self) -> Study:
        """The study in the public contract shape (extra curated fields dropped)."""
        fields = Study.model_fields
        return Study.model_validate({k: v for k, v in self.data.items() if k in fields})

    def curated(self) -> CuratedStudy | None:
        """The knowledge-base shape (title, citation, sources, result) of a shipped study, else None."""
        return CuratedStudy.model_validate(self.data) if self.origin == "shipped" else None


_BUILT: set[str] = set()  # URLs whose tables this process has seen
_MEMO_ENTRIES = 4096
_memo: OrderedDict[tuple[Any, ...], StudyRecord] = OrderedDict()
_memo_lock = threading.Lock()


def _memo_key(url: str, r: Any) -> tuple[Any, ...]:
    """A stored study changes only with its version (SQLAlchemy's version counter bumps it on every
    UPDATE); ``updated_at`` tells apart a database rebuilt from scratch under the same URL."""
    return (url, r.id, r.version, r.updated_at)


def _records(url: str, keys: Sequence[Any]) -> list[StudyRecord]:
    """The records named by rows of :data:`KEY_COLUMNS`, in order. Whole rows (whose JSON columns
    are the costly part of a read) are loaded only for record states this process has not read
    before; the rest come from a bounded LRU. A record deleted meanwhile is left out."""
    found: dict[str, StudyRecord] = {}
    with _memo_lock:
        for k in keys:
            hit = _memo.get(_memo_key(url, k))
            if hit is not None:
                _memo.move_to_end(_memo_key(url, k))
                found[k.id] = hit
    missing = [k.id for k in keys if k.id not in found]
    if missing:
        # read before taking the lock: a read may suspend this greenlet, and another one on the
        # same thread would then wait on the lock for ever
        rows = reads.rows(url, record_statements(get_engine(url).dialect.name).full, {"ids": missing})
        with _memo_lock:
            for r in rows:
                found[r.id] = _memo[_memo_key(url, r)] = _from_row(r)
            while len(_memo) > _MEMO_ENTRIES:
                _memo.popitem(last=False)
    return [found[k.id] for k in keys if k.id in found]


def _from_row(r: Any) -> StudyRecord:
    """A record from a row of :data:`READ_COLUMNS` (values from our own tables: no re-validation)."""
    return StudyRecord.model_construct(id=r.id, status=r.status, origin=r.origin or "shipped", version=r.version or 1,
                                       title=r.title, design=r.design, n=r.n, evidence_level=r.evidence_level,
                                       document_id=r.document_id, data=r.data, overrides=r.overrides or {})


def _record(row: StudyRow) -> StudyRecord:
    return StudyRecord(id=row.id, status=row.status, origin=row.origin, version=row.version, title=row.title,
                       design=row.design, n=row.n, evidence_level=row.evidence_level,
                       document_id=row.document_id, data=row.data, overrides=row.overrides or {})


class Atlas:
    """Typed access to one atlas database (``url`` = any SQLAlchemy URL; default SQLite)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = resolve_url(url)

    # -- set-up -------------------------------------------------------------------------------
    def migrate(self) -> None:
        migrate(self.url)

    def require_built(self) -> None:
        """Raise a StorageError that says to run ``jakatlas build`` when the atlas is empty.

        Checked once per process and URL: once the tables exist, later queries skip the check
        (a database dropped afterwards fails with a schema error that says to build).
        """
        if self.url in _BUILT:
            return
        if not reads.has_table(self.url, "studies"):
            raise StorageError(f"The atlas at {describe_url(self.url)} has not been built.", kind="not_built",
                               public="The atlas has not been built yet.", hint="Run 'jakatlas build' first.")
        _BUILT.add(self.url)

    def build(self, kb: KnowledgeBase | None = None, progress: Progress | None = None) -> BuildReport:
        """Load the knowledge base idempotently: stable ids, upserts, one transaction.

        Studies keep every curator decision: only their shipped layer is replaced, overrides and
        status stay, and each change is audited (see :mod:`jakatlas.store.lifecycle`).
        """
        kb = kb or knowledge_base()
        self.migrate()
        report = BuildReport(url=describe_url(self.url))
        tables: list[tuple[str, type, Iterable[Any], Callable[[Any], dict[str, Any]]]] = [
            ("sources", SourceRow, kb.sources.values(),
             lambda r: {"title": r.title, "data": r.model_dump(mode="json")}),
            ("drugs", DrugRow, kb.drugs.values(),
             lambda r: {"name": r.name, "drug_class": r.drug_class, "data": r.model_dump(mode="json")}),
            ("cytokines", CytokineRow, kb.cytokines.values(),
             lambda r: {"name": r.name, "data": r.model_dump(mode="json")}),
            ("diseases", DiseaseRow, kb.diseases.values(),
             lambda r: {"name": r.name, "data": r.model_dump(mode="json")}),
            ("outcome_measures", OutcomeRow, kb.outcomes.values(),
             lambda r: {"name": r.name, "data": r.model_dump(mode="json")}),
        ]
        total = sum(len(list(t[2])) for t in tables) + len(kb.studies)
        done = 0
        with session_scope(self.url) as s:
            for name, model, records, columns in tables:
                rows_now: list[Any] = list(s.scalars(select(model)))
                existing: dict[str, Any] = {r.id: r for r in rows_now}
                ins = upd = same = 0
                for rec in records:
                    values = columns(rec)
                    row = existing.get(rec.id)
                    if row is None:
                        s.add(model(id=rec.id, **values))
                        ins += 1
                    elif any(getattr(row, k) != v for k, v in values.items()):
                        for k, v in values.items():
                            setattr(row, k, v)
                        upd += 1
                    else:
                        same += 1
                    done += 1
                    if progress:
                        progress(name, done, total)
                report.inserted[name], report.updated[name], report.unchanged[name] = ins, upd, same
            ins, upd, same = load_shipped(s, kb)
            if progress:
                progress("studies", total, total)
            report.inserted["studies"], report.updated["studies"], report.unchanged["studies"] = ins, upd, same
        return report

    # -- queries ------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        self.require_built()
        with session_scope(self.url) as s:
            return {
                "drugs": s.scalar(select(func.count()).select_from(DrugRow)) or 0,
                "diseases": s.scalar(select(func.count()).select_from(DiseaseRow)) or 0,
                "studies": s.scalar(select(func.count()).select_from(StudyRow)) or 0,
            }

    def studies(
        self,
        *,
        disease: str | None = None,
        drug: str | None = None,
        design: str | None = None,
        level: int | None = None,
        outcome: str | None = None,
        status: tuple[str, ...] = ("curated", "candidate"),
        limit: int | None = None,
        offset: int = 0,
    ) -> list[StudyRecord]:
        """Studies filtered by canonical disease name, drug INN, design, OCEBM level or better
        (``level=2`` keeps levels 1-2) and outcome measure (case-insensitive substring), ordered by
        level and id; filtering, ordering and paging all happen in SQL."""
        return self.page(disease=disease, drug=drug, design=design, level=level, outcome=outcome, status=status,
                         limit=limit, offset=offset, count=False)[1]

    def page(
        self,
        *,
        disease: str | None = None,
        drug: str | None = None,
        design: str | None = None,
        level: int | None = None,
        outcome: str | None = None,
        status: tuple[str, ...] = ("curated", "candidate"),
        limit: int | None = None,
        offset: int = 0,
        count: bool = True,
    ) -> tuple[int, list[StudyRecord]]:
        """``(total, records)``: one page of :meth:`studies` and, with ``count``, how many match in all."""
        self.require_built()
        filters = Filters(disease, drug, design, level, outcome, status)
        linked = "candidate" in status and has_links(self.url, lambda name: reads.has_table(self.url, name))
        page_q, count_q = page_statements(get_engine(self.url).dialect.name, filters.shape(), linked)
        params = filters.params()
        rows = reads.rows(self.url, page_q, {**params, "limit": NO_LIMIT if limit is None else limit,
                                             "offset": offset})
        records = _records(self.url, rows)
        if not count:
            return len(records), records
        if rows:
            total = int(rows[0].total)
        elif offset == 0 and limit != 0:
            total = 0
        else:  # an empty page (past the end, or limit 0): count separately
            total = int(reads.rows(self.url, count_q, params)[0][0] or 0)
        return total, records

    def study(self, study_id: str) -> StudyRecord:
        self.require_built()
        stmts = record_statements(get_engine(self.url).dialect.name)
        found = reads.rows(self.url, stmts.key, {"id": study_id})
        if not found:
            import difflib

            ids = [r.id for r in reads.rows(self.url, stmts.ids)]
            raise NotFoundError("study", study_id, difflib.get_close_matches(study_id, ids, n=3))
        records = _records(self.url, found)
        if not records:  # deleted between the two reads
            raise NotFoundError("study", study_id, [])
        return records[0]

    def document(self, document_id: str) -> DocumentRow | None:
        """The stored document (a detached row: read its columns, do not write it back)."""
        found = reads.rows(self.url, record_statements(get_engine(self.url).dialect.name).document,
                           {"id": document_id})
        return DocumentRow(**found[0]._asdict()) if found else None

    # -- candidates ---------------------------------------------------------------------------
    def add_candidates(self, result: ExtractionResult, text: str, *, actor: str = "cli") -> AddReport:
        """Store a document and its extracted studies as candidates (idempotent per document)."""
        from jakatlas.store.curation import audit

        self.migrate()
        doc_id = result.source.sha256
        report = AddReport(document_id=doc_id)
        with session_scope(self.url) as s:
            if s.get(DocumentRow, doc_id) is None:
                s.add(DocumentRow(id=doc_id, kind=result.source.kind, source_id=result.source.id,
                                  title=result.source.title, text=text))
                s.flush()
            for st in result.studies:
                sid = f"doc-{doc_id[:12]}-{st.id}"
                if s.get(StudyRow, sid) is not None:
                    report.existing.append(sid)
                    continue
                base = st.model_dump(mode="json")
                data = effective(sid, "extracted", base, None)
                row = StudyRow(id=sid, status="candidate", origin="extracted", base=base, overrides={},
                               title=candidate_title(data, result.source.id), document_id=doc_id)
                apply_columns(row, data)
                link_rows(row, data)
                s.add(row)
                audit(s, actor=actor, action="add", study_id=sid, before=None,
                      after={"status": "candidate", "version": 1, **data})
                report.added.append(sid)
            if report.added:
                from jakatlas.store.living import link_new_studies

                s.flush()
                link_new_studies(s, report.added)
        return report

