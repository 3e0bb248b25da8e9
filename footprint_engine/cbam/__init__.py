"""CBAM embedded emissions and emissions communications (Regulation (EU) 2023/956).

Pure calculation and file output: an `Installation` in, a `Communication` out, rendered as the
Commission's communication template for installations (XLSX, the template itself filled in), JSON, or
XML whose emissions part validates against the Commission's CBAM types (QReport_17.03.xsd).

    comm = build_communication(installation, period=2026, certificate_price_eur=80.0, receipts=[...])
    data = render_communication(comm, "xlsx")   # or "json", "xml"
"""

from __future__ import annotations

from typing import Literal

from footprint_engine.cbam.calculation import calculate_processes, check_installation
from footprint_engine.cbam.communication import build_communication
from footprint_engine.cbam.defaults import (
    DefaultTable,
    DefaultValue,
    bundled_default_table,
    load_default_table,
)
from footprint_engine.cbam.electricity import (
    ELECTRICITY_RULE,
    ELECTRICITY_RULE_SOURCE,
    apply_electricity_rule,
)
from footprint_engine.cbam.errors import (
    CbamError,
    CbamInputError,
    DefaultValueNotFoundError,
    ElectricityFactorSourceError,
    GoodOutOfScopeError,
    MissingProductionRouteError,
    PrecursorMassError,
    UnsupportedGoodError,
)
from footprint_engine.cbam.export_json import communication_to_json
from footprint_engine.cbam.export_xlsx import communication_to_xlsx, write_communication_xlsx
from footprint_engine.cbam.export_xml import communication_to_xml
from footprint_engine.cbam.model import (
    CarbonPricePaid,
    ContactPerson,
    DirectEmissionSource,
    DirectLinkEvidence,
    ElectricityUse,
    GecClaim,
    GridFactor,
    Installation,
    PfcSlopeMethod,
    PowerPurchaseAgreement,
    PrecursorInput,
    ProducedGood,
    ProductionProcess,
    SupplierEmbeddedEmissions,
    Verifier,
)
from footprint_engine.cbam.results import Communication, DefaultComparison, GoodResult, ProcessResult
from footprint_engine.cbam.scope import GoodScope, classify_good, routes_for_category

__all__ = [
    "ELECTRICITY_RULE",
    "ELECTRICITY_RULE_SOURCE",
    "FORMATS",
    "MEDIA_TYPES",
    "CarbonPricePaid",
    "CbamError",
    "CbamInputError",
    "Communication",
    "ContactPerson",
    "DefaultComparison",
    "DefaultTable",
    "DefaultValue",
    "DefaultValueNotFoundError",
    "DirectEmissionSource",
    "DirectLinkEvidence",
    "ElectricityFactorSourceError",
    "ElectricityUse",
    "GecClaim",
    "GoodOutOfScopeError",
    "GoodResult",
    "GoodScope",
    "GridFactor",
    "Installation",
    "MissingProductionRouteError",
    "PfcSlopeMethod",
    "PowerPurchaseAgreement",
    "PrecursorInput",
    "PrecursorMassError",
    "ProcessResult",
    "ProducedGood",
    "ProductionProcess",
    "SupplierEmbeddedEmissions",
    "UnsupportedGoodError",
    "Verifier",
    "apply_electricity_rule",
    "build_communication",
    "bundled_default_table",
    "calculate_processes",
    "check_installation",
    "classify_good",
    "communication_to_json",
    "communication_to_xlsx",
    "communication_to_xml",
    "load_default_table",
    "render_communication",
    "routes_for_category",
    "write_communication_xlsx",
]

FORMATS = ("xlsx", "json", "xml")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "xml": "application/xml",
}


def render_communication(communication: Communication, fmt: Literal["xlsx", "json", "xml"]) -> bytes:
    """Bytes of the communication in one of `FORMATS` (media types in `MEDIA_TYPES`)."""
    if fmt == "xlsx":
        return communication_to_xlsx(communication)
    if fmt == "json":
        return communication_to_json(communication)
    if fmt == "xml":
        return communication_to_xml(communication)
    raise CbamInputError(f"format {fmt!r} unknown — use one of {', '.join(FORMATS)}")
