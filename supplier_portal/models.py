"""The portal's own tables: users and their sessions, products, footprint requests, the audit trail.

Nothing here ever holds a private key: organisations' keys live in their browsers (WebCrypto, IndexedDB)
or in their own key files. Passwords are stored as argon2id hashes, session tokens as SHA-256 hashes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node_service.db.models import Base

__all__ = [
    "PortalAudit",
    "PortalDraft",
    "PortalProduct",
    "PortalRequest",
    "PortalSecret",
    "PortalSession",
    "PortalSignInThrottle",
    "PortalUser",
]


class PortalUser(Base):
    """A person who signs in for an organisation, with one role there (admin | data_entry | viewer)."""

    __tablename__ = "portal_users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PortalSession(Base):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "portal_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("portal_users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PortalSecret(Base):
    """Server-side secrets of the portal (the CSRF HMAC key), shared by every node process."""

    __tablename__ = "portal_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class PortalProduct(Base):
    """A product of an organisation with its identifier record (IDIS handle, GTIN or URN) and CN code."""

    __tablename__ = "portal_products"
    __table_args__ = (UniqueConstraint("organisation_id", "identifier"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(300), index=True)
    name_zh: Mapped[str | None] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    declared_unit: Mapped[str] = mapped_column(String(16))
    cn_code: Mapped[str | None] = mapped_column(String(10), index=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # the identifier record shown to buyers
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PortalRequest(Base):
    """A buyer asks a supplier for the footprint of a product; answered when the supplier shares one."""

    __tablename__ = "portal_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    buyer_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    product_identifier: Mapped[str] = mapped_column(String(300))
    message: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # open | answered
    footprint_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PortalAudit(Base):
    """Who did what, when: one row per action that changes something (and every sign-in attempt)."""

    __tablename__ = "portal_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    organisation_id: Mapped[str | None] = mapped_column(String(36), index=True)
    user_id: Mapped[str | None] = mapped_column(String(36))
    username: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class PortalSignInThrottle(Base):
    """Failed sign-ins per account name (``scope`` "account", key: the name as typed, lower-cased) and per
    client address (``scope`` "client"), and until when further attempts are refused. In the database, so
    every server process of ``tanlian serve --workers N`` sees the same counts."""

    __tablename__ = "portal_sign_in_throttle"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PortalDraft(Base):
    """Activity data being entered: the grid's header and rows, saved on every upload and every check so nothing
    is lost on Back, a reload or a failed signature. One per organisation, product and reporting period (any of
    the organisation's data-entry users resumes it); deleted when that product and period is submitted. A draft
    is no submission: it is never signed, logged or anchored. ``rows`` holds the rows as lists in the order of
    ``columns`` (the grid's column keys when it was saved)."""

    __tablename__ = "portal_drafts"
    __table_args__ = (
        UniqueConstraint("organisation_id", "product_id", "period_start", "period_end"),
        Index("ix_portal_drafts_organisation_updated", "organisation_id", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    product_id: Mapped[str] = mapped_column(String(36))  # a PortalProduct id, "" before one is chosen
    period_start: Mapped[str] = mapped_column(String(10))
    period_end: Mapped[str] = mapped_column(String(10))
    header: Mapped[dict[str, Any]] = mapped_column(JSON)
    columns: Mapped[list[str]] = mapped_column(JSON)
    rows: Mapped[list[list[str]]] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(80))  # the username
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
