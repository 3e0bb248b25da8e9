"""Tables of evidence ownership and sharing, and of GEC serials and green-power contracts claimed across the
exchange."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from node_service.db.models import Base

__all__ = ["ContractClaimRecord", "EvidenceFile", "EvidenceGrant", "GecClaimRecord"]


class EvidenceFile(Base):
    """An organisation's copy of an evidence file. The bytes are stored once per CID in the evidence store;
    each owner has its own row, its own file name and its own log entry."""

    __tablename__ = "evidence_files"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    cid: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[str] = mapped_column(String(250), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EvidenceGrant(Base):
    """The owner of an evidence file lets another organisation (an auditor) read it."""

    __tablename__ = "evidence_grants"

    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    cid: Mapped[str] = mapped_column(String(100), primary_key=True)
    grantee_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GecClaimRecord(Base):
    """A green electricity certificate serial, claimed once across the whole exchange (in any spelling)."""

    __tablename__ = "gec_claims"

    serial: Mapped[str] = mapped_column(String(200), primary_key=True)  # as given, trimmed
    # the canonical serial (footprint_engine.gec_serial), unique; NULL only for a claim stored before the
    # canonical form existed whose form another, earlier claim holds (migration 0013_gec_serial_key)
    serial_key: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    submission_id: Mapped[str] = mapped_column(String(200), index=True)
    claim: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[str] = mapped_column(String(250), unique=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Index("ix_gec_claims_serial_key", GecClaimRecord.serial_key, unique=True)


class ContractClaimRecord(Base):
    """A green-power contract's delivery window, claimed once across the exchange (migration
    0015_contract_claims): the same contract (canonical id) is never claimed twice for overlapping windows."""

    __tablename__ = "contract_claims"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    contract_id: Mapped[str] = mapped_column(String(200))  # as given, trimmed
    contract_key: Mapped[str] = mapped_column(String(200), index=True)  # footprint_engine.gec_serial form
    delivery_start: Mapped[str] = mapped_column(String(10))  # ISO dates
    delivery_end: Mapped[str] = mapped_column(String(10))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    submission_id: Mapped[str] = mapped_column(String(200), index=True)
    claim: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
