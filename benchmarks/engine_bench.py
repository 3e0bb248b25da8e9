"""Footprint engine benchmarks (issue 4). Run: .venv/bin/python benchmarks/engine_bench.py

Prints: one 50-input footprint warm p50 (target <= 20 ms); bw2calc alone on the same matrices and the
overhead ratio; 1,000 linked products of depth 6 recomputed after an upstream change (target <= 2 s);
Monte Carlo 1,000 iterations on the 50-input product (target <= 5 s); peak RSS.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from footprint_engine.activity import parse_activity
from footprint_engine.brightway import import_bw2calc
from footprint_engine.calculate import CalculationOptions, UpstreamFootprint, calculate
from footprint_engine.calculate.lines import build_inventory
from footprint_engine.calculate.matrices import build_system
from footprint_engine.calculate.supply_chain import recompute_dependents
from footprint_engine.calculate.uncertainty import monte_carlo_inventory
from footprint_engine.factors import FactorLibrary

ORG = "91530100MA6K8Q2L5T"
#: built-in material factors (CPCD rows of library 2026.12), per t or per kg: the engine converts the kg amounts
MATERIALS = [
    "material/alumina/CN/2021",
    "material/carbon-anode/CN/2013",
    "material/hot-rolled-wide-strip/CN/2022",
    "material/copper-and-alloys/CN/2021",
    "material/pet/CN/2021",
    "material/cement-po-42-5/CN/2022",
]
MODES = ["road-truck", "rail", "sea-container", "inland-waterway"]


def product(pid: str, n_inputs: int, cites: list[str] = ()) -> dict:
    materials, transport, fuels, process = [], [], [], []
    for i, up in enumerate(cites):
        materials.append(
            {
                "id": f"up{i}",
                "identifier": up,
                "amount": 0.5,
                "unit": "kg",
                "upstreamFootprint": {"identifier": up, "version": 1},
            }
        )
    k = 0
    while len(materials) + len(transport) + len(fuels) + len(process) + 1 < n_inputs:
        kind = k % 4
        if kind == 0:
            m = MATERIALS[k % len(MATERIALS)]
            materials.append(
                {
                    "id": f"m{k}",
                    "identifier": f"88.1.1/{m.split('/')[1]}-{k}",
                    "amount": 10 + k,
                    "unit": "kg",
                    "factorId": m,
                }
            )
        elif kind == 1:
            transport.append(
                {
                    "id": f"t{k}",
                    "mode": MODES[k % len(MODES)],
                    "distance": {"amount": 100 + k, "unit": "km"},
                    "mass": {"amount": 0.1, "unit": "t"},
                }
            )
        elif kind == 2:
            fuels.append({"id": f"f{k}", "fuel": "natural_gas", "amount": 5 + k, "unit": "m3"})
        else:
            process.append(
                {"id": f"p{k}", "gas": ["CH4", "N2O", "CO2"][k % 3], "amount": 0.01 * k, "unit": "kg"}
            )
        k += 1
    return {
        "productIdentifier": pid,
        "organisation": {"id": ORG},
        "reportingPeriod": {"start": "2024-01-01", "end": "2024-12-31"},
        "site": {"name": "plant", "gridRegion": "CN-JS"},
        "declaredUnit": "kg",
        "producedQuantity": {"amount": 1000, "unit": "kg"},
        "inputs": {
            "materials": materials,
            "transport": transport,
            "fuels": fuels,
            "processEmissions": process,
            "electricity": [
                {
                    "id": "power",
                    "amount": 1800,
                    "unit": "kWh",
                    "greenPowerClaims": [
                        {
                            "type": "gec",
                            "serial": f"GEC-{pid}",
                            "quantityMWh": 1,
                            "generationType": "wind",
                            "productionDate": "2024-03-01",
                            "cancellation": {"claimant": ORG, "date": "2024-12-01"},
                        }
                    ],
                }
            ],
        },
    }


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(1000 * (time.perf_counter() - t))
    return out


def main() -> None:
    library = FactorLibrary.builtin()
    options = CalculationOptions()
    act = parse_activity(product("88.1.1/BENCH-50", 50))
    inv = build_inventory(act, library, {}, options)
    print(f"50-input product: {len(inv.lines)} inventory lines")
    for _ in range(5):
        calculate(act, library=library)
    ours = timed(lambda: calculate(act, library=library), 200)
    system = build_system([inv], "AR6")
    bc = import_bw2calc()

    def bw_only() -> None:
        lca = bc.LCA({0: 1.0}, data_objs=[system.datapackage])
        lca.lci()
        lca.lcia()

    bw = timed(bw_only, 200)
    p50, bw50 = statistics.median(ours), statistics.median(bw)
    print(f"one footprint, warm: p50 {p50:.2f} ms, p95 {sorted(ours)[189]:.2f} ms (target <= 20 ms)")
    print(f"bw2calc alone on the same matrices: p50 {bw50:.2f} ms; overhead ratio {p50 / bw50:.2f}x")

    # supply chain: one base product, 6 layers above it, 1,000 products in all
    layers = [167, 167, 167, 167, 166, 166]
    docs, prev = {}, ["88.1.0/BASE"]
    for depth, size in enumerate(layers, start=1):
        layer = []
        for i in range(size):
            pid = f"88.1.{depth}/P{i}"
            cites = [prev[i % len(prev)], prev[(i * 7 + 3) % len(prev)]]
            docs[pid] = parse_activity(product(pid, 8, sorted(set(cites))))
            layer.append(pid)
        prev = layer
    base = UpstreamFootprint(
        identifier="88.1.0/BASE",
        version=2,
        declared_unit="kg",
        flows={"CO2/fossil": 2.0, "CH4/fossil": 0.01},
        primary_data_share=100,
    )
    t = time.perf_counter()
    results = recompute_dependents(
        docs, {"88.1.0/BASE": base}, ["88.1.0/BASE"], library=library, policy="newest"
    )
    chain = time.perf_counter() - t
    print(
        f"supply chain: {len(results)} products, depth {len(layers)}, recomputed in {chain:.2f} s "
        f"(target <= 2 s, includes the Brightway cross-check of the linked system)"
    )

    t = time.perf_counter()
    mc = monte_carlo_inventory(inv, options=options, iterations=1000, seed=1)
    mc_s = time.perf_counter() - t
    print(
        f"Monte Carlo 1,000 iterations, 50 inputs: {mc_s:.2f} s (target <= 5 s); "
        f"mean {mc.mean:.4g}, 95 % {mc.p2_5:.4g} … {mc.p97_5:.4g}"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the benchmark process: {rss:.0f} MiB")


if __name__ == "__main__":
    main()
