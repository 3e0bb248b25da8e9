"""The review step: exactly what will be signed, as the tables a practitioner reads (pure: credential in, rows out).

Everything here is read from the unsigned credential's ``credentialSubject`` (the activity-data document), the
same JSON the page's script signs: one section per kind of input (原材料, 包装, 电力 with its 绿证/绿电 claims under
their electricity row, 燃料, 热力, 运输, 过程排放, 废弃物), each row with its name, amount, unit (Chinese names on
Chinese pages), data type, emission factor and 佐证材料, and totals where adding up means something (electricity
in kWh and MWh and the green power claimed, fuel amounts per fuel and unit, tonne-kilometres, process gases per
gas, waste tonnes). The dry run's preview adds the factor each input will use and the footprint per declared
unit. :func:`subject_sha256` is the SHA-256 of the RFC 8785 form of the ``credentialSubject``: the page shows it
and the page's script refuses to sign a document whose hash differs.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from footprint_engine.units import conversion_factor
from node_service.credentials.jcs import canonicalize
from node_service.services.reports.factor_notes import FactorNote, region_name
from supplier_portal.footprint_view import factors_used

__all__ = [
    "SECTIONS",
    "ClaimRow",
    "FactorRef",
    "Review",
    "ReviewRow",
    "ReviewSection",
    "Total",
    "build_review",
    "format_amount",
    "subject_sha256",
    "unit_name",
]

Translate = Callable[[str], str]


def N_(message: str) -> str:
    return message


#: the document's input lists, in the order a practitioner reads them, with their section titles (msgids)
SECTIONS: tuple[tuple[str, str], ...] = (
    ("materials", N_("Materials")),
    ("packaging", N_("Packaging")),
    ("electricity", N_("Electricity")),
    ("fuels", N_("Fuels")),
    ("heat", N_("Heat")),
    ("transport", N_("Transport")),
    ("processEmissions", N_("Process emissions")),
    ("waste", N_("Waste")),
)
#: the schema's default data source per list (footprint_engine.activity_inputs): shown as "(default)"
_DEFAULT_SOURCE = {"processEmissions": "primary"}
_DATA_SOURCE = {"primary": N_("primary"), "secondary": N_("secondary")}
#: codes of the document, worded for people (msgids); a code not listed is shown as it is
CODE_LABELS: dict[str, str] = {
    # transport modes
    "road-truck": N_("road freight (truck)"),
    "rail": N_("rail freight"),
    "sea-container": N_("sea freight (container ship)"),
    "sea-bulk": N_("sea freight (bulk carrier)"),
    "inland-waterway": N_("inland waterway freight"),
    "air": N_("air freight"),
    # waste treatment
    "landfill": N_("landfill"),
    "incineration": N_("incineration"),
    "incineration-energy-recovery": N_("incineration with energy recovery"),
    "recycling": N_("recycling"),
    "composting": N_("composting"),
    "hazardous": N_("hazardous waste"),
    "general": N_("general waste"),
    # heat carriers
    "steam": N_("steam"),
    "hot-water": N_("hot water"),
    "heat": N_("heat"),
    # fuels (the factor library's keys most used)
    "natural_gas": N_("natural gas"),
    "diesel": N_("diesel"),
    "gasoline": N_("gasoline"),
    "raw_coal": N_("raw coal"),
    "coke": N_("coke"),
    "fuel_oil": N_("fuel oil"),
    "lpg": N_("liquefied petroleum gas"),
    # generation types of green power
    "hydro": N_("hydropower"),
    "wind": N_("wind power"),
    "pv": N_("solar PV"),
    "biomass": N_("biomass power"),
    "nuclear": N_("nuclear power"),
    "geothermal": N_("geothermal power"),
    # origin of a process gas
    "fossil": N_("fossil"),
    "biogenic": N_("biogenic"),
    "biogenic-removal": N_("biogenic removal"),
    "dluc": N_("direct land-use change"),
    # delivery of contracted green power
    "grid": N_("over the grid"),
    "direct-line": N_("direct line"),
}
#: units people read in English (the engine's symbols where they differ)
_UNIT_SYMBOLS = {"m3": "m³", "Nm3": "Nm³", "m^2": "m²", "piece": "pieces", "tkm": "t·km"}
#: the unit each kind of total is given in, per dimension
_TOTAL_UNITS = {"mass": "t", "energy": "MWh", "volume": "m3", "count": "piece", "length": "km"}


#: the engine's units as Chinese practitioners write them (the names footprint_engine's unit table reads back)
_ZH_UNITS = {
    "t": "吨", "kg": "千克", "g": "克", "kWh": "千瓦时", "MWh": "兆瓦时", "GWh": "吉瓦时", "kJ": "千焦", "MJ": "兆焦",
    "GJ": "吉焦", "TJ": "太焦", "m3": "立方米", "Nm3": "标准立方米", "L": "升", "kL": "千升", "m^2": "平方米",
    "km": "千米", "piece": "件", "tkm": "吨公里", "tce": "吨标准煤", "kgce": "千克标准煤",
}  # fmt: skip


def unit_name(unit: str, locale: str) -> str:
    """``t`` → 吨 on Chinese pages, t on English ones; a unit without a Chinese name stays as written."""
    if locale != "en":
        return _ZH_UNITS.get(unit, unit)
    return _UNIT_SYMBOLS.get(unit, unit)


def format_amount(value: Any) -> str:
    """An amount as people read it: thousands separated, no needless decimals (192,000; 0.4; 1,350,000.5)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return "—" if value is None else str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text if text not in ("0", "-0") else f"{value:.3g}"


