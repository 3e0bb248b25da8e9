"""A factor as JSON for the API and the CLI (camelCase, PACT-style names), with its source's terms."""

from __future__ import annotations

from typing import Any

from footprint_engine.factors import Factor
from footprint_engine.factors.sources import data_source

__all__ = ["factor_json", "value_of"]

_KG_CO2E = ("CO2e", "CO2")  # a single CO2 flow is kgCO2e too (GWP 1)


def value_of(factor: Factor) -> tuple[float | None, str]:
    """(kgCO2e per unit, "kgCO2e/<unit>") for a single-flow CO2e or CO2 factor; (None, "") otherwise."""
    if len(factor.emissions) == 1:
        ((flow, amount),) = factor.emissions.items()
        gas = flow.split("/", 1)[0]
        if gas in _KG_CO2E:
            return amount, f"kg{gas}/{factor.unit}"
    return None, ""


def factor_json(factor: Factor) -> dict[str, Any]:
    value, value_unit = value_of(factor)
    source = data_source(factor.source_id)
    return {
        "id": factor.id,
        "kind": factor.kind,
        "key": factor.key,
        "nameZh": factor.name_zh,
        "nameEn": factor.name_en,
        "category": factor.category,
        "scope": factor.scope,
        "value": value,
        "valueUnit": value_unit or None,
        "unit": factor.unit,
        "flows": dict(factor.emissions),
        "geography": factor.geography,
        "year": factor.year,
        "version": factor.version,
        "validFrom": factor.valid_from.isoformat() if factor.valid_from else None,
        "validTo": factor.valid_to.isoformat() if factor.valid_to else None,
        "source": factor.source,
        "sourceId": factor.source_id,
        "publisher": factor.publisher or (source.publisher if source else None),
        "sourceUrl": factor.source_url or (source.url if source else None),
        "cpcdCode": factor.cpcd_code,
        "illustrative": factor.illustrative,
        "redistributable": factor.redistributable and (source is None or source.redistributable),
        "terms": source.terms if source else None,
        "owner": factor.owner,
        "note": factor.note,
        "uncertaintyGsd": factor.uncertainty_gsd,
    }
