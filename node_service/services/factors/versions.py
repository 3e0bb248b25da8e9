"""Recording a factor version: a factor whose content differs from the current version of its id becomes a new
version, and the one it replaces stops being current (its ``valid_to`` set); the content never changes in place.

The content hash is the SHA-256 of the RFC 8785 JSON of the factor without ``version`` and ``valid_to`` (the
node assigns the first, the next version sets the second), so the same figures shipped again, or imported
again, are the same version. Every write raises the library's revision (``factor_library_state``; with a new random token, which caches are keyed
by) first; on
PostgreSQL that row's lock serialises the library's writers.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from footprint_engine.factors import Factor
from node_service.credentials.jcs import canonicalize
from node_service.errors import Conflict
from node_service.services.factors.models import FactorLibraryState, FactorVersion

__all__ = [
    "Recorded",
    "bump_revision",
    "content_hash",
    "current_row",
    "next_label",
    "record_version",
    "revision",
]

_NOT_CONTENT = frozenset({"version", "valid_to"})


def content_hash(factor: Factor) -> str:
    data = factor.model_dump(mode="json", exclude=set(_NOT_CONTENT))
    return hashlib.sha256(canonicalize(data)).hexdigest()


def revision(session: Session) -> str:
    """The library's current revision token (a new one with every change; module docstring)."""
    return str(
        session.execute(select(FactorLibraryState.token).where(FactorLibraryState.id == 1)).scalar_one()
    )


def bump_revision(session: Session) -> None:
    """Raise the revision and draw a new token (first thing in a writing transaction: it takes the row's lock)."""
    session.execute(
        update(FactorLibraryState)
        .where(FactorLibraryState.id == 1)
        .values(revision=FactorLibraryState.revision + 1, token=uuid.uuid4().hex)
    )


def current_row(session: Session, factor_id: str) -> FactorVersion | None:
    return session.execute(
        select(FactorVersion).where(FactorVersion.factor_id == factor_id, FactorVersion.current.is_(True))
    ).scalar_one_or_none()


@dataclass(frozen=True)
class Recorded:
    factor_id: str
    version: str
    previous: str | None  # the version it replaced (None: the first version, or unchanged)
    changed: bool  # False: the current version has this content already


def _label(session: Session, factor_id: str, wanted: str) -> str:
    """``wanted`` if the id has no such version yet; else the next integer (integer versions) or
    ``wanted-rN`` (e.g. a shipped "2026.12" corrected without a new label: "2026.12-r2")."""
    taken = set(
        session.execute(select(FactorVersion.version).where(FactorVersion.factor_id == factor_id)).scalars()
    )
    return next_label(taken, wanted)


def next_label(taken: set[str], wanted: str) -> str:
    """The label a new version gets when ``taken`` are the labels recorded already (rule of :func:`_label`;
    reference tables label their versions the same way)."""
    if wanted not in taken:
        return wanted
    if wanted.isdigit():
        return str(max(int(v) for v in taken if v.isdigit()) + 1)
    n = 2
    while f"{wanted}-r{n}" in taken:
        n += 1
    return f"{wanted}-r{n}"


def record_version(
    session: Session,
    factor: Factor,
    *,
    owner: str | None,
    now: datetime,
    digest: str | None = None,
    published: bool = False,
) -> Recorded:
    """Make ``factor`` the current version of its id (the caller raised the revision in this transaction).

    A factor id belongs to one owner (None: the library) for ever: another owner's id is a 409."""
    digest = digest or content_hash(factor)
    current = current_row(session, factor.id)
    if current is not None and current.owner_organisation_id != owner:
        raise Conflict(
            f"factor id {factor.id} belongs to another owner",
            fix="give the factor an id of your own namespace (docs/factors.md, Ids)",
        )
    if current is not None and current.sha256 == digest:
        return Recorded(factor.id, current.version, None, changed=False)
    label = _label(session, factor.id, factor.version)
    today = now.date()
    valid_from = factor.valid_from or today
    stored = factor.model_copy(update={"version": label, "valid_to": None, "owner": owner})
    previous: str | None = None
    if current is not None:
        previous = current.version
        current.current = False
        current.valid_to = _day_before(valid_from, current.valid_from)
        published = current.published
        session.flush()  # the old row stops being current before the new one is
    session.add(
        FactorVersion(
            factor_id=factor.id,
            version=label,
            owner_organisation_id=owner,
            data=stored.model_dump(mode="json"),
            sha256=digest,
            valid_from=factor.valid_from,
            valid_to=None,
            current=True,
            published=published,
            created_at=now,
        )
    )
    session.flush()
    return Recorded(factor.id, label, previous, changed=True)


def _day_before(day: date, not_before: date | None) -> date:
    before = day - timedelta(days=1)
    return max(before, not_before) if not_before is not None else before
