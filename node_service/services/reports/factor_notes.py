"""The factors a footprint used, as people read them in Chinese or English: name, id, version, source (with the
CPCD entry code and the note that CPCD rows come from a public transcription), the illustrative flag, the
geography and year fallbacks in sentences, and the account rule applied. One wording for the web page and the
study report (PDF); pure: the result's JSON in, rows of text out.

Fallback steps are rendered from data, never parsed from the engine's English sentences:

* steps the account rule recorded (``rules[].applied[].fallbacks``: ``{"kind", "from", "to", "reason"}``);
* for any other factor whose look-up fell back (it has English ``fallbacks`` but no recorded steps), the steps that
  the factor's own geography and year imply against the site's region and the reporting year, as many as the
  engine noted — the library's fallback chain (footprint_engine.factors.geography.parents) is the only way a
  factor of another geography is chosen by look-up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from footprint_engine.factors.geography import PROVINCE_GRID, REGION_NAMES, SPLIT_PROVINCE, parents
from node_service.services.reports.field_labels import field_label

__all__ = [
    "SOURCE_NAMES",
    "FactorNote",
    "factor_notes",
    "fallback_sentence",
    "region_name",
    "rule_notes",
]

Lang = Literal["zh", "en"]

#: Short names of the data sources (footprint_engine.factors.sources ids), in Chinese and English.
SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "mee-nbs-grid-co2": ("生态环境部、国家统计局 电力二氧化碳排放因子", "MEE & NBS electricity CO2 emission factors"),
    "mee-electricity-footprint": (
        "生态环境部、国家统计局、国家能源局 电力碳足迹因子",
        "MEE, NBS & NEA electricity carbon-footprint factors",
    ),
    "cpcd": ("中国产品全生命周期温室气体排放系数库（CPCD）", "China Products Carbon Footprint Factors Database (CPCD)"),
    "ipcc-2006": ("《2006年IPCC国家温室气体清单指南》", "2006 IPCC Guidelines for National GHG Inventories"),
    "ipcc-ar5": ("IPCC 第五次评估报告（AR5）", "IPCC Fifth Assessment Report (AR5)"),
    "ipcc-ar6": ("IPCC 第六次评估报告（AR6）", "IPCC Sixth Assessment Report (AR6)"),
    "gbt-2589-2020": ("GB/T 2589-2020《综合能耗计算通则》", "GB/T 2589-2020 comprehensive energy consumption"),
    "cn-ghg-guides": ("国家发展改革委 企业温室气体核算指南", "NDRC enterprise GHG accounting guidelines"),
    "international-industry": ("国际行业协会平均值（IAI、worldsteel 等）", "International industry averages (IAI, worldsteel …)"),
    "published-literature": ("公开发表的第三方数据", "Published third-party figures"),
    "illustrative": ("示例值（仅示意数量级）", "Illustrative values (order of magnitude only)"),
    "private": ("本机构自有因子", "The organisation's own factors"),
    "licensed-lci": ("授权生命周期数据库", "Licensed life-cycle inventory database"),
}  # fmt: skip

_T: dict[str, tuple[str, str]] = {
    "cpcd": ("CPCD 编号 {code}；公开转录，非 CPCD 登录站点原文", "CPCD entry {code}; from a public transcription, not the login-only CPCD site"),
    "cpcd_no_code": ("公开转录，非 CPCD 登录站点原文", "from a public transcription, not the login-only CPCD site"),
    "illustrative": ("示例值，仅作演示", "illustrative value, for demonstration only"),
    "private": ("不可转发（仅计算结果可对外）", "not redistributable (only computed figures leave its owner)"),
    # geography steps, by reason
    "no-provincial-footprint-factor": (
        "{from_name}（{from}）无{level}电力碳足迹因子，采用{to_name}因子（生态环境部仅发布全国电力碳足迹因子）",
        "{from_name} ({from}) has no {level} electricity carbon-footprint factor; the {to_name} factor is used "
        "(MEE publishes electricity carbon-footprint factors for China as a whole only)",
    ),
    "rule-prescribes-national-factor": (
        "{from_name}（{from}）：行业核算指南规定采用全国电网排放因子，采用{to_name}因子",
        "{from_name} ({from}): the sector guide prescribes the national grid factor; the {to_name} factor is used",
    ),
    "split-province": (
        "生态环境部、国家统计局对内蒙古只发布一个省级因子，{from_name}（{from}）采用{to_name}（{to}）因子",
        "MEE & NBS publish one factor for Inner Mongolia as a whole; {from_name} ({from}) takes the {to_name} "
        "({to}) factor",
    ),
    "geography": (
        "{from_name}（{from}）无该因子，采用{to_name}（{to}）因子",
        "no factor for {from_name} ({from}); the {to_name} ({to}) factor is used",
    ),
    # year steps, by reason
    "reporting-year-not-published": (
        "{from} 年因子尚未发布，采用最近的 {to} 年因子",
        "the {from} factor is not published; the nearest earlier year, {to}, is used",
    ),
    "no-earlier-year-published": (
        "{from} 年及以前均无发布值，采用最早的 {to} 年因子",
        "no factor is published for {from} or earlier; the earliest later year, {to}, is used",
    ),
    "year": ("无 {from} 年因子，采用 {to} 年因子", "no factor for {from}; the {to} factor is used"),
    # levels
    "provincial": ("省级", "provincial"),
    "regional": ("区域", "regional"),
    "national": ("全国", "national"),
    # rules
    "rule:product-footprint": (
        "产品碳足迹核算规则（GB/T 24067-2024）：电力采用生态环境部发布的全国电力碳足迹因子",
        "Product carbon footprint rule (GB/T 24067-2024): electricity takes MEE's national electricity "
        "carbon-footprint factors",
    ),
    "rule": ("核算规则：{id}", "Account rule: {id}"),
    "rule_followed": ("全部电网因子均符合该规则", "every grid factor is the one the rule prescribes"),
    "deviation:grid-basis-co2": (
        "按调用方要求采用电网二氧化碳排放因子（仅燃烧排放），不是 GB/T 24067 产品碳足迹",
        "computed on the grid CO2 basis at the caller's request: not a GB/T 24067 product footprint",
    ),
    "deviation:factor-id-given": (
        "{path}：活动数据自行指定了电网因子，未采用规则规定的因子",
        "{path}: the activity data names its own grid factor instead of the one the rule prescribes",
    ),
    "deviation:td-factor-missing": (
        "{path}：因子库缺少输配电碳足迹因子，经电网输送的绿电未计输配电环节",
        "{path}: the library lacks the transmission-and-distribution factor; grid-delivered green power is "
        "counted without it",
    ),
    "deviation": ("{path}：偏离核算规则（{code}）", "{path}: departs from the account rule ({code})"),
}  # fmt: skip


def _t(key: str, lang: Lang, **values: Any) -> str:
    zh, en = _T[key]
    text = zh if lang == "zh" else en
    return text.format(**values) if values else text


def region_name(code: str, lang: Lang) -> str:
    """``CN-YN`` → 云南 / Yunnan; a code without a name stays as it is."""
    names = REGION_NAMES.get(code)
    return code if names is None else names[0 if lang == "zh" else 1]


def _level(code: str) -> str:
    if code in SPLIT_PROVINCE or (code in PROVINCE_GRID and code not in PROVINCE_GRID.values()):
        return "provincial"
    return "regional" if code in set(PROVINCE_GRID.values()) else "national"


def fallback_sentence(step: Mapping[str, Any], lang: Lang) -> str:
    """One fallback step (``{"kind", "from", "to", "reason"}``) as a sentence in ``lang``."""
    origin, target, reason = str(step.get("from", "")), str(step.get("to", "")), str(step.get("reason", ""))
    if step.get("kind") == "year":
        key = reason if reason in ("reporting-year-not-published", "no-earlier-year-published") else "year"
        return _t(key, lang, **{"from": origin, "to": target})
    values = {
        "from": origin,
        "to": target,
        "from_name": region_name(origin, lang),
        "to_name": region_name(target, lang),
        "level": _t(_level(origin), lang),
    }
    if reason in ("no-provincial-footprint-factor", "rule-prescribes-national-factor"):
        return _t(reason, lang, **values)
    if SPLIT_PROVINCE.get(origin) == target:
        return _t("split-province", lang, **values)
    return _t("geography", lang, **values)


@dataclass(frozen=True)
class FactorNote:
    """One factor used, ready to print."""

    id: str
    name: str
    version: str
    source: str
    notes: tuple[str, ...]  # CPCD code and transcription, illustrative, not redistributable
    illustrative: bool
    geography: str
    year: str
    unit: str
    used_by: tuple[str, ...]  # the inputs, as the form names them (field_labels)
    fallbacks: tuple[str, ...] = field(default_factory=tuple)


def _recorded_steps(result: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Fallback steps the account rules recorded, by factor id (each step once)."""
    steps: dict[str, list[dict[str, Any]]] = {}
    for rule in result.get("rules") or []:
        for applied in rule.get("applied") or []:
            found = steps.setdefault(str(applied.get("factorId")), [])
            for step in applied.get("fallbacks") or []:
                if step not in found:
                    found.append(dict(step))
    return steps


