"""check_unit remembers accepted units per (unit, allowed dimensions) only: refusals are raised, naming
their own field, every time, and a unit accepted for one dimension is still refused for another."""

from __future__ import annotations

import pytest

from footprint_engine.errors import UnitError
from footprint_engine.units import check_unit


def test_accepted_unit_is_returned_stripped_from_the_cache():
    assert check_unit(" MWh ", field="a", allowed=("energy",)) == "MWh"
    assert check_unit(" MWh ", field="b", allowed=("energy",)) == "MWh"


def test_refusals_name_their_own_field_each_time():
    for field in ("inputs.materials[0].unit", "inputs.fuels[3].unit", "inputs.materials[0].unit"):
        with pytest.raises(UnitError) as info:
            check_unit("zorkmids", field=field)
        assert info.value.field == field


def test_accepted_for_one_dimension_is_refused_for_another():
    assert check_unit("kg", field="x", allowed=("mass",)) == "kg"
    with pytest.raises(UnitError, match="wrong dimension") as info:
        check_unit("kg", field="inputs.electricity[0].unit", allowed=("energy",))
    assert info.value.field == "inputs.electricity[0].unit"
    assert check_unit("kg", field="y") == "kg"


@pytest.mark.parametrize("bad", ["", "   ", None, 3])
def test_missing_units_are_refused(bad: object):
    with pytest.raises(UnitError, match="unit missing"):
        check_unit(bad, field="unit")  # type: ignore[arg-type]
