"""Fuels in energy units through the net calorific value (GB/T 2589-2020, IPCC 2006); hand-checked."""

import json

import pytest
from pytest import approx

from footprint_engine.activity import parse_activity
from footprint_engine.calculate import calculate
from footprint_engine.calculate.fuel_amount import KJ_PER_KGCE
from footprint_engine.errors import UnitError
from footprint_engine.factors import FactorLibrary


def doc(fuel: str, amount: float, unit: str, method: str = "cn-default") -> dict:
    return {
        "productIdentifier": "88.100.7/BRICK",
        "organisation": {"id": "91320500MA1W4Y9BXB"},
        "reportingPeriod": {"start": "2024-01-01", "end": "2024-12-31"},
        "site": {"name": "kiln", "gridRegion": "CN-JS"},
        "declaredUnit": "t",
        "producedQuantity": {"amount": 100, "unit": "t"},
        "inputs": {"fuels": [{"id": "f", "fuel": fuel, "amount": amount, "unit": unit, "method": method}]},
    }


def total(d: dict) -> float:
    return calculate(parse_activity(d)).emissions.total


def test_raw_coal_in_gj_uses_the_gbt2589_ncv():
    # 2090.8 GJ ÷ 20.908 GJ/t (GB/T 2589) = 100 t × 1900.3 kgCO2/t (cn-default) = 190 030 kg, per t of 100 t
    assert total(doc("raw_coal", 2090.8, "GJ")) == approx(1900.3, rel=1e-9)


def test_energy_and_mass_give_the_same_footprint():
    assert total(doc("diesel", 42.652, "GJ")) == approx(total(doc("diesel", 1, "t")), rel=1e-12)


def test_natural_gas_in_kwh_of_fuel():
    # 100 000 kWh = 360 GJ ÷ 0.038931 GJ/m3 = 9247.1 m3 × 2.1622 kgCO2/m3, per t
    want = 360.0 / 0.038931 * 2.1622 / 100
    assert total(doc("natural_gas", 100_000, "kWh")) == approx(want, rel=1e-9)


def test_tce_through_the_ipcc_route_equals_energy_times_kg_per_tj():
    # 10 tce = 293.07 GJ = 0.29307 TJ; IPCC diesel: CO2 74 100, CH4 3, N2O 0.6 kg/TJ (independent of the NCV)
    r = calculate(parse_activity(doc("diesel", 10, "tce", method="ipcc-2006")))
    tj = 10 * 1000 * KJ_PER_KGCE / 1e9
    gases = {(g.gas, g.origin): g.mass_kg for g in r.per_gas}
    assert gases[("CO2", "fossil")] == approx(74_100 * tj / 100, rel=1e-9)
    assert gases[("CH4", "fossil")] == approx(3.0 * tj / 100, rel=1e-9)
    assert gases[("N2O", "fossil")] == approx(0.6 * tj / 100, rel=1e-9)
    line = r.per_input[0]
    assert "NCV 43 GJ/t" in line.conversion and "29307 kJ/kgce" in line.conversion
    factor = r.factors[0]
    assert factor.ncv_gj_per_unit == 43.0 and "IPCC 2006" in factor.ncv_source


def test_energy_report_counts_measured_energy_at_29307_kj_per_kgce():
    r = calculate(parse_activity(doc("raw_coal", 2930.7, "GJ")))
    assert r.energy.breakdown["fuel:raw_coal"] == approx(100_000 / 100, rel=1e-12)  # 100 tce over 100 t
    assert r.energy.not_counted == []


def test_standard_coal_constant_is_the_library_row():
    assert FactorLibrary.builtin().energy_coefficient("standard_coal").ncv_kj_per_unit == KJ_PER_KGCE


