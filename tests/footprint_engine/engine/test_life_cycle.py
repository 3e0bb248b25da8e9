"""Cradle-to-grave: use and end-of-life scenarios, functional unit, boundary; hand-checked figures."""

import copy

import pytest
from pytest import approx

from footprint_engine.activity import parse_activity
from footprint_engine.calculate import CalculationOptions, calculate
from footprint_engine.errors import ActivityDataError, FactorNotFoundError, UnitError
from footprint_engine.pact import to_pact_v3_pcf

ORG = "91320500MA1W4Y9BXB"

# Hand calculation (built-in factors, AR6), per piece:
# 2 kg hot-rolled strip × 2310 kgCO2e/t (CPCD, material/hot-rolled-wide-strip/CN/2022; CN-JS → CN)
STEEL = 2.0 * 2310 / 1000
SITE_POWER = 10.0 * 0.5777  # 10 kWh × MEE 2024 national footprint factor (CN-JS → CN)
DELIVERY = 2.5 * 500 * 0.107 / 1000  # 2.5 t × 500 km road-truck for 1000 pieces
USE_POWER = (30.0 * 8 + 10.0) * 0.5777  # 30 kWh/year × 8 years + 10 kWh standby over life, CN grid 2024
RECYCLING = 2.4 * 0.60 * 0.021  # 60 % of 2.4 kg recycled: collection and transport only (cut-off)
# 25 % incinerated with energy recovery, no credit: the China row (CPCD 生活垃圾焚烧发电 188.9 kgCO2e/t,
# waste/incineration-energy-recovery/CN/2011) is nearer the CN-JS site than the illustrative GLO one (0.9 kg/kg)
INCINERATION_ER = 2.4 * 0.25 * 188.9 / 1000
LANDFILL = 2.4 * 0.15 * 0.45  # 15 % landfilled
EOL = RECYCLING + INCINERATION_ER + LANDFILL
TOTAL = STEEL + SITE_POWER + DELIVERY + USE_POWER + EOL


def fan() -> dict:
    return {
        "productIdentifier": "88.100.9/FAN",
        "organisation": {"id": ORG},
        "reportingPeriod": {"start": "2024-01-01", "end": "2024-12-31"},
        "site": {"name": "fan plant", "gridRegion": "CN-JS"},
        "declaredUnit": "piece",
        "producedQuantity": {"amount": 1000, "unit": "piece"},
        "inputs": {
            "materials": [
                {"id": "steel", "identifier": "hot-rolled-wide-strip", "amount": 2000, "unit": "kg"}
            ],
            "electricity": [{"id": "power", "amount": 10, "unit": "MWh"}],
            "transport": [
                {
                    "id": "delivery",
                    "mode": "road-truck",
                    "stage": "distribution",
                    "distance": {"amount": 500, "unit": "km"},
                    "mass": {"amount": 2.5, "unit": "t"},
                }
            ],
        },
        "functionalUnit": {
            "description": "air circulation by one desk fan over 8 years",
            "referenceFlow": {"amount": 1, "unit": "piece"},
        },
        "useScenario": {
            "description": "30 kWh a year in Chinese households, 8-year service life",
            "referenceServiceLife": {"amount": 8, "unit": "year"},
            "gridRegion": "CN",
            "electricity": [
                {"id": "use-power", "amount": 30, "unit": "kWh", "basis": "per-year"},
                {"id": "standby", "amount": 10, "unit": "kWh"},
            ],
        },
        "endOfLifeScenario": {
            "description": "Chinese WEEE collection",
            "productMass": {"amount": 2.4, "unit": "kg"},
            "routes": [
                {"id": "eol-recycling", "treatment": "recycling", "sharePercent": 60},
                {"id": "eol-wte", "treatment": "incineration-energy-recovery", "sharePercent": 25},
                {"id": "eol-landfill", "treatment": "landfill", "sharePercent": 15},
            ],
        },
    }


@pytest.fixture(scope="module")
def result():
    return calculate(parse_activity(fan()))


