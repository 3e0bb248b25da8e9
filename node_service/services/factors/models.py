"""Tables of the factor library: every version of every factor, which versions each stored footprint used, the
notices a new version sends, the library's revision (what a cached organisation library is keyed by), and every
version of every reference table shipped with the engine (``footprint_engine.reference``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node_service.db.models import Base

__all__ = [
    "FactorLibraryState",
    "FactorRecomputeNotice",
    "FactorUseRecord",
    "FactorVersion",
    "ReferenceTableVersion",
]


class FactorVersion(Base):
    """One version of one factor. ``owner_organisation_id`` NULL: the built-in library; else the organisation
    that imported it (private until ``published``). The current version of a factor id has ``valid_to`` NULL;
    a later version sets it on the one it replaces (a stored result keeps naming the version it used)."""

    __tablename__ = "factor_versions"
    __table_args__ = (UniqueConstraint("factor_id", "version"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    factor_id: Mapped[str] = mapped_column(String(300))
    version: Mapped[str] = mapped_column(String(64))
    owner_organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the Factor, model_dump(mode="json")
    sha256: Mapped[str] = mapped_column(
        String(64)
    )  # of the RFC 8785 JSON of its content (store.content_hash)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    current: Mapped[bool] = mapped_column(Boolean)
    published: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Index("ix_factor_versions_current", FactorVersion.factor_id, FactorVersion.current)


class FactorUseRecord(Base):
    """A stored footprint used ``factor_id`` at ``factor_version`` (from its result's ``factors`` list)."""

    __tablename__ = "factor_uses"

    footprint_id: Mapped[str] = mapped_column(ForeignKey("footprints.id"), primary_key=True)
    factor_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    factor_version: Mapped[str] = mapped_column(String(64))


Index("ix_factor_uses_factor", FactorUseRecord.factor_id, FactorUseRecord.factor_version)


class FactorRecomputeNotice(Base):
    """An organisation's footprint used a factor version that a newer one replaced; a recompute (on request)
    stores its result in ``draft`` (never a published footprint, never logged)."""

    __tablename__ = "factor_recompute_notices"
    __table_args__ = (UniqueConstraint("footprint_id", "factor_id", "new_version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    footprint_id: Mapped[str] = mapped_column(ForeignKey("footprints.id"))
    factor_id: Mapped[str] = mapped_column(String(300))
    old_version: Mapped[str] = mapped_column(String(64))
    new_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # pending | drafted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    drafted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FactorLibraryState(Base):
    """One row: the library's revision, raised by every write to ``factor_versions`` (a new version, a
    publication), and a random token drawn anew with each revision, which is what a process keys its cached
    organisation libraries by (unique across databases, and after a database is restored from a backup)."""

    __tablename__ = "factor_library_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    revision: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(32))


class ReferenceTableVersion(Base):
    """One version of one reference table, with its rows (``data``: the table as the API shows it, every row with
    its provenance), so a result that cited "energy-limit-levels 2026-12" can be read again after the package
    changed. ``sha256``: of the shipped file(s) (the engine's ``ReferenceTable.sha256``); ``content_sha256``: of
    the RFC 8785 JSON of ``data`` without its version (what a new version is decided by). The current version
    of a name has ``valid_to`` NULL; the next one sets it (the content never changes in place)."""

    __tablename__ = "reference_table_versions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    review_count: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    current: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Index("ix_reference_table_versions_current", ReferenceTableVersion.name, ReferenceTableVersion.current)
