"""The three-tier worked example, computed by hand (docs/worked-example.md), against the engine.

Every expected figure below is written out from the published factors, independently of engine code:
natural gas 2.1622 kgCO2/m3 (Chinese default), grid 0.5777 kgCO2e/kWh (MEE 2024, CN), wind 0.0324
kgCO2e/kWh (MEE 2024) plus transmission and distribution 0.0046 kgCO2e/kWh (MEE 2024, excluding losses) for
the GEC-backed grid electricity (GB/T 24067-2024 6.4.9.4), road truck 0.107 kgCO2e/tkm (illustrative), diesel
IPCC 2006 74100 kgCO2/TJ, 3 kgCH4/TJ, 0.6 kgN2O/TJ at 43.0 TJ/Gg; GWP100 AR6: CH4 fossil 29.8, N2O 273.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from footprint_engine.activity import parse_activity
from footprint_engine.calculate import CalculationOptions, calculate
from footprint_engine.calculate.lines import build_inventory
from footprint_engine.calculate.matrices import build_system
from footprint_engine.calculate.supply_chain import recompute_dependents
from footprint_engine.factors import FactorLibrary
from footprint_engine.pact import to_pact_v3_pcf

_spec = importlib.util.spec_from_file_location("three_tier", Path(__file__).with_name("three_tier.py"))
three_tier = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(three_tier)

REL = 1e-4  # 0.01 %

# -- hand calculation ------------------------------------------------------------------------------------
# tier 1 (per 1000 kg of resin)
T1_GAS = 100 * 2.1622  # kgCO2
T1_CH4 = 0.5 * 29.8
T1_POWER = 2000 * 0.5777
T1_TOTAL = (T1_GAS + T1_CH4 + T1_POWER) / 1000  # per kg
T1_PDS = 100 * (T1_GAS + T1_CH4) / (T1_GAS + T1_CH4 + T1_POWER)
T1_KGCE = (100 * 1.2143 + 2000 * 0.1229) / 1000
# tier 2 (per 1000 pieces, 80 % allocated to the part)
T2_RESIN = 500 * T1_TOTAL
T2_TRUCK = 0.5 * 200 * 0.107
T2_WIND = 1000 * 0.0324
T2_TD = 1000 * 0.0046  # the GEC's MWh came over the grid
T2_GRID = 2000 * 0.5777
T2_TOTAL = 0.8 * (T2_RESIN + T2_TRUCK + T2_WIND + T2_TD + T2_GRID) / 1000
T2_LOCATION = T2_TOTAL - 0.8 * (T2_WIND + T2_TD + T2_GRID) / 1000 + 0.8 * 3000 * 0.5777 / 1000
T2_PDS = (
    100
    * (T2_RESIN * T1_PDS / 100 + T2_WIND + T2_TD + T2_GRID)
    / (T2_RESIN + T2_TRUCK + T2_WIND + T2_TD + T2_GRID)
)
# tier 3 (per 100 pieces)
T3_PART = 200 * T2_TOTAL
NCV = 43.0 / 1000  # TJ per t of diesel
T3_DIESEL = 0.010 * NCV * (74100 + 3.0 * 29.8 + 0.6 * 273)
T3_CH4 = 0.2 * 29.8
T3_DELIVERY = 1 * 50 * 0.107
T3_TOTAL = (T3_PART + T3_DIESEL + T3_CH4 + T3_DELIVERY) / 100
T3_PDS = 100 * (T3_PART * T2_PDS / 100 + T3_DIESEL + T3_CH4) / (100 * T3_TOTAL)


def approx(x):
    return pytest.approx(x, rel=REL, abs=1e-12)


@pytest.fixture(scope="module")
def results():
    r1 = calculate(parse_activity(three_tier.tier1()))
    up1 = r1.to_upstream(1)
    r2 = calculate(parse_activity(three_tier.tier2()), upstream={up1.reference: up1})
    up2 = r2.to_upstream(1)
    r3 = calculate(parse_activity(three_tier.tier3()), upstream={up2.reference: up2})
    return r1, r2, r3


def test_tier1(results):
    r1 = results[0]
    assert r1.emissions.total == approx(T1_TOTAL)
    assert r1.emissions.fossil == approx(T1_TOTAL)
    assert r1.flows["CO2/fossil"] == approx(T1_GAS / 1000)
    assert r1.flows["CH4/fossil"] == approx(0.5 / 1000)
    assert r1.flows["CO2e/fossil"] == approx(T1_POWER / 1000)
    by_gas = {(g.gas, g.origin): g.kg_co2e for g in r1.per_gas}
    assert by_gas[("CH4", "fossil")] == approx(T1_CH4 / 1000)
    assert r1.per_stage["production"] == approx(T1_TOTAL)
    assert r1.primary_data_share == approx(T1_PDS)
    assert r1.energy.kgce_per_declared_unit == approx(T1_KGCE)
    assert r1.top_contributors[0] == "power"


def test_tier2_allocation_green_power_and_linking(results):
    r2 = results[1]
    assert r2.emissions.total == approx(T2_TOTAL)
    per_input = {(c.input_id, c.claim, c.factor_id): c.kg_co2e for c in r2.per_input}
    assert per_input[("resin", None, None)] == approx(0.8 * T2_RESIN / 1000)
    assert per_input[("resin-truck", None, "transport/road-truck/GLO/2023")] == approx(0.8 * T2_TRUCK / 1000)
    wind_id, td_id = "electricity-generation/wind/CN/2024", "electricity-grid/footprint-td/CN/2024"
    assert per_input[("power", "GEC-JS-WIND-1", wind_id)] == approx(0.8 * T2_WIND / 1000)
    assert per_input[("power", "GEC-JS-WIND-1", td_id)] == approx(0.8 * T2_TD / 1000)
    assert per_input[("power", "grid", "electricity-grid/footprint/CN/2024")] == approx(0.8 * T2_GRID / 1000)
    # the upstream breakdown carries through: the resin's CH4 and CO2 appear in the part's flows
    assert r2.flows["CH4/fossil"] == approx(0.8 * 500 * (0.5 / 1000) / 1000)
    assert r2.electricity.gec_mwh == 1 and r2.electricity.grid_mwh == 2
    assert r2.electricity.total_market_based == approx(T2_TOTAL)
    assert r2.electricity.total_location_based == approx(T2_LOCATION)
    assert "residual-mix" in r2.electricity.disclosure
    assert r2.allocation["productSharePercent"] == approx(80)
    assert r2.primary_data_share == approx(T2_PDS)
    assert r2.upstream_footprints == ["88.100.1/RESIN@1"]
    assert {f.id for f in r2.factors} >= {wind_id, td_id}
    assert r2.electricity.claims[0]["transmissionDistributionFactorId"] == td_id


def test_tier3(results):
    r3 = results[2]
    assert r3.emissions.total == approx(T3_TOTAL)
    assert r3.per_stage["distribution"] == approx(T3_DELIVERY / 100)
    by_gas = {(g.gas, g.origin): g.mass_kg for g in r3.per_gas}
    assert by_gas[("N2O", "fossil")] == approx(0.010 * NCV * 0.6 / 100)
    assert r3.primary_data_share == approx(T3_PDS)
    assert r3.top_contributors[0] == "part"
    assert r3.system_boundary == "cradle-to-gate"


def test_results_equal_an_independent_numpy_solve(results):
    """Dense numpy solve of the same technosphere/biosphere/characterisation data."""
    for doc, result in ((three_tier.tier1(), results[0]),):
        inv = build_inventory(parse_activity(doc), FactorLibrary.builtin(), {}, CalculationOptions())
        raw = build_system([inv], "AR6").raw
        ids = sorted(set(raw["t_rows"]) | set(raw["t_cols"]))
        pos = {a: i for i, a in enumerate(ids)}
        a = np.zeros((len(ids), len(ids)))
        for r, c, v, f in zip(raw["t_rows"], raw["t_cols"], raw["t_vals"], raw["t_flip"], strict=True):
            a[pos[r], pos[c]] += -v if f else v
        fids = list(raw["c_ids"])
        b = np.zeros((len(fids), len(ids)))
        for r, c, v in zip(raw["b_rows"], raw["b_cols"], raw["b_vals"], strict=True):
            b[fids.index(r), pos[c]] += v
        demand = np.zeros(len(ids))
        demand[pos[0]] = 1
        supply = np.linalg.solve(a, demand)
        score = raw["c_vals"] @ b @ supply
        assert result.emissions.total == pytest.approx(score, rel=1e-12)
        per_line = (raw["c_vals"] @ b) * supply
        engine = [c.kg_co2e for c in result.per_input]
        assert engine == pytest.approx(list(per_line[1:]), rel=1e-12)


def test_supply_chain_recompute_matches_step_by_step(results):
    r1, r2, _ = results
    docs = {d["productIdentifier"]: parse_activity(d) for d in (three_tier.tier2(), three_tier.tier3())}
    # the resin supplier publishes a new footprint with twice the emissions
    changed = r1.to_upstream(2).model_copy(update={"flows": {k: 2 * v for k, v in r1.flows.items()}})
    new = recompute_dependents(
        docs,
        {"88.100.1/RESIN": changed, "88.100.2/PART": r2.to_upstream(1)},
        ["88.100.1/RESIN"],
        policy="newest",
    )
    assert list(new) == ["88.100.2/PART", "88.100.3/ASSY"]
    t2 = 0.8 * (2 * T2_RESIN + T2_TRUCK + T2_WIND + T2_TD + T2_GRID) / 1000
    assert new["88.100.2/PART"].emissions.total == approx(t2)
    t3 = (200 * t2 + T3_DIESEL + T3_CH4 + T3_DELIVERY) / 100
    assert new["88.100.3/ASSY"].emissions.total == approx(t3)
    assert new["88.100.3/ASSY"].upstream_footprints == ["88.100.2/PART@2"]


def test_ar5_is_selectable(results):
    r1 = calculate(parse_activity(three_tier.tier1()), options=CalculationOptions(gwp_set="AR5"))
    assert r1.emissions.total == approx((T1_GAS + 0.5 * 30 + T1_POWER) / 1000)


def test_pact_v3_mapping(results):
    pcf = to_pact_v3_pcf(results[0])
    assert pcf["declaredUnitOfMeasurement"] == "kilogram" and pcf["declaredUnitAmount"] == "1"
    assert pcf["pcfExcludingBiogenicUptake"] == f"{T1_TOTAL:.6g}"
    assert pcf["referencePeriodEnd"] == "2025-01-01T00:00:00Z"
    assert pcf["geographyCountrySubdivision"] == "CN-JS"
    assert pcf["ipccCharacterizationFactors"] == ["AR6"]
    pcf3 = to_pact_v3_pcf(results[2], product_mass_per_declared_unit_kg=0.6)
    assert pcf3["declaredUnitOfMeasurement"] == "piece"
    assert pcf3["productMassPerDeclaredUnit"] == "0.6"
    # PACT is cradle-to-gate: the delivery (distribution stage) is outbound logistics, outside the PCF
    assert float(pcf3["pcfExcludingBiogenicUptake"]) == approx(T3_TOTAL - T3_DELIVERY / 100)
    assert float(pcf3["outboundLogisticsGhgEmissions"]) == approx(T3_DELIVERY / 100)
