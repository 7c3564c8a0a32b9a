"""Tables of the living updates: fetched records, study links, watermarks and runs.

Kept apart from :mod:`jakatlas.store.schema` (same metadata) and created by migration 0002.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from jakatlas.store.schema import Base

__all__ = ["FetchedRecordRow", "StudyLinkRow", "WatermarkRow", "UpdateRunRow"]


class FetchedRecordRow(Base):
    """One remote record (a PubMed citation or a CT.gov study) as last fetched.

    ``id`` is ``pubmed:PMID`` or ``ctgov:NCT...``; ``content_hash`` is the SHA-256 of the
    record's own XML element or canonical JSON; ``status`` is ``active``, ``retracted``,
    ``withdrawn`` or ``deleted`` (records are marked, never dropped).
    """

    __tablename__ = "fetched_records"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    source: Mapped[str] = mapped_column(String(10), index=True)
    record_id: Mapped[str] = mapped_column(String(40))
    pmid: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    doi: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    nct: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id"), nullable=True)
    studies: Mapped[list[Any]] = mapped_column(JSON, default=list)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    change: Mapped[str] = mapped_column(String(12))  # new | updated | retracted | withdrawn | deleted


class StudyLinkRow(Base):
    """``study_id`` (a candidate) is the same study as ``target_id``; it is not counted again."""

    __tablename__ = "study_links"
    study_id: Mapped[str] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(120), index=True)
    basis: Mapped[str] = mapped_column(String(10))  # nct | pmid | doi | fuzzy
    score: Mapped[float] = mapped_column(Float, default=1.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WatermarkRow(Base):
    """The upper date of the last complete run of a source; the next run starts a day before it."""

    __tablename__ = "watermarks"
    source: Mapped[str] = mapped_column(String(10), primary_key=True)
    watermark: Mapped[str] = mapped_column(String(10))  # ISO date
    data_timestamp: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UpdateRunRow(Base):
    __tablename__ = "update_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(10))
    since: Mapped[str] = mapped_column(String(10))
    until: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))  # running | done | failed
    data_timestamp: Mapped[str | None] = mapped_column(String(40), nullable=True)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
