"""The CBAM installation form: its fields, and the form's values turned into an installation document
(the JSON of docs/cbam.md) — or into errors naming the field, the rule and the fix, as msgids so each
reader sees them in the language of the page.

The form holds what one page can: up to MAX_PROCESSES processes with one good each, MAX_SOURCES source
streams each attributed to one process, one PFC source (slope method), MAX_PRECURSORS precursors and one
carbon price. Larger installations upload the JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from footprint_engine.cbam import CbamError, classify_good, routes_for_category
from footprint_engine.cbam.export_xlsx import template_cn_codes
from supplier_portal.cbam_form_labels import (
    CARBON_INSTRUMENTS,
    DATA_QUALITY,
    N_,
    QUALITY_ASSURANCE,
    REBATE_TYPES,
    ROUTE_NAMES,
    SOURCE_KINDS,
)

__all__ = [
    "CARBON_INSTRUMENTS",
    "DATA_QUALITY",
    "MAX_PRECURSORS",
    "MAX_PROCESSES",
    "MAX_SOURCES",
    "N_",
    "QUALITY_ASSURANCE",
    "REBATE_TYPES",
    "ROUTE_NAMES",
    "SOURCE_KINDS",
    "FormResult",
    "document_from_form",
    "form_from_document",
]

MAX_PROCESSES = 3
MAX_SOURCES = 4
MAX_PRECURSORS = 4
UNITS = ("TJ", "t", "1000Nm3")


@dataclass
class FormResult:
    """The document built from the form, or the errors: field name → (msgid, params)."""

    document: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)

    def fail(self, name: str, msgid: str, **params: Any) -> None:
        self.errors.setdefault(name, (msgid, params))


def _text(form: Mapping[str, str], name: str) -> str:
    return " ".join(str(form.get(name, "")).split())


def _number(
    form: Mapping[str, str],
    name: str,
    out: FormResult,
    *,
    required: bool = False,
    low: float = 0.0,
    high: float = 1e12,
    label: str = "",
) -> float | None:
    raw = _text(form, name).replace(",", "")
    if not raw:
        if required:
            out.fail(name, N_("{label}: required — enter a number."), label=label)
        return None
    try:
        value = float(raw)
    except ValueError:
        out.fail(
            name,
            N_("{label}: “{value}” is not a number — enter digits, e.g. 1200.5."),
            label=label,
            value=raw,
        )
        return None
    if not math.isfinite(value) or not low <= value <= high:
        out.fail(
            name,
            N_("{label}: {value} is out of range — enter a value from {low} to {high}."),
            label=label,
            value=raw,
            low=f"{low:g}",
            high=f"{high:g}",
        )
        return None
    return value


def _date(form: Mapping[str, str], name: str, out: FormResult, label: str) -> str | None:
    raw = _text(form, name)
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        out.fail(name, N_("{label}: enter a date as YYYY-MM-DD."), label=label)
        return None


def _required(form: Mapping[str, str], name: str, out: FormResult, label: str, limit: int = 200) -> str:
    value = _text(form, name)
    if not value:
        out.fail(name, N_("{label}: required — fill it in."), label=label)
    elif len(value) > limit:
        out.fail(name, N_("{label}: at most {limit} characters."), label=label, limit=limit)
    return value


def _installation(form: Mapping[str, str], out: FormResult) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "installation_id": _required(form, "installation_id", out, N_("Installation ID"), 17),
        "name": _required(form, "name", out, N_("Installation name (English)"), 256),
        "operator_id": _required(form, "operator_id", out, N_("Operator ID"), 17),
        "operator_name": _required(form, "operator_name", out, N_("Operator name (English)"), 70),
        "city": _required(form, "city", out, N_("City"), 35),
        "country": "CN",
    }
    optional = (
        ("name_local", 256, N_("Installation name (Chinese)")),
        ("street", 70, N_("Street and number")),
        ("postcode", 17, N_("Postcode")),
        ("unlocode", 17, N_("UN/LOCODE")),
        ("economic_activity", 256, N_("Economic activity")),
    )
    for name, limit, label in optional:
        value = _text(form, name)
        if len(value) > limit:
            out.fail(name, N_("{label}: at most {limit} characters."), label=label, limit=limit)
        if value:
            doc[name] = value
    for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        coordinate = _number(form, name, out, low=low, high=high, label=N_("Coordinates"))
        if coordinate is not None:
            doc[name] = coordinate
    contact = {k: _text(form, f"contact_{k}") for k in ("name", "email", "phone")}
    if not all(contact.values()):
        out.fail("contact_name", N_("Contact person: name, email and telephone are all required."))
    elif "@" not in contact["email"]:
        out.fail("contact_email", N_("Email: “{value}” is not an email address."), value=contact["email"])
    else:
        doc["contact"] = contact
    start = _date(form, "reporting_period_start", out, N_("Reporting period start"))
    end = _date(form, "reporting_period_end", out, N_("Reporting period end"))
    if start and end:
        if end < start:
            out.fail(
                "reporting_period_end", N_("The reporting period ends before it starts — correct the dates.")
            )
        doc["reporting_period_start"], doc["reporting_period_end"] = start, end
    grid = _number(form, "grid_factor", out, required=True, high=5, label=N_("Grid emission factor"))
    grid_source = _required(form, "grid_source", out, N_("Source of the grid emission factor"), 500)
    if grid is not None:
        doc["grid_factor"] = {"value": grid, "source": grid_source}
    doc["data_quality"] = _text(form, "data_quality") if _text(form, "data_quality") in DATA_QUALITY else ""
    qa = _text(form, "quality_assurance")
    doc["quality_assurance"] = qa if qa in QUALITY_ASSURANCE else ""
    if form.get("verified"):
        verifier = {
            "company_name": _required(form, "verifier_company", out, N_("Verifier")),
            "city": _text(form, "verifier_city"),
            "accreditation_body": _text(form, "verifier_body"),
            "registration_number": _text(form, "verifier_number"),
        }
        doc["verified"] = True
        doc["verifier"] = {k: v for k, v in verifier.items() if v}
        if doc["quality_assurance"] not in ("", "Third-party verification"):
            out.fail(
                "quality_assurance", N_("Verified data come from third-party verification — choose it here.")
            )
    return {k: v for k, v in doc.items() if v != ""}


def _processes(form: Mapping[str, str], out: FormResult) -> list[dict[str, Any]]:
    processes: list[dict[str, Any]] = []
    known = template_cn_codes()
    for i in range(MAX_PROCESSES):
        p = f"p{i}_"
        if not _text(form, p + "id"):
            continue
        process_id = _required(form, p + "id", out, N_("Process ID"), 200)
        code = _text(form, p + "cn_code").replace(" ", "").replace(".", "")
        route = _text(form, p + "route") or None
        try:
            scope = classify_good(code)
        except CbamError:
            out.fail(
                p + "cn_code",
                N_(
                    "CN code “{value}” is not a CBAM good — enter the 8-digit CN code from the customs declaration (10 digits for clinker)."
                ),
                value=code,
            )
        else:
            if code[:8] not in known:
                out.fail(
                    p + "cn_code",
                    N_(
                        "CN code {value} is not in the Commission's template list — use the current 8-digit code."
                    ),
                    value=code[:8],
                )
            routes = [r.route for r in routes_for_category(scope.aggregated_goods_category)]
            if routes and route not in routes and not (code == "2523100090" or code == "2523100010"):
                out.fail(p + "route", N_("Production route: choose one for this CN code."))
            if not routes:
                route = None
        activity = _number(form, p + "activity_t", out, required=True, low=1e-9, label=N_("Production (t)"))
        to_eu = _number(form, p + "to_eu_t", out, label=N_("Shipped to the EU (t)"))
        mwh = _number(form, p + "mwh", out, label=N_("Electricity consumed (MWh)")) or 0.0
        good: dict[str, Any] = {
            "good_id": _text(form, p + "good_id") or f"{process_id}-good",
            "cn_code": code,
            "product_name": _text(form, p + "product_name"),
            "activity_level_t": activity,
        }
        if route:
            good["production_route"] = route
        if to_eu is not None:
            good["quantity_to_eu_t"] = to_eu
        processes.append(
            {
                "process_id": process_id,
                "name": _text(form, p + "name"),
                "electricity": [{"mwh": mwh}] if mwh else [],
                "precursors": [],
                "goods": [good],
            }
        )
    if not processes:
        out.fail("p0_id", N_("Enter at least one production process with its good."))
    return processes


def _process_of(
    form: Mapping[str, str], name: str, processes: list[dict[str, Any]], out: FormResult
) -> str | None:
    chosen = _text(form, name)
    ids = [p["process_id"] for p in processes]
    if chosen not in ids:
        out.fail(name, N_("Choose the production process it belongs to."))
        return None
    return chosen


def _sources(
    form: Mapping[str, str], processes: list[dict[str, Any]], out: FormResult
) -> list[dict[str, Any]]:
    sources: list[dict[str, Any]] = []
    for i in range(MAX_SOURCES):
        s = f"s{i}_"
        if not _text(form, s + "id"):
            continue
        kind = _text(form, s + "kind")
        if kind not in SOURCE_KINDS:
            out.fail(s + "kind", N_("Choose fuel combustion or process emissions."))
        process = _process_of(form, s + "process", processes, out)
        source: dict[str, Any] = {"source_id": _text(form, s + "id")[:200], "kind": kind}
        tco2e = _number(form, s + "tco2e", out, label=N_("Emissions (tCO2e)"))
        activity = _number(form, s + "activity", out, label=N_("Activity data"))
        factor = _number(form, s + "factor", out, high=1e6, label=N_("Emission factor"))
        if tco2e is not None and activity is not None:
            out.fail(
                s + "tco2e", N_("Give either the emissions or activity data × emission factor, not both.")
            )
        elif tco2e is not None:
            source["tco2e"] = tco2e
        elif activity is not None and factor is not None:
            unit = _text(form, s + "unit")
            factor_source = _text(form, s + "factor_source")
            if unit not in UNITS:
                out.fail(s + "unit", N_("Choose the unit of the activity data."))
            if not factor_source:
                out.fail(
                    s + "factor_source",
                    N_("Emission factor: name its source (e.g. GB/T 32151 table, lab report)."),
                )
            source.update(
                activity_data=activity,
                activity_unit=unit,
                emission_factor=factor,
                factor_source=factor_source,
            )
        else:
            out.fail(s + "activity", N_("Give the emissions, or the activity data with its emission factor."))
        if process:
            source["attribution"] = {process: 1.0}
        sources.append(source)
    return sources


def _pfc(form: Mapping[str, str], processes: list[dict[str, Any]], out: FormResult) -> dict[str, Any] | None:
    if not _text(form, "pfc_aluminium_t"):
        return None
    process = _process_of(form, "pfc_process", processes, out)
    slope = {
        "technology": _text(form, "pfc_technology") or "PFPB",
        "primary_aluminium_t": _number(
            form, "pfc_aluminium_t", out, required=True, low=1e-9, label=N_("Primary aluminium (t)")
        ),
        "anode_effect_frequency": _number(
            form, "pfc_frequency", out, required=True, label=N_("Anode effect frequency")
        ),
        "anode_effect_duration": _number(
            form, "pfc_duration", out, required=True, label=N_("Anode effect duration")
        ),
        "sef_cf4": _number(form, "pfc_sef", out, required=True, label=N_("Slope factor SEF(CF4)")),
        "f_c2f6": _number(form, "pfc_f_c2f6", out, required=True, high=1, label=N_("F(C2F6)")),
        "collection_efficiency": _number(
            form, "pfc_efficiency", out, required=True, low=1e-9, high=1, label=N_("Collection efficiency")
        ),
    }
    return {"source_id": "pfc", "kind": "pfc", "pfc_slope": slope, "attribution": {process or "": 1.0}}


def _precursors(form: Mapping[str, str], processes: list[dict[str, Any]], out: FormResult) -> None:
    by_id = {p["process_id"]: p for p in processes}
    for i in range(MAX_PRECURSORS):
        r = f"r{i}_"
        if not _text(form, r + "id"):
            continue
        process = _process_of(form, r + "process", processes, out)
        code = _text(form, r + "cn_code").replace(" ", "")
        try:
            classify_good(code)
        except CbamError:
            out.fail(
                r + "cn_code",
                N_(
                    "CN code “{value}” is not a CBAM good — enter the 8-digit CN code from the customs declaration (10 digits for clinker)."
                ),
                value=code,
            )
        mass = _number(form, r + "mass_t", out, required=True, label=N_("Mass consumed (t)"))
        precursor: dict[str, Any] = {
            "precursor_id": _text(form, r + "id")[:200],
            "cn_code": code,
            "mass_t": mass,
        }
        source = _text(form, r + "source")
        if source.startswith("own:"):
            precursor["from_process"] = source[4:]
            if source[4:] not in by_id or source[4:] == process:
                out.fail(
                    r + "source", N_("An in-house precursor comes from another process of this installation.")
                )
        elif source.startswith("footprint:"):
            precursor["supplier_footprint_id"] = source[len("footprint:") :]
            if _text(form, r + "route"):
                precursor["production_route"] = _text(form, r + "route")
        elif source == "default":
            precursor["country_of_origin"] = (_text(form, r + "country") or "CN").upper()[:2]
            if _text(form, r + "route"):
                precursor["production_route"] = _text(form, r + "route")
        else:
            out.fail(r + "source", N_("Choose where the precursor's emissions come from."))
        if process and process in by_id:
            by_id[process]["precursors"].append(precursor)
    for i, made_in in enumerate(processes):  # the engine's rule, said in the form's words
        mass = sum(float(pre["mass_t"] or 0) for pre in made_in["precursors"])
        made = sum(float(g["activity_level_t"] or 0) for g in made_in["goods"])
        if made and mass > made * 1.15 + 1e-9:
            out.fail(
                f"p{i}_activity_t",
                N_(
                    "Precursors of process {process}: {mass} t is more than 115 % of its production {made} t — check the masses and the period."
                ),
                process=made_in["process_id"],
                mass=f"{mass:g}",
                made=f"{made:g}",
            )


def _carbon_price(form: Mapping[str, str], out: FormResult) -> dict[str, Any] | None:
    instrument = _text(form, "cp_instrument")
    if not instrument:
        return None
    if instrument not in CARBON_INSTRUMENTS:
        out.fail("cp_instrument", N_("Choose the type of carbon pricing instrument."))
    rebate = _text(form, "cp_rebate_type") or "Free allocation"
    price = {
        "instrument_type": instrument,
        "legal_act": _text(form, "cp_legal_act")[:512],
        "currency": (_text(form, "cp_currency") or "CNY").upper()[:3],
        "price_per_tco2e": _number(form, "cp_price", out, required=True, label=N_("Carbon price per tCO2e")),
        "share_covered": _number(
            form, "cp_share", out, required=True, high=1, label=N_("Share covered (0–1)")
        ),
        "rebate_type": rebate if rebate in REBATE_TYPES else "Other",
        "rebate_share": _number(
            form, "cp_rebate_share", out, high=1, label=N_("Share covered by the rebate (0–1)")
        )
        or 0.0,
        "eur_per_currency_unit": _number(
            form, "cp_eur_rate", out, required=True, low=1e-9, high=1e4, label=N_("EUR per unit of currency")
        ),
    }
    return price


def document_from_form(form: Mapping[str, str]) -> FormResult:
    """(1) installation, contact, period, grid factor, verification; (2) processes and their goods; (3)
    source streams and PFC, each attributed to one process; (4) precursors: in-house, a supplier's shared
    footprint, or the EU default; (5) carbon price."""
    out = FormResult()
    doc = _installation(form, out)  # (1)
    processes = _processes(form, out)  # (2)
    sources = _sources(form, processes, out)  # (3)
    pfc = _pfc(form, processes, out)
    if pfc is not None:
        sources.append(pfc)
    _precursors(form, processes, out)  # (4)
    price = _carbon_price(form, out)  # (5)
    if price is not None:
        doc["carbon_price"] = price
    doc["processes"] = processes
    doc["direct_emissions"] = sources
    out.document = doc
    return out


def form_from_document(doc: Mapping[str, Any]) -> dict[str, str]:
    """Form values from a stored document (to edit a new version): what the form can show."""
    values: dict[str, str] = {}
    for key in (
        "installation_id",
        "name",
        "name_local",
        "operator_id",
        "operator_name",
        "street",
        "city",
        "postcode",
        "unlocode",
        "economic_activity",
        "latitude",
        "longitude",
        "reporting_period_start",
        "reporting_period_end",
        "data_quality",
        "quality_assurance",
    ):
        if doc.get(key) not in (None, ""):
            values[key] = str(doc[key])
    for key, value in (doc.get("contact") or {}).items():
        values[f"contact_{key}"] = str(value)
    grid = doc.get("grid_factor") or {}
    values["grid_factor"], values["grid_source"] = str(grid.get("value", "")), str(grid.get("source", ""))
    return values
