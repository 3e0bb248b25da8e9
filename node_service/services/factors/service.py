"""What the api and the CLI call: search, show, import, publish, recompute notices. Each call is one
transaction (or two around a calculation); the visibility rule is node_service.services.factors.library's."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Unpack

from sqlalchemy import select

from footprint_engine.errors import FootprintEngineError
from footprint_engine.factors import Factor
from footprint_engine.factors.search import SearchFilters, SearchPage
from footprint_engine.factors.sources import data_source
from node_service.db.models import Organisation
from node_service.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from node_service.services.context import NodeResources
from node_service.services.factors import notices as notice_service
from node_service.services.factors.library import may_see, organisation_library, stored_factor
from node_service.services.factors.models import FactorRecomputeNotice, FactorVersion
from node_service.services.factors.table_import import namespace, read_factor_table
from node_service.services.factors.versions import bump_revision, content_hash, current_row, record_version
from node_service.services.footprints.engine import brightway_lock

__all__ = [
    "FactorDetail",
    "ImportResult",
    "LciSummary",
    "StoredVersion",
    "import_factor_table",
    "import_lci_database",
    "notice_of",
    "notices_of",
    "publish_factor",
    "recompute_notice",
    "search_factors",
    "show_factor",
]

MAX_ID_CHARS = 300


def _viewer_id(viewer: Organisation | None) -> str | None:
    return viewer.id if viewer is not None else None


def search_factors(
    node: NodeResources, viewer: Organisation | None, q: str | None, **filters: Unpack[SearchFilters]
) -> SearchPage:
    """One page of the factors ``viewer`` may see, best first (footprint_engine.factors.search)."""
    with node.db.transaction() as session:
        index = organisation_library(session, _viewer_id(viewer)).index
    try:
        return index.search(q, **filters)
    except FootprintEngineError as exc:  # FactorSearchError, or UnitError for an unknown unit
        raise ValidationFailed(f"{exc.what}: {exc.detail}", fix=exc.fix, field=exc.field) from exc


@dataclass(frozen=True)
class StoredVersion:
    factor: Factor
    current: bool
    published: bool
    sha256: str
    created_at: datetime


@dataclass(frozen=True)
class FactorDetail:
    factor: Factor  # the current version
    versions: list[StoredVersion]  # oldest first


def _not_found(factor_id: str) -> NotFound:
    # the same answer for "absent" and "not yours", so private ids cannot be probed
    return NotFound(
        f"no factor {factor_id[:MAX_ID_CHARS]} visible to you",
        fix="find factors with GET /factors?q=… or tanlian factors search",
    )


def show_factor(node: NodeResources, viewer: Organisation | None, factor_id: str) -> FactorDetail:
    """A factor and its version history, when ``viewer`` may see it."""
    if len(factor_id) > MAX_ID_CHARS:
        raise _not_found(factor_id)
    with node.db.transaction() as session:
        rows = list(
            session.execute(
                select(FactorVersion).where(FactorVersion.factor_id == factor_id).order_by(FactorVersion.seq)
            ).scalars()
        )
        if not rows or not may_see(rows[-1], _viewer_id(viewer)):
            raise _not_found(factor_id)
        versions = [
            StoredVersion(stored_factor(r), r.current, r.published, r.sha256, r.created_at) for r in rows
        ]
    current = next((v.factor for v in versions if v.current), versions[-1].factor)
    return FactorDetail(current, versions)


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # ids seen for the first time
    new_versions: list[tuple[str, str]] = field(default_factory=list)  # (id, version) of changed factors
    unchanged: list[str] = field(default_factory=list)
    notices: int = 0

    @property
    def stored(self) -> bool:
        return bool(self.created or self.new_versions)


def import_factor_table(
    node: NodeResources, organisation: Organisation, data: bytes, filename: str, fmt: str | None = None
) -> ImportResult:
    """An organisation's factor table (table_import), all rows or none: new ids are recorded, a changed
    factor becomes a new version (with recompute notices for the footprints that used an older one)."""
    factors = read_factor_table(data, filename, organisation.id, fmt)
    return _record_all(node, organisation, factors)


#: Formats of licensed background databases, read with Brightway's importers (footprint_engine.factors.lci).
LCI_FORMATS = ("ecospold2", "simapro-csv", "brightway-excel")
MAX_LCI_BYTES = 64 * 1024 * 1024  # footprint_engine.factors.lci.MAX_LCI_BYTES (imported lazily: Brightway)
_LCI_SUFFIX = {"ecospold2": ".zip", "simapro-csv": ".csv", "brightway-excel": ".xlsx"}


@dataclass(frozen=True)
class LciSummary:
    database: str
    activities: int
    skipped: list[str]
    unmatched_flows: list[str]


def import_lci_database(
    node: NodeResources, organisation: Organisation, data: bytes, filename: str, fmt: str
) -> tuple[ImportResult, LciSummary]:
    """A licensed LCI database (ecospold2 as a .zip or one .spold, SimaPro CSV, Brightway Excel) read with
    bw2io under the node's Brightway lock, characterised later with the library's GWP set; its factors are the
    organisation's (ids and keys under ``org/<12 hex>/lci/``), licensed: never published, never shown."""
    from footprint_engine.factors.lci import import_lci

    if fmt not in LCI_FORMATS:
        raise ValidationFailed(
            f"format: got {fmt[:30]!r}, want one of {', '.join(LCI_FORMATS)}",
            field="format",
            fix="name the format",
        )
    ns = namespace(organisation.id)
    suffix = ".spold" if fmt == "ecospold2" and filename.lower().endswith(".spold") else _LCI_SUFFIX[fmt]
    with tempfile.TemporaryDirectory(prefix="tanlian-lci-upload-") as work:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(filename).stem).strip(".-")[:80] or "database"
        path = Path(work) / f"{stem}{suffix}"  # bw2io names an ecospold2 database after its file
        path.write_bytes(data)
        try:
            with brightway_lock:
                imported = import_lci(
                    path,
                    fmt,
                    gwp_set="AR6",
                    source_id="licensed-lci",
                    owner=organisation.id,
                    id_prefix="lci",
                    brightway_dir=node.settings.brightway_dir,
                )
        except FootprintEngineError as exc:
            raise ValidationFailed(f"{exc.what}: {exc.detail}", fix=exc.fix, field="file") from exc
    factors = [
        f.model_copy(update={"id": f"{ns}/{f.id}", "key": f"{ns}/lci/{f.key}"}) for f in imported.factors
    ]
    summary = LciSummary(imported.database, imported.activities, imported.skipped, imported.unmatched_flows)
    return _record_all(node, organisation, factors), summary


