"""Activity-sheet import benchmark (issue 18): a 20,000-row CSV parsed and every row checked in ≤ 10 s.

Builds a CSV as a Chinese energy manager's Excel would save it: the Chinese template's headers, section names
(原材料, 电力, 绿证, 运输 …), units as written (吨, 千瓦时, 兆瓦时, 立方米, 万立方米, 吉焦, 件), 初级数据/次级数据,
in GB18030 (Excel's default "CSV" in China; --encoding utf-8-sig for Excel's "CSV UTF-8"). A mix of sections
like a month of a smelter's detail: materials, packaging, fuels, electricity rows each with a GEC row naming
it, heat, transport legs, process emissions and waste, --rows rows in all.

Timed, each --rounds times (median and max printed):
  read     supplier_portal.activity_sheet.read_upload (size check, encoding detection, header mapping, rows)
  check    check_rows (the row-by-row checks the upload route runs: section, id, numbers, units, GEC targets)
  build    build_activity (the document and the footprint engine's full ActivityData validation of all rows)
  total    read + check + build
Server-side drafts do not exist yet, so "imports into a draft" is measured as the upload route's work (read +
check) plus building and validating the document the draft would hold. Exits 1 when the median total is above
--limit seconds (10), or when any row is reported as a problem (the file is valid by construction).

Run: .venv/bin/python benchmarks/sheet_import.py [--rows 20000] [--rounds 3] [--encoding gb18030]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from supplier_portal.activity_sheet import (
    COLUMN_LABELS,
    COLUMNS,
    MAX_ROWS,
    Header,
    SheetInvalid,
    build_activity,
    check_rows,
    read_upload,
)
from supplier_portal.i18n import translations
from supplier_portal.sheet.columns import SECTION_NAMES

HEADER = Header("88.118.8/AL-INGOT-A00", "电解铝锭 A00", "91530100MA6K8Q2L5T", "2024-01-01", "2024-12-31",
                "昆明电解铝厂", "CN-YN", "t", "100000")  # fmt: skip


def _rows(n: int) -> list[list[str]]:
    """``n`` rows of the Chinese template (an electricity row is always followed by its GEC row)."""
    out: list[list[str]] = []
    i = 0
    while len(out) < n:
        kind = i % 10
        row = dict.fromkeys(COLUMNS, "")
        if kind in (0, 1):
            row.update(section="material", id=f"m{i}", name=f"冶金级氧化铝 批次{i}", reference="88.118.5/ALUMINA-SGA",
                       amount=f"{1000 + i % 977}.5", unit="吨", data_source="次级数据",
                       factor_id="material/alumina/CN/2021")  # fmt: skip
        elif kind == 2:
            row.update(section="packaging", id=f"p{i}", name="木托盘", reference="wood_pallet", amount=str(i % 50 + 1),
                       unit="件", data_source="初级数据")  # fmt: skip
        elif kind == 3:
            row.update(section="fuel", id=f"f{i}", name="天然气", reference="natural_gas", amount="1.25",
                       unit="万立方米", data_source="初级数据")  # fmt: skip
        elif kind == 4 and len(out) + 1 < n:
            row.update(section="electricity", id=f"e{i}", name="电解槽用电", reference="CN-YN", amount="1,200,000",
                       unit="千瓦时", data_source="初级数据")  # fmt: skip
            out.append([_shown(c, row[c]) for c in COLUMNS])
            row = dict.fromkeys(COLUMNS, "")
            row.update(section="gec", id=f"g{i}", reference=f"e{i}", amount="300", unit="兆瓦时",
                       serial=f"GEC-2024-YN-HYD-{i:06d}", generation_type="hydro", production_date="2024-04-15",
                       cancellation_date="2025-01-20")  # fmt: skip
        elif kind == 5:
            row.update(section="heat", id=f"h{i}", name="外购蒸汽", reference="steam", amount="120", unit="吉焦",
                       data_source="初级数据")  # fmt: skip
        elif kind in (6, 7):
            row.update(section="transport", id=f"t{i}", name=f"m{i - 6}", reference="rail", amount="50",
                       unit="吨", distance_km="1200")  # fmt: skip
        elif kind == 8:
            row.update(section="process_emission", id=f"x{i}", name="阳极氧化产生的二氧化碳", reference="CO2",
                       amount="12.5", unit="吨", data_source="初级数据")  # fmt: skip
        else:
            row.update(
                section="waste", id=f"w{i}", name="废阴极内衬", reference="landfill", amount="2.5", unit="吨"
            )
        out.append([_shown(c, row[c]) for c in COLUMNS])
        i += 1
    return out[:n]


def _shown(column: str, value: str) -> str:
    return SECTION_NAMES.get(value, value) if column == "section" else value


def build_csv(n: int, encoding: str) -> bytes:
    labels = translations("zh_CN").gettext
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([labels(COLUMN_LABELS[c]) for c in COLUMNS])
    writer.writerows(_rows(n))
    return out.getvalue().encode(encoding)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=MAX_ROWS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--encoding", default="gb18030", choices=("gb18030", "utf-8-sig", "utf-8"))
    parser.add_argument("--limit", type=float, default=10.0, help="seconds allowed for the median total")
    args = parser.parse_args()
    data = build_csv(args.rows, args.encoding)
    print(f"CSV: {args.rows:,} rows, {len(data) / 2**20:.2f} MiB, {args.encoding}; limits {MAX_ROWS:,} rows")
    times: dict[str, list[float]] = {"read": [], "check": [], "build": [], "total": []}
    cpu: list[float] = []
    for _ in range(args.rounds):
        c0 = time.process_time()
        t0 = time.perf_counter()
        rows = read_upload("活动数据.csv", data)
        t1 = time.perf_counter()
        problems = check_rows(rows)
        t2 = time.perf_counter()
        if problems:
            print(f"FAIL: {len(problems)} problem(s) in a valid file, first: {problems[0]}")
            return 1
        try:
            document = build_activity(HEADER, rows)
        except SheetInvalid as exc:
            print(f"FAIL: build_activity found {len(exc.errors)} problem(s), first: {exc.errors[0]}")
            return 1
        t3 = time.perf_counter()
        cpu.append(time.process_time() - c0)
        for name, value in (("read", t1 - t0), ("check", t2 - t1), ("build", t3 - t2), ("total", t3 - t0)):
            times[name].append(value)
    inputs = sum(len(v) for v in document["inputs"].values())
    claims = sum(len(e.get("greenPowerClaims", [])) for e in document["inputs"].get("electricity", []))
    print(f"document: {inputs:,} inputs, {claims:,} GEC claims; {args.rounds} rounds")
    for name, values in times.items():
        print(f"  {name:<6} median {statistics.median(values):6.2f} s   max {max(values):6.2f} s")
    print(f"  CPU per round median {statistics.median(cpu):.2f} s; load average {os.getloadavg()[0]:.1f}")
    total = statistics.median(times["total"])
    ok = total <= args.limit
    print(f"target: median total ≤ {args.limit:g} s: {'OK' if ok else 'FAIL'} ({total:.2f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
