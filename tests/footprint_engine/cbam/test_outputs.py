"""JSON and XML outputs, each carrying the receipts; the XML's CBAM part valid against the Commission's
types (QReport_17.03.xsd with stypes.xsd), a broken one not."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from footprint_engine.cbam import CbamInputError, build_communication, render_communication
from footprint_engine.cbam.export_xml import CBAM_NAMESPACE, XML_NAMESPACE
from footprint_engine.cbam.xml_schema import schema_errors

from .conftest import EXAMPLES, communication_of
from .examples import INSTALLATION_RECEIPT, PIG_IRON_RECEIPT, cement_installation, steel_installation

NS = {"t": XML_NAMESPACE, "c": CBAM_NAMESPACE}


def test_json_round_trip():
    data = json.loads(render_communication(communication_of("cement"), "json"))
    assert data["period"] == 2026
    assert data["receipts"] == [INSTALLATION_RECEIPT]
    cement = next(g for g in data["goods"] if g["good_id"] == "cem-i-42-5")
    assert cement["see_counted"] == pytest.approx(0.86878)
    assert "Annex IV point 6" in data["electricity_rule_source"]
    assert data["installation"]["total_pfc_tco2e"] == 0


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_xml_of_each_example_validates_against_the_commissions_types(name):
    document = render_communication(communication_of(name), "xml")
    assert schema_errors(document) == []
    root = ET.fromstring(document)
    for ge in root.iterfind("t:Good/c:GoodsEmissions", NS):
        lone = ET.tostring(ge)  # the Commission's element on its own, against QReport_17.03.xsd's types
        assert schema_errors(lone, schema="cbam_roots.xsd") == []


def test_xml_figures_and_receipts():
    comm = build_communication(
        steel_installation(), period=2026, certificate_price_eur=80, receipts=[INSTALLATION_RECEIPT]
    )
    root = ET.fromstring(render_communication(comm, "xml"))
    assert root.tag == f"{{{XML_NAMESPACE}}}InstallationCommunication"
    (good,) = root.findall("t:Good", NS)
    assert good.findtext("c:CommodityCode/c:HsCode", namespaces=NS) == "720839"
    assert good.findtext("c:CommodityCode/c:CnCode", namespaces=NS) == "00"
    ge = good.find("c:GoodsEmissions", NS)
    assert ge is not None
    assert [child.tag.split("}")[1] for child in ge] == [
        "SequenceNumber",
        "ProductionCountry",
        "InstallationOperator",
        "Installation",
        "ProducedMeasure",
        "InstallationEmissions",
        "DirectEmissions",
        "IndirectEmissions",
        "ProdMethodQualifyingParams",
        "CarbonPriceDue",
        "RemarksEmissions",
    ]
    assert ge.findtext("c:InstallationOperator/c:OperatorId", namespaces=NS) == "CNSTEEL0001"
    assert ge.findtext("c:Installation/c:Address/c:EstablishmentCountry", namespaces=NS) == "CN"
    assert ge.findtext("c:InstallationEmissions/c:TotalDirect", namespaces=NS) == "68100"
    assert ge.findtext("c:DirectEmissions/c:SpecificEmbeddedEmissions", namespaces=NS) == "2.346"
    assert ge.findtext("c:IndirectEmissions/c:SpecificEmbeddedEmissions", namespaces=NS) == "0.3583"
    assert ge.findtext("c:IndirectEmissions/c:EmissionFactor", namespaces=NS) == "0.5366"
    assert ge.findtext("c:ProducedMeasure/c:NetMass", namespaces=NS) == "100000"
    assert ge.findtext("c:CarbonPriceDue/c:ExchangeRate", namespaces=NS) == "0.127"
    assert ge.findtext("c:CarbonPriceDue/c:Country", namespaces=NS) == "CN"
    assert root.findtext("t:Verification/t:Verified", namespaces=NS) == "true"
    receipts = [json.loads(r.text or "") for r in root.findall("t:Receipts/t:Receipt", NS)]
    assert receipts == [INSTALLATION_RECEIPT, PIG_IRON_RECEIPT]


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        (b"<cbam:TotalDirect>", b"<cbam:TotalDirectEmissions>", "TotalDirectEmissions"),
        (b"<cbam:CnCode>00</cbam:CnCode>", b"<cbam:CnCode>72083900</cbam:CnCode>", "CnCode"),
        (b"<cbam:OperatorId>CNSTEEL0001</cbam:OperatorId>", b"", "OperatorId"),
    ],
)
def test_a_broken_document_fails_the_schema(old, new, complaint):
    document = render_communication(build_communication(steel_installation(), period=2026), "xml")
    if old == b"<cbam:TotalDirect>":
        broken = document.replace(old, new, 1).replace(
            b"</cbam:TotalDirect>", b"</cbam:TotalDirectEmissions>", 1
        )
    else:
        broken = document.replace(old, new, 1)
    assert broken != document
    errors = schema_errors(broken)
    assert errors and complaint in " ".join(errors)


def test_xml_needs_what_the_types_require():
    inst = cement_installation().model_copy(update={"contact": None, "operator_id": ""})
    with pytest.raises(CbamInputError, match=r"lacks operator_id, contact .* fill them in"):
        render_communication(build_communication(inst, period=2026), "xml")


def test_unknown_format():
    with pytest.raises(CbamInputError, match="format 'pdf' unknown"):
        render_communication(communication_of("cement"), "pdf")  # type: ignore[arg-type]
