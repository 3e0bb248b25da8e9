"""The report's message catalogue: every label in Simplified Chinese (zh-CN) and English.

Keys are stable identifiers; values are ``(zh, en)`` pairs whose ``{placeholders}`` must match (tested).
Terms follow GB/T 24067-2024 (Chinese) and ISO 14067:2018 (English); the exchange's own terms (log entry hash,
credential id …) come from the glossary (node_service.services.reports.glossary) that the portal uses too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from node_service.services.reports.errors import ReportLanguageInvalid
from node_service.services.reports.glossary import TERMS

__all__ = ["LANGUAGES", "MESSAGES", "Catalogue", "Lang", "parse_lang"]

Lang = Literal["zh", "en"]
LANGUAGES: Final[tuple[Lang, ...]] = ("zh", "en")

MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # title page
    "title": ("产品碳足迹研究报告", "Product carbon footprint study report"),
    "subtitle": (
        "依据 GB/T 24067-2024《温室气体 产品碳足迹 量化要求和指南》（ISO 14067:2018，MOD）",
        "following GB/T 24067-2024 (ISO 14067:2018, MOD), clause 7: CFP study report",
    ),
    "headline": (
        "产品碳足迹：{value} kgCO2e / {unit}",
        "Carbon footprint of the product: {value} kgCO2e / {unit}",
    ),
    "product": ("产品名称", "Product"),
    "product_id": ("产品标识", "Product identifier"),
    "footprint_version": ("碳足迹版本", "Footprint version"),
    "organisation": ("报告组织", "Organisation"),
    "organisation_did": ("组织标识（DID）", "Organisation (DID)"),
    "reporting_period": ("数据时间范围", "Reporting period"),
    "declared_unit": ("声明单位", "Declared unit"),
    "footprint_id": ("碳足迹编号", "Footprint id"),
    "submission_id": (TERMS["credential-id"].zh, "Activity-data credential id"),
    "computed_at": ("计算时间", "Computed at"),
    "generated_at": ("报告生成时间", "Report generated at"),
    "engine": ("计算引擎", "Calculation engine"),
    "page": ("第 {n} 页", "Page {n}"),
    "illustrative_warning": (
        "注意：本结果使用了示例性（ILLUSTRATIVE）次级排放因子，仅供演示，不得用于对外声明；请以供应商碳足迹或经许可的数据库替换。",
        "Note: this result uses ILLUSTRATIVE secondary factors, for demonstration only and not for external "
        "claims; replace them with supplier footprints or licensed data.",
    ),
    # 1 goal and scope
    "s_goal": ("目的与范围", "Goal and scope"),
    "goal_text": (
        "量化 {product} 在 {start} 至 {end} 期间每 {unit}（声明单位）的碳足迹（CFP），供供应链下游采购方作为初级数据使用。",
        "To quantify the carbon footprint (CFP) of {product} per declared unit (1 {unit}) for {start} to {end}, "
        "for use as primary data by buyers further down the supply chain.",
    ),
    "unit_kind": ("声明单位 / 基准流", "Declared unit / reference flow"),
    "unit_text": (
        "1 {unit}（报告期内产量 {produced} {unit}）",
        "1 {unit} (production in the period: {produced} {unit})",
    ),
    "geography": ("地理范围", "Geography"),
    "system_boundary": ("系统边界", "System boundary"),
    "cradle-to-gate": ("从摇篮到大门", "cradle-to-gate"),
    "cradle-to-grave": ("从摇篮到坟墓", "cradle-to-grave"),
    "stages_included": ("包含的生命周期阶段", "Life-cycle stages included"),
    "stages_excluded": ("未包含的生命周期阶段", "Life-cycle stages excluded"),
    "none": ("无", "none"),
    "cut_off": ("取舍准则与排除比例", "Cut-off criteria and excluded share"),
    "cut_off_text": (
        "排除的输入合计估计占总排放的 {share}%：{items}",
        "Excluded inputs are estimated at {share}% of the total emissions: {items}",
    ),
    "allocation": ("分配程序", "Allocation procedure"),
    "allocation_none": (
        "无共生产品，未分配（本产品 100%）。",
        "No co-products; no allocation (100% to this product).",
    ),
    "allocation_text": (
        "分配依据：{basis}；本产品份额 {share}%；适用阶段：{stages}。规则：{rule}",
        "Basis: {basis}; this product's share {share}%; applied to: {stages}. Rule: {rule}",
    ),
    "allocation_justification": ("分配理由：{text}", "Justification: {text}"),
    "time_period": ("时间范围", "Time period"),
    "gwp_set": ("特征化因子", "Characterisation factors"),
    "gwp_text": ("{gwp}（100 年全球变暖潜势）", "{gwp} (100-year global warming potential)"),
    "calculation_method": ("计算方法", "Calculation method"),
    "data_quality_req": ("数据质量要求", "Data quality requirements"),
    "data_quality_req_text": (
        "现场过程优先采用初级数据（实测或计量）；次级数据注明来源、年份、地理范围和单位。数据质量按谱系矩阵评分，"
        "1 为最好、5 为最差，按排放加权（与 PACT v3 DQR 同一尺度）。",
        "Primary (measured or metered) data for the site's own processes; secondary data stated with source, "
        "year, geography and unit. Data quality is scored with a pedigree matrix, 1 best to 5 worst, weighted by "
        "emissions (the PACT v3 DQR scale).",
    ),
    # 2 inventory
    "s_inventory": ("生命周期清单分析", "Life-cycle inventory"),
    "inventory_intro": (
        "下表列出每个声明单位（分配后）的输入、数据来源及其排放贡献。",
        "Inputs per declared unit (after allocation), their data source and their contribution.",
    ),
    "col_input": ("输入", "Input"),
    "col_stage": ("阶段", "Stage"),
    "col_amount": ("数量", "Amount"),
    "col_source": ("数据来源", "Data source"),
    "col_kgco2e": ("kgCO2e", "kgCO2e"),
    "col_share": ("占比 %", "Share %"),
    "primary": ("初级", "primary"),
    "secondary": ("次级", "secondary"),
    "upstream_note": ("引用上游碳足迹 {ref}", "cites upstream footprint {ref}"),
    "dqi": ("数据质量指标（DQI）", "Data quality indicators (DQI)"),
    "primary_data_share": ("初级数据占比（PACT 定义）", "Primary data share (PACT definition)"),
    "coverage": ("覆盖率", "Coverage"),
    "technological": ("技术代表性", "Technological representativeness"),
    "temporal": ("时间代表性", "Temporal representativeness"),
    "geographical": ("地理代表性", "Geographical representativeness"),
    "reliability": ("可靠性", "Reliability"),
    "completeness": ("完整性", "Completeness"),
    "score_note": ("评分 1（最好）至 5（最差）", "score 1 (best) to 5 (worst)"),
    "upstream_footprints": ("引用的上游碳足迹", "Upstream footprints cited"),
    # 3 results
    "s_results": ("碳足迹结果", "Results"),
    "total": ("产品碳足迹（总计）", "Carbon footprint (total)"),
    "total_excl_removals": ("总计（不含生物源清除）", "Total excluding biogenic removals"),
    "fossil": ("化石源温室气体排放", "Fossil GHG emissions"),
    "biogenic_emissions": ("生物源温室气体排放", "Biogenic GHG emissions"),
    "biogenic_removals": ("生物源温室气体清除", "Biogenic GHG removals"),
    "dluc": ("直接土地利用变化（dLUC）", "Direct land-use change (dLUC)"),
    "aircraft": ("航空运输排放", "Aircraft emissions"),
    "col_category": ("类别", "Category"),
    "col_value": ("kgCO2e / {unit}", "kgCO2e / {unit}"),
    "per_gas": ("按温室气体", "By greenhouse gas"),
    "col_gas": ("气体", "Gas"),
    "col_origin": ("来源", "Origin"),
    "col_mass": ("质量 kg", "Mass kg"),
    "col_gwp": ("GWP100", "GWP100"),
    "origin_fossil": ("化石", "fossil"),
    "origin_biogenic": ("生物源", "biogenic"),
    "origin_biogenic-removal": ("生物源清除", "biogenic removal"),
    "origin_dluc": ("土地利用变化", "dLUC"),
    "origin_aircraft": ("航空", "aircraft"),
    "co2e_note": (
        "“CO2e”行为次级因子或上游碳足迹中已折算为 CO2 当量、无法再按气体拆分的部分。",
        "“CO2e” rows are amounts already expressed as CO2 equivalents by secondary factors or upstream "
        "footprints and not split by gas.",
    ),
    "per_stage": ("按生命周期阶段", "By life-cycle stage"),
    "raw-material-acquisition": ("原材料获取", "Raw material acquisition"),
    "production": ("生产", "Production"),
    "distribution": ("分销", "Distribution"),
    "use": ("使用", "Use"),
    "end-of-life": ("寿命终止", "End of life"),
    "top_contributors": ("主要贡献输入", "Top contributors"),
    # 4 electricity
    "s_electricity": ("电力：基于位置与基于市场", "Electricity: location-based and market-based"),
    "consumed_mwh": ("报告期用电量（全厂）", "Electricity consumed in the period (site)"),
    "gec_mwh": ("绿证（GEC）覆盖电量", "Covered by green electricity certificates (GEC)"),
    "contract_mwh": ("绿电交易合同覆盖电量", "Covered by green-power contracts"),
    "grid_mwh": ("电网电量", "Grid electricity"),
    "location_based": ("基于位置的电力排放", "Electricity, location-based"),
    "market_based": ("基于市场的电力排放", "Electricity, market-based"),
    "total_location_based": ("产品碳足迹（基于位置）", "Product footprint, location-based"),
    "total_market_based": ("产品碳足迹（基于市场，即报告值）", "Product footprint, market-based (reported)"),
    "claims": ("绿色电力声明", "Green-power claims"),
    "col_claim_type": ("类型", "Type"),
    "col_reference": ("编号", "Reference"),
    "col_factor": ("因子", "Factor"),
    "claim_gec": ("绿证", "GEC"),
    "claim_contract": ("绿电合同", "contract"),
    "no_claims": ("无绿色电力声明。", "No green-power claims."),
    "residual_mix_label": ("剩余电力组合披露", "Residual-mix disclosure"),
    "residual_mix_text": (
        "我国尚未发布官方的剩余电力组合排放因子：未被绿证或绿电合同覆盖的电网电力采用电网平均排放因子，"
        "该因子仍包含已被声明的可再生电力，因此基于市场的结果可能重复计算可再生电力属性。",
        "China publishes no official residual-mix factor: grid electricity not covered by claims takes the grid "
        "average factor, which still contains the claimed renewable generation, so market-based results may "
        "double-count renewable attributes.",
    ),
    # 5 uncertainty
    "s_uncertainty": ("不确定性分析", "Uncertainty"),
    "uncertainty_none": (
        "本次计算未进行蒙特卡洛不确定性分析（可在计算时指定迭代次数）。",
        "No Monte Carlo uncertainty analysis was run for this result (request it with an iteration count).",
    ),
    "iterations": ("迭代次数", "Iterations"),
    "seed": ("随机种子", "Seed"),
    "mean": ("均值", "Mean"),
    "median": ("中位数", "Median"),
    "p2_5": ("2.5 百分位", "2.5th percentile"),
    "p97_5": ("97.5 百分位", "97.5th percentile"),
    "std": ("标准差", "Standard deviation"),
    "mc_method": ("方法", "Method"),
    # 6 energy
    "s_energy": ("单位产品综合能耗（GB/T 2589-2020）", "Energy per declared unit (GB/T 2589-2020)"),
    "kgce": ("综合能耗", "Comprehensive energy consumption"),
    "kgce_value": ("{value} kgce / {unit}", "{value} kgce / {unit}"),
    "col_carrier": ("能源品种", "Energy carrier"),
    "col_kgce": ("kgce / {unit}", "kgce / {unit}"),
    "carrier_electricity": ("电力", "electricity"),
    "carrier_fuel": ("燃料：{name}", "fuel: {name}"),
    "carrier_heat": ("热力", "heat"),
    "electricity_conversion": ("电力折标方法", "Electricity conversion"),
    "energy_boundary": ("统计边界", "Boundary"),
    "not_counted": ("未计入", "Not counted"),
    # 7 factors
    "s_factors": ("排放因子及来源", "Emission factors and provenance"),
    "col_source_text": ("来源", "Source"),
    "col_year": ("年份", "Year"),
    "col_geo": ("地域", "Geography"),
    "col_unit": ("单位", "Unit"),
    "col_used_by": ("用于", "Used by"),
    "factor_version": ("版本 {version}", "version {version}"),
    "fallbacks_heading": ("地域与年份回退", "Geography and year fallbacks"),
    "fallback_line": ("{name}：{text}", "{name}: {text}"),
    "rules_heading": ("核算规则", "Account rule"),
    # 8 limitations
    "s_limitations": ("局限性", "Limitations"),
    "lim_illustrative": (
        "使用了 {n} 个示例性次级因子，结果仅作演示。",
        "{n} illustrative secondary factor(s) were used; the result is for demonstration only.",
    ),
    "lim_fallback": (
        "{n} 个因子未找到对应地域或年份，按规则回退（见第 7 节）。",
        "{n} factor(s) had no exact geography or year and fell back by rule (see section 7).",
    ),
    "lim_cut_off": ("取舍排除的输入估计占 {share}%。", "Cut-off exclusions are estimated at {share}%."),
    "lim_secondary": (
        "{share}% 的排放来自次级数据。",
        "{share}% of the emissions come from secondary data.",
    ),
    "lim_boundary": (
        "系统边界为从摇篮到大门，不含分销、使用和寿命终止阶段。",
        "The boundary is cradle-to-gate: distribution, use and end of life are not included.",
    ),
    "lim_residual": (
        "无官方剩余电力组合因子，基于市场的电力结果可能重复计算可再生电力属性。",
        "No official residual-mix factor: market-based electricity may double-count renewable attributes.",
    ),
    "lim_energy": (
        "综合能耗仅统计本厂边界内的能源消耗，不含上游能耗。",
        "Energy counts the site's own consumption only, not upstream energy.",
    ),
    "lim_uncertainty": ("未量化不确定性。", "Uncertainty was not quantified."),
    "lim_iluc": (
        "未包含间接土地利用变化（iLUC）。",
        "Indirect land-use change (iLUC) is not included.",
    ),
    # 9 verification
    "s_verification": ("核验信息", "Verification"),
    "verification_intro": (
        "本碳足迹的哈希已写入 RFC 9162 透明日志，日志树根锚定在区块链上。任何人可按以下步骤独立核验，无需信任本平台。",
        "The hash of this footprint is in an RFC 9162 transparency log whose tree heads are anchored on a "
        "blockchain. Anyone can check it with the steps below, without trusting this software.",
    ),
    "log_entry": ("日志条目", "Log entry"),
    "leaf_index": (TERMS["leaf-index"].zh, "Leaf index"),
    "leaf_hash": (TERMS["leaf-hash"].zh, "Leaf hash"),
    "entry_json": (
        "条目（哈希按其 RFC 8785 规范化 JSON 计算）",
        "Entry (hashed as its RFC 8785 canonical JSON)",
    ),
    "document_sha256": ("碳足迹文档 SHA-256", "Footprint document SHA-256"),
    "receipt": ("存证回执", "Receipt"),
    "tree_size": ("树大小", "Tree size"),
    "root_hash": ("树根哈希", "Root hash"),
    "chain_id": ("链 ID", "Chain id"),
    "contract": ("锚定合约", "Anchor contract"),
    "tx_hash": ("交易哈希", "Transaction hash"),
    "block": ("区块号", "Block number"),
    "inclusion_proof": ("包含证明（审计路径）", "Inclusion proof (audit path)"),
    "not_anchored": (
        "尚未锚定：条目已写入日志（序号 {index}），但其所在的树根尚未在链上确认。请稍后重新下载本报告以获得回执。",
        "Not yet anchored: the entry is logged (index {index}) but no tree head covering it is confirmed on "
        "chain yet. Download this report again later to get the receipt.",
    ),
    "steps": ("核验步骤", "How to check"),
    "step_1": (
        "取碳足迹文档（GET /footprints/{id} 返回的 document），按 RFC 8785 规范化后计算 SHA-256，应等于条目中的 sha256：{sha}。",
        "Take the footprint document (the document of GET /footprints/{id}), canonicalise it with RFC 8785 "
        "and compute SHA-256: it equals the entry's sha256 {sha}.",
    ),
    "step_2": (
        f"{TERMS['leaf-hash'].zh} = SHA-256(0x00 ‖ RFC 8785(条目))，应等于 {{leaf}}。",
        "Leaf hash = SHA-256(0x00 ‖ RFC 8785(entry)): it equals {leaf}.",
    ),
    "step_3": (
        "用审计路径从该日志条目（序号 {index}）按 RFC 9162 第 2.1.3.2 节逐级计算，应在树大小 {size} 处得到树根 {root}。",
        "From the leaf (index {index}), the audit path gives, by RFC 9162 section 2.1.3.2, the root {root} at "
        "tree size {size}.",
    ),
    "step_4": (
        "在链 {chain} 上调用合约 {contract} 的 treeHead({size})，应返回该树根；交易 {tx} 位于区块 {block}。",
        "On chain {chain}, contract {contract}'s treeHead({size}) returns that root; transaction {tx} is in "
        "block {block}.",
    ),
    "step_cli": (
        "或使用命令：tanlian receipt get {id}，再执行 tanlian receipt verify 回执.json --file 碳足迹.json --rpc 节点地址",
        "Or run: tanlian receipt get {id}, then tanlian receipt verify receipt.json --file footprint.json --rpc URL",
    ),
    "step_pending": (
        "锚定后，回执提供树根、审计路径和链上交易，用于完成第 3、4 步。",
        "Once anchored, the receipt gives the root, the audit path and the chain transaction for steps 3 and 4.",
    ),
}

_PLACEHOLDER = re.compile(r"{(\w+)}")


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def parse_lang(value: str | None) -> Lang:
    """``zh``, ``zh-CN``, ``zh-Hans`` … → ``zh``; ``en``, ``en-GB`` … → ``en``; ``None`` → ``zh``."""
    if value is None or value == "":
        return "zh"
    primary = value.strip().lower().replace("_", "-").split("-")[0]
    if primary in LANGUAGES:
        return primary  # type: ignore[return-value]
    raise ReportLanguageInvalid(
        f"report language: got {value!r}, want one of zh, en",
        field="lang",
        fix="ask for ?lang=zh (简体中文) or ?lang=en",
    )


@dataclass(frozen=True)
class Catalogue:
    """The labels of one language: ``t("key", name=value)``."""

    lang: Lang

    def t(self, key: str, **values: object) -> str:
        try:
            pair = MESSAGES[key]
        except KeyError:
            raise KeyError(f"report message {key!r} is not in the catalogue") from None
        text = pair[0] if self.lang == "zh" else pair[1]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in MESSAGES
