"""Tables of the node's CBAM records: an exporter's installations, every stored version kept and logged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node_service.db.models import Base

__all__ = ["CbamInstallation", "CbamInstallationVersion"]


class CbamInstallation(Base):
    """An installation of an organisation (exporter role); ``version`` is the current one."""

    __tablename__ = "cbam_installations"
    __table_args__ = (UniqueConstraint("organisation_id", "installation_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    #: the operator's own installation identifier (the document's ``installation_id``).
    installation_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CbamInstallationVersion(Base):
    """One stored version of an installation document; ``entry_id`` is its id in the transparency log."""

    __tablename__ = "cbam_installation_versions"
    __table_args__ = (UniqueConstraint("record_id", "version"),)

    entry_id: Mapped[str] = mapped_column(String(250), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("cbam_installations.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
