"""An organisation's factor library, and the one rule of who sees a factor.

**The rule**: a factor (every version of its id) is visible to an organisation when it is in the built-in
library (no owner), when another organisation published it, or when the organisation owns it. :func:`may_see`
answers it for one stored row, :func:`visible_to` is the same rule as a condition for lists; search, show,
calculations and notices all use one of them. Anonymous callers (``viewer`` None) see the library and published
factors.

An organisation's library is the current version of every factor it may see: the built-in library, factors
published by anybody, its own private ones. Building it reads every current row, so it is kept per (viewer,
library revision) in this process: a calculation or a search does not rebuild it while nothing changed, and a
change anywhere (any process) raises the revision, so nobody uses a stale one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from footprint_engine.factors import EnergyCoefficient, Factor, FactorLibrary
from footprint_engine.factors.builtin import builtin_energy_coefficients
from footprint_engine.factors.search import CombinedFactorIndex, FactorIndex
from node_service.services.factors.models import FactorVersion
from node_service.services.factors.versions import revision

__all__ = ["OrganisationLibrary", "may_see", "organisation_library", "stored_factor", "visible_to"]

_CACHED_VIEWERS = 64
_CACHED_SHARED = 4  # revisions of the shared part (several databases in one process: tests)


def may_see(row: FactorVersion, viewer: str | None) -> bool:
    """The rule for one stored version."""
    return row.owner_organisation_id is None or row.published or row.owner_organisation_id == viewer


def visible_to(viewer: str | None) -> Any:
    """The rule as a condition on ``FactorVersion`` rows."""
    shared = or_(FactorVersion.owner_organisation_id.is_(None), FactorVersion.published.is_(True))
    return shared if viewer is None else or_(shared, FactorVersion.owner_organisation_id == viewer)


@dataclass(frozen=True)
class OrganisationLibrary:
    """What one viewer may use at one revision: the engine's library and a search index over the same factors."""

    revision: str
    library: FactorLibrary
    index: FactorIndex | CombinedFactorIndex
    private_ids: frozenset[str]


@dataclass(frozen=True)
class _Shared:
    revision: str
    factors: tuple[Factor, ...]
    index: FactorIndex


_lock = threading.Lock()
_shared: dict[str, _Shared] = {}
_viewers: OrderedDict[tuple[str | None, str], OrganisationLibrary] = OrderedDict()
_parsed: dict[
    tuple[Any, ...], Factor
] = {}  # each stored version validated once (per publication and end date)


def stored_factor(row: FactorVersion) -> Factor:
    """The factor of a stored version as its viewers see it: an imported (source "private") factor its owner
    published is redistributable from then on; its stored content is not changed."""
    key = (row.factor_id, row.version, row.sha256, row.published, row.valid_to)
    found = _parsed.get(key)
    if found is None:
        found = Factor.model_validate(row.data)
        if row.published and found.source_id == "private" and not found.redistributable:
            found = found.model_copy(update={"redistributable": True})
        if row.valid_to is not None and found.valid_to != row.valid_to:
            found = found.model_copy(update={"valid_to": row.valid_to})
        _parsed[key] = found
    return found


def _current(session: Session, condition: Any) -> list[Factor]:
    rows = session.execute(
        select(FactorVersion)
        .where(FactorVersion.current.is_(True), condition)
        .order_by(FactorVersion.factor_id)
    ).scalars()
    return [stored_factor(r) for r in rows]


def _shared_at(session: Session, rev: str) -> _Shared:
    with _lock:
        found = _shared.get(rev)
    if found is not None:
        return found
    factors = tuple(_current(session, visible_to(None)))
    built = _Shared(rev, factors, FactorIndex(factors))
    with _lock:
        if len(_shared) >= _CACHED_SHARED:
            _shared.pop(next(iter(_shared)))
        _shared[rev] = built
    return built


def organisation_library(session: Session, viewer: str | None) -> OrganisationLibrary:
    """The library ``viewer`` (an organisation id; None: anonymous) may use now."""
    rev = revision(session)
    with _lock:
        found = _viewers.get((viewer, rev))
        if found is not None:
            _viewers.move_to_end((viewer, rev))
            return found
    shared = _shared_at(session, rev)
    private: list[Factor] = []
    if viewer is not None:
        private = _current(
            session, (FactorVersion.owner_organisation_id == viewer) & FactorVersion.published.is_(False)
        )
    library = FactorLibrary([*shared.factors, *private], _energy_coefficients(), name="tanlian")
    index: FactorIndex | CombinedFactorIndex = (
        shared.index.merged(FactorIndex(private)) if private else shared.index
    )
    built = OrganisationLibrary(rev, library, index, frozenset(f.id for f in private))
    with _lock:
        _viewers[(viewer, rev)] = built
        while len(_viewers) > _CACHED_VIEWERS:
            _viewers.popitem(last=False)
    return built


@cache
def _energy_coefficients() -> tuple[EnergyCoefficient, ...]:
    """The engine's GB/T 2589 coefficients (read once; not versioned here yet)."""
    return tuple(builtin_energy_coefficients())
