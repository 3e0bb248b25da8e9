"""Step (5) of an LCI import: the technosphere and biosphere matrices in float64, and one solve per activity.

Pure calculation on the linked datasets bw2io produced: no Brightway project is read or written here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from footprint_engine.errors import FactorLibraryError
from footprint_engine.factors.lci.importers import describe_exchange, unlinked_error

__all__ = ["Inventory", "solve_inventories"]


@dataclass(frozen=True)
class Inventory:
    code: str
    name: str
    unit: str
    location: str | None
    year: int | None
    flows: dict[tuple[str, str, str], float]  # (flow name, compartment, sub-compartment) → kg per unit


def solve_inventories(
    bc: Any, datasets: list[dict[str, Any]], biosphere: dict[str, tuple[str, ...]]
) -> list[Inventory]:
    """Life-cycle inventory of one unit of each activity's reference product, solved by bw2calc.

    The matrices are built from the linked datasets as bw2data's ``Database.process`` builds them (production and
    substitution edges positive, consumption edges negative, biosphere edges into the biosphere matrix), but in
    float64 in memory, as the engine does: bw2data's processed datapackages hold float32 amounts.
    """
    import bw_processing as bwp
    import numpy as np
    from bw2data import labels

    processes = [ds for ds in datasets if ds.get("type", "process") in labels.process_node_types]
    column = {(ds["database"], ds["code"]): j for j, ds in enumerate(processes)}
    if len(column) < len(processes):
        codes = [str(ds["code"]) for ds in processes]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        raise FactorLibraryError(
            "duplicate activity codes",
            f"{len(duplicates)} codes name more than one activity: {', '.join(duplicates[:10])}",
            "give every activity its own code",
            field="file",
        )
    flow_row: dict[str, int] = {}
    t_rows: list[int] = []
    t_cols: list[int] = []
    t_vals: list[float] = []
    b_rows: list[int] = []
    b_cols: list[int] = []
    b_vals: list[float] = []
    no_production: list[str] = []
    for j, ds in enumerate(processes):
        produced = False
        for exc in ds.get("exchanges", []):
            kind, key, amount = exc.get("type"), tuple(exc.get("input") or ()), exc.get("amount")
            if kind not in labels.lci_edge_types:
                continue
            if not isinstance(amount, int | float) or not math.isfinite(amount):
                raise FactorLibraryError(
                    "exchange without a numeric amount",
                    f"{describe_exchange(exc)} of {ds.get('name')!r} has amount {amount!r}",
                    "export the database with its amounts calculated (not as formulas only)",
                    field="file",
                )
            if kind in labels.biosphere_edge_types:
                if key[:1] != ("biosphere3",) or key[1] not in biosphere:
                    raise unlinked_error([exc], why="elementary flows outside ecoinvent's biosphere3 list")
                b_rows.append(flow_row.setdefault(key[1], len(flow_row)))
                b_cols.append(j)
                b_vals.append(float(amount))
                continue
            if kind in labels.technosphere_positive_edge_types:
                sign = 1.0
                produced = produced or kind != "substitution"
            else:
                sign = -1.0
            if key not in column:
                raise unlinked_error([exc])
            t_rows.append(column[key])
            t_cols.append(j)
            t_vals.append(sign * float(amount))
        if not produced:
            if ds.get("type") in labels.implicit_production_allowed_node_types:
                t_rows.append(j)
                t_cols.append(j)
                t_vals.append(1.0)
            else:
                no_production.append(repr(ds.get("name")))
    if no_production:
        raise FactorLibraryError(
            "activities without a reference product",
            f"{len(no_production)} activities have no production exchange: {', '.join(no_production[:10])}",
            "export every process with its reference product (production amount)",
            field="file",
        )
    if not flow_row:  # bw2calc needs a biosphere matrix; a zero entry keeps the shapes valid
        flow_row[next(iter(biosphere))] = 0
        b_rows.append(0)
        b_cols.append(0)
        b_vals.append(0.0)
    dp = bwp.create_datapackage(sequential=True, sum_intra_duplicates=True)
    flow_base = len(processes)  # biosphere ids must not collide with activity ids
    for matrix, matrix_rows, cols, vals in (
        ("technosphere_matrix", t_rows, t_cols, t_vals),
        ("biosphere_matrix", [flow_base + r for r in b_rows], b_cols, b_vals),
    ):
        indices = np.empty(len(matrix_rows), dtype=bwp.INDICES_DTYPE)
        indices["row"], indices["col"] = matrix_rows, cols
        dp.add_persistent_vector(
            matrix=matrix, name=matrix, indices_array=indices, data_array=np.array(vals, dtype=np.float64)
        )
    labels_by_row = {flow_base + r: _flow_label(biosphere[code]) for code, r in flow_row.items()}
    try:
        lca = bc.LCA({0: 1.0}, data_objs=[dp])
        lca.lci(factorize=True)
        flow_rows = {i: lca.dicts.biosphere[i] for i in labels_by_row}
        result = []
        for j, ds in enumerate(processes):
            lca.build_demand_array({j: 1.0})
            supply = lca.solve_linear_system()
            if not np.isfinite(supply).all():
                raise ValueError(
                    f"no finite solution for {ds.get('name')!r} (a singular technosphere matrix)"
                )
            inventory = lca.biosphere_matrix @ supply
            result.append(
                Inventory(
                    code=str(ds["code"]),
                    name=str(ds.get("name") or ds["code"]),
                    unit=str(ds.get("unit") or ""),
                    location=ds.get("location"),
                    year=_year(ds),
                    flows={
                        labels_by_row[i]: float(inventory[r]) for i, r in flow_rows.items() if inventory[r]
                    },
                )
            )
    except Exception as exc:  # a singular or malformed technosphere matrix
        raise FactorLibraryError(
            "LCI database cannot be solved",
            f"bw2calc: {type(exc).__name__}: {exc}",
            "check that every activity produces its reference product (no zero production amounts)",
            field="file",
        ) from exc
    return result


def _flow_label(categories_and_name: tuple[str, ...]) -> tuple[str, str, str]:
    name, *categories = categories_and_name
    return (name, categories[0] if categories else "", categories[1] if len(categories) > 1 else "")


def _year(ds: dict[str, Any]) -> int | None:
    end = ds.get("end_date")
    if isinstance(end, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", end):
        return int(end[:4])
    return None
