"""Bad input: each rule gives its own error naming what to fix."""

from __future__ import annotations

import pytest

from footprint_engine.cbam import (
    CbamError,
    CbamInputError,
    ElectricityFactorSourceError,
    ElectricityUse,
    GoodOutOfScopeError,
    GridFactor,
    MissingProductionRouteError,
    PrecursorInput,
    PrecursorMassError,
    ProducedGood,
    ProductionProcess,
    UnsupportedGoodError,
    build_communication,
    classify_good,
)

from .examples import GRID, cement_installation, steel_installation


def _with_process(steel, **changes):
    process = steel.processes[0].model_copy(update=changes)
    return steel.model_copy(update={"processes": [process]})


def test_good_out_of_scope(steel):
    good = steel.processes[0].goods[0].model_copy(update={"cn_code": "73170000"})  # nails: not in Annex I
    with pytest.raises(GoodOutOfScopeError, match=r"73170000.*not in CBAM scope.*correct its CN code"):
        build_communication(_with_process(steel, goods=[good]), period=2026)


def test_excluded_subheading_is_out_of_scope():
    with pytest.raises(GoodOutOfScopeError, match="not in CBAM scope"):
        classify_good("31056000")
    assert classify_good("31059000").aggregated_goods_category == "Mixed fertilisers"
    assert classify_good("31021010").aggregated_goods_category == "Urea"


def test_clinker_needs_taric_key_from_2026():
    with pytest.raises(GoodOutOfScopeError, match=r"TARIC key 2523100010 \(white clinker\) or 2523100090"):
        classify_good("25231000")


def test_malformed_code():
    with pytest.raises(GoodOutOfScopeError, match="malformed"):
        classify_good("72O8")


def test_missing_production_route(steel):
    good = steel.processes[0].goods[0].model_copy(update={"production_route": None})
    with pytest.raises(MissingProductionRouteError, match=r"hrc-coil.*production route missing.*bf_bof"):
        build_communication(_with_process(steel, goods=[good]), period=2026)


def test_route_contradicting_taric_key():
    inst = cement_installation("none")
    kiln = inst.processes[0]
    good = kiln.goods[0].model_copy(update={"production_route": "white_clinker"})
    inst = inst.model_copy(
        update={"processes": [kiln.model_copy(update={"goods": [good]}), inst.processes[1]]}
    )
    with pytest.raises(MissingProductionRouteError, match="contradicts TARIC key 2523100090"):
        build_communication(inst, period=2026)


def test_precursor_mass_exceeding_product_mass(steel):
    pre = steel.processes[0].precursors[0].model_copy(update={"mass_t": 120_000})
    with pytest.raises(
        PrecursorMassError, match=r"precursor mass 120000 t exceeds product mass 100000 t.*15%"
    ):
        build_communication(_with_process(steel, precursors=[pre]), period=2026)


def test_precursor_mass_within_tolerance_is_accepted(steel):
    pre = steel.processes[0].precursors[0].model_copy(update={"mass_t": 114_000})
    build_communication(_with_process(steel, precursors=[pre]), period=2026)


def test_electricity_factor_without_source(steel):
    use = ElectricityUse(mwh=1000, basis="direct_technical_link", emission_factor=0.0)
    with pytest.raises(
        ElectricityFactorSourceError, match=r"factor 0.0 tCO2/MWh has no source.*factor_source"
    ):
        build_communication(_with_process(steel, electricity=[use]), period=2026)


def test_grid_factor_without_source(steel):
    inst = steel.model_copy(update={"grid_factor": GridFactor(value=0.5366)})
    with pytest.raises(ElectricityFactorSourceError, match=r"grid_factor 0\.5366 tCO2/MWh has no source"):
        build_communication(inst, period=2026)


def test_grid_factor_missing(steel):
    with pytest.raises(ElectricityFactorSourceError, match="grid electricity factor missing"):
        build_communication(steel.model_copy(update={"grid_factor": None}), period=2026)


def test_precursor_default_needs_route(steel):
    pre = PrecursorInput(precursor_id="hot-metal", cn_code="72011011", mass_t=10)
    with pytest.raises(MissingProductionRouteError, match=r"precursor 'hot-metal' valued at the default"):
        build_communication(_with_process(steel, precursors=[pre]), period=2026)


def test_in_house_precursor_cycle():
    inst = cement_installation("none")
    kiln = inst.processes[0].model_copy(
        update={
            "precursors": [
                PrecursorInput(precursor_id="x", cn_code="25232900", mass_t=1, from_process="grinding")
            ]
        }
    )
    inst = inst.model_copy(update={"processes": [kiln, inst.processes[1]]})
    with pytest.raises(CbamInputError, match="cycle"):
        build_communication(inst, period=2026)


def test_attribution_must_sum_to_one(steel):
    src = steel.direct_emissions[1].model_copy(update={"attribution": {"hrc": 0.6}})
    inst = steel.model_copy(update={"direct_emissions": [steel.direct_emissions[0], src]})
    with pytest.raises(CbamInputError, match=r"sum to 0\.6, want 1"):
        build_communication(inst, period=2026)


def test_mixed_categories_in_one_process(steel):
    extra = ProducedGood(good_id="ingot", cn_code="76011000", production_route="primary", activity_level_t=1)
    goods = [*steel.processes[0].goods, extra]
    with pytest.raises(CbamInputError, match="split it into one process per category"):
        build_communication(_with_process(steel, goods=goods), period=2026)


def test_electricity_as_good_unsupported():
    inst = steel_installation(
        processes=[
            ProductionProcess(
                process_id="pp", goods=[ProducedGood(good_id="e", cn_code="27160000", activity_level_t=1)]
            )
        ],
        grid_factor=GRID,
    )
    with pytest.raises(UnsupportedGoodError, match="electricity"):
        build_communication(inst, period=2026)


def test_receipts_must_be_objects(steel):
    with pytest.raises(CbamInputError, match=r"receipts\[0\] is str"):
        build_communication(steel, period=2026, receipts=["nope"])  # type: ignore[list-item]


def test_every_error_has_a_fix_in_its_message(steel):
    good = steel.processes[0].goods[0].model_copy(update={"cn_code": "99999999"})
    with pytest.raises(CbamError) as info:
        build_communication(_with_process(steel, goods=[good]), period=2026)
    assert " — " in info.value.diagnostics()
