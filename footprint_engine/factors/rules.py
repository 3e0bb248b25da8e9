"""Account rules: which grid-electricity factor an account may use is a rule of its standard, not a choice.

Each rule names the documents that prescribe it (standard or guide, clause or table, edition, where it was read)
and what it prescribes for grid electricity: the factor key, the geographic levels allowed (provincial →
regional → national) and the year. :func:`grid_factor_for` resolves a rule for a site and a year against a
:class:`~footprint_engine.factors.FactorLibrary` and reports every fallback step twice: as data
(``{"kind": "geography", "from": "CN-YN", "to": "CN", "reason": "no-provincial-footprint-factor"}``, for a
portal to render in any language) and as an English sentence.

Rules (ids are stable; results and later issues name them):

* ``product-footprint`` — GB/T 24067-2024: MEE electricity carbon-footprint factors, national (MEE publishes
  no provincial footprint factors), of the reporting period's year, else the nearest earlier published year;
  green power delivered over the grid adds MEE's transmission-and-distribution factor. The engine applies it
  in :func:`footprint_engine.calculate.calculate`.
* ``organisation-inventory/<sector>`` — the MEE sector guides (``power-generation``, ``cement``,
  ``electrolytic-aluminium``, ``steel``) and the generic GB/T 32150/32151 case (``generic``): grid CO2 factors.
  Where the official text of a guide was not read, the rule says ``check`` and the level applied is the one
  stated in its note.
* ``cbam-indirect`` — Implementing Regulation (EU) 2023/1773 Annex III section D.4: the Commission's IEA-based
  country factor by default, the producer's actual factor only with a direct technical link or a power purchase
  agreement. The factor comes with the installation's data (footprint_engine.cbam.electricity), not from this
  library, so :func:`grid_factor_for` refuses it with that fix.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any, Literal

from footprint_engine.errors import FactorLibraryError, FactorNotFoundError
from footprint_engine.factors.geography import PROVINCE_GRID, parents
from footprint_engine.factors.library import FactorLibrary
from footprint_engine.factors.model import Factor, FactorMatch

__all__ = [
    "ACCOUNT_RULES",
    "PRODUCT_FOOTPRINT",
    "TD_KEY",
    "AccountRule",
    "Citation",
    "GridPrescription",
    "RuledMatch",
    "account_rule",
    "fallback_text",
    "grid_factor_for",
    "td_factor_for",
]

Level = Literal["provincial", "regional", "national"]

PRODUCT_FOOTPRINT = "product-footprint"
#: Key of MEE's transmission-and-distribution footprint factor (excluding line losses).
TD_KEY = "footprint-td"


@dataclass(frozen=True, slots=True)
class Citation:
    document: str  # the standard, guide or announcement
    clause: str  # clause, table or annex
    edition: str
    read_in: str | None  # where its text was read this session (URL or file); None: not read
    check: bool = False  # True: the official text was not read — verify before relying on it

    def as_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "clause": self.clause,
            "edition": self.edition,
            "readIn": self.read_in,
            "check": self.check,
        }


@dataclass(frozen=True, slots=True)
class GridPrescription:
    """The grid factor a rule takes from the library: ``key`` of kind ``electricity-grid`` at the first of
    ``levels`` that has one, of the reporting year else the nearest earlier published year."""

    key: str  # "footprint" (MEE carbon footprint) or "co2" (MEE/NBS grid CO2)
    levels: tuple[Level, ...]
    below_level_reason: str  # reason code when the site's own level is not allowed by the rule
    below_level_text: str  # … and its English sentence


@dataclass(frozen=True, slots=True)
class AccountRule:
    id: str
    title: str
    citations: tuple[Citation, ...]
    electricity: str  # what the rule prescribes for grid electricity, in a sentence
    heat: str | None
    grid: GridPrescription | None  # None: the factor does not come from the library (CBAM)
    transmission_distribution: bool = False  # green power delivered over the grid adds the T&D factor
    note: str | None = None
    check: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "check", any(c.check for c in self.citations))

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "citations": [c.as_dict() for c in self.citations],
            "electricity": self.electricity,
            "heat": self.heat,
            "check": self.check,
            "note": self.note,
        }


_MEE_FOOTPRINT_2023 = Citation(
    "MEE/NBS/NEA announcement 2025 No. 3, 《2023年全国电力碳足迹因子》 (关于发布2023年电力碳足迹因子数据的公告)",
    "annex 1 (national average, 8 generation types, transmission and distribution excluding losses)",
    "2025-01-17",
    "shared/reference/README-2026-12.md and electricity_cn_provincial.csv (CPCD core.csv rows; nengy.net repost)",
)
_MEE_FOOTPRINT_2024 = Citation(
    "MEE/NBS/NEA, 《2024年全国电力碳足迹因子》 (关于发布2024年电力碳足迹因子数据的公告)",
    "tables 1-3 (national only: average, generation types, T&D excluding and including losses)",
    "2025-09-28",
    "https://www.mee.gov.cn/xxgk2018/xxgk/xxgk01/202510/t20251024_1130734.html (via shared/reference)",
)
_MEE_NBS_CO2 = Citation(
    "MEE/NBS announcements 2024 No. 12 (2021 factors), 2024 No. 33 (2022), 2025 (2023): 电力二氧化碳排放因子",
    "annex 1: national, regional and provincial grid averages; national excluding market non-fossil; fossil",
    "2024-04-12 / 2024-12-20 / 2025-12-31",
    "https://langguan-vision.com/news/2201.html ('供核算电力消费的二氧化碳排放量时参考使用')",
)
_GBT_24067 = Citation(
    "GB/T 24067-2024 温室气体 产品碳足迹 量化要求和指南 (ISO 14067:2018, MOD)",
    "6.4.9.4 electricity: emissions of the electricity supply system's life cycle — upstream, generation "
    "including transmission and distribution losses, downstream",
    "2024",
    "http://m.ljafbs.com/?p=9077 (report of the draft for comment; the clause number is ISO 14067:2018's)",
    check=True,
)
_NDRC_GRID = Citation(
    "NDRC guides for enterprise GHG accounting and reporting (first 10 sectors, 2013) and GB/T 32150-2015 / "
    "GB/T 32151 series",
    "purchased electricity: the latest factor the competent authority publishes for the grid the enterprise is "
    "in ('企业应根据其所在电网，使用政府主管部门发布的最新排放因子')",
    "2013 / 2015",
    "http://www.sfmzp.com/article-5388-1.html (report of the 2011/2012 regional grid factors release)",
    check=True,
)


def _sector_guide(name_zh: str) -> Citation:
    return Citation(
        f"MEE 企业温室气体排放核算与报告指南 {name_zh}",
        "purchased electricity emission factor",
        "current edition (check)",
        None,
        check=True,
    )


_NATIONAL_ONLY_CO2 = GridPrescription(
    "co2",
    ("national",),
    "rule-prescribes-national-factor",
    "the sector guide prescribes the national grid factor",
)

ACCOUNT_RULES: dict[str, AccountRule] = {
    r.id: r
    for r in (
        AccountRule(
            id=PRODUCT_FOOTPRINT,
            title="Product carbon footprint (GB/T 24067-2024)",
            citations=(_GBT_24067, _MEE_FOOTPRINT_2024, _MEE_FOOTPRINT_2023),
            electricity=(
                "MEE electricity carbon-footprint factor (全国电力平均碳足迹因子), national — MEE publishes no "
                "provincial footprint factors — of the reporting period's year, else the nearest earlier published "
                "year (stated); claimed green power at MEE's generation-type factors, plus MEE's transmission-and-"
                "distribution factor when delivered over the grid"
            ),
            heat="the library's heat factor by carrier (no MEE heat footprint factor is published); stated per use",
            grid=GridPrescription(
                "footprint",
                ("national",),
                "no-provincial-footprint-factor",
                "MEE publishes carbon-footprint factors nationally only",
            ),
            transmission_distribution=True,
        ),
        AccountRule(
            id="organisation-inventory/generic",
            title="Organisation GHG inventory (GB/T 32150-2015, GB/T 32151 series)",
            citations=(_NDRC_GRID, _MEE_NBS_CO2),
            electricity=(
                "MEE/NBS grid CO2 factor of the organisation's own grid: provincial where published, else the "
                "regional grid, else national; of the reporting year, else the nearest earlier published year"
            ),
            heat="0.11 tCO2/GJ default of the guides unless the supplier's factor is given (check)",
            grid=GridPrescription(
                "co2",
                ("provincial", "regional", "national"),
                "no-factor-at-this-level",
                "no factor published at this level",
            ),
            note="The provincial level follows the MEE/NBS announcements' purpose (electricity consumption "
            "accounting); the guides themselves name the grid the enterprise is in (check the sector standard).",
        ),
        AccountRule(
            id="organisation-inventory/power-generation",
            title="Power generation facilities (发电设施), national carbon market",
            citations=(_sector_guide("发电设施"), _MEE_NBS_CO2),
            electricity="net purchased electricity at the national grid average CO2 factor the MEE sets for the "
            "reporting year (the latest published national factor)",
            heat=None,
            grid=_NATIONAL_ONLY_CO2,
            note="Third-party code read this session quotes 0.5703 tCO2/MWh as the ETS national grid factor and "
            "0.5366 (the MEE/NBS 2022 national average) for later reports; the official notices were not read "
            "(check). The resolver applies the MEE/NBS national factor of the reporting year else the nearest "
            "earlier year.",
        ),
        *(
            AccountRule(
                id=f"organisation-inventory/{sector}",
                title=f"{title} (MEE sector guide)",
                citations=(_sector_guide(name_zh), _MEE_NBS_CO2),
                electricity="purchased electricity at the national grid average CO2 factor published by MEE/NBS "
                "(check: level and year not verified against the guide)",
                heat="purchased heat at the guide's default factor (check)",
                grid=_NATIONAL_ONLY_CO2,
                note="The official guide was not read this session: the national level and the 'reporting year "
                "else nearest earlier' year are applied until checked.",
            )
            for sector, title, name_zh in (
                ("cement", "Cement clinker production", "水泥熟料生产"),
                ("electrolytic-aluminium", "Electrolytic aluminium (aluminium smelting)", "铝冶炼"),
                ("steel", "Iron and steel production", "钢铁生产"),
            )
        ),
        AccountRule(
            id="cbam-indirect",
            title="EU CBAM indirect emissions (electricity consumed)",
            citations=(
                Citation(
                    "Regulation (EU) 2023/956 (CBAM)",
                    "Annex IV point 6; definitions 1(e)-(f)",
                    "2023",
                    None,
                    check=True,
                ),
                Citation(
                    "Commission Implementing Regulation (EU) 2023/1773",
                    "Annex III section D.4: D.4(a) the Commission's factor based on IEA data; D.4(b) other "
                    "publicly available data (average EF or CO2 EF as in Annex IV section 4.3); D.4.1/D.4.2 "
                    "produced in the installation; D.4.3.1 direct technical link; D.4.3.2 power purchase agreement",
                    "2023-08-17",
                    "shared/peers/cbam/CBAM Communication template for installations_en_20241213.xlsx (its "
                    "list of electricity EF sources)",
                ),
            ),
            electricity=(
                "Grid-average emission factor of the country of production by default — the Commission's factor "
                "based on IEA data (D.4(a)) or other publicly available data (D.4(b)); the producer's actual "
                "factor only with a direct technical link (D.4.3.1) or a power purchase agreement (D.4.3.2) "
                "covering the electricity claimed; a green electricity certificate (GEC) alone does not change "
                "the CBAM factor."
            ),
            heat=None,
            grid=None,
        ),
    )
}


def account_rule(rule: str | AccountRule) -> AccountRule:
    """The rule named ``rule`` (an :class:`AccountRule` is returned as is)."""
    if isinstance(rule, AccountRule):
        return rule
    try:
        return ACCOUNT_RULES[rule]
    except KeyError:
        raise FactorLibraryError(
            "unknown account rule",
            f"{rule!r} is not an account rule",
            f"use one of {', '.join(sorted(ACCOUNT_RULES))}",
            field="rule",
        ) from None


class RuledMatch(FactorMatch):
    """A :class:`FactorMatch` chosen by an account rule; ``steps`` are its fallbacks as data."""

    rule: str
    steps: tuple[dict[str, str], ...] = ()


# -- resolving ---------------------------------------------------------------------------------------------

_REGIONS = frozenset(PROVINCE_GRID.values())
_INDEX: weakref.WeakKeyDictionary[FactorLibrary, dict[tuple[str, str], list[Factor]]] = (
    weakref.WeakKeyDictionary()
)

_YEAR_TEXT = {
    "reporting-year-not-published": "not published for the reporting year; the nearest earlier year is used",
    "no-earlier-year-published": "no year up to the reporting year is published; the earliest later year is used",
}


def fallback_text(step: dict[str, str], below_level_text: str | None = None) -> str:
    """The English sentence of a fallback step (the portal renders the same data in Chinese)."""
    if step["kind"] == "year":
        return f"year {step['from']} → {step['to']}: {_YEAR_TEXT.get(step['reason'], step['reason'])}"
    origin = step["from"]
    why = below_level_text if step["reason"] != "no-factor-at-this-level" else None
    return f"{origin} → {step['to']}: {why or 'no factor published for ' + origin}"


def _by_key(library: FactorLibrary, kind: str, key: str) -> list[Factor]:
    index = _INDEX.get(library)
    if index is None:
        index = {}
        for f in library.factors():
            index.setdefault((f.kind, f.key), []).append(f)
        _INDEX[library] = index
    return index.get((kind, key), [])


def _chain(geography: str, levels: tuple[Level, ...]) -> list[str]:
    """Geographies to try for a site in ``geography``, most specific first (the library's own chain,
    :func:`~footprint_engine.factors.geography.parents`), limited to the rule's levels."""
    if not geography.startswith("CN"):
        return [geography]  # outside China: the site's own country, or nothing
    return [geo for geo in parents(geography) if geo != "GLO" and _own_level(geo) in levels]


