"""PACT v3.0 and v2.3 ``pcf`` mappings: validated against the CarbonFootprint schemas of the released OpenAPI
documents (v3.0.3, v2.3.3: tests/pact_spec/) and checked by hand for units and categories."""

import copy
import importlib.util
from pathlib import Path

import pytest
from pytest import approx

from footprint_engine.activity import parse_activity
from footprint_engine.calculate import CalculationOptions, calculate
from footprint_engine.examples import load_example
from footprint_engine.pact import PactMappingError, to_pact_v3_pcf, to_pact_v23_pcf
from footprint_engine.pact_v23 import dqr_v2
from tests.pact_spec import V3, V23, PactSpec

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("three_tier", HERE / "three_tier.py")
three_tier = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(three_tier)


def valid(spec: PactSpec, pcf: dict) -> bool:
    try:
        spec.validate_schema("CarbonFootprint", pcf)
    except AssertionError:
        return False
    return True


def biogenic_doc() -> dict:
    """Every category at once: fossil, aircraft, dLUC, biogenic CO2 and CH4, removals, packaging."""
    doc = three_tier.tier1()
    doc["inputs"]["processEmissions"] += [
        {"id": "bio-co2", "gas": "CO2", "origin": "biogenic", "amount": 40, "unit": "kg"},
        {"id": "bio-ch4", "gas": "CH4", "origin": "biogenic", "amount": 0.1, "unit": "kg"},
        {"id": "uptake", "gas": "CO2", "origin": "biogenic-removal", "amount": 60, "unit": "kg"},
        {"id": "luc", "gas": "CO2", "origin": "dluc", "amount": 5, "unit": "kg", "stage": "raw-material-acquisition"},
    ]  # fmt: skip
    doc["inputs"]["packaging"] = [{"id": "box", "material": "corrugated-box", "amount": 10, "unit": "kg",
                                   "factorId": "packaging/corrugated-box/CN/2011"}]  # fmt: skip
    doc["inputs"]["transport"] = [{"id": "air", "mode": "air", "distance": {"amount": 1000, "unit": "km"},
                                   "mass": {"amount": 0.1, "unit": "t"}}]  # fmt: skip
    return doc


@pytest.fixture(scope="module")
def results():
    r1 = calculate(parse_activity(three_tier.tier1()))
    r2 = calculate(parse_activity(three_tier.tier2()), upstream={"88.100.1/RESIN@1": r1.to_upstream(1)})
    r3 = calculate(parse_activity(three_tier.tier3()), upstream={"88.100.2/PART@1": r2.to_upstream(1)})
    ingot = calculate(parse_activity(load_example("aluminium-ingot-yunnan")))
    bio = calculate(parse_activity(biogenic_doc()), options=CalculationOptions(iterations=50, seed=1))
    return {"tier1": r1, "tier2": r2, "tier3": r3, "ingot": ingot, "bio": bio}


@pytest.mark.parametrize("name", ["tier1", "tier2", "tier3", "ingot", "bio"])
def test_both_mappings_validate_against_the_official_schemas(results, name):
    r = results[name]
    mass = 0.6 if r.declared_unit == "piece" else None
    V3.validate_schema("CarbonFootprint", to_pact_v3_pcf(r, product_mass_per_declared_unit_kg=mass))
    V23.validate_schema("CarbonFootprint", to_pact_v23_pcf(r, product_mass_per_declared_unit_kg=mass))


def test_schemas_reject_a_broken_pcf(results):
    v3 = to_pact_v3_pcf(results["tier1"])
    del v3["pcfExcludingBiogenicUptake"]
    assert not valid(V3, v3)
    v2 = to_pact_v23_pcf(results["tier1"])
    v2["dqi"]["technologicalDQR"] = 4.0  # v2 DQRs are 1…3
    assert not valid(V23, v2)
    v2 = to_pact_v23_pcf(results["tier1"])
    v2["declaredUnit"] = "piece"  # v2.3 has no piece
    assert not valid(V23, v2)


def test_gate_figures_equal_the_result_for_a_gate_only_study(results):
    r = results["bio"]
    pcf = to_pact_v3_pcf(r)
    e = r.emissions
    assert float(pcf["pcfIncludingBiogenicUptake"]) == approx(e.total, rel=1e-5)
    assert float(pcf["pcfExcludingBiogenicUptake"]) == approx(e.total_excluding_biogenic_removals, rel=1e-5)
    assert float(pcf["biogenicCO2Uptake"]) == approx(e.biogenic_removals, rel=1e-5)
    assert float(pcf["landUseChangeGhgEmissions"]) == approx(e.dluc, rel=1e-5)
    assert float(pcf["aircraftGhgEmissions"]) == approx(e.aircraft, rel=1e-5) and e.aircraft > 0


