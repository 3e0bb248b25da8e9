"""XML of a communication for importers' systems that ingest installation data: per good, the
Commission's `CommodityCode` and `GoodsEmissions` (namespace CBAM_NAMESPACE, types of QReport_17.03.xsd:
installation operator, installation, produced measure, installation emissions, direct and indirect
emissions, production method, carbon price due, remarks), in an envelope of ours that adds the
reporting period, the verification status and the receipts of the data behind the figures.

It is not the importer's own CBAM declaration (QReport / annual declaration): that carries the
importer's customs data, which an installation does not have. Code-list values come from
data/xml_code_lists.csv, each with its status (seen in the Commission's public sample, or assumed).
"""

from __future__ import annotations

import csv
import functools
import xml.etree.ElementTree as ET
from decimal import Decimal

import rfc8785

from footprint_engine.cbam.communication import verification_statement
from footprint_engine.cbam.errors import CbamInputError
from footprint_engine.cbam.results import CarbonPriceResult, Communication, GoodResult, ProcessResult
from footprint_engine.cbam.template_wording import template_category, template_route
from footprint_engine.cbam.workbook_layout import DATA_DIR, TEMPLATE_VERSION
from footprint_engine.cbam.xml_schema import validate_communication_xml

__all__ = ["CBAM_NAMESPACE", "XML_NAMESPACE", "code_list", "communication_to_xml"]

CBAM_NAMESPACE = "http://xmlns.ec.eu/BusinessObjects/CBAM/Types/V1"
XML_NAMESPACE = "urn:tanlian:cbam:communication:2"
_C = f"{{{CBAM_NAMESPACE}}}"
_T = f"{{{XML_NAMESPACE}}}"
ET.register_namespace("", XML_NAMESPACE)
ET.register_namespace("cbam", CBAM_NAMESPACE)


@functools.cache
def code_list() -> dict[tuple[str, str], str]:
    """(list, our value) → code, from data/xml_code_lists.csv."""
    text = (DATA_DIR / "xml_code_lists.csv").read_text(encoding="utf-8")
    return {(row["list"], row["our_value"]): row["code"] for row in csv.DictReader(text.splitlines())}


def _code(kind: str, value: str) -> str:
    codes = code_list()
    return codes.get((kind, value)) or codes[(kind, "*")]