def _record_all(node: NodeResources, organisation: Organisation, factors: list[Factor]) -> ImportResult:
    digests = {f.id: content_hash(f) for f in factors}
    now = datetime.now(UTC)
    result = ImportResult()
    with node.db.write_transaction() as session:
        bump_revision(session)
        for factor in factors:
            recorded = record_version(
                session, factor, owner=organisation.id, now=now, digest=digests[factor.id]
            )
            if not recorded.changed:
                result.unchanged.append(factor.id)
            elif recorded.previous is None:
                result.created.append(factor.id)
            else:
                result.new_versions.append((factor.id, recorded.version))
                result.notices += notice_service.notify_new_version(session, factor.id, recorded.version, now)
    return result


def publishable(factor: Factor) -> str | None:
    """Why ``factor`` may not be published (None: it may): its source's terms forbid redistribution. An
    organisation's own factors (source "private") are private until it publishes them."""
    source = data_source(factor.source_id)
    if source is not None and not source.redistributable and source.id != "private":
        return f"its source {source.id!r} ({source.title}) may not be redistributed: {source.terms}"
    if not factor.redistributable and (source is None or source.id != "private"):
        return "the factor is marked not redistributable"
    return None


def publish_factor(node: NodeResources, organisation: Organisation, factor_id: str) -> tuple[Factor, bool]:
    """Make the owner's private factor (every version of its id) visible to every organisation; returns the
    factor and whether this call published it (False: it was published already)."""
    if len(factor_id) > MAX_ID_CHARS:
        raise _not_found(factor_id)
    with node.db.write_transaction() as session:
        row = current_row(session, factor_id)
        if row is None or not may_see(row, organisation.id):
            raise _not_found(factor_id)
        if row.owner_organisation_id != organisation.id:
            raise AccessDenied(
                f"factor {factor_id} is not yours to publish",
                fix="publish only factors your organisation imported",
            )
        reason = publishable(stored_factor(row))
        if reason is not None:
            raise Conflict(f"factor {factor_id} cannot be published: {reason}", fix="keep it private")
        if row.published:
            return stored_factor(row), False
        bump_revision(session)
        for version in session.execute(
            select(FactorVersion).where(FactorVersion.factor_id == factor_id)
        ).scalars():
            version.published = True
        session.flush()
        return stored_factor(row), True


def notices_of(
    node: NodeResources, organisation: Organisation, status: str | None
) -> list[FactorRecomputeNotice]:
    with node.db.transaction() as session:
        found = notice_service.list_notices(session, organisation, status)
        session.expunge_all()
    return found


def notice_of(node: NodeResources, organisation: Organisation, notice_id: str) -> FactorRecomputeNotice:
    with node.db.transaction() as session:
        found = notice_service.get_notice(session, organisation, notice_id)
        session.expunge(found)
    return found


def recompute_notice(
    node: NodeResources, organisation: Organisation, notice_id: str
) -> FactorRecomputeNotice:
    return notice_service.recompute(node, organisation, notice_id)
