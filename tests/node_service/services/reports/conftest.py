"""Real engine results for the report tests, computed once per session."""

from __future__ import annotations

import pytest

from footprint_engine.activity import ActivityData
from footprint_engine.calculate import CalculationOptions, FootprintResult, calculate
from footprint_engine.examples import load_example


@pytest.fixture(scope="session")
def ingot_results() -> dict[str, FootprintResult]:
    """The aluminium-ingot example without and with Monte Carlo, and the motor housing citing the ingot."""
    ingot = ActivityData.model_validate(load_example("aluminium-ingot-yunnan"))
    plain = calculate(ingot)
    mc = calculate(ingot, options=CalculationOptions(iterations=200, seed=7))
    housing = ActivityData.model_validate(load_example("motor-housing-jiangsu"))
    linked = calculate(
        housing, upstream={"88.118.8/AL-INGOT-A00@1": plain.to_upstream(1, result_id="fp-ingot")}
    )
    return {"plain": plain, "mc": mc, "housing": linked}