def _implied_steps(factor: Mapping[str, Any], result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The steps a look-up that fell back took (module docstring): a year step when the factor's year is not the
    reporting year, and a geography step from the site's region to the factor's geography when the engine noted
    more steps than that (a factor looked up for another geography, e.g. transport for GLO, notes none)."""
    steps: list[dict[str, Any]] = []
    noted = len(factor.get("fallbacks") or [])
    period_end = str(result.get("reportingPeriodEnd") or "")[:4]
    year = factor.get("year")
    if year is not None and period_end.isdigit() and int(year) != int(period_end):
        steps.append({"kind": "year", "from": period_end, "to": str(year), "reason": ""})
    site = str(result.get("geography") or "")
    geography = str(factor.get("geography") or "")
    if noted > len(steps) and site and geography != site and geography in parents(site):
        steps.insert(0, {"kind": "geography", "from": site, "to": geography, "reason": ""})
    return steps


def factor_notes(result: Mapping[str, Any], lang: Lang) -> list[FactorNote]:
    """Every factor of ``result`` (the engine's result JSON, camelCase) as :class:`FactorNote` in ``lang``."""
    recorded = _recorded_steps(result)
    out = []
    for f in result.get("factors") or []:
        fid = str(f.get("id"))
        names = (f.get("nameZh"), f.get("nameEn")) if lang == "zh" else (f.get("nameEn"), f.get("nameZh"))
        source_id = f.get("sourceId")
        source = SOURCE_NAMES[source_id][0 if lang == "zh" else 1] if source_id in SOURCE_NAMES else None
        notes: list[str] = []
        if source_id == "cpcd" or f.get("cpcdCode"):
            code = f.get("cpcdCode")
            notes.append(_t("cpcd", lang, code=code) if code else _t("cpcd_no_code", lang))
        if f.get("illustrative"):
            notes.append(_t("illustrative", lang))
        if f.get("redistributable") is False:
            notes.append(_t("private", lang))
        steps = recorded.get(fid) or (_implied_steps(f, result) if f.get("fallbacks") else [])
        out.append(
            FactorNote(
                id=fid,
                name=str(next((n for n in names if n), fid)),
                version=str(f.get("version") or "–"),
                source=source or (str(f.get("source") or "–") if lang == "en" else "–"),
                notes=tuple(notes),
                illustrative=bool(f.get("illustrative")),
                geography=str(f.get("geography") or "–"),
                year=str(f.get("year") or "–"),
                unit=str(f.get("unit") or ""),
                used_by=tuple(field_label(str(u), lang) for u in f.get("usedBy") or ()),
                fallbacks=tuple(fallback_sentence(s, lang) for s in steps),
            )
        )
    return out


def rule_notes(result: Mapping[str, Any], lang: Lang) -> list[str]:
    """The account rules of ``result`` in sentences: which rule, whether it was followed, each deviation."""
    lines: list[str] = []
    rules: Sequence[Mapping[str, Any]] = result.get("rules") or []
    for rule in rules:
        rid = str(rule.get("id"))
        key = f"rule:{rid}"
        lines.append(_t(key, lang) if key in _T else _t("rule", lang, id=rid))
        if rule.get("followed"):
            lines.append(_t("rule_followed", lang))
        for d in rule.get("deviations") or []:
            code, path = str(d.get("code")), str(d.get("path") or "")
            dkey = f"deviation:{code}"
            where = field_label(path, lang) if path else ""
            lines.append(_t(dkey if dkey in _T else "deviation", lang, code=code, path=where))
    return lines
