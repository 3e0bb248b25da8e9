"""Tables of the identity package: IDIS prefixes and contacts of organisations, the resolver's handle
records, and flags raised on stored submissions (for example "signed by a key revoked later")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from node_service.db.models import Base, Submission

__all__ = [
    "HandleGtin",
    "HandleRecordRow",
    "HandleValueRow",
    "OrganisationContact",
    "OrganisationPrefix",
    "PrefixDelegation",
    "SubmissionFlag",
]


class OrganisationPrefix(Base):
    """An IDIS enterprise prefix (``88.<industry>.<enterprise>``) registered to one organisation.

    ``prefix_key`` is the ASCII upper-case form (Handle prefixes compare case-insensitively).
    """

    __tablename__ = "organisation_prefixes"

    prefix_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PrefixDelegation(Base):
    """The owner of an IDIS prefix lets another organisation (``delegate_id``) report footprints of the
    products under it, from ``granted_at`` until ``revoked_at`` (rows are kept: they say who could report
    what, when). Migration 0014_prefix_delegations."""

    __tablename__ = "prefix_delegations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prefix_key: Mapped[str] = mapped_column(String(200), index=True)
    delegate_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OrganisationContact(Base):
    __tablename__ = "organisation_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))


class HandleRecordRow(Base):
    """A handle record served by this node; ``handle_key`` is :attr:`Handle.key` (upper-case)."""

    __tablename__ = "handle_records"

    handle_key: Mapped[str] = mapped_column(String(1100), primary_key=True)
    handle: Mapped[str] = mapped_column(String(1100))
    prefix_key: Mapped[str] = mapped_column(String(200), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HandleValueRow(Base):
    __tablename__ = "handle_values"

    handle_key: Mapped[str] = mapped_column(
        ForeignKey("handle_records.handle_key", ondelete="CASCADE"), primary_key=True
    )
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(256))
    format: Mapped[str] = mapped_column(String(16))
    value: Mapped[Any] = mapped_column(JSON)
    ttl: Mapped[int] = mapped_column(Integer)
    timestamp: Mapped[str] = mapped_column(String(40))


class HandleGtin(Base):
    """GTIN values of served records (GTIN-14), so a cited GTIN finds its record."""

    __tablename__ = "handle_gtins"

    gtin14: Mapped[str] = mapped_column(String(14), primary_key=True)
    handle_key: Mapped[str] = mapped_column(
        ForeignKey("handle_records.handle_key", ondelete="CASCADE"), primary_key=True
    )


class SubmissionFlag(Base):
    """Something a reader of a stored submission must know (the submission itself never changes)."""

    __tablename__ = "submission_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # signed-by-revoked-key | unresolved-identifier
    field: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Index("ix_handle_gtins_handle", HandleGtin.handle_key)
# The accepted submission of a product and period, which a new version supersedes (one index search instead of
# a scan over every version of the product); migration 0009_subperf.
Index(
    "ix_submissions_current",
    Submission.product_id,
    Submission.period_start,
    Submission.period_end,
    Submission.status,
)
