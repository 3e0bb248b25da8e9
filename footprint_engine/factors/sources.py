"""Data sources of the factor library and the terms each is used under.

A factor names its source by ``Factor.source_id``. ``redistributable`` decides what may leave the organisation
that holds the factor: a licensed background database or a company's private factors are used in its own
calculations, and only the computed figure is ever shown to another organisation or written into a PACT
document.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DataSource", "data_source", "data_sources"]


@dataclass(frozen=True, slots=True)
class DataSource:
    id: str
    title: str
    publisher: str
    url: str | None
    terms: str  # the terms in a sentence, in English
    redistributable: bool
    note: str | None = None


_SOURCES: dict[str, DataSource] = {}


def _register(*sources: DataSource) -> None:
    for s in sources:
        _SOURCES[s.id] = s


def data_source(source_id: str | None) -> DataSource | None:
    """The registered source ``source_id`` (None when unknown or not given)."""
    return _SOURCES.get(source_id) if source_id else None


def data_sources() -> list[DataSource]:
    return list(_SOURCES.values())


_CPCD_URL = "https://lca.cityghg.com/"

_register(
    DataSource(
        id="mee-nbs-grid-co2",
        title="电力二氧化碳排放因子 (electricity CO2 emission factors) 2021, 2022 and 2023: national, regional and "
        "provincial",
        publisher="生态环境部、国家统计局 (MEE & NBS)",
        url="https://www.mee.gov.cn/xxgk2018/xxgk/xxgk01/202512/t20251231_1139517.html",
        terms="Public government announcements (公告2024年第12号, 第33号, 公告2025年第47号); figures may be quoted "
        "and redistributed with their source.",
        redistributable=True,
        note="For organisation inventories (combustion CO2 only). Tibet (Xizang) is in no table.",
    ),
    DataSource(
        id="mee-electricity-footprint",
        title="全国电力碳足迹因子 (national electricity carbon-footprint factors) 2023 and 2024",
        publisher="生态环境部、国家统计局、国家能源局 (MEE, NBS & NEA)",
        url="https://www.mee.gov.cn/xxgk2018/xxgk/xxgk01/202510/t20251024_1130734.html",
        terms="Public government announcements (2025年第3号 and the 2024 release); figures may be quoted and "
        "redistributed with their source.",
        redistributable=True,
        note="Life-cycle factors for product footprints (GB/T 24067): national average, generation types and "
        "transmission & distribution; no provincial or regional values are published.",
    ),
    DataSource(
        id="cpcd",
        title="中国产品全生命周期温室气体排放系数库 (CPCD, China Products Carbon Footprint Factors Database)",
        publisher="生态环境部环境规划院碳达峰碳中和研究中心 (CAEP) with BNU & SYSU, China City GHG Working Group",
        url=_CPCD_URL,
        terms="Entries are publicly visible on a login-only site; the rows here are a public transcription "
        "(a scraped snapshot in leo21468/CarbonCalculator), cited with their CPCD entry code. Figures are quoted "
        "with their source; check the entry on the CPCD site before relying on it.",
        redistributable=True,
        note="文献数据 entries are literature values, 核心数据库 entries the curated core; the original reference, "
        "uncertainty and gas split were not in the transcription.",
    ),
    DataSource(
        id="ipcc-2006",
        title="2006 IPCC Guidelines for National Greenhouse Gas Inventories, Vol. 2 (Energy), Ch. 1-2",
        publisher="IPCC (Task Force on National Greenhouse Gas Inventories)",
        url="https://www.ipcc-nggip.iges.or.jp/public/2006gl/vol2.html",
        terms="Public guidelines; default factors may be used and quoted with their source.",
        redistributable=True,
    ),
    DataSource(
        id="ipcc-ar5",
        title="IPCC AR5 (2014): WGI Table 8.A.1 GWP100 and WGIII Annex III Table A.III.2 life-cycle emissions",
        publisher="IPCC",
        url="https://www.ipcc.ch/report/ar5/wg3/",
        terms="Public assessment report; figures may be quoted with their source.",
        redistributable=True,
    ),
    DataSource(
        id="ipcc-ar6",
        title="IPCC AR6 WGI (2021) Table 7.SM.7: global warming potentials",
        publisher="IPCC",
        url="https://www.ipcc.ch/report/ar6/wg1/",
        terms="Public assessment report; figures may be quoted with their source.",
        redistributable=True,
    ),
    DataSource(
        id="gbt-2589-2020",
        title="GB/T 2589-2020 综合能耗计算通则 (General principles for calculation of the comprehensive energy "
        "consumption), Annex A",
        publisher="SAMR & SAC",
        url="https://openstd.samr.gov.cn/",
        terms="National standard; the reference coefficients are quoted (secondary reproduction, check against "
        "the standard's text).",
        redistributable=True,
    ),
    DataSource(
        id="cn-ghg-guides",
        title="NDRC enterprise GHG accounting and reporting guidelines (24 industries, 2013-2015) and provincial "
        "inventory guide defaults",
        publisher="国家发展和改革委员会 (NDRC)",
        url=None,
        terms="Public government guidelines; default values are quoted (secondary reproduction; check).",
        redistributable=True,
    ),
    DataSource(
        id="international-industry",
        title="International industry averages: IAI, worldsteel, WBCSD-CSI GNR",
        publisher="International Aluminium Institute; World Steel Association; WBCSD Cement Sustainability "
        "Initiative",
        url=None,
        terms="Figures cited from the associations' published reports and statistics pages, with their source; "
        "the underlying datasets are not redistributed.",
        redistributable=True,
        note="Industry-average intensities with their own boundaries (e.g. worldsteel: CO2 per t crude steel, "
        "not a full cradle-to-gate LCA).",
    ),
    DataSource(
        id="published-literature",
        title="Published third-party figures: peer-reviewed LCA papers, consultancy insights, supplier data sheets",
        publisher="the publication named in each factor's source",
        url=None,
        terms="Figures cited from the publication with its reference; the publication itself is not "
        "redistributed.",
        redistributable=True,
    ),
    DataSource(
        id="illustrative",
        title="Illustrative secondary values of tanlian (order of magnitude only)",
        publisher="tanlian",
        url=None,
        terms="Free to use, but not data: every result that uses one says so; replace before a result leaves "
        "the exchange.",
        redistributable=True,
    ),
    DataSource(
        id="private",
        title="An organisation's own factors",
        publisher="the importing organisation",
        url=None,
        terms="Private to the organisation that imported them unless it publishes them.",
        redistributable=False,
    ),
    DataSource(
        id="licensed-lci",
        title="A licensed life-cycle inventory database imported through Brightway",
        publisher="the database's licensor",
        url=None,
        terms="Used under the importing organisation's licence; only computed figures leave it.",
        redistributable=False,
    ),
)
