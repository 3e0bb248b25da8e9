"""Our aggregated goods categories and production routes in the communication template's own wording
(sheet Parameters_Constants, rows 89-106 of the 2024-12-13 version: CONST_LIST_Goods and
CONST_MATRIX_ProductionRoute). A test holds these tables against the bundled template.

The template distinguishes routes only where the goods category itself does (crude steel, pig iron,
hydrogen, ammonia, unwrought aluminium); for every other category it lists "All production routes",
even where the 2026 default-value table has a route letter (grey vs white clinker, products of the
BF/BOF route) — that distinction stays in our data for the default comparison.
"""

from __future__ import annotations

from footprint_engine.cbam.errors import CbamInputError

__all__ = [
    "ALL_PRODUCTION_ROUTES",
    "TEMPLATE_CATEGORY",
    "TEMPLATE_ROUTE",
    "route_index",
    "routes_of_category",
    "template_category",
    "template_route",
]

ALL_PRODUCTION_ROUTES = "All production routes"

#: our aggregated goods category → the template's (note the template's trailing space in "Calcined clays ").
TEMPLATE_CATEGORY: dict[str, str] = {
    "Cement": "Cement",
    "Cement clinker": "Cement clinker",
    "Calcined clay": "Calcined clays ",
    "Aluminous cement": "Aluminous cement",
    "Iron or steel products": "Iron or steel products",
    "Crude steel": "Crude steel",
    "DRI": "Direct reduced iron",
    "Pig iron": "Pig iron",
    "FeMn": "Alloys (FeMn, FeCr, FeNi)",
    "FeCr": "Alloys (FeMn, FeCr, FeNi)",
    "FeNi": "Alloys (FeMn, FeCr, FeNi)",
    "Sintered ore": "Sintered Ore",
    "Hydrogen": "Hydrogen",
    "Ammonia": "Ammonia",
    "Nitric acid": "Nitric acid",
    "Urea": "Urea",
    "Mixed fertilisers": "Mixed fertilisers",
    "Aluminium products": "Aluminium products",
    "Unwrought aluminium": "Unwrought aluminium",
    "Electricity": "Electricity (export to EU)",
}

#: (our category, our route code) → the template's route wording, where the template has routes.
TEMPLATE_ROUTE: dict[tuple[str, str], str] = {
    ("Crude steel", "bof"): "Basic oxygen steelmaking",
    ("Crude steel", "eaf"): "Electric arc furnace",
    ("Pig iron", "blast_furnace"): "Blast furnace route",
    ("Pig iron", "smelting_reduction"): "Smelting reduction",
    ("Hydrogen", "steam_reforming"): "Steam reforming and partial oxidation",
    ("Hydrogen", "electrolysis"): "Electrolysis of water",
    ("Hydrogen", "chlor_alkali"): "Chlor-Alkali electrolysis and production of chlorates",
    ("Ammonia", "steam_reforming"): "Haber-Bosch process with steam reforming of natural gas or biogas",
    ("Ammonia", "gasification"): "Haber-Bosch process with gasification of coal or other fuels",
    ("Unwrought aluminium", "primary"): "Primary (electrolytic) smelting",
    ("Unwrought aluminium", "secondary"): "Secondary melting (recycling)",
}

#: categories for which the template lists routes; a good of one without a route is "Unknown production routes".
_ROUTED = {category for category, _ in TEMPLATE_ROUTE}


def template_category(category: str) -> str:
    """The template's name of one of our aggregated goods categories."""
    try:
        return TEMPLATE_CATEGORY[category]
    except KeyError:
        raise CbamInputError(
            f"aggregated goods category {category!r} has no entry in the communication template — "
            "check the CN code"
        ) from None


def template_route(category: str, route: str | None) -> str:
    """The template's wording of a production route ("All production routes" where it has none)."""
    if category not in _ROUTED:
        return ALL_PRODUCTION_ROUTES
    if route is None:
        return "Unknown production routes"
    return TEMPLATE_ROUTE.get((category, route), "Other production routes")


def _routes_of(category: str) -> tuple[str, ...]:
    own = [name for (cat, _), name in TEMPLATE_ROUTE.items() if TEMPLATE_CATEGORY[cat] == category]
    if not own:
        return (ALL_PRODUCTION_ROUTES,)
    return (*own, "Other production routes", "Unknown production routes")


def route_index(category: str, route: str) -> int:
    """1-based position of a route in the template's row for the (template) category: the row of the
    production-level table (D_Processes / E_PurchPrec (a)) the amount goes to."""
    return _routes_of(category).index(route) + 1


def routes_of_category(category: str) -> tuple[str, ...]:
    """The template's routes of a (template) category, in its order."""
    return _routes_of(category)