def _year(factors: list[Factor], year: int | None) -> tuple[Factor, str | None]:
    undated = [f for f in factors if f.year is None]
    if undated or year is None:
        return (undated[0] if undated else max(factors, key=lambda f: f.year or 0)), None
    exact = [f for f in factors if f.year == year]
    if exact:
        return exact[0], None
    earlier = [f for f in factors if f.year is not None and f.year < year]
    if earlier:
        return max(earlier, key=lambda f: f.year or 0), "reporting-year-not-published"
    return min(factors, key=lambda f: f.year or 0), "no-earlier-year-published"


def grid_factor_for(
    rule: str | AccountRule,
    geography: str,
    year: int | None,
    library: FactorLibrary,
    *,
    field: str | None = None,
) -> RuledMatch:
    """The grid-electricity factor ``rule`` prescribes for a site in ``geography`` (ISO 3166-2:CN code, regional
    grid such as ``CN-North``, or ``CN``) reporting ``year``, with every fallback step as data and as text.

    Raises :class:`FactorNotFoundError` when the library holds no factor the rule allows, and
    :class:`FactorLibraryError` for a rule whose factor does not come from the library (``cbam-indirect``)."""
    r = account_rule(rule)
    if r.grid is None:
        raise FactorLibraryError(
            "rule takes no library factor",
            f"rule {r.id!r}: {r.electricity}",
            "give the installation's grid factor with its source (CBAM: installation.grid_factor)",
            field=field,
        )
    return _resolve(r, r.grid, r.grid.key, geography, year, library, field)


