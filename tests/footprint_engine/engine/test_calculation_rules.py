"""Calculation-time refusals, Monte Carlo, factor library look-ups and loading, the CLI."""

import copy
import json

import pytest
import typer
from typer.testing import CliRunner

from footprint_engine.activity import parse_activity
from footprint_engine.calculate import CalculationOptions, calculate
from footprint_engine.calculate.uncertainty import monte_carlo
from footprint_engine.errors import FactorLibraryError, FactorNotFoundError, UnitError, UpstreamFootprintError
from footprint_engine.examples import load_example
from footprint_engine.factors import FactorLibrary, characterisation
from node_service.cli import footprint_cmds


def ingot() -> dict:
    return copy.deepcopy(load_example("aluminium-ingot-yunnan"))


def test_unknown_factor_id_names_the_input():
    doc = ingot()
    doc["inputs"]["materials"][0]["factorId"] = "material/unobtainium/GLO/2022"
    with pytest.raises(FactorNotFoundError) as info:
        calculate(parse_activity(doc))
    assert info.value.field == "inputs.materials[0].factorId"
    assert "unobtainium" in str(info.value)


def test_material_without_factor_or_upstream():
    doc = ingot()
    del doc["inputs"]["materials"][2]["factorId"]
    with pytest.raises(FactorNotFoundError) as info:
        calculate(parse_activity(doc))
    assert info.value.field == "inputs.materials[2]"


def test_unknown_generation_type():
    doc = ingot()
    doc["inputs"]["electricity"][0]["greenPowerClaims"][0]["generationType"] = "fusion"
    with pytest.raises(FactorNotFoundError) as info:
        calculate(parse_activity(doc))
    assert info.value.field == "inputs.electricity[0].greenPowerClaims[0].generationType"


def test_unit_mismatch_with_factor():
    doc = ingot()
    doc["inputs"]["materials"][0]["unit"] = "m3"  # the alumina factor (CPCD) is per t
    with pytest.raises(UnitError) as info:
        calculate(parse_activity(doc))
    assert info.value.field == "inputs.materials[0].unit"
    assert "material/alumina/CN/2021" in str(info.value)


def test_missing_upstream_footprint():
    doc = load_example("motor-housing-jiangsu")
    with pytest.raises(UpstreamFootprintError) as info:
        calculate(parse_activity(doc))
    assert info.value.field == "inputs.materials[0].upstreamFootprint"


def test_fallbacks_are_reported():
    result = calculate(parse_activity(ingot()))
    grid = next(f for f in result.factors if f.id == "electricity-grid/footprint/CN/2024")
    assert grid.fallbacks == ["CN-YN → CN: MEE publishes carbon-footprint factors nationally only"]
    (rule,) = result.rules
    applied = next(a for a in rule.applied if a.use == "grid")
    assert applied.fallbacks == [
        {"kind": "geography", "from": "CN-YN", "to": "CN", "reason": "no-provincial-footprint-factor"}
    ]


def test_co2_grid_basis_uses_the_provincial_factor_and_says_it_is_not_the_rule():
    result = calculate(parse_activity(ingot()), options=CalculationOptions(grid_basis="co2"))
    grid = next(f for f in result.factors if f.id.startswith("electricity-grid/"))
    assert grid.id == "electricity-grid/co2/CN-YN/2023"
    assert grid.fallbacks == [
        "year 2024 → 2023: not published for the reporting year; the nearest earlier year is used"
    ]
    (rule,) = result.rules
    assert rule.id == "product-footprint" and not rule.followed
    assert rule.deviations[0]["code"] == "grid-basis-co2"
    assert "not a GB/T 24067 product footprint" in rule.deviations[0]["text"]
    assert {a.rule for a in rule.applied} == {"organisation-inventory/generic"}
    # the organisation basis adds no transmission and distribution to the GECs
    assert not any("footprint-td" in f.id for f in result.factors)


