"""Factor search benchmark (issue 17): ≥ 10,000 factors, p95 ≤ 20 ms per query in-process.

The library is the built-in one (FactorLibrary.builtin(), every factor real) plus generated variants of its
factors: the same names with a province in front ("云南电解铝" / "Primary aluminium …, Yunnan"), other years,
and ids, CPCD-like codes and geographies to match, until the library holds --factors factors. A factor without a
name gets one from its kind and key. The output says how many factors are real.

Queries (a fixed mix, --rounds times each, timed one by one; the index is built once before):
  zh       Chinese, 1–4 characters, from the real names and a few practitioners' words (电解铝, 水泥, 柴油 …)
  en       English words from the real names, spelling variants (aluminum) and plurals
  pinyin   full pinyin and initials of real Chinese names (dianjielv, djl)
  id       exact factor ids and id prefixes
  filters  no query: kind, geography (a province: its fallback chain), year, unit, category, source
  mixed    a query with filters
Prints the build time (median of three builds, wall and CPU), p50/p95/p99/max per type and overall (wall; CPU
p95 beside it), the load average; exits 1 when a type's p95 is above 20 ms or the median build above 1 s.

Run: .venv/bin/python benchmarks/factor_search.py [--factors 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from footprint_engine.factors import Factor, FactorLibrary
from footprint_engine.factors.geography import PROVINCE_GRID
from footprint_engine.factors.search import FactorIndex

TARGET_P95_MS = 20.0
TARGET_BUILD_S = 1.0

PROVINCES = {
    "CN-BJ": ("北京", "Beijing"), "CN-TJ": ("天津", "Tianjin"), "CN-HE": ("河北", "Hebei"),
    "CN-SX": ("山西", "Shanxi"), "CN-NM": ("内蒙古", "Inner Mongolia"), "CN-LN": ("辽宁", "Liaoning"),
    "CN-JL": ("吉林", "Jilin"), "CN-HL": ("黑龙江", "Heilongjiang"), "CN-SH": ("上海", "Shanghai"),
    "CN-JS": ("江苏", "Jiangsu"), "CN-ZJ": ("浙江", "Zhejiang"), "CN-AH": ("安徽", "Anhui"),
    "CN-FJ": ("福建", "Fujian"), "CN-JX": ("江西", "Jiangxi"), "CN-SD": ("山东", "Shandong"),
    "CN-HA": ("河南", "Henan"), "CN-HB": ("湖北", "Hubei"), "CN-HN": ("湖南", "Hunan"),
    "CN-GD": ("广东", "Guangdong"), "CN-GX": ("广西", "Guangxi"), "CN-HI": ("海南", "Hainan"),
    "CN-CQ": ("重庆", "Chongqing"), "CN-SC": ("四川", "Sichuan"), "CN-GZ": ("贵州", "Guizhou"),
    "CN-YN": ("云南", "Yunnan"), "CN-SN": ("陕西", "Shaanxi"), "CN-GS": ("甘肃", "Gansu"),
    "CN-QH": ("青海", "Qinghai"), "CN-NX": ("宁夏", "Ningxia"), "CN-XJ": ("新疆", "Xinjiang"),
}  # fmt: skip
KIND_NAMES = {
    "electricity-grid": ("电网排放因子", "grid electricity emission factor"),
    "electricity-generation": ("发电碳足迹因子", "electricity generation footprint factor"),
    "fuel": ("燃料燃烧排放因子", "fuel combustion emission factor"),
    "transport": ("运输排放因子", "transport emission factor"),
    "material": ("材料碳足迹因子", "material footprint factor"),
    "packaging": ("包装碳足迹因子", "packaging footprint factor"),
    "waste": ("废弃物处理排放因子", "waste treatment emission factor"),
    "heat": ("热力排放因子", "heat emission factor"),
}
ZH_WORDS = ["电解铝", "铝", "水泥", "熟料", "钢", "粗钢", "电网", "柴油", "天然气", "原煤", "焦炭", "铜", "玻璃",
            "云南", "电力", "运输", "氧化铝", "聚乙烯", "平板玻璃", "热轧", "再生铝", "铝锭", "硅", "纸"]  # fmt: skip
EN_WORDS = ["aluminium", "aluminum", "steel", "steels", "cement", "diesel", "grid", "electricity", "copper",
            "glass", "natural gas", "coal", "transport", "primary aluminium", "hydropower", "Yunnan", "clinker",
            "polyethylene", "paper", "wind"]  # fmt: skip


def library(n_factors: int, seed: int) -> tuple[list[Factor], int]:
    """The built-in factors plus generated variants up to ``n_factors``; returns (factors, real count)."""
    real = FactorLibrary.builtin().factors()
    rng = random.Random(seed)
    out = list(real)
    provinces = list(PROVINCES.items())
    i = 0
    while len(out) < n_factors:
        base = real[i % len(real)]
        geo, (zh_p, en_p) = provinces[(i // len(real)) % len(provinces)]
        year = 2015 + i % 10
        kind_zh, kind_en = KIND_NAMES[base.kind]
        name_zh = base.name_zh or f"{kind_zh}（{base.key}）"
        name_en = base.name_en or f"{kind_en} ({base.key})"
        code = None
        if base.cpcd_code:
            code = f"{base.cpcd_code[:-5]}{year}{chr(65 + rng.randrange(4))}"
        out.append(
            base.model_copy(
                update={
                    "id": f"{base.kind}/{base.key}-v{i}/{geo}/{year}",
                    "geography": geo,
                    "year": year,
                    "name_zh": f"{zh_p}{name_zh}",
                    "name_en": f"{name_en}, {en_p}",
                    "cpcd_code": code,
                    "category": base.category or base.kind,
                }
            )
        )
        i += 1
    return out, len(real)


def queries(real: list[Factor], factors: list[Factor], seed: int) -> dict[str, list[dict]]:
    from pypinyin import Style, lazy_pinyin

    rng = random.Random(seed)
    names_zh = sorted({f.name_zh for f in real if f.name_zh}) or [KIND_NAMES[k][0] for k in KIND_NAMES]
    names_en = sorted({f.name_en for f in real if f.name_en}) or [KIND_NAMES[k][1] for k in KIND_NAMES]
    zh: list[dict] = [{"q": w} for w in ZH_WORDS]
    for name in rng.sample(names_zh, min(30, len(names_zh))):
        cjk = "".join(c for c in name if "\u4e00" <= c <= "\u9fff")
        if len(cjk) >= 2:
            start = rng.randrange(max(1, len(cjk) - 1))
            zh.append({"q": cjk[start : start + rng.choice((2, 3, 4))]})
    en: list[dict] = [{"q": w} for w in EN_WORDS]
    for name in rng.sample(names_en, min(30, len(names_en))):
        words = [w for w in name.replace(",", " ").replace("(", " ").replace(")", " ").split() if len(w) > 2]
        if words:
            en.append({"q": rng.choice(words)})
    pinyin: list[dict] = []
    for name in rng.sample(names_zh, min(25, len(names_zh))):
        cjk = "".join(c for c in name if "\u4e00" <= c <= "\u9fff")[:4]
        if cjk:
            pinyin.append({"q": "".join(lazy_pinyin(cjk))})
            pinyin.append({"q": "".join(lazy_pinyin(cjk, style=Style.FIRST_LETTER))})
    pinyin += [{"q": q} for q in ("dianjielv", "djl", "shuini", "sn", "chaiyou", "tianranqi", "gang", "lv")]
    sample = rng.sample(factors, 40)
    ids: list[dict] = [{"q": f.id} for f in sample[:30]] + [
        {"q": f.id[: len(f.id) // 2]} for f in sample[30:]
    ]
    kinds = sorted({f.kind for f in factors})
    units = [*sorted({f.unit for f in factors}), "mass", "energy"]
    categories = sorted({f.category for f in factors if f.category})
    filters: list[dict] = []
    for j in range(40):
        filt: dict = {}
        pick = j % 5
        if pick in (0, 4):
            filt["kind"] = kinds[j % len(kinds)]
        if pick in (1, 4):
            filt["geography"] = list(PROVINCE_GRID)[j % len(PROVINCE_GRID)]
        if pick == 2:
            filt["year"] = 2015 + j % 10
            filt["unit"] = units[j % len(units)]
        if pick == 3:
            filt["category"] = categories[j % len(categories)] if categories else kinds[0]
        filters.append(filt)
    mixed: list[dict] = []
    words = ZH_WORDS + EN_WORDS
    for j in range(30):
        filt = (
            {"geography": list(PROVINCE_GRID)[j % len(PROVINCE_GRID)]},
            {"kind": "material"},
            {"year": 2015 + j % 10},
        )[j % 3]
        mixed.append({"q": words[j % len(words)], **filt, "offset": 20 * (j % 2)})
    return {"zh": zh, "en": en, "pinyin": pinyin, "id": ids, "filters": filters, "mixed": mixed}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factors", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()

    t = time.perf_counter()
    import pypinyin  # noqa: F401  (its dictionaries load once per process; timed apart from the build)

    import_s = time.perf_counter() - t
    factors, n_real = library(args.factors, args.seed)
    named = sum(1 for f in factors[:n_real] if f.name_zh)
    print(
        f"library: {len(factors):,} factors, {n_real} real (built-in, {named} with a Chinese name), "
        f"{len(factors) - n_real:,} generated variants"
    )
    walls, cpus = [], []
    for _ in range(3):  # three builds (the index is immutable; the last one is searched)
        t, cpu = time.perf_counter(), time.process_time()
        index = FactorIndex(factors)
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - cpu)
    build_s = statistics.median(walls)
    print(
        f"build: median {build_s:.3f} s wall, {statistics.median(cpus):.3f} s CPU of 3 "
        f"(wall {', '.join(f'{w:.3f}' for w in walls)}; target <= {TARGET_BUILD_S:.0f} s); "
        f"pypinyin import {import_s:.3f} s apart"
    )

    mix = queries(factors[:n_real], factors, args.seed)
    print(
        f"queries: {sum(len(v) for v in mix.values())} ({', '.join(f'{k} {len(v)}' for k, v in mix.items())})"
    )
    for params in (p for group in mix.values() for p in group):  # warm-up: one pass
        index.search(**params)
    times: dict[str, list[float]] = {k: [] for k in mix}
    cpu_times: dict[str, list[float]] = {k: [] for k in mix}
    totals: dict[str, list[int]] = {k: [] for k in mix}
    for _ in range(args.rounds):
        for kind, group in mix.items():
            for params in group:
                t, cpu = time.perf_counter(), time.process_time()
                page = index.search(**params)
                times[kind].append(1000 * (time.perf_counter() - t))
                cpu_times[kind].append(1000 * (time.process_time() - cpu))
                totals[kind].append(page.total)
    ok = build_s <= TARGET_BUILD_S
    print(
        f"{'type':8} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'CPU p95':>8} "
        f"{'median hits':>12}"
    )
    everything: list[float] = []
    for kind, values in times.items():
        everything += values
        p95 = pct(values, 95)
        ok &= p95 <= TARGET_P95_MS
        print(
            f"{kind:8} {len(values):>5} {pct(values, 50):>8.3f} {p95:>8.3f} {pct(values, 99):>8.3f} "
            f"{max(values):>8.3f} {pct(cpu_times[kind], 95):>8.3f} {statistics.median(totals[kind]):>12.0f}"
        )
    print(
        f"{'all':8} {len(everything):>5} {pct(everything, 50):>8.3f} {pct(everything, 95):>8.3f} "
        f"{pct(everything, 99):>8.3f} {max(everything):>8.3f}"
    )
    cpu_all = [t for values in cpu_times.values() for t in values]
    print(f"CPU time per query (all types): p50 {pct(cpu_all, 50):.3f} ms, p95 {pct(cpu_all, 95):.3f} ms")
    print(f"load average (1/5/15 min): {' / '.join(f'{x:.2f}' for x in os.getloadavg())}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the benchmark process: {rss:.0f} MiB")
    print(
        f"target p95 <= {TARGET_P95_MS:.0f} ms per type, build <= {TARGET_BUILD_S:.0f} s: {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
