"""Which factor versions each stored footprint used (``factor_uses``), recorded by the transaction that stores
the footprint (node_service.services.submissions.store), from its result's ``factors`` list (``id`` and
``version``; an entry without a version used version "1", the only one there was before versions)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from node_service.services.factors.models import FactorUseRecord

__all__ = ["factor_uses_of", "record_factor_uses"]

_MAX_ID = 300


def factor_uses_of(document: dict[str, Any] | None) -> dict[str, str]:
    """factor id → version, from a stored footprint document."""
    used: dict[str, str] = {}
    for entry in ((document or {}).get("result") or {}).get("factors") or []:
        factor_id = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(factor_id, str) and 0 < len(factor_id) <= _MAX_ID:
            used.setdefault(factor_id, str(entry.get("version") or "1")[:64])
    return used


def record_factor_uses(session: Session, footprint_id: str, document: dict[str, Any] | None) -> None:
    """One ``factor_uses`` row per factor the stored ``document`` used."""
    rows = [
        {"footprint_id": footprint_id, "factor_id": factor_id, "factor_version": version}
        for factor_id, version in sorted(factor_uses_of(document).items())
    ]
    if rows:
        session.execute(insert(FactorUseRecord), rows)
