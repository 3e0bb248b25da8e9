"""Activity-data schema: valid examples parse, every refused input names its field."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from footprint_engine.activity import parse_activity
from footprint_engine.errors import ActivityDataError, AllocationError, GreenPowerClaimError, UnitError
from footprint_engine.examples import example_names, load_example
from footprint_engine.schema import schema_text

ROOT = Path(__file__).resolve().parents[3]
SCHEMA_FILE = ROOT / "docs" / "schemas" / "activity-data-v1.json"


def ingot() -> dict:
    return copy.deepcopy(load_example("aluminium-ingot-yunnan"))


def test_committed_schema_is_current():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "docs/schemas/activity-data-v1.json is stale: run "
        "python -m footprint_engine.schema docs/schemas/activity-data-v1.json"
    )


@pytest.mark.parametrize("name", example_names())
def test_examples_parse_and_match_the_json_schema(name):
    doc = load_example(name)
    parse_activity(doc)
    jsonschema.validate(doc, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_round_trip_keeps_camel_case_names():
    act = parse_activity(ingot())
    dumped = act.model_dump(by_alias=True, mode="json", exclude_defaults=False)
    assert dumped["inputs"]["electricity"][0]["greenPowerClaims"][0]["quantityMWh"] == 300000
    assert parse_activity(dumped) == act


def test_text_input_is_accepted():
    assert parse_activity(json.dumps(ingot())).product_identifier == "88.118.8/AL-INGOT-A00"


def refused(doc, kind=ActivityDataError):
    with pytest.raises(kind) as info:
        parse_activity(doc)
    return info.value


def test_negative_amount_names_the_field():
    doc = ingot()
    doc["inputs"]["materials"][1]["amount"] = -5
    err = refused(doc)
    assert err.field == "inputs.materials[1].amount"
    assert "negative" in str(err)


def test_unknown_unit_names_the_field():
    doc = ingot()
    doc["inputs"]["fuels"][0]["unit"] = "barrelz"
    err = refused(doc, UnitError)
    assert err.field == "inputs.fuels[0].unit"
    assert "barrelz" in str(err)


def test_dimensionally_wrong_unit_names_the_field():
    doc = ingot()
    doc["inputs"]["electricity"][0]["unit"] = "t"
    err = refused(doc, UnitError)
    assert err.field == "inputs.electricity[0].unit"
    assert "want energy" in str(err)


def test_wrong_transport_distance_unit():
    doc = ingot()
    doc["inputs"]["transport"][0]["distance"]["unit"] = "kg"
    err = refused(doc, UnitError)
    assert err.field == "inputs.transport[0].distance.unit"


def test_produced_quantity_must_match_declared_unit():
    doc = ingot()
    doc["producedQuantity"]["unit"] = "MWh"
    err = refused(doc, UnitError)
    assert err.field == "producedQuantity.unit"


def test_duplicate_input_id():
    doc = ingot()
    doc["inputs"]["materials"][1]["id"] = "alumina"
    assert refused(doc).field == "inputs.materials[1].id"


def test_bad_cid():
    doc = ingot()
    doc["evidence"] = ["not-a-cid"]
    err = refused(doc)
    assert err.field == "evidence[0]"


def test_unknown_field_is_refused():
    doc = ingot()
    doc["inputs"]["materials"][0]["colour"] = "white"
    assert refused(doc).field == "inputs.materials[0].colour"


# -- green power -----------------------------------------------------------------------------------------


def claim(doc, j=0):
    return doc["inputs"]["electricity"][0]["greenPowerClaims"][j]


def test_gec_more_mwh_than_consumed():
    doc = ingot()
    claim(doc)["quantityMWh"] = 1_300_000
    err = refused(doc, GreenPowerClaimError)
    assert err.field == "inputs.electricity[0].greenPowerClaims"
    assert "1.4e+06 MWh but consumed 1.35e+06" in str(err)


def test_gec_fractional_mwh():
    doc = ingot()
    claim(doc)["quantityMWh"] = 10.5
    err = refused(doc)
    assert err.field == "inputs.electricity[0].greenPowerClaims[0].quantityMWh"
    assert "1 GEC = 1 MWh" in str(err)


def test_gec_expired():
    doc = ingot()
    claim(doc)["productionDate"] = "2021-12-31"  # valid until 2023-11-30
    err = refused(doc, GreenPowerClaimError)
    assert err.field == "inputs.electricity[0].greenPowerClaims[0].productionDate"
    assert "expired 2023-11-30" in str(err)


def test_gec_validity_counts_from_the_production_month():
    doc = ingot()
    claim(doc)["productionDate"] = "2022-01-31"  # valid until 2023-12-31: not yet valid for 2024
    err = refused(doc, GreenPowerClaimError)
    assert "expired 2023-12-31" in str(err)
    claim(doc)["productionDate"] = "2022-02-01"  # valid until 2024-01-31: covers the period start
    claim(doc)["cancellation"]["date"] = "2024-01-15"
    parse_activity(doc)


def test_gec_produced_after_period():
    doc = ingot()
    claim(doc)["productionDate"] = "2025-01-02"
    err = refused(doc, GreenPowerClaimError)
    assert "after the reporting period ends" in str(err)


def test_gec_cancelled_for_someone_else():
    doc = ingot()
    claim(doc)["cancellation"]["claimant"] = "91440300MA5G2H8C7K"
    err = refused(doc, GreenPowerClaimError)
    assert err.field == "inputs.electricity[0].greenPowerClaims[0].cancellation.claimant"


def test_gec_not_cancelled():
    doc = ingot()
    del claim(doc)["cancellation"]
    assert refused(doc, GreenPowerClaimError).field.endswith("greenPowerClaims[0].cancellation")


def test_gec_cancelled_after_expiry():
    doc = ingot()
    claim(doc, 1)["cancellation"]["date"] = "2026-01-01"  # produced 2023-11, valid until 2025-10-31
    err = refused(doc, GreenPowerClaimError)
    assert err.field == "inputs.electricity[0].greenPowerClaims[1].cancellation.date"


def test_gec_serial_twice():
    doc = ingot()
    claim(doc, 1)["serial"] = claim(doc, 0)["serial"]
    err = refused(doc, GreenPowerClaimError)
    assert err.field == "inputs.electricity[0].greenPowerClaims[1].serial"


def test_contract_outside_period():
    doc = ingot()
    doc["inputs"]["electricity"][0]["greenPowerClaims"].append(
        {
            "type": "green-power-contract",
            "contractId": "GPC-YN-2023-9",
            "quantityMWh": 1000,
            "generationType": "wind",
            "deliveryStart": "2023-01-01",
            "deliveryEnd": "2023-12-31",
        }
    )
    err = refused(doc, GreenPowerClaimError)
    assert err.field == "inputs.electricity[0].greenPowerClaims[2].deliveryStart"


# -- allocation ------------------------------------------------------------------------------------------


def test_allocation_shares_must_sum_to_100():
    doc = load_example("motor-housing-jiangsu")
    doc["allocation"]["shares"]["88.118.12/AL-SCRAP-RETURN"] = 4
    err = refused(doc, AllocationError)
    assert err.field == "allocation.shares"
    assert "got 101 %" in str(err)


def test_allocation_must_name_every_product():
    doc = load_example("motor-housing-jiangsu")
    del doc["allocation"]["shares"]["88.118.12/AL-SCRAP-RETURN"]
    assert refused(doc, AllocationError).field == "allocation.shares"


def test_co_products_need_allocation():
    doc = load_example("motor-housing-jiangsu")
    del doc["allocation"]
    assert refused(doc, AllocationError).field == "allocation"


def test_physical_allocation_needs_convertible_units():
    doc = load_example("motor-housing-jiangsu")
    doc["allocation"] = {"basis": "physical"}
    err = refused(doc, UnitError)  # pieces vs tonnes
    assert err.field == "producedQuantity.unit" or err.field == "coProducts[0].unit"


def test_economic_allocation_without_prices():
    doc = load_example("motor-housing-jiangsu")
    doc["allocation"] = {"basis": "economic"}
    assert refused(doc, AllocationError).field == "allocation.economicValue"
