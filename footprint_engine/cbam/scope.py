"""Goods in scope of CBAM by CN code (Regulation (EU) 2023/956 Annex I), aggregated goods categories and
production routes (Implementing Regulation (EU) 2023/1773 Annex II), TARIC keys of the 2026 default-value
table, and which sectors count indirect emissions in the definitive period (Regulation (EU) 2023/956
Annex II as amended)."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from footprint_engine.cbam.errors import GoodOutOfScopeError, MissingProductionRouteError

__all__ = [
    "DATA_DIR",
    "TARIC_KEY_REQUIRED",
    "GoodScope",
    "ProductionRoute",
    "classify_good",
    "normalise_cn_code",
    "resolve_route",
    "routes_for_category",
]

#: 8-digit CN codes that from 2026 must be given as a 10-digit TARIC key (white vs grey), per the
#: default-value table of Implementing Regulation (EU) 2025/2621 as corrected by (EU) 2026/1740.
TARIC_KEY_REQUIRED: dict[str, tuple[str, ...]] = {
    "25231000": ("2523100010 (white clinker)", "2523100090 (grey clinker)"),
    "25239000": ("2523900010 (white)", "2523900090 (grey / other)"),
}

SECTORS = ("cement", "electricity", "fertilisers", "iron_and_steel", "aluminium", "hydrogen")


@dataclass(frozen=True, slots=True)
class ProductionRoute:
    category: str
    route: str
    name: str
    default_route_code: str
    taric_key: str
    source: str


@dataclass(frozen=True, slots=True)
class GoodScope:
    """What Annex I says about one CN / TARIC code."""

    cn_code: str
    sector: str
    aggregated_goods_category: str
    description: str
    source: str


#: Directory of the sourced CBAM tables (footprint_engine/data/cbam/).
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "cbam"


def _data_text(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


@functools.cache
def _scope_table() -> dict[str, GoodScope]:
    table: dict[str, GoodScope] = {}
    for row in csv.DictReader(_data_text("scope_cn_codes.csv").splitlines()):
        code = row["code"]
        table[code] = GoodScope(
            cn_code=code,
            sector=row["sector"],
            aggregated_goods_category=row["aggregated_goods_category"],
            description=row["description"],
            source=row["source"],
        )
    return table


@functools.cache
def _route_table() -> dict[str, tuple[ProductionRoute, ...]]:
    routes: dict[str, list[ProductionRoute]] = {}
    for row in csv.DictReader(_data_text("production_routes.csv").splitlines()):
        route = ProductionRoute(
            category=row["aggregated_goods_category"],
            route=row["route"],
            name=row["name"],
            default_route_code=row["default_route_code"],
            taric_key=row["taric_key"],
            source=row["source"],
        )
        routes.setdefault(route.category, []).append(route)
    return {k: tuple(v) for k, v in routes.items()}


def normalise_cn_code(code: str) -> str:
    """Strip spaces and dots ("2523 10 00 90" → "2523100090"); a CN code has 8 digits, a TARIC key 10."""
    cleaned = code.replace(" ", "").replace(".", "")
    if not cleaned.isdigit() or len(cleaned) not in (4, 6, 8, 10):
        raise GoodOutOfScopeError(
            f"CN code {code!r} malformed: got {len(cleaned)} characters, want 8 digits (CN) or 10 (TARIC) "
            "— give the code from the customs declaration, e.g. 72083900 or 2523100090"
        )
    return cleaned


def classify_good(cn_code: str) -> GoodScope:
    """Annex I entry for a CN code or TARIC key (longest listed prefix wins; `excluded` rows carve out)."""
    code = normalise_cn_code(cn_code)
    table = _scope_table()
    for length in range(len(code), 3, -1):
        entry = table.get(code[:length])
        if entry is None:
            continue
        if entry.sector == "excluded":
            break
        if len(code) < 8:
            raise GoodOutOfScopeError(
                f"CN code {cn_code!r} too short: got {len(code)} digits, want 8 — give the full CN code"
            )
        if code[:8] in TARIC_KEY_REQUIRED and len(code) != 10:
            keys = " or ".join(TARIC_KEY_REQUIRED[code[:8]])
            raise GoodOutOfScopeError(
                f"CN code {cn_code!r} ambiguous from 2026: white and grey goods share it — give the "
                f"10-digit TARIC key {keys}"
            )
        return GoodScope(code, entry.sector, entry.aggregated_goods_category, entry.description, entry.source)
    raise GoodOutOfScopeError(
        f"CN code {cn_code!r} not in CBAM scope: Annex I of Regulation (EU) 2023/956 lists cement, "
        "electricity, fertilisers, iron and steel, aluminium and hydrogen — remove the good from the "
        "communication or correct its CN code"
    )


def routes_for_category(category: str) -> tuple[ProductionRoute, ...]:
    """Production routes the aggregated goods category distinguishes (empty when it has none)."""
    return _route_table().get(category, ())


def resolve_route(scope: GoodScope, route: str | None, *, good_id: str) -> ProductionRoute | None:
    """Check the route given for a good: required where the category has routes, implied by a TARIC key."""
    options = routes_for_category(scope.aggregated_goods_category)
    if not options:
        if route:
            raise MissingProductionRouteError(
                f"good {good_id!r}: production route {route!r} given but aggregated goods category "
                f"{scope.aggregated_goods_category!r} has no routes — leave production_route empty"
            )
        return None
    implied = [r for r in options if r.taric_key and r.taric_key == scope.cn_code]
    names = ", ".join(r.route for r in options)
    if not route:
        if implied:
            return implied[0]
        raise MissingProductionRouteError(
            f"good {good_id!r} (CN {scope.cn_code}, {scope.aggregated_goods_category}): production route "
            f"missing — set production_route to one of: {names}"
        )
    chosen = [r for r in options if r.route == route]
    if not chosen:
        raise MissingProductionRouteError(
            f"good {good_id!r}: production route {route!r} unknown for {scope.aggregated_goods_category!r} "
            f"— use one of: {names}"
        )
    if implied and implied[0].route != route:
        raise MissingProductionRouteError(
            f"good {good_id!r}: production route {route!r} contradicts TARIC key {scope.cn_code} "
            f"({implied[0].name}) — correct the route or the TARIC key"
        )
    return chosen[0]