def test_cradle_to_grave_matches_the_hand_calculation(result):
    assert result.system_boundary == "cradle-to-grave"
    assert result.stages_included == [
        "raw-material-acquisition", "production", "distribution", "use", "end-of-life"
    ]  # fmt: skip
    assert result.emissions.total == approx(TOTAL, rel=1e-4)
    assert result.per_stage["use"] == approx(USE_POWER, rel=1e-4)
    assert result.per_stage["end-of-life"] == approx(EOL, rel=1e-4)
    assert result.per_stage["distribution"] == approx(DELIVERY, rel=1e-4)
    lc = result.life_cycle
    assert lc is not None
    assert lc.cradle_to_gate == approx(STEEL + SITE_POWER, rel=1e-4)
    assert (lc.distribution, lc.use, lc.end_of_life) == (
        approx(DELIVERY, rel=1e-4), approx(USE_POWER, rel=1e-4), approx(EOL, rel=1e-4)
    )  # fmt: skip
    routes = {r["treatment"]: r for r in lc.end_of_life_scenario["routes"]}
    assert routes["recycling"]["massKg"] == approx(1.44)
    assert routes["incineration-energy-recovery"]["kgCO2e"] == approx(INCINERATION_ER, rel=1e-4)
    assert "no credit" in lc.end_of_life_scenario["approach"]
    assert lc.use_scenario["referenceServiceLifeYears"] == approx(8)


def test_functional_unit_is_reported(result):
    fu = result.functional_unit
    assert fu is not None and fu.reference_flow == 1.0
    assert fu.total == approx(TOTAL, rel=1e-4)
    assert fu.per_stage["use"] == approx(USE_POWER, rel=1e-4)


def test_use_stage_electricity_stays_out_of_the_site_electricity_report(result):
    assert result.electricity.consumed_mwh == approx(10.0)
    use = next(c for c in result.per_input if c.input_id == "use-power")
    assert (
        use.stage == "use"
        and use.amount == approx(240.0)
        and use.factor_id == ("electricity-grid/footprint/CN/2024")
    )


def test_functional_unit_scales_the_result():
    doc = fan()
    doc["functionalUnit"]["referenceFlow"] = {"amount": 2, "unit": "piece"}
    r = calculate(parse_activity(doc))
    assert r.functional_unit.total == approx(2 * TOTAL, rel=1e-4)


def test_gate_documents_stay_cradle_to_gate():
    doc = fan()
    for key in ("functionalUnit", "useScenario", "endOfLifeScenario"):
        del doc[key]
    r = calculate(parse_activity(doc))
    assert r.system_boundary == "cradle-to-gate" and r.functional_unit is None
    assert r.emissions.total == approx(STEEL + SITE_POWER + DELIVERY, rel=1e-4)
    assert r.life_cycle.use == 0 and r.life_cycle.use_scenario is None


def test_pact_mapping_of_a_grave_result_is_cradle_to_gate(result):
    pcf = to_pact_v3_pcf(result, product_mass_per_declared_unit_kg=2.4)
    assert float(pcf["pcfExcludingBiogenicUptake"]) == approx(STEEL + SITE_POWER, rel=1e-5)
    assert float(pcf["outboundLogisticsGhgEmissions"]) == approx(DELIVERY, rel=1e-5)
    assert "use and end-of-life stages are not included" in pcf["boundaryProcessesDescription"]


def test_monte_carlo_covers_the_scenarios():
    r = calculate(parse_activity(fan()), options=CalculationOptions(iterations=200, seed=7))
    assert r.uncertainty is not None
    assert r.uncertainty.p2_5 < TOTAL < r.uncertainty.p97_5


# -- refusals, each naming the field ----------------------------------------------------------------------


def refused(doc: dict, kind: type = ActivityDataError) -> ActivityDataError:
    with pytest.raises(kind) as info:
        calculate(parse_activity(doc))
    return info.value


def test_use_without_end_of_life_is_refused():
    doc = fan()
    del doc["endOfLifeScenario"]
    err = refused(doc)
    assert err.field == "endOfLifeScenario" and "cradle-to-grave" in str(err)


def test_end_of_life_without_use_is_refused():
    doc = fan()
    del doc["useScenario"]
    assert refused(doc).field == "useScenario"


def test_scenarios_need_a_functional_unit():
    doc = fan()
    del doc["functionalUnit"]
    assert refused(doc).field == "functionalUnit"


def test_route_shares_must_sum_to_100():
    doc = fan()
    doc["endOfLifeScenario"]["routes"][0]["sharePercent"] = 50
    err = refused(doc)
    assert err.field == "endOfLifeScenario.routes" and "90 %" in str(err)


def test_product_mass_needed_for_a_piece():
    doc = fan()
    del doc["endOfLifeScenario"]["productMass"]
    assert refused(doc).field == "endOfLifeScenario.productMass"


def test_product_mass_defaults_to_a_mass_declared_unit():
    doc = fan()
    del doc["endOfLifeScenario"]["productMass"]
    doc["declaredUnit"] = "kg"
    doc["producedQuantity"] = {"amount": 2400, "unit": "kg"}
    doc["functionalUnit"]["referenceFlow"] = {"amount": 2.4, "unit": "kg"}
    r = calculate(parse_activity(doc))
    assert r.life_cycle.end_of_life_scenario["productMassKg"] == 1.0