def test_cn_default_factors_are_consistent_with_their_ncv():
    """Every cn-default CO2 factor = NCV × carbon content × oxidation × 44/12 (the NCV used to convert)."""
    import csv
    from importlib import resources

    text = resources.files("footprint_engine.data").joinpath("fuels_cn_default.csv").read_text("utf-8")
    lib = FactorLibrary.builtin()
    for row in csv.DictReader(text.splitlines()):
        f = lib.get(f"fuel/cn-default/{row['fuel']}")
        kg_per_gj = float(row["carbon_content_tc_per_tj"]) * float(row["oxidation_rate"]) * 44 / 12
        assert f.emissions["CO2/fossil"] == approx(f.ncv_gj_per_unit * kg_per_gj, rel=2e-4), row["fuel"]


def test_ipcc_anthracite_and_crude_oil_use_the_table_1_2_ncv():
    # IPCC 2006 Vol. 2 Ch. 1 Table 1.2: anthracite 26.7 TJ/Gg, crude oil 42.3 TJ/Gg (per t of 100 t produced)
    assert total(doc("anthracite", 10, "t", method="ipcc-2006")) == approx(
        10 * 26.7e-3 * 98_300 / 100, rel=1e-12
    )
    assert total(doc("crude_oil", 10, "t", method="ipcc-2006")) == approx(
        10 * 42.3e-3 * 73_300 / 100, rel=1e-12
    )
    # energy amounts need no NCV: 500 GJ = 0.5 TJ × 98 300 kgCO2/TJ
    assert total(doc("anthracite", 500, "GJ", method="ipcc-2006")) == approx(98_300 * 0.5 / 100, rel=1e-12)


def test_fuel_factor_per_tj_refuses_a_mass(tmp_path):
    """A factor published per TJ without an NCV (here a user's peat factor) takes energy, never a mass."""
    path = tmp_path / "f.json"
    factor = {"id": "fuel/x/peat", "kind": "fuel", "key": "ipcc-2006:peat", "geography": "GLO", "unit": "TJ",
              "emissions": {"CO2/fossil": 106_000}, "source": "test"}  # fmt: skip
    path.write_text(json.dumps([factor]))
    lib = FactorLibrary.builtin().with_file(path)
    r = calculate(parse_activity(doc("peat", 500, "GJ", method="ipcc-2006")), library=lib)
    assert r.emissions.total == approx(106_000 * 0.5 / 100, rel=1e-12)
    with pytest.raises(UnitError) as info:
        calculate(parse_activity(doc("peat", 10, "t", method="ipcc-2006")), library=lib)
    assert info.value.field == "inputs.fuels[0].unit"
    assert "fuel/x/peat" in str(info.value)


def test_fuel_factor_without_ncv_names_the_unit(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(
        json.dumps(
            [
                {
                    "id": "fuel/x/bagasse",
                    "kind": "fuel",
                    "key": "cn-default:bagasse",
                    "geography": "CN",
                    "unit": "t",
                    "emissions": {"CH4/biogenic": 0.3},
                    "source": "test",
                }
            ]
        )
    )
    lib = FactorLibrary.builtin().with_file(path)
    with pytest.raises(UnitError) as info:
        calculate(parse_activity(doc("bagasse", 100, "GJ")), library=lib)
    assert info.value.field == "inputs.fuels[0].unit"
    assert "no net calorific value" in str(info.value)


def test_factor_per_energy_takes_tce_directly(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(
        json.dumps(
            [
                {
                    "id": "fuel/x/gas-gj",
                    "kind": "fuel",
                    "key": "cn-default:gas-gj",
                    "geography": "CN",
                    "unit": "GJ",
                    "emissions": {"CO2/fossil": 56.1},
                    "source": "test",
                }
            ]
        )
    )
    lib = FactorLibrary.builtin().with_file(path)
    r = calculate(parse_activity(doc("gas-gj", 1, "tce")), library=lib)
    assert r.emissions.total == approx(29.307 * 56.1 / 100, rel=1e-12)


def test_fuel_in_a_length_is_refused_at_parse_time():
    with pytest.raises(UnitError) as info:
        parse_activity(doc("diesel", 100, "km"))
    assert info.value.field == "inputs.fuels[0].unit"
