"""The study-list query, built once per *shape* (which filters are set) and reused with bind parameters.

Building a SQLAlchemy ``Select`` costs more than running it on a small atlas (operator overloading,
coercion, cache-key generation: about 0.3 ms for the list query against 0.07 ms in SQLite). The
shapes are few (five optional filters, with or without the link table, counted or not), so each is
built once per process and executed with its values bound; SQLAlchemy's compiled cache then
reuses the SQL string as well.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import ARRAY, Select, String, and_, any_, bindparam, func, select, text, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from jakatlas.errors import StorageError
from jakatlas.store.living_schema import StudyLinkRow
from jakatlas.store.schema import DocumentRow, StudyDiseaseRow, StudyDrugRow, StudyRow

__all__ = ["KEY_COLUMNS", "READ_COLUMNS", "Filters", "page_statements", "one_of", "record_statements"]

STAMP = type_coerce(StudyRow.updated_at, String).label("updated_at")  # a memo key needs no datetime parsing
KEY_COLUMNS = (StudyRow.id, StudyRow.version, STAMP)
READ_COLUMNS = (StudyRow.id, StudyRow.status, StudyRow.origin, StudyRow.version, StudyRow.title, StudyRow.design,
                StudyRow.n, StudyRow.evidence_level, StudyRow.document_id, StudyRow.data, StudyRow.overrides, STAMP)
NO_LIMIT = 2**62  # LIMIT is always bound (SQLite cannot OFFSET without one)

_OUTCOME_SQL = {
    "sqlite": "EXISTS (SELECT 1 FROM json_each(studies.data, '$.outcomes') AS o "
              "WHERE lower(json_extract(o.value, '$.measure')) LIKE :outcome_pattern ESCAPE '\\')",
    "postgresql": "EXISTS (SELECT 1 FROM json_array_elements((studies.data)::json -> 'outcomes') AS o "
                  "WHERE lower(o ->> 'measure') LIKE :outcome_pattern ESCAPE '\\')",
}


def one_of(column: Any, name: str, dialect: str) -> ColumnElement[bool]:
    """``column`` equals one of the list bound as ``name``: ``= ANY(array)`` on PostgreSQL (one
    statement text whatever the list's length, so it can be compiled and prepared once), an
    expanding ``IN`` elsewhere."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(String)))  # type: ignore[no-any-return]
    return column.in_(bindparam(name, expanding=True))  # type: ignore[no-any-return]


class RecordStatements(NamedTuple):
    """Reads of single studies and documents, with bound values (built once per dialect)."""

    key: Select[*tuple[Any, ...]]  # KEY_COLUMNS of the study ``id``
    ids: Select[*tuple[Any, ...]]  # every study id (for suggestions)
    full: Select[*tuple[Any, ...]]  # READ_COLUMNS of the studies in the list ``ids``
    document: Select[*tuple[Any, ...]]  # the document ``id``


@cache
def record_statements(dialect: str) -> RecordStatements:
    return RecordStatements(
        key=select(*KEY_COLUMNS).where(StudyRow.id == bindparam("id")),
        ids=select(StudyRow.id),
        full=select(*READ_COLUMNS).where(one_of(StudyRow.id, "ids", dialect)),
        document=select(DocumentRow.id, DocumentRow.kind, DocumentRow.source_id, DocumentRow.title, DocumentRow.text,
                        DocumentRow.added_at).where(DocumentRow.id == bindparam("id")),
    )


class Filters(NamedTuple):
    """The study-list filters (canonical names; ``level`` keeps that level or better)."""

    disease: str | None
    drug: str | None
    design: str | None
    level: int | None
    outcome: str | None
    status: tuple[str, ...]

    def params(self) -> dict[str, Any]:
        """Bind values of the set filters (the outcome as an escaped LIKE pattern)."""
        values: dict[str, Any] = {"statuses": list(self.status)}
        if self.disease:
            values["disease"] = self.disease
        if self.drug:
            values["drug"] = self.drug
        if self.design:
            values["design"] = self.design
        if self.level is not None:
            values["level"] = self.level
        if self.outcome:
            escaped = self.outcome.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            values["outcome_pattern"] = f"%{escaped}%"
        return values

    def shape(self) -> tuple[bool, ...]:
        return (bool(self.disease), bool(self.drug), bool(self.design), self.level is not None, bool(self.outcome))


@cache
def page_statements(
    dialect: str, shape: tuple[bool, ...], linked: bool,
) -> tuple[Select[*tuple[Any, ...]], Select[int]]:
    """``(page, count)`` statements for one filter shape: the page selects :data:`KEY_COLUMNS` and
    the total (a window count) with bound ``limit`` and ``offset``; ``count`` counts alone (for an
    empty page). ``linked``: leave out candidates linked to a study already in the atlas."""
    disease, drug, design, level, outcome = shape
    conds: list[Any] = [one_of(StudyRow.status, "statuses", dialect)]
    if disease:
        conds.append(StudyRow.id.in_(select(StudyDiseaseRow.study_id)
                                     .where(StudyDiseaseRow.disease == bindparam("disease"))))
    if drug:
        conds.append(StudyRow.id.in_(select(StudyDrugRow.study_id).where(StudyDrugRow.drug == bindparam("drug"))))
    if design:
        conds.append(StudyRow.design == bindparam("design"))
    if level:
        conds.append(StudyRow.evidence_level <= bindparam("level"))
    if outcome:
        if dialect not in _OUTCOME_SQL:
            raise StorageError(f"Outcome search is not available on {dialect}.", hint="Use SQLite or PostgreSQL.")
        conds.append(text(_OUTCOME_SQL[dialect]))
    if linked:  # a linked candidate is not counted twice
        conds.append(~and_(StudyRow.status == "candidate", StudyRow.id.in_(select(StudyLinkRow.study_id))))
    page = (select(*KEY_COLUMNS, func.count().over().label("total")).where(*conds)
            .order_by(StudyRow.evidence_level, StudyRow.id)
            .limit(bindparam("limit", type_=None)).offset(bindparam("offset", type_=None)))
    count = select(func.count()).select_from(StudyRow).where(*conds)
    return page, count