def td_factor_for(
    rule: str | AccountRule,
    geography: str,
    year: int | None,
    library: FactorLibrary,
    *,
    field: str | None = None,
) -> RuledMatch:
    """MEE's transmission-and-distribution footprint factor (``electricity-grid/footprint-td/…``, excluding line
    losses) for green power delivered over the grid, at the levels and year of ``rule``'s grid factor."""
    r = account_rule(rule)
    if r.grid is None or not r.transmission_distribution:
        raise FactorLibraryError(
            "rule takes no transmission-and-distribution factor",
            f"rule {r.id!r} does not add T&D to green power",
            f"use rule {PRODUCT_FOOTPRINT!r}",
            field=field,
        )
    return _resolve(r, r.grid, TD_KEY, geography, year, library, field)


def _resolve(
    r: AccountRule,
    g: GridPrescription,
    key: str,
    geography: str,
    year: int | None,
    library: FactorLibrary,
    field: str | None,
) -> RuledMatch:
    requested = (
        f"{r.id}: electricity-grid {key!r} for {geography} {year if year is not None else '(any year)'}"
    )
    candidates = _by_key(library, "electricity-grid", key)
    chain = _chain(geography, g.levels)
    for geo in chain:
        here = [f for f in candidates if f.geography == geo]
        if not here:
            continue
        steps: list[dict[str, str]] = []
        if geo != geography:
            reason = (
                g.below_level_reason if _own_level(geography) not in g.levels else "no-factor-at-this-level"
            )
            steps.append({"kind": "geography", "from": geography, "to": geo, "reason": reason})
        chosen, year_reason = _year(here, year)
        if year_reason is not None and year is not None and chosen.year is not None:
            steps.append({"kind": "year", "from": str(year), "to": str(chosen.year), "reason": year_reason})
        texts = tuple(fallback_text(s, g.below_level_text) for s in steps)
        return RuledMatch(factor=chosen, requested=requested, fallbacks=texts, rule=r.id, steps=tuple(steps))
    raise FactorNotFoundError(
        "unknown factor",
        f"rule {r.id!r} allows electricity-grid {key!r} factors at {', '.join(chain) or geography}, and library "
        f"{library.name!r} has none there",
        "find the published factor with `tanlian factors search`, load a factor set covering it, or set factorId",
        field=field,
    )


def _own_level(geography: str) -> Level:
    if geography in ("CN", "GLO") or not geography.startswith("CN"):
        return "national"
    return "regional" if geography in _REGIONS else "provincial"