def test_gwp_characterisation():
    assert characterisation("CH4/fossil", "AR6") == 29.8
    assert characterisation("CH4/biogenic", "AR6") == 27.0
    assert characterisation("CO2/biogenic-removal", "AR6") == -1
    assert characterisation("SF6/fossil", "AR5") == 23500


def test_monte_carlo_is_seedable_and_brackets_the_deterministic_total():
    act = parse_activity(ingot())
    a = monte_carlo(act, iterations=400, seed=7)
    b = monte_carlo(act, iterations=400, seed=7)
    assert a == b
    total = calculate(act).emissions.total
    assert a.p2_5 < total < a.p97_5
    assert a.p2_5 < a.median < a.p97_5


def test_monte_carlo_samplers_agree():
    act = parse_activity(ingot())
    fast = monte_carlo(act, iterations=300, seed=11)
    bw = monte_carlo(act, iterations=300, seed=11, sampler="bw2calc")
    assert fast.mean == pytest.approx(bw.mean, rel=0.03)


def test_own_distribution_is_used():
    doc = ingot()
    doc["inputs"]["electricity"][0]["uncertainty"] = {"distribution": "normal", "sd": 1.0}
    doc["inputs"]["materials"][0]["uncertainty"] = {"distribution": "lognormal", "geometricSd": 1.01}
    r = monte_carlo(parse_activity(doc), iterations=200, seed=1)
    assert r.iterations == 200


def test_user_factor_set_csv(tmp_path):
    csv_text = (
        "kind,key,geography,year,value,unit,gas,origin,source\n"
        "material,88.118.5/ALUMINA-SGA,CN,2024,1.1,kgCO2e/kg,CO2e,fossil,supplier EPD 2024\n"
    )
    path = tmp_path / "mine.csv"
    path.write_text(csv_text)
    library = FactorLibrary.builtin().with_file(path)
    doc = ingot()
    del doc["inputs"]["materials"][0]["factorId"]  # now found by identifier
    result = calculate(parse_activity(doc), library=library)
    alumina = next(c for c in result.per_input if c.input_id == "alumina")
    assert alumina.factor_id == "user/material/88.118.5/ALUMINA-SGA/CN/2024"
    assert alumina.kg_co2e == pytest.approx(1.92 * 1100)


def test_bad_factor_files(tmp_path):
    p = tmp_path / "bad.json"
    p.write_text(
        json.dumps(
            [
                {
                    "id": "x",
                    "kind": "material",
                    "key": "k",
                    "geography": "CN",
                    "unit": "kg",
                    "emissions": {"CO2/martian": 1},
                    "source": "s",
                }
            ]
        )
    )
    with pytest.raises(FactorLibraryError) as info:
        FactorLibrary.load_file(p)
    assert "martian" in str(info.value)
    with pytest.raises(FactorLibraryError):
        FactorLibrary.builtin().extended(FactorLibrary.builtin().factors()[:1])  # duplicate id


def app() -> typer.Typer:
    a = typer.Typer()
    footprint_cmds.register(a)

    @a.callback()
    def main() -> None:
        pass

    return a


def test_cli_accepts_a_credential_and_prints_json(tmp_path):
    vc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "credentialSubject": ingot(),
    }
    path = tmp_path / "vc.json"
    path.write_text(json.dumps(vc))
    out = CliRunner().invoke(
        app(), ["footprint", "compute", str(path), "--iterations", "50", "--seed", "1", "--pact"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["uncertainty"]["iterations"] == 50
    assert data["pactV3Pcf"]["declaredUnitOfMeasurement"] == "kilogram"


def test_cli_table_and_refusal(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(ingot()))
    out = CliRunner().invoke(
        app(), ["footprint", "compute", str(path), "--iterations", "0", "--format", "table"]
    )
    assert out.exit_code == 0 and "market-based" in out.stdout
    doc = ingot()
    doc["inputs"]["fuels"][0]["amount"] = -1
    path.write_text(json.dumps(doc))
    out = CliRunner().invoke(app(), ["footprint", "compute", str(path), "--iterations", "0"])
    assert out.exit_code == 1
    assert "inputs.fuels[0].amount" in out.stderr
