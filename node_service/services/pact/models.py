"""Tables of the PACT exchange: API clients, published ProductFootprints and their filter keys, the supplier's
request inbox, remote PACT hosts (credentials for delivering events) and the durable event outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node_service.db.models import Base

__all__ = [
    "PUBLIC_VIEWER",
    "PactCitation",
    "PactClient",
    "PactFootprint",
    "PactFootprintKey",
    "PactOutbox",
    "PactReceivedEvent",
    "PactRecomputeNotice",
    "PactRemoteHost",
    "PactRequest",
    "PactVisibility",
]


class PactClient(Base):
    """An OAuth2 client (RFC 6749 §2.3.1) of an organisation; the secret is kept as an argon2id hash."""

    __tablename__ = "pact_clients"

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rotated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PactFootprint(Base):
    """A published, immutable PACT v3 ProductFootprint (its id is the node's footprint id)."""

    __tablename__ = "pact_footprints"

    id: Mapped[str] = mapped_column(ForeignKey("footprints.id"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    product_id: Mapped[str] = mapped_column(String(300), index=True)
    period_start: Mapped[str] = mapped_column(String(10))
    period_end: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(16))  # Active | Deprecated
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    validity_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    validity_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    deprecated_by: Mapped[str | None] = mapped_column(String(36))


Index("ix_pact_footprints_order", PactFootprint.published_at, PactFootprint.id)
Index("ix_pact_footprints_public", PactFootprint.public, PactFootprint.published_at, PactFootprint.id)


class PactFootprintKey(Base):
    """One value a footprint can be filtered by: productId, companyId, classification or geography URN/code."""

    __tablename__ = "pact_footprint_keys"

    footprint_id: Mapped[str] = mapped_column(ForeignKey("pact_footprints.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)


Index("ix_pact_footprint_keys_lookup", PactFootprintKey.kind, PactFootprintKey.value)


class PactRemoteHost(Base):
    """Another PACT host of an organisation, with the client credentials our node uses to deliver events."""

    __tablename__ = "pact_remote_hosts"
    __table_args__ = (UniqueConstraint("organisation_id", "base_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    base_url: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret_sealed: Mapped[str] = mapped_column(Text)  # AES-256-GCM under the node's PACT key
    subscribe_published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PactRequest(Base):
    """A RequestCreated event in a supplier's inbox."""

    __tablename__ = "pact_requests"
    __table_args__ = (UniqueConstraint("source", "event_id", "supplier_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    requester_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    spec_major: Mapped[int] = mapped_column(Integer, default=3)  # 2 when it came through /2/events
    comment: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending | fulfilled | rejected
    response_event_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PactOutbox(Base):
    """An event to deliver to another PACT host; kept until delivered or given up (durable across restarts)."""

    __tablename__ = "pact_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    recipient_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    target: Mapped[str] = mapped_column(String(500))  # base URL of the recipient's host
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: the PACT major version the event is sent as: POST {target}/{spec_major}/events
    spec_major: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


Index("ix_pact_outbox_due", PactOutbox.status, PactOutbox.next_attempt_at)


class PactReceivedEvent(Base):
    """A Fulfilled, Rejected or Published event another host sent to one of our organisations."""

    __tablename__ = "pact_received_events"
    __table_args__ = (UniqueConstraint("sender_id", "source", "event_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    type: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(500))
    event_id: Mapped[str] = mapped_column(String(200))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


#: ``PactVisibility.viewer_id`` of a public footprint (visible to every authenticated PACT client).
PUBLIC_VIEWER = "*"


class PactVisibility(Base):
    """Who may see a published footprint, precomputed: one row per (footprint, viewer organisation), and one
    with viewer ``*`` when it is public. Kept in step on publish and on every share (see visibility.py), so
    that ListFootprints reads a viewer's footprints newest first straight from one index."""

    __tablename__ = "pact_visibility"

    footprint_id: Mapped[str] = mapped_column(ForeignKey("pact_footprints.id"), primary_key=True)
    viewer_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Index(
    "ix_pact_visibility_viewer_order",
    PactVisibility.viewer_id,
    PactVisibility.published_at,
    PactVisibility.footprint_id,
)


class PactCitation(Base):
    """A footprint of the node citing an upstream product's footprint (``upstreamFootprint`` identifier and
    version of an activity input), so that a new upstream version finds the buyers to notify."""

    __tablename__ = "pact_citations"

    footprint_id: Mapped[str] = mapped_column(ForeignKey("footprints.id"), primary_key=True)
    upstream_product_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    upstream_version: Mapped[int] = mapped_column(Integer, primary_key=True)


Index("ix_pact_citations_upstream", PactCitation.upstream_product_id, PactCitation.upstream_version)


class PactRecomputeNotice(Base):
    """A buyer's notice that a product its footprint cites has a newer published footprint version; a
    recompute (on request) stores its result in ``draft`` (never a published footprint)."""

    __tablename__ = "pact_recompute_notices"
    __table_args__ = (UniqueConstraint("footprint_id", "new_upstream_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    footprint_id: Mapped[str] = mapped_column(ForeignKey("footprints.id"))  # the buyer's own footprint
    upstream_product_id: Mapped[str] = mapped_column(String(300))
    cited_version: Mapped[int] = mapped_column(Integer)
    new_upstream_id: Mapped[str] = mapped_column(ForeignKey("footprints.id"))
    new_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # pending | drafted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    draft: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    drafted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
