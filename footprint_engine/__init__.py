"""footprint_engine: GB/T 24067 product carbon footprints on Brightway (pure: no HTTP, database or chain).

Public surface (imported lazily so that ``import footprint_engine`` stays cheap)::

    from footprint_engine.calculate import calculate   # (the subpackage shares the name)
    from footprint_engine import ActivityData, parse_activity, FactorLibrary, CalculationOptions
    from footprint_engine import FootprintResult, UpstreamFootprint, to_pact_v3_pcf, to_pact_v23_pcf
    from footprint_engine import recompute_dependents, Recomputation, OutdatedCitation, load_example
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from footprint_engine.version import ENGINE_VERSION

__version__ = ENGINE_VERSION

_EXPORTS = {
    "ActivityData": "footprint_engine.activity",
    "parse_activity": "footprint_engine.activity",
    "SCHEMA_VERSION": "footprint_engine.activity",
    "FactorLibrary": "footprint_engine.factors",
    "Factor": "footprint_engine.factors",
    "CalculationOptions": "footprint_engine.calculate",
    "FootprintResult": "footprint_engine.calculate",
    "UpstreamFootprint": "footprint_engine.calculate",
    "monte_carlo": "footprint_engine.calculate.uncertainty",
    "recompute_dependents": "footprint_engine.calculate.supply_chain",
    "to_pact_v3_pcf": "footprint_engine.pact",
    "to_pact_v23_pcf": "footprint_engine.pact",
    "PactMappingError": "footprint_engine.pact",
    "Recomputation": "footprint_engine.calculate.supply_chain",
    "OutdatedCitation": "footprint_engine.calculate.supply_chain",
    "load_example": "footprint_engine.examples",
    "example_names": "footprint_engine.examples",
    "activity_json_schema": "footprint_engine.schema",
    "FootprintEngineError": "footprint_engine.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'footprint_engine' has no attribute {name!r}")
    return getattr(import_module(module), name)
