"""Benchmark: CBAM communications.

(1) JSON and XML for 1,000 goods of one installation (target <= 5 s each, calculation included; the XML is
    validated against the Commission's types as part of rendering);
(2) one installation's workbook at the template's limits — 10 processes, 100 goods, 20 purchased
    precursors: template load, fill, save (target <= 10 s).

Run: .venv/bin/python benchmarks/cbam_bench.py [--goods N]
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from footprint_engine.cbam import (
    ContactPerson,
    DirectEmissionSource,
    ElectricityUse,
    GridFactor,
    Installation,
    PrecursorInput,
    ProducedGood,
    ProductionProcess,
    SupplierEmbeddedEmissions,
    build_communication,
    export_xlsx,
    render_communication,
)
from footprint_engine.cbam.export_xlsx import template_cn_codes

# Iron or steel product headings in scope (Annex I), cycled to make 1,000 distinct goods.
HEADINGS = ["7208", "7209", "7210", "7211", "7212", "7213", "7214", "7215", "7216", "7217"]


def installation(
    n_goods: int, per_process: int = 50, codes: list[str] | None = None, pig_iron_lots: int = 1
) -> Installation:
    processes = []
    sources = []
    for p in range(0, n_goods, per_process):
        pid = f"p{p // per_process}"
        goods = [
            ProducedGood(
                good_id=f"g{i}",
                cn_code=codes[i % len(codes)]
                if codes
                else f"{HEADINGS[i % len(HEADINGS)]}{(i // len(HEADINGS)) % 90 + 10:02d}00",
                product_name=f"Steel product {i}",
                production_route="bf_bof",
                activity_level_t=1000 + i,
                quantity_to_eu_t=100,
            )
            for i in range(p, min(p + per_process, n_goods))
        ]
        mass = sum(g.activity_level_t for g in goods) * 0.9
        processes.append(
            ProductionProcess(
                process_id=pid,
                name=f"Rolling line {pid}",
                electricity=[ElectricityUse(mwh=5000)],
                precursors=[
                    PrecursorInput(
                        precursor_id=f"{pid}-pig-iron-{lot}",
                        cn_code="72011011",
                        mass_t=mass / pig_iron_lots,
                        supplier_data=SupplierEmbeddedEmissions(
                            see_direct=1.85, see_indirect=0.1, source="supplier"
                        ),
                    )
                    for lot in range(pig_iron_lots)
                ],
                goods=goods,
            )
        )
        sources.append(
            DirectEmissionSource(source_id=f"{pid}-gas", kind="fuel", tco2e=40_000, attribution={pid: 1})
        )
    return Installation(
        installation_id="BENCH-1",
        name="Benchmark steel works",
        operator_id="BENCH0001",
        operator_name="Benchmark Steel Co., Ltd.",
        city="Tangshan",
        contact=ContactPerson(name="Bench", email="bench@example.cn", phone="+86 315 0000 0000"),
        reporting_period_start=date(2026, 1, 1),
        reporting_period_end=date(2026, 12, 31),
        grid_factor=GridFactor(value=0.5366, source="MEE/NBS 2022 national grid average"),
        direct_emissions=sources,
        processes=processes,
    )


def bench_formats(n_goods: int) -> None:
    inst = installation(n_goods)
    receipts = [
        {"entry": {"id": f"e{i}", "type": "submission"}, "leafIndex": i, "treeSize": 4096} for i in range(20)
    ]
    t0 = time.perf_counter()
    comm = build_communication(inst, period=2026, certificate_price_eur=80.0, receipts=receipts)
    calc = time.perf_counter() - t0
    print(f"cbam: {len(comm.goods)} goods, calculation {calc:.3f} s")
    for fmt in ("json", "xml"):
        t1 = time.perf_counter()
        data = render_communication(comm, fmt)  # type: ignore[arg-type]
        render = time.perf_counter() - t1
        total = calc + render
        print(
            f"cbam {fmt:4}: render {render:.3f} s, calculation+render {total:.3f} s, {len(data):,} bytes"
            f" ({'ok' if total <= 5 else 'OVER'} target 5 s)"
        )


def bench_workbook() -> None:
    """The template's limits: 10 processes x 10 goods, 2 pig-iron lots each (20 purchased precursors)."""
    t0 = time.perf_counter()
    export_xlsx._template_bytes()  # the template read once per process, as in a running node
    known = template_cn_codes()  # its code lists, cached likewise
    first = time.perf_counter() - t0
    codes = sorted(c for c in known if c[:4] in HEADINGS)[:100]
    inst = installation(100, per_process=10, codes=codes, pig_iron_lots=2)
    comm = build_communication(inst, period=2026, certificate_price_eur=80.0)
    times = []
    for _ in range(3):
        t1 = time.perf_counter()
        data = render_communication(comm, "xlsx")
        times.append(time.perf_counter() - t1)
    print(
        f"cbam xlsx: {len(comm.processes)} processes, {len(comm.goods)} goods, "
        f"{sum(len(p.precursors) for p in comm.processes)} purchased precursors; template read and code lists "
        f"{first:.3f} s (once per process); load+fill+save {min(times):.3f}-{max(times):.3f} s, {len(data):,} bytes "
        f"({'ok' if max(times) + first <= 10 else 'OVER'} target 10 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--goods", type=int, default=1000)
    args = parser.parse_args()
    bench_formats(args.goods)
    bench_workbook()


if __name__ == "__main__":
    main()
