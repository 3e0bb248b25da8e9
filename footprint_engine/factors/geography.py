"""Geography fallback chain for factor look-ups.

Provinces (ISO 3166-2:CN codes) fall back to the regional grid used by MEE's regional factors,
then to China, then to the world (``GLO``). Regional grids follow the MEE regional division
(North, Northeast, East, Central, Northwest, South, Southwest).
"""

from __future__ import annotations

__all__ = ["PROVINCE_GRID", "parents"]

PROVINCE_GRID: dict[str, str] = {
    **dict.fromkeys(["CN-BJ", "CN-TJ", "CN-HE", "CN-SX", "CN-SD", "CN-NM"], "CN-North"),
    **dict.fromkeys(["CN-LN", "CN-JL", "CN-HL"], "CN-Northeast"),
    **dict.fromkeys(["CN-SH", "CN-JS", "CN-ZJ", "CN-AH", "CN-FJ"], "CN-East"),
    **dict.fromkeys(["CN-HA", "CN-HB", "CN-HN", "CN-JX"], "CN-Central"),
    **dict.fromkeys(["CN-SN", "CN-GS", "CN-QH", "CN-NX", "CN-XJ"], "CN-Northwest"),
    **dict.fromkeys(["CN-GD", "CN-GX", "CN-YN", "CN-GZ", "CN-HI"], "CN-South"),
    **dict.fromkeys(["CN-SC", "CN-CQ", "CN-XZ"], "CN-Southwest"),
}


def parents(geography: str) -> list[str]:
    """The geography itself followed by its fallbacks, most specific first, ending with GLO."""
    chain = [geography]
    if geography in PROVINCE_GRID:
        chain.append(PROVINCE_GRID[geography])
    if geography.startswith("CN-"):
        chain.append("CN")
    if "GLO" not in chain:
        chain.append("GLO")
    return list(dict.fromkeys(chain))