def test_v23_categories_by_hand(results):
    """Per kg of resin (1000 kg produced): v2.3 excludes biogenic CO2 emissions and the withdrawal."""
    r = results["bio"]
    pcf = to_pact_v23_pcf(r)
    air = next(c.kg_co2e for c in r.per_input if c.input_id == "air")
    box = 10 * 1.605 / 1000  # 10 kg of corrugated boxes × 1.605 kgCO2e/kg (CPCD 瓦楞纸箱), per kg of resin
    fossil = (100 * 2.1622 + 0.5 * 29.8 + 2000 * 0.5777) / 1000 + box
    bio_ch4 = 0.1 * 27.0 / 1000
    assert float(pcf["fossilGhgEmissions"]) == approx(fossil + air, rel=1e-5)
    assert float(pcf["pCfExcludingBiogenic"]) == approx(fossil + air + 5 / 1000 + bio_ch4, rel=1e-5)
    assert float(pcf["pCfIncludingBiogenic"]) == approx(
        fossil + air + 5 / 1000 + bio_ch4 + 40 / 1000 - 60 / 1000, rel=1e-5
    )
    assert float(pcf["otherBiogenicGhgEmissions"]) == approx(bio_ch4, rel=1e-5)
    assert float(pcf["biogenicCarbonWithdrawal"]) == approx(-60 / 1000, rel=1e-5)
    assert float(pcf["dLucGhgEmissions"]) == approx(5 / 1000, rel=1e-5)
    assert pcf["packagingEmissionsIncluded"] is True
    assert float(pcf["packagingGhgEmissions"]) == approx(box, rel=1e-5)
    assert "Monte Carlo, 50 iterations (seed 1)" in pcf["uncertaintyAssessmentDescription"]


def test_v23_tonne_is_per_kilogram(results):
    r = results["ingot"]
    pcf = to_pact_v23_pcf(r)
    assert pcf["declaredUnit"] == "kilogram" and pcf["unitaryProductAmount"] == "1000"
    assert float(pcf["pCfIncludingBiogenic"]) == approx(r.emissions.total / 1000, rel=1e-5)
    assert pcf["exemptedEmissionsPercent"] == 0.5 and pcf["productMassPerDeclaredUnit"] == "1"
    v3 = to_pact_v3_pcf(r)
    assert v3["declaredUnitAmount"] == "1000"
    assert float(v3["pcfIncludingBiogenicUptake"]) == approx(r.emissions.total, rel=1e-5)


def test_v23_piece_is_per_kilogram_of_product(results):
    r = results["tier3"]
    pcf = to_pact_v23_pcf(r, product_mass_per_declared_unit_kg=0.6)
    gate = r.emissions.total - r.per_stage["distribution"]
    assert pcf["declaredUnit"] == "kilogram" and pcf["unitaryProductAmount"] == "0.6"
    assert float(pcf["pCfIncludingBiogenic"]) == approx(gate / 0.6, rel=1e-5)


def test_v23_dqr_scale():
    assert [dqr_v2(s) for s in (1, 2, 3, 4, 5, 2.5)] == [1.0, 1.5, 2.0, 2.5, 3.0, 1.75]
    assert 1 <= dqr_v2(0.2) and dqr_v2(9) == 3.0


def test_v23_refuses_a_piece_without_mass(results):
    with pytest.raises(PactMappingError) as info:
        to_pact_v23_pcf(results["tier3"])
    assert info.value.field == "productMassPerDeclaredUnit"


def test_v23_refuses_exemptions_above_five_percent():
    doc = copy.deepcopy(three_tier.tier1())
    doc["exclusions"] = [{"description": "lab chemicals", "estimatedSharePercent": 6}]
    r = calculate(parse_activity(doc))
    with pytest.raises(PactMappingError) as info:
        to_pact_v23_pcf(r)
    assert info.value.field == "cutOff.excludedSharePercent"
    assert valid(V3, to_pact_v3_pcf(r))  # v3 has no ceiling


def test_unknown_declared_unit_is_refused(results):
    r = results["tier1"].model_copy(update={"declared_unit": "bale"})
    for mapping in (to_pact_v3_pcf, to_pact_v23_pcf):
        with pytest.raises(PactMappingError) as info:
            mapping(r)
        assert info.value.field == "declaredUnit"
