"""Search and show over the built-in library as recorded in the database: the CPCD rows come back with their
sources for 电解铝 and for aluminium, on both backends."""

from __future__ import annotations

import pytest

from node_service.errors import NotFound, ValidationFailed
from node_service.services.factors import service
from node_service.services.factors.builtin_sync import sync_builtin
from node_service.services.factors.views import factor_json
from tests.node_service.services.factors.helpers import DbNode


def _cpcd(items: list[dict[str, object]]) -> list[dict[str, object]]:
    return [i for i in items if i["sourceId"] == "cpcd"]


def test_electrolytic_aluminium_finds_the_cpcd_row_with_its_source(node: DbNode) -> None:
    page = service.search_factors(node, None, "电解铝")
    items = [factor_json(h.factor) for h in page.hits]
    assert page.total >= 1
    first = items[0]
    assert first["nameZh"] == "电解铝" and first["sourceId"] == "cpcd"
    assert (
        first["cpcdCode"] == "41431X0102018C" and first["value"] == 20300 and first["valueUnit"] == "kgCO2e/t"
    )
    assert (
        "CPCD" in str(first["source"])
        and first["publisher"]
        and first["sourceUrl"] == "https://lca.cityghg.com/"
    )
    assert first["version"] and first["terms"]


def test_aluminium_in_english_finds_cpcd_rows_with_sources(node: DbNode) -> None:
    page = service.search_factors(node, None, "aluminium", limit=50)
    cpcd = _cpcd([factor_json(h.factor) for h in page.hits])
    assert len(cpcd) >= 3
    assert all(i["cpcdCode"] and i["publisher"] and i["source"] for i in cpcd)
    assert "material/primary-aluminium-electrolytic/CN/2018" in {i["id"] for i in cpcd}


def test_filters_and_bad_parameters(node: DbNode) -> None:
    page = service.search_factors(node, None, None, kind="electricity-grid", geography="CN-YN", year=2023)
    ids = [h.factor.id for h in page.hits]
    assert ids[0] == "electricity-grid/co2/CN-YN/2023"
    with pytest.raises(ValidationFailed) as refused:
        service.search_factors(node, None, "x", kind="no-such-kind")
    assert refused.value.field == "kind"
    for unit in ("", "widgetz"):  # the engine's UnitError, a 422 naming the parameter (found by schemathesis)
        with pytest.raises(ValidationFailed) as refused:
            service.search_factors(node, None, "x", unit=unit)
        assert refused.value.field == "unit"


def test_show_gives_the_current_version_and_its_history(node: DbNode) -> None:
    detail = service.show_factor(node, None, "material/primary-aluminium-electrolytic/CN/2018")
    assert detail.factor.cpcd_code == "41431X0102018C"
    assert [v.current for v in detail.versions] == [True]
    with pytest.raises(NotFound):
        service.show_factor(node, None, "material/no-such-thing/CN/2018")


def test_the_sync_is_idempotent(node: DbNode) -> None:
    assert sync_builtin(node.db).added == 0
