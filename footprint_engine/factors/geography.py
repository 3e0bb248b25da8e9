"""Geography fallback chain for factor look-ups, and why each fallback step is taken.

Provinces (ISO 3166-2:CN codes) fall back to the regional grid used by MEE's regional factors, then to China,
then to the world (``GLO``). Regional grids follow the MEE division in the notes of its factor tables
(华北 North: Beijing, Tianjin, Hebei, Shanxi, Shandong, 蒙西; 东北 Northeast: Liaoning, Jilin, Heilongjiang, 蒙东;
华东 East; 华中 Central; 西北 Northwest; 南方 South; 西南 Southwest: Sichuan, Chongqing, Tibet).

Inner Mongolia is the one province split between two grids: 蒙西 (west, the Inner Mongolia power grid) belongs to
the North grid, 蒙东 (east: Hulunbuir, Hinggan, Tongliao, Chifeng) to the Northeast grid. MEE publishes one
provincial factor for the whole province. So:

* ``CN-NM-W`` (蒙西) → ``CN-NM`` → ``CN-North`` → ``CN``; ``CN-NM-E`` (蒙东) → ``CN-NM`` → ``CN-Northeast`` → ``CN``;
* ``CN-NM`` → ``CN-North`` → ``CN``: the province's own factor when there is one (MEE/NBS publish one for every
  year, so a grid-CO2 look-up never leaves it); where only regional factors exist, the North grid as before, and
  the fallback note says that Inner Mongolia is split and that a 蒙东 site gives CN-NM-E (Northeast grid) and a
  蒙西 site CN-NM-W.

Tibet (``CN-XZ``) is in no MEE/NBS table and falls back to the Southwest grid, with that said in the note.
"""

from __future__ import annotations

__all__ = ["PROVINCE_GRID", "REGION_NAMES", "SPLIT_PROVINCE", "fallback_reason", "parents"]

PROVINCE_GRID: dict[str, str] = {
    **dict.fromkeys(["CN-BJ", "CN-TJ", "CN-HE", "CN-SX", "CN-SD", "CN-NM", "CN-NM-W"], "CN-North"),
    **dict.fromkeys(["CN-LN", "CN-JL", "CN-HL", "CN-NM-E"], "CN-Northeast"),
    **dict.fromkeys(["CN-SH", "CN-JS", "CN-ZJ", "CN-AH", "CN-FJ"], "CN-East"),
    **dict.fromkeys(["CN-HA", "CN-HB", "CN-HN", "CN-JX"], "CN-Central"),
    **dict.fromkeys(["CN-SN", "CN-GS", "CN-QH", "CN-NX", "CN-XJ"], "CN-Northwest"),
    **dict.fromkeys(["CN-GD", "CN-GX", "CN-YN", "CN-GZ", "CN-HI"], "CN-South"),
    **dict.fromkeys(["CN-SC", "CN-CQ", "CN-XZ"], "CN-Southwest"),
}

#: Parts of a province that belong to different grids → the province whose own factor they use first.
SPLIT_PROVINCE: dict[str, str] = {"CN-NM-E": "CN-NM", "CN-NM-W": "CN-NM"}

#: Chinese and English names of the geographies of the built-in tables.
REGION_NAMES: dict[str, tuple[str, str]] = {
    "CN": ("全国", "China"),
    "CN-North": ("华北区域电网", "North China grid"),
    "CN-Northeast": ("东北区域电网", "Northeast China grid"),
    "CN-East": ("华东区域电网", "East China grid"),
    "CN-Central": ("华中区域电网", "Central China grid"),
    "CN-Northwest": ("西北区域电网", "Northwest China grid"),
    "CN-South": ("南方区域电网", "South China grid"),
    "CN-Southwest": ("西南区域电网", "Southwest China grid"),
    "CN-BJ": ("北京", "Beijing"), "CN-TJ": ("天津", "Tianjin"), "CN-HE": ("河北", "Hebei"),
    "CN-SX": ("山西", "Shanxi"), "CN-NM": ("内蒙古", "Inner Mongolia"),
    "CN-NM-E": ("蒙东", "East Inner Mongolia"), "CN-NM-W": ("蒙西", "West Inner Mongolia"),
    "CN-LN": ("辽宁", "Liaoning"), "CN-JL": ("吉林", "Jilin"), "CN-HL": ("黑龙江", "Heilongjiang"),
    "CN-SH": ("上海", "Shanghai"), "CN-JS": ("江苏", "Jiangsu"), "CN-ZJ": ("浙江", "Zhejiang"),
    "CN-AH": ("安徽", "Anhui"), "CN-FJ": ("福建", "Fujian"), "CN-JX": ("江西", "Jiangxi"),
    "CN-SD": ("山东", "Shandong"), "CN-HA": ("河南", "Henan"), "CN-HB": ("湖北", "Hubei"),
    "CN-HN": ("湖南", "Hunan"), "CN-GD": ("广东", "Guangdong"), "CN-GX": ("广西", "Guangxi"),
    "CN-HI": ("海南", "Hainan"), "CN-CQ": ("重庆", "Chongqing"), "CN-SC": ("四川", "Sichuan"),
    "CN-GZ": ("贵州", "Guizhou"), "CN-YN": ("云南", "Yunnan"), "CN-XZ": ("西藏", "Tibet (Xizang)"),
    "CN-SN": ("陕西", "Shaanxi"), "CN-GS": ("甘肃", "Gansu"), "CN-QH": ("青海", "Qinghai"),
    "CN-NX": ("宁夏", "Ningxia"), "CN-XJ": ("新疆", "Xinjiang"),
    "GLO": ("全球", "Global"),
}  # fmt: skip


def parents(geography: str) -> list[str]:
    """The geography itself followed by its fallbacks, most specific first, ending with GLO."""
    chain = [geography]
    if geography in SPLIT_PROVINCE:
        chain.append(SPLIT_PROVINCE[geography])
    if geography in PROVINCE_GRID:
        chain.append(PROVINCE_GRID[geography])
    if geography.startswith("CN-"):
        chain.append("CN")
    if "GLO" not in chain:
        chain.append("GLO")
    return list(dict.fromkeys(chain))


def fallback_reason(kind: str, key: str, requested: str, used: str) -> str:
    """Why a look-up for ``requested`` was answered with a factor of ``used`` (shown with every result)."""
    reason = f"no factor for {requested}"
    if kind not in ("electricity-grid", "electricity-generation"):
        return reason
    if requested in SPLIT_PROVINCE and used == SPLIT_PROVINCE[requested]:
        part = "蒙东, Northeast grid" if requested.endswith("-E") else "蒙西, North grid"
        return (
            f"{reason}: MEE/NBS publish one factor for Inner Mongolia as a whole; the provincial factor of "
            f"{used} is used for {requested} ({part})"
        )
    if used == "CN" and (kind == "electricity-generation" or key.startswith("footprint")):
        return (
            f"{reason}: MEE publishes electricity carbon-footprint factors for China as a whole only "
            "(no provincial or regional values)"
        )
    if requested == "CN-XZ":
        return f"{reason}: Tibet (Xizang, 西藏) is in no MEE/NBS table; the {used} factor is used"
    if requested == "CN-NM":
        return (
            f"{reason}: Inner Mongolia is split between two grids (蒙西 West: North grid, 蒙东 East: Northeast "
            f"grid) and the {used} factor is used; give grid region CN-NM-E (蒙东) or CN-NM-W (蒙西) for the "
            "site's own grid"
        )
    return reason