def subject_sha256(credential: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the RFC 8785 canonical form of the credential's ``credentialSubject``."""
    return hashlib.sha256(canonicalize(credential["credentialSubject"])).hexdigest()


@dataclass(frozen=True)
class FactorRef:
    """The emission factor an input will use: name in the page's language, id and source."""

    id: str
    name: str
    source: str
    explicit: bool  # named by the activity data (factorId), not chosen by the engine's look-up


@dataclass(frozen=True)
class ClaimRow:
    """A green-power claim under its electricity row: a GEC (绿证) serial or a green-power contract (绿电交易)."""

    kind: str  # "gec" | "green-power-contract" | another type, as written
    label: str  # 绿证 / 绿电交易
    reference: str  # the serial or the contract id
    mwh: float | None
    details: tuple[str, ...]
    factors: tuple[FactorRef, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ReviewRow:
    path: str  # inputs.materials[0]: where the row is in the document (and in the dry run's usedBy)
    id: str
    name: str
    details: tuple[str, ...]  # identifier, fuel, grid region, mode and distance … in the page's language
    amount: str
    unit: str
    data_type: str
    factors: tuple[FactorRef, ...]
    evidence: tuple[str, ...]
    claims: tuple[ClaimRow, ...] = ()


@dataclass(frozen=True)
class Total:
    label: str
    amount: str
    unit: str


@dataclass(frozen=True)
class ReviewSection:
    key: str  # the document's list name
    title: str
    rows: tuple[ReviewRow, ...]
    totals: tuple[Total, ...]


@dataclass(frozen=True)
class Review:
    header: tuple[tuple[str, str], ...]  # (label, value) of the product, period, site …
    sections: tuple[ReviewSection, ...]
    totals: tuple[Total, ...]  # over the whole document
    row_count: int  # input rows (claims not counted)
    claim_count: int
    document_evidence: tuple[str, ...]
    subject_sha256: str
    declared_unit: str  # in the page's language
    used: dict[str, list[Any]] = field(default_factory=dict)  # footprint_view.factors_used of the preview


# --- building -------------------------------------------------------------------------------------------------


def build_review(
    credential: Mapping[str, Any],
    preview: Mapping[str, Any] | None,
    _: Translate,
    locale: str,
    product_name: str | None = None,
) -> Review:
    """The review tables of the unsigned ``credential`` (its ``credentialSubject`` is the activity data) and
    the dry run's ``preview`` (or None), worded with ``_`` in ``locale``."""
    subject: Mapping[str, Any] = credential["credentialSubject"]
    used = factors_used(preview, locale)
    by_path = _factors_by_path(preview, used["factors"])
    inputs: Mapping[str, Any] = subject.get("inputs") or {}
    known = [name for name, _title in SECTIONS]
    lists = [(name, title) for name, title in SECTIONS if inputs.get(name)]
    lists += [
        (name, name) for name in inputs if name not in known and inputs.get(name)
    ]  # shown, never dropped
    materials = {  # input id -> name, for the transport legs that carry them
        str(m.get("id")): str(m.get("name") or m.get("id"))
        for m in [*(inputs.get("materials") or ()), *(inputs.get("packaging") or ())]
        if isinstance(m, Mapping)
    }
    sections = []
    for name, title in lists:
        rows = tuple(
            _row(name, i, item, by_path, materials, _, locale)
            for i, item in enumerate(inputs[name])
            if isinstance(item, Mapping)
        )
        sections.append(ReviewSection(name, _(title), rows, _section_totals(name, inputs[name], _, locale)))
    declared = str(subject.get("declaredUnit") or "")
    produced = (subject.get("producedQuantity") or {}).get("amount")
    return Review(
        header=_header(subject, _, locale, product_name),
        sections=tuple(sections),
        totals=_overall_totals(preview, declared, produced, _, locale),
        row_count=sum(len(s.rows) for s in sections),
        claim_count=sum(len(r.claims) for s in sections for r in s.rows),
        document_evidence=tuple(str(c) for c in subject.get("evidence") or ()),
        subject_sha256=subject_sha256(credential),
        declared_unit=unit_name(declared, locale),
        used=used,
    )


def _header(
    subject: Mapping[str, Any], _: Translate, locale: str, product_name: str | None
) -> tuple[tuple[str, str], ...]:
    period = subject.get("reportingPeriod") or {}
    site = subject.get("site") or {}
    region = str(site.get("gridRegion") or "")
    lang: Literal["zh", "en"] = "en" if locale == "en" else "zh"
    produced = subject.get("producedQuantity") or {}
    name = product_name or str(subject.get("productName") or "")
    rows = [
        (
            _("Product"),
            f"{name} ({subject.get('productIdentifier', '')})"
            if name
            else str(subject.get("productIdentifier", "")),
        ),
        (_("Reporting period"), f"{period.get('start', '')} – {period.get('end', '')}"),
        (_("Site"), str(site.get("name") or "—")),
        (_("Grid region"), f"{region_name(region, lang)} ({region})" if region else "—"),
        (
            _("Quantity produced"),
            f"{format_amount(produced.get('amount'))} {unit_name(str(produced.get('unit') or subject.get('declaredUnit') or ''), locale)}",
        ),
        (_("Organisation"), str((subject.get("organisation") or {}).get("id") or "—")),
    ]
    if subject.get("comment"):
        rows.append((_("Comment"), str(subject["comment"])))
    return tuple(rows)


def _factors_by_path(
    preview: Mapping[str, Any] | None, notes: list[FactorNote]
) -> dict[str, list[FactorNote]]:
    """The factors the dry run used (worded as ``notes``), by the input path that used them (the preview's
    ``usedBy`` paths; a claim's path counts for its input)."""
    worded = {note.id: note for note in notes}
    out: dict[str, list[FactorNote]] = {}
    for factor in (preview or {}).get("factors") or ():
        note = worded.get(str(factor.get("id")))
        if note is None:
            continue
        for path in factor.get("usedBy") or ():
            match = re.match(
                r"(?:credentialSubject\.)?(inputs\.\w+\[\d+\](?:\.greenPowerClaims\[\d+\])?)", str(path)
            )
            if match:
                found = out.setdefault(match[1], [])
                if note not in found:
                    found.append(note)
    return out


def _label(code: Any, _: Translate) -> str:
    text = str(code or "")
    return _(CODE_LABELS[text]) if text in CODE_LABELS else text


def _row(
    list_name: str,
    index: int,
    item: Mapping[str, Any],
    by_path: dict[str, list[FactorNote]],
    materials: Mapping[str, str],
    _: Translate,
    locale: str,
) -> ReviewRow:
    path = f"inputs.{list_name}[{index}]"
    details: list[str] = []
    if list_name == "transport":
        mass = item.get("mass") or {}
        distance = item.get("distance") or {}
        amount, unit = mass.get("amount"), str(mass.get("unit") or "")
        name = materials.get(str(item.get("material") or ""), str(item.get("material") or ""))
        details.append(_label(item.get("mode"), _))
        details.append(
            _("distance {amount} {unit}").format(
                amount=format_amount(distance.get("amount")),
                unit=unit_name(str(distance.get("unit") or ""), locale),
            )
        )
        work = _tkm(item)
        if work is not None:
            details.append(_("{amount} t·km").format(amount=format_amount(work)))
    else:
        amount, unit = item.get("amount"), str(item.get("unit") or "")
        name = str(item.get("name") or "")
        if list_name == "materials":
            details.append(str(item.get("identifier") or ""))
        elif list_name == "packaging":
            details.append(str(item.get("material") or ""))
        elif list_name == "fuels":
            details.append(_label(item.get("fuel"), _))
        elif list_name == "electricity" and item.get("gridRegion"):
            region = str(item["gridRegion"])
            details.append(f"{region_name(region, 'en' if locale == 'en' else 'zh')} ({region})")
        elif list_name == "heat":
            details.append(_label(item.get("carrier"), _))
        elif list_name == "processEmissions":
            details.append(f"{item.get('gas', '')} · {_label(item.get('origin') or 'fossil', _)}")
        elif list_name == "waste":
            details.append(_label(item.get("treatment"), _))
            if item.get("wasteType"):
                details.append(_label(item["wasteType"], _))
    source = item.get("dataSource")
    default = source is None
    source = str(source or _DEFAULT_SOURCE.get(list_name, "secondary"))
    data_type = _(_DATA_SOURCE[source]) if source in _DATA_SOURCE else source
    if default:
        data_type = _("{value} (default)").format(value=data_type)
    explicit = str(item.get("factorId") or "")
    factors = [FactorRef(n.id, n.name, n.source, n.id == explicit) for n in by_path.get(path, [])]
    if explicit and not any(f.explicit for f in factors):
        factors.insert(0, FactorRef(explicit, explicit, "—", True))
    return ReviewRow(
        path=path,
        id=str(item.get("id") or ""),
        name=name or str(item.get("id") or ""),
        details=tuple(d for d in details if d),
        amount=format_amount(amount),
        unit=unit_name(unit, locale),
        data_type=data_type,
        factors=tuple(factors),
        evidence=tuple(str(c) for c in item.get("evidence") or ()),
        claims=tuple(
            _claim(c, by_path.get(f"{path}.greenPowerClaims[{n}]", []), _)
            for n, c in enumerate(item.get("greenPowerClaims") or ())
            if isinstance(c, Mapping)
        ),
    )


def _claim(claim: Mapping[str, Any], notes: list[FactorNote], _: Translate) -> ClaimRow:
    kind = str(claim.get("type") or "gec")
    mwh = claim.get("quantityMWh")
    details: list[str] = [_label(claim.get("generationType"), _)]
    if kind == "gec":
        label, reference = _("GEC"), str(claim.get("serial") or "")
        details.append(_("produced {date}").format(date=claim.get("productionDate", "")))
        cancellation = claim.get("cancellation") or {}
        if cancellation:
            details.append(
                _("cancelled {date} for {claimant}").format(
                    date=cancellation.get("date", ""), claimant=cancellation.get("claimant", "")
                )
            )
    else:
        label, reference = _("Green-power contract"), str(claim.get("contractId") or "")
        details.append(
            _("delivered {start} – {end}").format(
                start=claim.get("deliveryStart", ""), end=claim.get("deliveryEnd", "")
            )
        )
        details.append(_label(claim.get("delivery") or "grid", _))
        if claim.get("bundledGecSerials"):
            details.append(_("{n} bundled GEC serials").format(n=len(claim["bundledGecSerials"])))
    return ClaimRow(
        kind=kind,
        label=label,
        reference=reference,
        mwh=float(mwh) if isinstance(mwh, int | float) and not isinstance(mwh, bool) else None,
        details=tuple(d for d in details if d),
        factors=tuple(FactorRef(n.id, n.name, n.source, False) for n in notes),
        evidence=tuple(str(c) for c in claim.get("evidence") or ()),
    )


# --- totals ---------------------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _convert(amount: Any, unit: str, target: str) -> float | None:
    number = _number(amount)
    if number is None:
        return None
    try:
        return number * conversion_factor(unit, target)
    except Exception:  # pint raises several kinds; a unit it cannot convert is left out of a total
        return None


def _tkm(item: Mapping[str, Any]) -> float | None:
    mass = item.get("mass") or {}
    distance = item.get("distance") or {}
    tonnes = _convert(mass.get("amount"), str(mass.get("unit") or ""), "t")
    km = _convert(distance.get("amount"), str(distance.get("unit") or ""), "km")
    return None if tonnes is None or km is None else tonnes * km


def _sum_by_unit(items: list[Mapping[str, Any]], targets: tuple[str, ...]) -> list[tuple[str, float]]:
    """Sums of the items' amounts, each converted to the first of ``targets`` its unit converts to."""
    sums: dict[str, float] = {}
    for item in items:
        for target in targets:
            value = _convert(item.get("amount"), str(item.get("unit") or ""), target)
            if value is not None:
                sums[target] = sums.get(target, 0.0) + value
                break
    return list(sums.items())


def _section_totals(list_name: str, items: list[Any], _: Translate, locale: str) -> tuple[Total, ...]:
    rows = [i for i in items if isinstance(i, Mapping)]
    total = _("Total")
    out: list[Total] = []
    if list_name == "electricity":
        mwh = sum(_convert(i.get("amount"), str(i.get("unit") or ""), "MWh") or 0.0 for i in rows)
        claimed = sum(
            _number(c.get("quantityMWh")) or 0.0
            for i in rows
            for c in i.get("greenPowerClaims") or ()
            if isinstance(c, Mapping)
        )
        out.append(
            Total(_("Electricity consumed"), format_amount(round(mwh * 1000, 6)), unit_name("kWh", locale))
        )
        out.append(Total(_("Electricity consumed"), format_amount(round(mwh, 6)), unit_name("MWh", locale)))
        out.append(
            Total(
                _("Green power claimed (GEC and contracts)"),
                format_amount(round(claimed, 6)),
                unit_name("MWh", locale),
            )
        )
        if mwh > 0:
            out.append(Total(_("Share of green power"), format_amount(round(100 * claimed / mwh, 1)), "%"))
            out.append(
                Total(
                    _("Grid electricity (not covered)"),
                    format_amount(round(mwh - claimed, 6)),
                    unit_name("MWh", locale),
                )
            )
    elif list_name == "fuels":
        fuels: dict[str, list[Mapping[str, Any]]] = {}
        for i in rows:
            fuels.setdefault(str(i.get("fuel") or ""), []).append(i)
        for fuel, group in fuels.items():
            units = {str(i.get("unit") or "") for i in group}
            if len(units) == 1:  # one fuel in one unit: its amount as written
                unit = units.pop()
                amount = sum(_number(i.get("amount")) or 0.0 for i in group)
                out.append(
                    Total(
                        _("Total: {what}").format(what=_label(fuel, _)),
                        format_amount(round(amount, 6)),
                        unit_name(unit, locale),
                    )
                )
            else:
                for unit, amount in _sum_by_unit(group, ("t", "m3", "GJ", "tce")):
                    out.append(
                        Total(
                            _("Total: {what}").format(what=_label(fuel, _)),
                            format_amount(round(amount, 6)),
                            unit_name(unit, locale),
                        )
                    )
    elif list_name == "transport":
        work = [_tkm(i) for i in rows]
        out.append(
            Total(
                _("Transport work"),
                format_amount(round(sum(w or 0.0 for w in work), 6)),
                unit_name("tkm", locale),
            )
        )
    elif list_name == "processEmissions":
        gases: dict[str, float] = {}
        for i in rows:
            value = _convert(i.get("amount"), str(i.get("unit") or ""), "t")
            if value is not None:
                gas = str(i.get("gas") or "")
                gases[gas] = gases.get(gas, 0.0) + value
        out.extend(
            Total(_("Total: {what}").format(what=gas), format_amount(round(t, 6)), unit_name("t", locale))
            for gas, t in gases.items()
        )
    else:
        targets = ("GJ",) if list_name == "heat" else tuple(_TOTAL_UNITS.values())
        for unit, amount in _sum_by_unit(rows, targets):
            out.append(Total(total, format_amount(round(amount, 6)), unit_name(unit, locale)))
    return tuple(out)


def _overall_totals(
    preview: Mapping[str, Any] | None, declared: str, produced: Any, _: Translate, locale: str
) -> tuple[Total, ...]:
    if not preview:
        return ()
    per_unit = _number(preview.get("totalKgCO2ePerDeclaredUnit"))
    if per_unit is None:
        return ()
    unit = unit_name(str(preview.get("declaredUnit") or declared), locale)
    out = [
        Total(_("Carbon footprint per declared unit"), format_amount(round(per_unit, 2)), f"kgCO2e/{unit}")
    ]
    amount = _number(produced)
    if amount is not None:
        out.append(
            Total(
                _("Carbon footprint of the period's production"),
                format_amount(round(per_unit * amount / 1000, 2)),
                "tCO2e",
            )
        )
    share = _number(preview.get("primaryDataShare"))
    if share is not None:
        out.append(Total(_("Primary data share"), format_amount(round(share, 1)), "%"))
    return tuple(out)
