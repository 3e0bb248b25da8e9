"""The calculation verbs: load (build lines and matrices) → solve on bw2calc → build the result."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import numpy as np

from footprint_engine.activity import ActivityData
from footprint_engine.brightway import import_bw2calc
from footprint_engine.calculate.build import build_result, engine_meta
from footprint_engine.calculate.lines import build_inventory
from footprint_engine.calculate.matrices import FLOW_ID_BASE, SystemMatrices, build_system
from footprint_engine.calculate.options import CalculationOptions
from footprint_engine.calculate.result import FootprintResult
from footprint_engine.calculate.upstream import UpstreamFootprint
from footprint_engine.errors import CalculationError
from footprint_engine.factors import FactorLibrary

__all__ = ["calculate", "line_flow_matrix", "solve_with_bw2calc"]

_DEFAULT_OPTIONS = CalculationOptions()


def calculate(
    activity: ActivityData,
    *,
    library: FactorLibrary | None = None,
    upstream: Mapping[str, UpstreamFootprint] | None = None,
    options: CalculationOptions = _DEFAULT_OPTIONS,
) -> FootprintResult:
    """The footprint of one declared unit of ``activity``'s product.

    ``upstream`` maps ``"identifier@version"`` (or ``"identifier"``) to the footprints cited by material
    inputs. With ``options.iterations > 0`` a Monte Carlo run is added (``result.uncertainty``).
    """
    library = library or FactorLibrary.builtin()
    started = time.perf_counter()
    inv = build_inventory(activity, library, dict(upstream or {}), options)
    system = build_system([inv], options.gwp_set)
    lca = solve_with_bw2calc(system, options)
    flows = line_flow_matrix(lca, system, 0)
    result = build_result(
        inv, system.flow_keys, flows, library, options, engine_meta(library, options, started)
    )
    if _score_mismatch(lca.score, result.emissions.total):
        raise CalculationError(
            "bw2calc score disagrees with the result",
            f"{lca.score} vs {result.emissions.total}",
            "report this as a bug",
        )
    if options.iterations:
        # imported on demand, not for a cycle: it loads scipy.sparse, which a run without Monte Carlo never needs
        from footprint_engine.calculate.uncertainty import monte_carlo_inventory

        mc = monte_carlo_inventory(inv, options=options)
        result = result.model_copy(update={"uncertainty": mc})
    return result


def solve_with_bw2calc(system: SystemMatrices, options: CalculationOptions, demand_product: int = 0) -> Any:
    bc = import_bw2calc(options.brightway_dir)
    try:
        lca = bc.LCA({demand_product: 1.0}, data_objs=[system.datapackage])
        lca.lci()
        lca.lcia()
    except Exception as exc:  # bw2calc raises many kinds on singular or malformed systems
        raise CalculationError(
            "matrix calculation failed",
            f"{type(exc).__name__}: {exc}",
            "check the inputs for loops or empty products",
        ) from exc
    return lca


def line_flow_matrix(lca: Any, system: SystemMatrices, product: int) -> np.ndarray:
    """kg of each flow per declared unit caused by each line of ``product`` (flows × lines)."""
    cols = [lca.dicts.activity[i] for i in system.line_ids[product]]
    rows = [lca.dicts.biosphere[FLOW_ID_BASE + k] for k in range(len(system.flow_keys))]
    inventory = lca.inventory.tocsr()
    if not cols:
        return np.zeros((len(rows), 0))
    return np.asarray(inventory[rows][:, cols].todense())


def _score_mismatch(score: float, total: float) -> bool:
    return abs(score - total) > 1e-9 * max(1.0, abs(total))