def _dec(value: float, places: int) -> str:
    """A decimal with at most `places` fraction digits, no exponent, no trailing zeros."""
    text = format(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(value: str, limit: int) -> str:
    """an..N: at least one character, at most `limit`."""
    value = " ".join(value.split())
    return (value or "-")[:limit]


def _sub(parent: ET.Element, tag: str, text: str | None = None, ns: str = _C) -> ET.Element:
    child = ET.SubElement(parent, ns + tag)
    if text is not None:
        child.text = text
    return child


def _exchange_rate(rate: float) -> str:
    """ExchangeRate is an..5: the rate with as many digits as fit in five characters."""
    for places in range(4, -1, -1):
        text = _dec(rate, places)
        if len(text) <= 5 and Decimal(text) != 0:
            return text
    raise CbamInputError(f"exchange rate {rate} cannot be written in 5 characters — give it in EUR per unit")


def _require(c: Communication) -> None:
    inst = c.installation
    missing = [
        name
        for name, value in (
            ("operator_id", inst.operator_id),
            ("city", inst.city),
            ("contact (name, email, phone)", inst.contact),
        )
        if not value
    ]
    if missing:
        raise CbamInputError(
            f"XML: installation {inst.installation_id!r} lacks {', '.join(missing)} — the Commission's "
            "InstallationOperator type requires OperatorId, City and ContactDetails; fill them in"
        )
    for g in c.goods:
        if g.carbon_price is not None and g.carbon_price.eur_per_currency_unit is None:
            raise CbamInputError(
                f"XML: good {g.good_id!r} has a carbon price without an exchange rate — CarbonPriceDue requires "
                "ExchangeRate and the amount in EUR; give eur_per_currency_unit"
            )


def _operator(ge: ET.Element, c: Communication) -> None:
    inst = c.installation
    op = _sub(ge, "InstallationOperator")
    _sub(op, "OperatorId", _text(inst.operator_id, 17))
    _sub(op, "OperatorName", _text(inst.operator_name or inst.name, 70))
    address = _sub(op, "OperatorAddress")
    _sub(address, "Country", inst.country)
    _sub(address, "City", _text(inst.city, 35))
    if inst.street:
        _sub(address, "Street", _text(inst.street, 70))
    if inst.postcode:
        _sub(address, "Postcode", _text(inst.postcode, 17))
    assert inst.contact is not None
    contact = _sub(op, "ContactDetails")
    _sub(contact, "Name", _text(inst.contact.name, 70))
    _sub(contact, "Phone", _text(inst.contact.phone, 35))
    _sub(contact, "Email", _text(inst.contact.email, 256))


def _installation(ge: ET.Element, c: Communication) -> None:
    inst = c.installation
    el = _sub(ge, "Installation")
    _sub(el, "InstallationId", _text(inst.installation_id, 17))
    _sub(el, "InstallationName", _text(inst.name, 256))
    if inst.economic_activity:
        _sub(el, "EconomicActivity", _text(inst.economic_activity, 256))
    address = _sub(el, "Address")
    _sub(address, "EstablishmentCountry", inst.country)
    _sub(address, "City", _text(inst.city, 35))
    if inst.street:
        _sub(address, "Street", _text(inst.street, 70))
    if inst.postcode:
        _sub(address, "Postcode", _text(inst.postcode, 17))
    if inst.po_box:
        _sub(address, "POBox", _text(inst.po_box, 70))
    if inst.unlocode:
        _sub(address, "UNLOCODE", _text(inst.unlocode, 17))
    if inst.latitude is not None and inst.longitude is not None:
        _sub(address, "Latitude", _dec(inst.latitude, 7))
        _sub(address, "Longitude", _dec(inst.longitude, 7))


def _electricity_basis(process: ProcessResult) -> str:
    bases = {line.basis for line in process.electricity}
    return bases.pop() if len(bases) == 1 else "grid"


def _carbon_price(ge: ET.Element, c: Communication, good: GoodResult, cp: CarbonPriceResult) -> None:
    assert cp.eur_per_currency_unit is not None
    amount = cp.effective_price_per_t * good.activity_level_t
    el = _sub(ge, "CarbonPriceDue")
    _sub(el, "SequenceNumber", "1")
    _sub(el, "InstrumentType", _code("InstrumentType", cp.instrument_type))
    _sub(el, "LegalActDescription", _text(cp.legal_act or cp.instrument_type, 512))
    _sub(el, "Amount", _dec(amount, 2))
    _sub(el, "Currency", cp.currency)
    _sub(el, "ExchangeRate", _exchange_rate(cp.eur_per_currency_unit))
    _sub(el, "EURO", _dec(amount * cp.eur_per_currency_unit, 2))
    _sub(el, "Country", c.installation.country)


def _goods_emissions(parent: ET.Element, c: Communication, good: GoodResult, process: ProcessResult) -> None:
    inst = c.installation
    ge = _sub(parent, "GoodsEmissions")
    _sub(ge, "SequenceNumber", "1")
    _sub(ge, "ProductionCountry", inst.country)
    _operator(ge, c)
    _installation(ge, c)
    measure = _sub(ge, "ProducedMeasure")
    _sub(measure, "NetMass", _dec(good.activity_level_t, 6))
    _sub(measure, "MeasurementUnit", _code("MeasurementUnit", "tonnes"))
    totals = _sub(ge, "InstallationEmissions")
    _sub(totals, "OverallEmissions", _dec(inst.total_direct_tco2e + inst.total_indirect_tco2e, 5))
    _sub(totals, "TotalDirect", _dec(inst.total_direct_tco2e, 5))
    _sub(totals, "TotalIndirect", _dec(inst.total_indirect_tco2e, 5))
    _sub(totals, "MeasurementUnit", _code("EmissionUnit", "tCO2e/t"))
    determination = _code("DeterminationType", "default" if good.default_share >= 1 else "actual")
    direct = _sub(ge, "DirectEmissions")
    _sub(direct, "DeterminationType", determination)
    _sub(
        direct, "ApplicableReportingTypeMethodology", _code("ApplicableReportingTypeMethodology", "eu_method")
    )
    _sub(
        direct,
        "ApplicableReportingMethodology",
        "Regulation (EU) 2023/956 Annex IV; Implementing Regulation (EU) 2023/1773 Annex III",
    )
    _sub(direct, "SpecificEmbeddedEmissions", _dec(good.see_direct, 7))
    _sub(direct, "MeasurementUnit", _code("EmissionUnit", "tCO2e/t"))
    basis = _electricity_basis(process)
    indirect = _sub(ge, "IndirectEmissions")
    _sub(indirect, "DeterminationType", determination)
    if good.electricity_factor_tco2_per_mwh is not None:
        _sub(indirect, "EmissionFactorSource", _code("EmissionFactorSource", basis))
        _sub(indirect, "EmissionFactor", _dec(good.electricity_factor_tco2_per_mwh, 5))
    _sub(indirect, "SpecificEmbeddedEmissions", _dec(good.see_indirect, 7))
    _sub(indirect, "MeasurementUnit", _code("EmissionUnit", "tCO2e/t"))
    # dec5-2 holds at most 99 999.99: the electricity embedded per tonne of the good (MWh/t).
    _sub(indirect, "ElectricityConsumed", _dec(good.embedded_electricity_mwh_per_t, 2))
    _sub(indirect, "ElectricitySource", _code("ElectricitySource", basis))
    if good.electricity_factor_source:
        _sub(indirect, "EmissionFactorSourceValue", _text(good.electricity_factor_source, 512))
    method = _sub(ge, "ProdMethodQualifyingParams")
    _sub(method, "SequenceNumber", "1")
    route = good.production_route or ""
    _sub(method, "MethodId", _code("ProductionMethod", f"{good.aggregated_goods_category}|{route}"))
    category = template_category(good.aggregated_goods_category)
    _sub(
        method,
        "MethodName",
        _text(f"{category}: {template_route(good.aggregated_goods_category, route or None)}", 256),
    )
    if good.steel_mill_id:
        _sub(method, "SteelMillNumber", _text(good.steel_mill_id, 256))
    parameters = [f"{name} = {value:g}" for name, value in good.qualifying_parameters.items()]
    if good.reducing_agent:
        parameters.insert(0, f"main reducing agent of the precursor = {good.reducing_agent}")
    if parameters:
        _sub(method, "AdditionalInformation", _text("; ".join(parameters), 512))
    if good.carbon_price is not None:
        _carbon_price(ge, c, good, good.carbon_price)
    remarks = _sub(ge, "RemarksEmissions")
    _sub(remarks, "SequenceNumber", "1")
    _sub(remarks, "AdditionalInformation", _text(" | ".join([verification_statement(c), *good.notes]), 512))


def communication_to_xml(communication: Communication) -> bytes:
    """UTF-8 XML document with an XML declaration; raises CbamInputError when a type's required field
    (operator id, city, contact, exchange rate of a carbon price) is missing."""
    c = communication
    _require(c)
    inst = c.installation
    processes = {p.process_id: p for p in c.processes}
    root = ET.Element(_T + "InstallationCommunication", {"version": "2"})
    _sub(root, "ReportingYear", str(c.period), _T)
    _sub(root, "ReportingPeriodStart", inst.reporting_period_start.isoformat(), _T)
    _sub(root, "ReportingPeriodEnd", inst.reporting_period_end.isoformat(), _T)
    _sub(root, "TemplateVersion", f"Communication template for installations {TEMPLATE_VERSION}", _T)
    verification = _sub(root, "Verification", ns=_T)
    _sub(verification, "Verified", "true" if inst.verified else "false", _T)
    if inst.verified and inst.verifier is not None:
        _sub(verification, "Verifier", inst.verifier.company_name, _T)
    for number, good in enumerate(c.goods, start=1):
        item = _sub(root, "Good", ns=_T)
        _sub(item, "ItemNumber", str(number), _T)
        _sub(item, "ProductName", good.product_name or good.cn_name, _T)
        code = _sub(item, "CommodityCode")
        _sub(code, "HsCode", good.cn_code[:6])
        _sub(code, "CnCode", good.cn_code[6:8])
        _sub(_sub(code, "CommodityDetails"), "Description", _text(good.cn_name, 512))
        _goods_emissions(item, c, good, processes[good.process_id])
    receipts = _sub(root, "Receipts", ns=_T)
    for receipt in c.receipts:
        _sub(receipts, "Receipt", rfc8785.dumps(receipt).decode("utf-8"), _T)
    ET.indent(root)
    document = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    validate_communication_xml(document)
    return document
