"""Account rules (which grid factor an account may use), result provenance (factor versions, names, sources,
alternatives, the rules block), the green-power rules (delivery inside the period, counted once, T&D) and what a
PACT document says of them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from footprint_engine.activity import parse_activity
from footprint_engine.calculate import calculate
from footprint_engine.calculate.result import FootprintResult
from footprint_engine.errors import FactorLibraryError, FactorNotFoundError, GreenPowerClaimError
from footprint_engine.examples import load_example
from footprint_engine.factors import Factor, FactorLibrary
from footprint_engine.factors.rules import ACCOUNT_RULES, account_rule, grid_factor_for
from footprint_engine.pact import rules_comment, to_pact_v3_pcf, to_pact_v23_pcf

TD_2024 = "electricity-grid/footprint-td/CN/2024"


def ingot() -> dict[str, Any]:
    return copy.deepcopy(load_example("aluminium-ingot-yunnan"))


def contract(**changes: Any) -> dict[str, Any]:
    claim = {
        "type": "green-power-contract",
        "contractId": "GPC-YN-2024-0007",
        "quantityMWh": 50000,
        "generationType": "wind",
        "deliveryStart": "2024-03-01",
        "deliveryEnd": "2024-08-31",
    }
    return {**claim, **changes}


def with_claims(*claims: dict[str, Any]) -> dict[str, Any]:
    doc = ingot()
    doc["inputs"]["electricity"][0]["greenPowerClaims"].extend(claims)
    return doc


# -- the rules and their resolver ---------------------------------------------------------------------------


def test_every_rule_cites_its_source_and_says_what_it_prescribes():
    assert {"product-footprint", "cbam-indirect", "organisation-inventory/generic"} <= set(ACCOUNT_RULES)
    assert {
        f"organisation-inventory/{s}"
        for s in ("power-generation", "cement", "electrolytic-aluminium", "steel")
    } <= set(ACCOUNT_RULES)
    for rule in ACCOUNT_RULES.values():
        assert rule.citations and rule.electricity
        assert all(c.document and c.clause and c.edition for c in rule.citations)
        assert rule.check == any(c.check for c in rule.citations)  # unread official text is marked
    with pytest.raises(FactorLibraryError) as info:
        account_rule("organisation-inventory/glass")
    assert "product-footprint" in info.value.fix


def test_product_footprint_takes_the_national_footprint_factor_and_says_why():
    library = FactorLibrary.builtin()
    m = grid_factor_for("product-footprint", "CN-YN", 2024, library)
    assert m.factor.id == "electricity-grid/footprint/CN/2024"
    assert m.steps == (
        {"kind": "geography", "from": "CN-YN", "to": "CN", "reason": "no-provincial-footprint-factor"},
    )
    assert m.fallbacks == ("CN-YN → CN: MEE publishes carbon-footprint factors nationally only",)
    later = grid_factor_for("product-footprint", "CN-YN", 2026, library)
    assert later.factor.id == "electricity-grid/footprint/CN/2024"
    assert later.steps[1] == {
        "kind": "year",
        "from": "2026",
        "to": "2024",
        "reason": "reporting-year-not-published",
    }
    earlier = grid_factor_for("product-footprint", "CN", 2021, library)
    assert earlier.factor.year == 2023 and earlier.steps[0]["reason"] == "no-earlier-year-published"


def test_organisation_inventory_rules_resolve_by_level():
    library = FactorLibrary.builtin()
    own = grid_factor_for("organisation-inventory/generic", "CN-YN", 2021, library)
    assert own.factor.id == "electricity-grid/co2/CN-YN/2021" and own.steps == ()
    assert own.factor.emissions["CO2/fossil"] == pytest.approx(0.1235)
    latest = grid_factor_for("organisation-inventory/generic", "CN-HE", 2024, library)
    assert latest.factor.id == "electricity-grid/co2/CN-HE/2023"
    assert latest.factor.emissions["CO2/fossil"] == pytest.approx(0.6516)
    tibet = grid_factor_for("organisation-inventory/generic", "CN-XZ", 2022, library)  # in no MEE/NBS table
    assert tibet.factor.geography == "CN-Southwest"
    assert tibet.steps[0] == {
        "kind": "geography",
        "from": "CN-XZ",
        "to": "CN-Southwest",
        "reason": "no-factor-at-this-level",
    }
    for sector in ("power-generation", "cement", "electrolytic-aluminium", "steel"):
        national = grid_factor_for(f"organisation-inventory/{sector}", "CN-YN", 2022, library)
        assert national.factor.id == "electricity-grid/co2/CN/2022"
        assert national.steps[0]["reason"] == "rule-prescribes-national-factor"


def test_cbam_and_missing_factors_are_refused_with_the_fix():
    library = FactorLibrary.builtin()
    with pytest.raises(FactorLibraryError) as info:
        grid_factor_for("cbam-indirect", "CN-YN", 2024, library)
    assert "installation.grid_factor" in info.value.fix
    bare = FactorLibrary([], name="empty")
    with pytest.raises(FactorNotFoundError) as missing:
        grid_factor_for("product-footprint", "CN-YN", 2024, bare, field="inputs.electricity[0]")
    assert "tanlian factors search" in missing.value.fix and missing.value.field == "inputs.electricity[0]"


# -- provenance in the result ---------------------------------------------------------------------------------


def test_a_line_says_which_factor_rule_and_version_it_used():
    result = calculate(parse_activity(ingot()))
    (rule,) = result.rules
    assert rule.id == "product-footprint" and rule.followed and rule.deviations == []
    grid = next(a for a in rule.applied if a.use == "grid")
    used = next(f for f in result.factors if f.id == grid.factor_id)
    assert grid.factor_version == used.version and used.version
    assert used.name_zh and used.source_id == "mee-electricity-footprint" and used.redistributable
    # the other published year stays visible, with its value, as not used
    assert {(a.id, a.year, round(a.value, 4)) for a in used.alternatives} >= {
        ("electricity-grid/footprint/CN/2023", 2023, 0.6205)
    }
    assert all(a.id != used.id for a in used.alternatives)


def test_private_factors_are_never_listed_as_alternatives():
    secret = Factor(
        id="private/org-1/grid-footprint",
        kind="electricity-grid",
        key="footprint",
        geography="CN",
        year=2022,
        unit="kWh",
        emissions={"CO2e/fossil": 0.1},
        source="our own PPA study",
        redistributable=False,
        source_id="private",
        owner="org-1",
    )
    library = FactorLibrary.builtin().extended([secret])
    result = calculate(parse_activity(ingot()), library=library)
    grid = next(f for f in result.factors if f.id == "electricity-grid/footprint/CN/2024")
    assert secret.id not in {a.id for a in grid.alternatives}


def test_deviations_from_the_rule_are_stated_never_silent():
    doc = ingot()
    doc["inputs"]["electricity"][0]["factorId"] = "electricity-grid/co2/CN-YN/2023"
    (rule,) = calculate(parse_activity(doc)).rules
    assert not rule.followed
    assert rule.deviations[0]["code"] == "factor-id-given"
    assert rule.deviations[0]["path"] == "inputs.electricity[0].factorId"


def test_results_before_these_fields_keep_their_shape():
    result = calculate(parse_activity(ingot()))
    old = result.model_dump(by_alias=True, mode="json")
    del old["rules"]
    for f in old["factors"]:
        for key in (
            "version",
            "nameZh",
            "nameEn",
            "sourceId",
            "redistributable",
            "cpcdCode",
            "category",
            "alternatives",
        ):
            f.pop(key, None)
    again = FootprintResult.model_validate(old).model_dump(by_alias=True, mode="json")
    assert again == old


# -- green power ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "field", "fix"),
    [
        (("2023-12-01", "2024-03-31"), "deliveryStart", "deliveryStart on or after 2024-01-01"),
        (("2024-10-01", "2025-01-31"), "deliveryEnd", "deliveryEnd on or before 2024-12-31"),
    ],
)
def test_a_contract_window_that_only_overlaps_the_period_is_refused(window, field, fix):
    with pytest.raises(GreenPowerClaimError) as info:
        parse_activity(with_claims(contract(deliveryStart=window[0], deliveryEnd=window[1])))
    assert info.value.field == f"inputs.electricity[0].greenPowerClaims[2].{field}"
    assert "claim only the MWh delivered inside the period, with delivery dates inside it" in info.value.fix
    assert fix in info.value.fix


def test_the_same_mwh_is_counted_once_within_a_document():
    serial = "GEC-2024-YN-HYD-000123"  # the example's first GEC claim
    with pytest.raises(GreenPowerClaimError) as info:
        parse_activity(with_claims(contract(bundledGecSerials=["gec 2024 yn hyd 000123"])))
    assert info.value.field == "inputs.electricity[0].greenPowerClaims[2].bundledGecSerials[0]"
    assert serial in info.value.detail or "000123" in info.value.detail
    with pytest.raises(GreenPowerClaimError) as twice:
        parse_activity(
            with_claims(contract(), contract(contractId="gpc yn 2024 0007", deliveryStart="2024-08-01"))
        )
    assert twice.value.field == "inputs.electricity[0].greenPowerClaims[3].contractId"
    # the same contract for two windows that do not overlap is two deliveries
    parse_activity(with_claims(contract(), contract(deliveryStart="2024-09-01", deliveryEnd="2024-12-31")))


def test_grid_delivered_green_power_carries_transmission_and_distribution():
    doc = with_claims(contract(bundledGecSerials=["GEC-2024-YN-WIND-7001"]), contract(
        contractId="GPC-YN-DIRECT-1", delivery="direct-line", quantityMWh=20000
    ))  # fmt: skip
    result = calculate(parse_activity(doc))
    td = next(f for f in result.factors if f.id == TD_2024)
    assert td.used_by == ["inputs.electricity[0]"]
    lines = [c for c in result.per_input if c.factor_id == TD_2024]
    # both GECs and the grid-delivered contract; not the direct line
    assert sorted(c.claim for c in lines) == sorted(
        ["GEC-2024-YN-HYD-000123", "GEC-2023-YN-HYD-004560", "GPC-YN-2024-0007"]
    )
    produced_t = 100000  # the example's declared unit is t, 100 000 t produced
    contract_td = next(c for c in lines if c.claim == "GPC-YN-2024-0007")
    assert contract_td.kg_co2e == pytest.approx(50000 * 1000 * 0.0046 / produced_t, rel=1e-9)
    claims = {c["reference"]: c for c in result.electricity.claims}
    assert claims["GPC-YN-2024-0007"]["transmissionDistributionFactorId"] == TD_2024
    assert "transmissionDistributionFactorId" not in claims["GPC-YN-DIRECT-1"]
    # MWh are counted once: the bundled GEC adds none; T&D lines add none
    assert result.electricity.contract_mwh == 70000 and result.electricity.gec_mwh == 400000
    # location-based: every MWh at the grid factor, no T&D on top
    grid = 0.5777
    assert result.electricity.location_based_kg_co2e == pytest.approx(
        1350000 * 1000 * grid / produced_t, rel=1e-9
    )
    (rule,) = result.rules
    assert {a.use for a in rule.applied} == {"grid", "transmission-distribution"}


def test_without_a_td_factor_the_omission_is_a_deviation():
    library = FactorLibrary(
        [f for f in FactorLibrary.builtin().factors() if f.key != "footprint-td"], name="no-td"
    )
    (rule,) = calculate(parse_activity(ingot()), library=library).rules
    assert {d["code"] for d in rule.deviations} == {"td-factor-missing"}
    assert not rule.followed


# -- PACT ---------------------------------------------------------------------------------------------------


def test_pact_documents_name_sources_and_versions_and_hide_licensed_ones():
    result = calculate(parse_activity(ingot()))
    for pcf in (to_pact_v3_pcf(result), to_pact_v23_pcf(result)):
        sources = pcf["secondaryEmissionFactorSources"]
        assert all(set(s) == {"name", "version"} and s["name"] and s["version"] for s in sources)
        assert any("2024" in s["version"] and "2026.12" in s["version"] for s in sources)
        assert not any("0.5777" in s["name"] + s["version"] for s in sources)  # names, not values
    licensed = result.model_copy(
        update={
            "factors": [f.model_copy(update={"redistributable": False}) for f in result.factors[:1]]
            + result.factors[1:]
        }
    )
    names = [s["name"] for s in to_pact_v3_pcf(licensed)["secondaryEmissionFactorSources"]]
    assert "licensed secondary data" in names
    assert result.factors[0].source not in names
    comment = rules_comment(result)
    assert (
        "product-footprint" in comment
        and "CN-YN → CN: MEE publishes carbon-footprint factors nationally only" in comment
    )