def test_service_life_must_be_a_time():
    doc = fan()
    doc["useScenario"]["referenceServiceLife"] = {"amount": 8, "unit": "kg"}
    err = refused(doc, UnitError)
    assert err.field == "useScenario.referenceServiceLife.unit"


def test_service_life_must_be_positive():
    doc = fan()
    doc["useScenario"]["referenceServiceLife"] = {"amount": 0, "unit": "year"}
    assert refused(doc).field == "useScenario.referenceServiceLife.amount"


def test_reference_flow_must_be_in_the_declared_unit_dimension():
    doc = fan()
    doc["functionalUnit"]["referenceFlow"] = {"amount": 1, "unit": "kg"}
    assert refused(doc, UnitError).field == "functionalUnit.referenceFlow.unit"


def test_unknown_treatment_is_refused():
    doc = fan()
    doc["endOfLifeScenario"]["routes"][0]["treatment"] = "dumping"
    err = refused(doc)
    assert err.field == "endOfLifeScenario.routes[0].treatment"


def test_route_id_must_be_unique_across_the_document():
    doc = fan()
    doc["endOfLifeScenario"]["routes"][0]["id"] = "steel"
    err = refused(doc)
    assert err.field == "endOfLifeScenario.routes[0].id"


def test_use_electricity_unit_must_be_energy():
    doc = fan()
    doc["useScenario"]["electricity"][0]["unit"] = "kg"
    err = refused(doc, UnitError)
    assert err.field == "useScenario.electricity[0].unit"


def test_unknown_factor_for_a_route_names_the_route():
    doc = fan()
    doc["endOfLifeScenario"]["routes"][1]["factorId"] = "waste/unknown/GLO/2023"
    with pytest.raises(FactorNotFoundError) as info:
        calculate(parse_activity(copy.deepcopy(doc)))
    assert info.value.field == "endOfLifeScenario.routes[1].factorId"


def test_use_stage_fuel_and_direct_emissions():
    """1 kg of diesel a year for 8 years (IPCC 2006) and 10 g of HFC-32 leaked over the service life."""
    doc = fan()
    doc["useScenario"]["fuels"] = [
        {
            "id": "use-diesel",
            "fuel": "diesel",
            "method": "ipcc-2006",
            "amount": 1,
            "unit": "kg",
            "basis": "per-year",
        }
    ]
    doc["useScenario"]["emissions"] = [{"id": "leak", "gas": "HFC-32", "amount": 10, "unit": "g"}]
    r = calculate(parse_activity(doc))
    tj = 8 / 1000 * 43.0 / 1000  # 8 kg of diesel at 43.0 TJ/Gg
    diesel = tj * (74_100 + 3.0 * 29.8 + 0.6 * 273)
    leak = 0.010 * 771
    assert r.per_stage["use"] == approx(USE_POWER + diesel + leak, rel=1e-4)
    assert r.emissions.total == approx(TOTAL + diesel + leak, rel=1e-4)


def test_product_mass_must_be_a_mass():
    doc = fan()
    doc["endOfLifeScenario"]["productMass"] = {"amount": 2.4, "unit": "m3"}
    assert refused(doc, UnitError).field == "endOfLifeScenario.productMass.unit"


def test_reference_flow_must_be_positive():
    doc = fan()
    doc["functionalUnit"]["referenceFlow"] = {"amount": 0, "unit": "piece"}
    assert refused(doc).field == "functionalUnit.referenceFlow.amount"


def test_cli_prints_both_pact_versions_and_the_functional_unit(tmp_path):
    import json

    import typer
    from typer.testing import CliRunner

    from node_service.cli import footprint_cmds

    app = typer.Typer()
    footprint_cmds.register(app)
    path = tmp_path / "fan.json"
    path.write_text(json.dumps(fan()))
    args = ["footprint", "compute", str(path), "--pact", "--pact-v23", "--product-mass", "2.4"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["systemBoundary"] == "cradle-to-grave"
    assert data["functionalUnit"]["total"] == approx(TOTAL, rel=1e-4)
    assert data["pactV23Pcf"]["declaredUnit"] == "kilogram"
    assert float(data["pactV23Pcf"]["pCfIncludingBiogenic"]) == approx((STEEL + SITE_POWER) / 2.4, rel=1e-5)
    table = CliRunner().invoke(app, ["footprint", "compute", str(path), "--format", "table"])
    assert "per functional unit" in table.stdout
