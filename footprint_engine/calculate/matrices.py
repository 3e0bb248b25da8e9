"""Technosphere, biosphere and characterisation data as in-memory bw_processing datapackages.

Layout of one system (one or many products):

* activity ``k`` (0 … P-1): product ``k``, producing 1 declared unit (diagonal 1);
* activity ``P + j``: inventory line ``j`` (diagonal 1), consumed by its product with ``amount``
  (per declared unit, after allocation; stored positive with ``flip``);
* a line that cites a product inside the same system consumes 1 unit of that product's activity
  (supply-chain link) and has no biosphere flows of its own; otherwise its flows sit in the biosphere
  matrix (kg per unit of the line);
* biosphere flow ``f`` (id ``FLOW_ID_BASE + f``): one per ``GAS/origin`` key; characterisation = GWP100.
"""

from __future__ import annotations

from dataclasses import dataclass

import bw_processing as bwp
import numpy as np

from footprint_engine.calculate.line_builder import Line
from footprint_engine.calculate.lines import Inventory
from footprint_engine.errors import CalculationError
from footprint_engine.factors import GwpSet, characterisation

__all__ = ["FLOW_ID_BASE", "SystemMatrices", "build_system", "line_sigma"]

FLOW_ID_BASE = 1_000_000_000
_FIXED = (0, 1.0, np.nan, np.nan, np.nan)

# ecoinvent v3 pedigree matrix: variance of ln(x) per score 1…5 (Weidema et al. 2013, Table 10.5 / 10.6)
_PEDIGREE_VARIANCE: dict[str, tuple[float, ...]] = {
    "reliability": (0.0, 0.0006, 0.002, 0.008, 0.04),
    "completeness": (0.0, 0.0001, 0.0006, 0.002, 0.008),
    "temporal": (0.0, 0.0002, 0.002, 0.008, 0.04),
    "geographical": (0.0, 0.000025, 0.0001, 0.0006, 0.002),
    "technological": (0.0, 0.0006, 0.008, 0.04, 0.12),
}


def line_sigma(quality: dict[str, float], basic_variance: float) -> float:
    """σ of ln(amount) from pedigree scores: sqrt(basic + Σ pedigree variances); fractional scores interpolate."""
    total = basic_variance
    for dim, table in _PEDIGREE_VARIANCE.items():
        score = min(max(float(quality.get(dim, 3)), 1.0), 5.0)
        lo = int(np.floor(score)) - 1
        hi = min(lo + 1, 4)
        total += table[lo] + (table[hi] - table[lo]) * (score - 1 - lo)
    return float(np.sqrt(total))


@dataclass
class SystemMatrices:
    datapackage: bwp.Datapackage
    flow_keys: list[str]
    line_ids: list[list[int]]  # per product, the activity id of each line
    n_products: int
    raw: dict[str, np.ndarray]  # the arrays put into the datapackage (for the vectorised Monte Carlo)


def _distribution(line: Line, basic_variance: float) -> tuple[int, float, float, float, float]:
    """(uncertainty_type, loc, scale, minimum, maximum) for a line amount, stats_arrays conventions."""
    amount = line.amount
    if amount <= 0:
        return (0, amount, np.nan, np.nan, np.nan)
    u = line.uncertainty
    if u is None:
        return (2, float(np.log(amount)), line_sigma(line.quality, basic_variance), np.nan, np.nan)
    # the input's own distribution is in the input's unit: rescale to the line amount
    ratio = amount / line.consumed if line.consumed else 1.0
    if u.distribution == "lognormal":
        return (2, float(np.log(amount)), float(np.log(u.geometric_sd or 1.0)), np.nan, np.nan)
    if u.distribution == "normal":
        return (3, amount, float(u.sd or 0) * ratio, np.nan, np.nan)
    lo, hi = float(u.minimum or 0) * ratio, float(u.maximum or 0) * ratio
    if u.distribution == "uniform":
        return (4, np.nan, np.nan, lo, hi)
    return (5, amount, np.nan, lo, hi)


