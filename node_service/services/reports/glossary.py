"""The exchange's glossary: one Chinese (zh-CN) and one English word for every term a person reads on the portal's
pages and in the study report (PDF), chosen as practitioners say them — an energy manager's 活动数据, 佐证材料,
排放因子 — not as a dictionary would translate them.

The report takes its words from here (node_service.services.reports.messages, factor_notes, content); the portal's
gettext catalogue (supplier_portal/locale) translates the English term to the Chinese one, and
tests/supplier_portal/test_glossary.py holds both to this table: the ``avoid`` words (machine translations found in
earlier versions) appear in neither.

Also here, because both the pages and the report print them: the names of fuels (the engine's fuel keys) and of
the activity data's fields, for :mod:`node_service.services.reports.field_labels`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["FIELD_NAMES", "FUEL_NAMES", "TERMS", "Term", "fuel_name", "term"]

Lang = Literal["zh", "en"]


@dataclass(frozen=True)
class Term:
    """One term: the Chinese and the English word, and Chinese words not to use for it (with the reason)."""

    zh: str
    en: str
    avoid: tuple[str, ...] = ()
    note: str = ""

    def in_(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en


TERMS: Final[dict[str, Term]] = {
    "activity-data": Term("活动数据", "activity data"),
    "evidence": Term(
        "佐证材料",
        "evidence",
        avoid=("证据",),
        note="meter readings, invoices, certificates kept to support the data; 证据 is the courtroom word",
    ),
    "emission-factor": Term("排放因子", "emission factor"),
    "factor-library": Term("因子库", "factor library"),
    "grid-emission-factor": Term("电网排放因子", "grid emission factor"),
    "market-based": Term("基于市场", "market-based"),
    "location-based": Term("基于位置", "location-based"),
    "green-power-claim": Term("绿色电力声明", "green-power claim"),
    "gec": Term("绿证", "GEC", note="green electricity certificate (绿色电力证书)"),
    "gec-serial": Term("绿证编号", "GEC serial"),
    "receipt": Term("存证回执", "receipt", note="the log's proof that a document was recorded"),
    "leaf-hash": Term(
        "日志条目哈希",
        "leaf hash",
        avoid=("叶哈希", "叶子哈希"),
        note="RFC 9162 leaf hash: say what it is, the hash of the log entry",
    ),
    "leaf-index": Term("日志条目序号", "leaf index", avoid=("叶子序号",), note="RFC 9162 leaf index"),
    "credential-id": Term(
        "活动数据凭证编号",
        "activity-data credential id",
        avoid=("凭证 ID", "凭证ID"),
        note="the id of the signed activity-data credential",
    ),
    "primary-data": Term("初级数据", "primary data"),
    "secondary-data": Term("次级数据", "secondary data"),
    "declared-unit": Term("声明单位", "declared unit"),
    "reporting-period": Term("数据时间范围", "reporting period"),
    "grid-region": Term("电网区域", "grid region"),
    "carbon-footprint": Term("碳足迹", "carbon footprint"),
    "fallback": Term("回退", "fallback"),
}

#: The engine's fuel keys (footprint_engine/data/fuels_*.csv, energy_gbt2589.csv) as GB/T 2589 and the provincial
#: GHG guides name them.
FUEL_NAMES: Final[dict[str, tuple[str, str]]] = {
    "raw_coal": ("原煤", "raw coal"),
    "anthracite": ("无烟煤", "anthracite"),
    "other_bituminous_coal": ("烟煤", "other bituminous coal"),
    "sub_bituminous_coal": ("次烟煤", "sub-bituminous coal"),
    "lignite": ("褐煤", "lignite"),
    "coke": ("焦炭", "coke"),
    "petroleum_coke": ("石油焦", "petroleum coke"),
    "standard_coal": ("标准煤", "standard coal"),
    "crude_oil": ("原油", "crude oil"),
    "fuel_oil": ("燃料油", "fuel oil"),
    "residual_fuel_oil": ("残渣燃料油", "residual fuel oil"),
    "gasoline": ("汽油", "gasoline"),
    "motor_gasoline": ("车用汽油", "motor gasoline"),
    "kerosene": ("煤油", "kerosene"),
    "other_kerosene": ("其他煤油", "other kerosene"),
    "diesel": ("柴油", "diesel"),
    "gas_diesel_oil": ("柴油", "gas/diesel oil"),
    "lpg": ("液化石油气", "LPG"),
    "refinery_gas": ("炼厂干气", "refinery gas"),
    "natural_gas": ("天然气", "natural gas"),
    "natural_gas_oilfield": ("油田天然气", "natural gas (oil field)"),
    "natural_gas_gasfield": ("气田天然气", "natural gas (gas field)"),
    "electricity_equivalent": ("电力（当量值）", "electricity (equivalent value)"),
    "heat": ("热力", "heat"),
    "steam": ("蒸汽", "steam"),
    "hot-water": ("热水", "hot water"),
}


def term(key: str, lang: Lang) -> str:
    """The word for ``key`` (a key of :data:`TERMS`) in ``lang``."""
    return TERMS[key].in_(lang)


def fuel_name(key: str, lang: Lang) -> str:
    """A fuel key (``natural_gas``) as people name it (天然气 / natural gas); an unknown key stays as it is."""
    names = FUEL_NAMES.get(key)
    return key if names is None else names[0 if lang == "zh" else 1]


#: Every property of the activity data (docs/schemas/activity-data-v1.json), as the forms label it. A key
#: ``parent.name`` words a property that means something else under that parent.
FIELD_NAMES: Final[dict[str, tuple[str, str]]] = {
    "allocation": ("分配", "allocation"),
    "amount": ("数量", "amount"),
    "basis": ("分配依据", "allocation basis"),
    "bundledGecSerials": ("随合同绿证编号", "bundled GEC serials"),
    "cancellation": ("绿证核销", "GEC cancellation"),
    "carrier": ("承运方", "carrier"),
    "claimant": ("声明方", "claimant"),
    "coProducts": ("共生产品", "co-product"),
    "comment": ("备注", "comment"),
    "completeness": ("完整性", "completeness"),
    "contractId": ("绿电合同编号", "contract id"),
    "country": ("国家", "country"),
    "dataQuality": ("数据质量", "data quality"),
    "dataSource": ("数据类型", "data source"),
    "date": ("日期", "date"),
    "cancellation.date": ("核销日期", "cancellation date"),
    "declaredUnit": ("声明单位", "declared unit"),
    "delivery": ("交付", "delivery"),
    "deliveryEnd": ("交付结束日期", "delivery end"),
    "deliveryStart": ("交付开始日期", "delivery start"),
    "description": ("说明", "description"),
    "distance": ("运输距离", "distance"),
    "distribution": ("概率分布", "distribution"),
    "economicValue": ("经济价值", "economic value"),
    "electricity": ("电力", "electricity"),
    "emissions": ("排放", "emissions"),
    "end": ("结束日期", "end"),
    "endOfLifeScenario": ("寿命终止情景", "end-of-life scenario"),
    "estimatedSharePercent": ("估计占比（%）", "estimated share (%)"),
    "evidence": (TERMS["evidence"].zh, TERMS["evidence"].en),
    "exclusions": ("排除项", "exclusion"),
    "factorId": (TERMS["emission-factor"].zh, TERMS["emission-factor"].en),
    "fuel": ("燃料", "fuel"),
    "fuels": ("燃料", "fuels"),
    "functionalUnit": ("功能单位", "functional unit"),
    "gas": ("温室气体", "gas"),
    "generationType": ("发电类型", "generation type"),
    "geographical": ("地理代表性", "geographical representativeness"),
    "geometricSd": ("几何标准差", "geometric standard deviation"),
    "greenPowerClaims": (TERMS["green-power-claim"].zh, TERMS["green-power-claim"].en),
    "gridRegion": (TERMS["grid-region"].zh, TERMS["grid-region"].en),
    "heat": ("热力", "heat"),
    "id": ("编号", "id"),
    "identifier": ("标识", "identifier"),
    "inputs": ("输入", "inputs"),
    "justification": ("理由", "justification"),
    "mass": ("质量", "mass"),
    "material": ("材料", "material"),
    "materials": ("原材料", "materials"),
    "maximum": ("最大值", "maximum"),
    "method": ("方法", "method"),
    "minimum": ("最小值", "minimum"),
    "mode": ("运输方式", "mode"),
    "name": ("名称", "name"),
    "organisation": ("组织", "organisation"),
    "organisation.id": ("组织标识（DID 或统一社会信用代码）", "organisation (did or USCC)"),
    "origin": ("来源类型", "origin"),
    "packaging": ("包装", "packaging"),
    "processEmissions": ("过程排放", "process emissions"),
    "producedQuantity": ("报告期产量", "quantity produced"),
    "productIdentifier": ("产品标识", "product identifier"),
    "productMass": ("产品质量", "product mass"),
    "productName": ("产品名称", "product name"),
    "productionDate": ("发电日期", "production date"),
    "quantityMWh": ("电量（兆瓦时）", "quantity (MWh)"),
    "referenceFlow": ("基准流", "reference flow"),
    "referenceServiceLife": ("参考使用寿命", "reference service life"),
    "reliability": ("可靠性", "reliability"),
    "reportingPeriod": (TERMS["reporting-period"].zh, TERMS["reporting-period"].en),
    "routes": ("处置方式", "routes"),
    "schemaVersion": ("数据格式版本", "schema version"),
    "sd": ("标准差", "standard deviation"),
    "serial": (TERMS["gec-serial"].zh, TERMS["gec-serial"].en),
    "sharePercent": ("占比（%）", "share (%)"),
    "shares": ("分配比例", "shares"),
    "site": ("生产场所", "site"),
    "stage": ("生命周期阶段", "life-cycle stage"),
    "start": ("开始日期", "start"),
    "technological": ("技术代表性", "technological representativeness"),
    "temporal": ("时间代表性", "temporal representativeness"),
    "transport": ("运输", "transport"),
    "treatment": ("处理方式", "treatment"),
    "type": ("类型", "type"),
    "uncertainty": ("不确定性", "uncertainty"),
    "unit": ("单位", "unit"),
    "upstreamFootprint": ("上游碳足迹", "upstream footprint"),
    "useScenario": ("使用情景", "use scenario"),
    "version": ("版本", "version"),
    "waste": ("废弃物", "waste"),
    "wasteType": ("废弃物类型", "waste type"),
}
