"""XML rendering of a communication: one `Good` per CN code, each holding a `GoodsEmissions` element in
the shape of the transitional QReport (Implementing Regulation (EU) 2023/1773 Annex I tables 1-2:
production country, installation operator, installation, produced measure, installation emissions,
direct and indirect emissions with specific embedded emissions, carbon price due, remarks), followed by
the receipts of the data behind it (each as RFC 8785 canonical JSON text).

Code-list values (`MeasurementUnit` 01 = tonnes, `EMU1` = tCO2e/t, determination types) follow the
CBAM registry's usage as seen in public QReport samples; check them against the registry code lists
before uploading to a registry.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import rfc8785

from footprint_engine.cbam.results import Communication, GoodResult

__all__ = ["XML_NAMESPACE", "communication_to_xml"]

XML_NAMESPACE = "urn:tanlian:cbam:communication:1"
_DETERMINATION_ACTUAL = "01"  # actual data
_DETERMINATION_DEFAULT = "02"  # default values


def _num(value: float) -> str:
    return format(value, ".5f").rstrip("0").rstrip(".") if value != 0 else "0"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _goods_emissions(parent: ET.Element, c: Communication, good: GoodResult, sources: dict[str, str]) -> None:
    inst = c.installation
    ge = _sub(parent, "GoodsEmissions")
    _sub(ge, "SequenceNumber", "1")
    _sub(ge, "ProductionCountry", inst.country)
    op = _sub(ge, "InstallationOperator")
    _sub(op, "OperatorName", inst.operator_name or inst.name)
    _sub(_sub(op, "OperatorAddress"), "Country", inst.country)
    ins = _sub(ge, "Installation")
    _sub(ins, "InstallationId", inst.installation_id)
    _sub(ins, "InstallationName", inst.name)
    if inst.economic_activity:
        _sub(ins, "EconomicActivity", inst.economic_activity)
    addr = _sub(ins, "Address")
    _sub(addr, "Country", inst.country)
    if inst.street:
        _sub(addr, "Street", inst.street)
    if inst.latitude is not None and inst.longitude is not None:
        _sub(addr, "Latitude", _num(inst.latitude))
        _sub(addr, "Longitude", _num(inst.longitude))
    pm = _sub(ge, "ProducedMeasure")
    _sub(pm, "NetMass", _num(good.activity_level_t))
    _sub(pm, "MeasurementUnit", "01")
    ie = _sub(ge, "InstallationEmissions")
    _sub(ie, "OverallEmissions", _num(inst.total_direct_tco2e + inst.total_indirect_tco2e))
    _sub(ie, "TotalDirectEmissions", _num(inst.total_direct_tco2e))
    _sub(ie, "TotalIndirectEmissions", _num(inst.total_indirect_tco2e))
    _sub(ie, "EmissionUnit", "EMU1")
    determination = _DETERMINATION_DEFAULT if good.default_share >= 1 else _DETERMINATION_ACTUAL
    de = _sub(ge, "DirectEmissions")
    _sub(de, "DeterminationType", determination)
    _sub(de, "ApplicableReportingMethodology", "EU method: Regulation (EU) 2023/956 Annex IV")
    _sub(de, "SpecificEmbeddedEmissions", _num(good.see_direct))
    _sub(de, "MeasurementUnit", "EMU1")
    ind = _sub(ge, "IndirectEmissions")
    _sub(ind, "DeterminationType", determination)
    _sub(ind, "EmissionFactorSource", good.electricity_factor_source or "none (no electricity consumed)")
    if good.electricity_factor_tco2_per_mwh is not None:
        _sub(ind, "EmissionFactor", _num(good.electricity_factor_tco2_per_mwh))
    _sub(ind, "SpecificEmbeddedEmissions", _num(good.see_indirect))
    _sub(ind, "MeasurementUnit", "EMU1")
    _sub(ind, "ElectricityConsumed", _num(good.embedded_electricity_mwh_per_t * good.activity_level_t))
    _sub(ind, "ElectricitySource", sources.get(good.process_id) or "none")
    if good.carbon_price is not None:
        cp = _sub(ge, "CarbonPriceDue")
        _sub(cp, "SequenceNumber", "1")
        _sub(cp, "InstrumentType", good.carbon_price.instrument_type)
        _sub(cp, "LegalActDescription", good.carbon_price.legal_act)
        _sub(cp, "Amount", _num(good.carbon_price.effective_price_per_t * good.activity_level_t))
        _sub(cp, "Currency", good.carbon_price.currency)
    rem = _sub(ge, "RemarksEmissions")
    _sub(rem, "SequenceNumber", "1")
    _sub(
        rem,
        "AdditionalInformation",
        " | ".join([c.electricity_rule + " (" + c.electricity_rule_source + ")", *good.notes]),
    )


def communication_to_xml(communication: Communication) -> bytes:
    """UTF-8 XML document with an XML declaration."""
    c = communication
    root = ET.Element("CBAMCommunication", {"xmlns": XML_NAMESPACE, "version": str(c.communication_version)})
    _sub(root, "ReportingPeriod", str(c.period))
    _sub(root, "InstallationId", c.installation.installation_id)
    sources = {p.process_id: "; ".join(sorted({line.basis for line in p.electricity})) for p in c.processes}
    for number, good in enumerate(c.goods, start=1):
        g = _sub(root, "Good")
        _sub(g, "ItemNumber", str(number))
        code = _sub(g, "CommodityCode")
        _sub(code, "HsCode", good.cn_code[:6])
        _sub(code, "CnCode", good.cn_code[:8])
        if len(good.cn_code) == 10:
            _sub(code, "TaricCode", good.cn_code)
        _sub(code, "CommodityDetails", good.cn_name)
        _sub(g, "ProductName", good.product_name)
        _sub(g, "SpecificEmbeddedEmissionsTotal", _num(good.see_total))
        _sub(g, "SpecificEmbeddedEmissionsCounted", _num(good.see_counted))
        _goods_emissions(g, c, good, sources)
    receipts = _sub(root, "Receipts")
    for receipt in c.receipts:
        _sub(receipts, "Receipt", rfc8785.dumps(receipt).decode("utf-8"))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