def build_system(
    inventories: list[Inventory],
    gwp_set: GwpSet,
    *,
    stochastic: bool = False,
    basic_variance: float = 0.0006,
    link_products: bool = False,
) -> SystemMatrices:
    """Datapackage for ``inventories``; with ``link_products`` lines citing a product of the system link to it."""
    n_products = len(inventories)
    index = {inv.activity.product_identifier: k for k, inv in enumerate(inventories)} if link_products else {}
    flow_ids: dict[str, int] = {}
    t_rows: list[int] = []
    t_cols: list[int] = []
    t_vals: list[float] = []
    t_flip: list[bool] = []
    t_unc: list[tuple[int, float, float, float, float]] = []
    b_rows: list[int] = []
    b_cols: list[int] = []
    b_vals: list[float] = []
    b_unc: list[tuple[int, float, float, float, float]] = []
    line_ids: list[list[int]] = []
    next_id = n_products
    for k in range(n_products):
        t_rows.append(k)
        t_cols.append(k)
        t_vals.append(1.0)
        t_flip.append(False)
        t_unc.append((0, 1.0, np.nan, np.nan, np.nan))
    for k, inv in enumerate(inventories):
        ids = []
        for line in inv.lines:
            aid = next_id
            next_id += 1
            ids.append(aid)
            t_rows += [aid, aid]
            t_cols += [aid, k]
            t_vals += [1.0, line.amount]
            t_flip += [False, True]
            t_unc += [_FIXED, _distribution(line, basic_variance) if stochastic else _FIXED]
            linked = index.get(line.upstream.identifier) if (line.upstream is not None and index) else None
            if linked is not None:
                if linked == k:
                    raise CalculationError(
                        "supply chain loops",
                        f"{line.path} cites its own product",
                        "remove the self-reference",
                        field=line.path,
                    )
                t_rows.append(linked)
                t_cols.append(aid)
                t_vals.append(1.0)
                t_flip.append(True)
                t_unc.append((0, 1.0, np.nan, np.nan, np.nan))
                continue
            for flow, kg in line.flows.items():
                fid = flow_ids.setdefault(flow, FLOW_ID_BASE + len(flow_ids))
                b_rows.append(fid)
                b_cols.append(aid)
                b_vals.append(kg)
                gsd = line.factor_gsd
                if gsd and kg > 0:
                    b_unc.append((2, float(np.log(kg)), float(np.log(gsd)), np.nan, np.nan))
                else:
                    b_unc.append((0, kg, np.nan, np.nan, np.nan))
        line_ids.append(ids)
    if not flow_ids:  # bw2calc needs a non-empty biosphere; a zero CO2 flow keeps the shapes valid
        flow_ids["CO2/fossil"] = FLOW_ID_BASE
        b_rows.append(FLOW_ID_BASE)
        b_cols.append(0)
        b_vals.append(0.0)
        b_unc.append((0, 0.0, np.nan, np.nan, np.nan))
    flow_keys = sorted(flow_ids, key=flow_ids.__getitem__)
    dp = bwp.create_datapackage(sequential=True)
    _add(dp, "technosphere_matrix", t_rows, t_cols, t_vals, t_unc if stochastic else None, t_flip)
    _add(dp, "biosphere_matrix", b_rows, b_cols, b_vals, b_unc if stochastic else None)
    c_ids = [flow_ids[f] for f in flow_keys]
    _add(dp, "characterization_matrix", c_ids, c_ids, [characterisation(f, gwp_set) for f in flow_keys], None)

    raw = {
        "t_rows": np.array(t_rows),
        "t_cols": np.array(t_cols),
        "t_vals": np.array(t_vals, dtype=float),
        "t_flip": np.array(t_flip, dtype=bool),
        "t_unc": _params(t_unc, t_vals),
        "b_rows": np.array(b_rows),
        "b_cols": np.array(b_cols),
        "b_vals": np.array(b_vals, dtype=float),
        "b_unc": _params(b_unc, b_vals),
        "c_ids": np.array(c_ids),
        "c_vals": np.array([characterisation(f, gwp_set) for f in flow_keys]),
    }
    return SystemMatrices(
        datapackage=dp, flow_keys=flow_keys, line_ids=line_ids, n_products=n_products, raw=raw
    )


def _params(unc: list[tuple[int, float, float, float, float]], vals: list[float]) -> np.ndarray:
    d = np.zeros(len(unc), dtype=bwp.UNCERTAINTY_DTYPE)
    if unc:
        arr = np.array(unc, dtype=float).reshape(len(unc), 5)
        d["uncertainty_type"] = arr[:, 0].astype(np.uint8)
        d["loc"] = arr[:, 1]
        d["scale"] = arr[:, 2]
        d["minimum"] = arr[:, 3]
        d["maximum"] = arr[:, 4]
    d["shape"] = np.nan
    d["negative"] = False
    undefined = d["uncertainty_type"] == 0
    d["loc"][undefined] = np.array(vals, dtype=float)[undefined]
    return d


def _add(
    dp: bwp.Datapackage,
    matrix: str,
    rows: list[int],
    cols: list[int],
    vals: list[float],
    unc: list[tuple[int, float, float, float, float]] | None,
    flip: list[bool] | None = None,
) -> None:
    indices = np.empty(len(rows), dtype=bwp.INDICES_DTYPE)
    indices["row"] = rows
    indices["col"] = cols
    kwargs: dict[str, object] = {}
    if unc is not None:
        d = np.zeros(len(rows), dtype=bwp.UNCERTAINTY_DTYPE)
        arr = np.array(unc, dtype=float).reshape(len(rows), 5)
        d["uncertainty_type"] = arr[:, 0].astype(np.uint8)
        d["loc"] = arr[:, 1]
        d["scale"] = arr[:, 2]
        d["shape"] = np.nan
        d["minimum"] = arr[:, 3]
        d["maximum"] = arr[:, 4]
        d["negative"] = False
        kwargs["distributions_array"] = d
    if flip is not None:
        kwargs["flip_array"] = np.array(flip, dtype=bool)
    dp.add_persistent_vector(
        matrix=matrix, name=matrix, indices_array=indices, data_array=np.array(vals, dtype=float), **kwargs
    )
