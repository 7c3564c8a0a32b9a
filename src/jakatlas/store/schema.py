"""ORM tables of the atlas database (SQLAlchemy 2 declarative, portable SQLite/PostgreSQL).

Full records are kept as JSON next to the columns the queries filter on, so the shipped
knowledge base round-trips exactly while the API can filter by disease, drug, design and level.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Dialect, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Base",
    "SourceRow",
    "DrugRow",
    "DiseaseRow",
    "CytokineRow",
    "OutcomeRow",
    "DocumentRow",
    "StudyRow",
    "StudyDrugRow",
    "StudyDiseaseRow",
    "TokenRow",
    "AuditRow",
    "MetaRow",
    "SessionRow",
    "UTCDateTime",
]


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back time-zone aware (SQLite drops the zone).

    ``func.now()`` defaults are UTC on SQLite (``CURRENT_TIMESTAMP``); naive values written by
    this code are taken to be UTC too.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or not isinstance(value, datetime):
            return value
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time in UTC to the microsecond (SQLite's ``CURRENT_TIMESTAMP`` keeps whole seconds,
    too coarse to tell apart two versions of a record written within one second)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class _Record:
    """Mixin: a curated record kept whole as JSON."""

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class SourceRow(Base):
    __tablename__ = "sources"
    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class DrugRow(_Record, Base):
    __tablename__ = "drugs"
    drug_class: Mapped[str] = mapped_column(String(40))


class DiseaseRow(_Record, Base):
    __tablename__ = "diseases"


class CytokineRow(_Record, Base):
    __tablename__ = "cytokines"


class OutcomeRow(_Record, Base):
    __tablename__ = "outcome_measures"


class DocumentRow(Base):
    """A source document from which candidate evidence was extracted (id = SHA-256)."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    source_id: Mapped[str] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())


class StudyRow(Base):
    """A study as the atlas shows it, with the layers it is computed from.

    ``base`` is the record as it came in (the shipped knowledge base record as loaded by the last
    ``jakatlas build``, or the extracted study), ``overrides`` the fields curators changed, and
    ``data`` the effective record (``base`` with ``overrides`` on top, validated and normalised).
    ``status`` is the curator's decision (curated | candidate | rejected); ``origin`` says where the
    base came from (shipped | extracted). ``version`` grows by one on every change and guards
    every write (SQLAlchemy's version counter: ``UPDATE ... WHERE version = ?``).
    """

    __tablename__ = "studies"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)  # curated | candidate | rejected
    origin: Mapped[str] = mapped_column(String(20), default="shipped", server_default="shipped")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    base: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    overrides: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    title: Mapped[str] = mapped_column(Text)
    design: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    n: Mapped[int | None] = mapped_column(Integer, nullable=True)
    evidence_level: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    drugs: Mapped[list[StudyDrugRow]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    diseases: Mapped[list[StudyDiseaseRow]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    __mapper_args__ = {"version_id_col": version}


class StudyDrugRow(Base):
    __tablename__ = "study_drugs"
    study_id: Mapped[str] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True)
    drug: Mapped[str] = mapped_column(String(200), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)  # intervention | comparator
    __table_args__ = (Index("ix_study_drugs_drug", "drug"),)


class StudyDiseaseRow(Base):
    __tablename__ = "study_diseases"
    study_id: Mapped[str] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True)
    disease: Mapped[str] = mapped_column(String(200), primary_key=True)
    variant: Mapped[str | None] = mapped_column(String(200), nullable=True)
    __table_args__ = (Index("ix_study_diseases_disease", "disease"),)


class TokenRow(Base):
    """A curator's API token; only its SHA-256 digest is stored."""

    __tablename__ = "tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditRow(Base):
    """Who changed which study when, with the record before and after."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))  # add | accept | edit | reject | build
    study_id: Mapped[str] = mapped_column(String(120), index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class MetaRow(Base):
    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SessionRow(Base):
    """A signed-in browser session: the cookie holds a random secret, only its SHA-256 is stored.

    A session ends at ``expires_at``, at sign-out (row deleted) or when its token is revoked.
    """

    __tablename__ = "sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("tokens.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
