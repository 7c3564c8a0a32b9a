"""The atlas repository: load the knowledge base, query evidence, store extracted candidates.

All writes of one call happen in one transaction (:func:`jakatlas.store.db.session_scope`), so an
interrupted or failing build leaves the database as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import and_, func, select, text

from jakatlas.data import KnowledgeBase, knowledge_base
from jakatlas.errors import NotFoundError, StorageError
from jakatlas.models.evidence import ExtractionResult, Study
from jakatlas.models.knowledge import CuratedStudy
from jakatlas.store.db import (
    describe_url,
    get_engine,
    has_links,
    is_initialised,
    migrate,
    read_connection,
    resolve_url,
    session_scope,
)
from jakatlas.store.lifecycle import apply_columns, candidate_title, effective, link_rows, load_shipped
from jakatlas.store.schema import (
    CytokineRow,
    DiseaseRow,
    DocumentRow,
    DrugRow,
    OutcomeRow,
    SourceRow,
    StudyDiseaseRow,
    StudyDrugRow,
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
_READ_COLUMNS = (StudyRow.id, StudyRow.status, StudyRow.origin, StudyRow.version, StudyRow.title, StudyRow.design,
                 StudyRow.n, StudyRow.evidence_level, StudyRow.document_id, StudyRow.data, StudyRow.overrides)


def _from_row(r: Any) -> StudyRecord:
    """A record from a row of :data:`_READ_COLUMNS` (values from our own tables: no re-validation)."""
    return StudyRecord.model_construct(id=r.id, status=r.status, origin=r.origin or "shipped", version=r.version or 1,
                                       title=r.title, design=r.design, n=r.n, evidence_level=r.evidence_level,
                                       document_id=r.document_id, data=r.data, overrides=r.overrides or {})


_OUTCOME_SQL = {
    "sqlite": "EXISTS (SELECT 1 FROM json_each(studies.data, '$.outcomes') AS o "
              "WHERE lower(json_extract(o.value, '$.measure')) LIKE :outcome_pattern ESCAPE '\\')",
    "postgresql": "EXISTS (SELECT 1 FROM json_array_elements((studies.data)::json -> 'outcomes') AS o "
                  "WHERE lower(o ->> 'measure') LIKE :outcome_pattern ESCAPE '\\')",
}


def _conditions(dialect: str, *, disease: str | None, drug: str | None, design: str | None, level: int | None,
                outcome: str | None, status: tuple[str, ...]) -> list[Any]:
    conds: list[Any] = [StudyRow.status.in_(status)]
    if disease:
        conds.append(StudyRow.id.in_(select(StudyDiseaseRow.study_id).where(StudyDiseaseRow.disease == disease)))
    if drug:
        conds.append(StudyRow.id.in_(select(StudyDrugRow.study_id).where(StudyDrugRow.drug == drug)))
    if design:
        conds.append(StudyRow.design == design)
    if level is not None:
        conds.append(StudyRow.evidence_level <= level)
    if outcome:
        if dialect not in _OUTCOME_SQL:
            raise StorageError(f"Outcome search is not available on {dialect}.", hint="Use SQLite or PostgreSQL.")
        escaped = outcome.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conds.append(text(_OUTCOME_SQL[dialect]).bindparams(outcome_pattern=f"%{escaped}%"))
    return conds


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
        if not is_initialised(self.url):
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
        conds = _conditions(get_engine(self.url).dialect.name, disease=disease, drug=drug, design=design,
                            level=level, outcome=outcome, status=status)
        if "candidate" in status and has_links(self.url):  # a linked candidate is not counted twice
            from jakatlas.store.living_schema import StudyLinkRow

            conds.append(~and_(StudyRow.status == "candidate", StudyRow.id.in_(select(StudyLinkRow.study_id))))
        q = select(*_READ_COLUMNS).where(*conds).order_by(StudyRow.evidence_level, StudyRow.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with read_connection(self.url) as conn:
            records = [_from_row(r) for r in conn.execute(q)]
            if not count:
                return len(records), records
            if (limit is None or len(records) < limit) and (records or offset == 0):
                total = offset + len(records)
            else:
                total = conn.scalar(select(func.count()).select_from(StudyRow).where(*conds)) or 0
        return total, records

    def study(self, study_id: str) -> StudyRecord:
        self.require_built()
        with read_connection(self.url) as conn:
            row = conn.execute(select(*_READ_COLUMNS).where(StudyRow.id == study_id)).first()
            if row is None:
                ids = list(conn.scalars(select(StudyRow.id)))
                import difflib

                raise NotFoundError("study", study_id, difflib.get_close_matches(study_id, ids, n=3))
            return _from_row(row)

    def document(self, document_id: str) -> DocumentRow | None:
        with session_scope(self.url) as s:
            return s.get(DocumentRow, document_id)

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

