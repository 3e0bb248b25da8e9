"""Which factor an account rule gives: the grid-electricity factor a rule (footprint_engine.factors.rules)
prescribes for a site's geography and reporting year, with the rule's citations, every fallback step, and one
line that says which factor, rule and version were used.

:func:`resolve_in` answers against any library (the CLI's built-in library offline); :func:`resolve_factor`
against the library an organisation may use on the node (the built-in library and published factors at their
current versions, and its own private ones), for ``GET /factors/resolve``. A rule names the published factors'
keys (``co2``, ``footprint``); an organisation's own factors have keys in its namespace (``org/<id>/…``), so
they never stand in for the factor the rule prescribes. Both answer the same JSON (:meth:`Resolution.as_json`)
and the same line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from footprint_engine.errors import FactorLibraryError, FactorNotFoundError, FootprintEngineError
from footprint_engine.factors import FactorLibrary
from footprint_engine.factors.geography import REGION_NAMES
from footprint_engine.factors.rules import ACCOUNT_RULES, AccountRule, RuledMatch, grid_factor_for
from node_service.db.models import Organisation
from node_service.errors import NotFound, ValidationFailed
from node_service.services.context import NodeResources
from node_service.services.factors.library import organisation_library
from node_service.services.factors.views import factor_json, value_of

__all__ = ["RESOLVABLE_RULES", "YEARS", "Resolution", "resolution_line", "resolve_factor", "resolve_in"]

#: Rules whose grid factor comes from the library (``cbam-indirect`` takes the installation's own data).
RESOLVABLE_RULES = tuple(sorted(r.id for r in ACCOUNT_RULES.values() if r.grid is not None))
YEARS = range(1990, 2101)  # reporting years accepted
_TITLE_CHARS = 60  # the source's title in the line is cut here


@dataclass(frozen=True)
class Resolution:
    rule: AccountRule
    geography: str  # as requested (canonical spelling)
    year: int
    match: RuledMatch

    def as_json(self) -> dict[str, Any]:
        factor = factor_json(self.match.factor)
        return {
            "rule": self.rule.id,
            "ruleTitle": self.rule.title,
            "check": self.rule.check,
            "citations": [c.as_dict() for c in self.rule.citations],
            "geography": self.geography,
            "year": self.year,
            "factor": factor,
            "steps": [dict(s) for s in self.match.steps],
            "fallbacks": list(self.match.fallbacks),
            "line": resolution_line(self.rule.id, self.geography, self.year, self.match),
        }


def _source_head(source: str | None) -> str:
    """The source's title without its publisher and date, up to the announcement's number when it has one
    (``关于发布…的公告（公告2024年第12号）``), else cut at :data:`_TITLE_CHARS` characters."""
    title = (source or "").split(" — ", 1)[0].strip()
    close = title.find("）")
    if 0 <= close < _TITLE_CHARS:
        return title[: close + 1]
    return title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1] + "…"


def resolution_line(rule: str, geography: str, year: int, match: RuledMatch) -> str:
    """``rule · CN-YN 2021 → factor-id vVERSION = value unit (publisher · source)``."""
    f = match.factor
    value, value_unit = value_of(f)
    amount = (
        f"{value} {value_unit}"
        if value is not None
        else "; ".join(f"{flow} {v}" for flow, v in f.emissions.items()) + f" kg/{f.unit}"
    )
    publisher = factor_json(f)["publisher"]
    source = " · ".join(p for p in (publisher, _source_head(f.source)) if p)
    flags = " [ILLUSTRATIVE]" if f.illustrative else ""
    return f"{rule} · {geography} {year} → {f.id} v{f.version} = {amount}{flags} ({source or 'no source'})"


def _rule(rule: str) -> AccountRule:
    found = ACCOUNT_RULES.get(rule)
    if found is None or found.grid is None:
        detail = (
            f"rule {rule[:100]!r} is not an account rule"
            if found is None
            else f"rule {rule!r} takes the grid factor from the installation's own data, not from the library"
        )
        raise FactorLibraryError(
            "unknown account rule" if found is None else "rule takes no library factor",
            detail,
            f"use one of {', '.join(RESOLVABLE_RULES)}",
            field="rule",
        )
    return found


def _geography(geography: str, library: FactorLibrary) -> str:
    """The canonical spelling of a known geography: the built-in tables' (ISO 3166-2:CN codes, the regional
    grids, CN) or one of the library's grid factors' (an organisation's own)."""
    known = {g for g in REGION_NAMES if g != "GLO"}
    known.update(f.geography for f in library.factors() if f.kind == "electricity-grid")
    by_case = {g.casefold(): g for g in known}
    found = by_case.get(geography.strip().casefold())
    if found is None:
        raise FactorLibraryError(
            "unknown geography",
            f"{geography[:40]!r} is not a geography of the grid factors",
            "give an ISO 3166-2:CN code such as CN-YN (CN-NM-E / CN-NM-W for 蒙东 / 蒙西), a regional grid such "
            "as CN-South, or CN",
            field="geography",
        )
    return found


def resolve_in(library: FactorLibrary, rule: str, geography: str, year: int) -> Resolution:
    """The factor ``rule`` gives a site in ``geography`` reporting ``year``, from ``library``.

    Raises :class:`FactorLibraryError` naming ``rule``, ``geography`` or ``year`` for bad input, and
    :class:`FactorNotFoundError` (field ``geography``) when the library holds no factor the rule allows."""
    r = _rule(rule)
    if year not in YEARS:
        raise FactorLibraryError(
            "year out of range",
            f"got {year}, want {YEARS[0]}–{YEARS[-1]}",
            "give the reporting year",
            field="year",
        )
    geo = _geography(geography, library)
    return Resolution(r, geo, year, grid_factor_for(r, geo, year, library, field="geography"))


def resolve_factor(
    node: NodeResources, viewer: Organisation | None, rule: str, geography: str, year: int
) -> Resolution:
    """:func:`resolve_in` over the library ``viewer`` may use (anonymous: the library and published factors):
    bad input is :class:`ValidationFailed`, no factor the rule allows :class:`NotFound`, each naming the
    parameter."""
    with node.db.transaction() as session:
        library = organisation_library(session, viewer.id if viewer is not None else None).library
    try:
        return resolve_in(library, rule, geography, year)
    except FactorNotFoundError as exc:
        raise NotFound(f"{exc.what}: {exc.detail}", fix=exc.fix, field=exc.field) from exc
    except FootprintEngineError as exc:
        raise ValidationFailed(f"{exc.what}: {exc.detail}", fix=exc.fix, field=exc.field) from exc
