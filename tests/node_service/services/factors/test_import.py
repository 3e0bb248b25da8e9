"""Importing an organisation's factor table: CSV (UTF-8 with BOM, GBK) and XLSX, all rows or none, every problem
reported at once, ids in the organisation's namespace, a changed factor is a new version."""

from __future__ import annotations

import pytest

from node_service.errors import Conflict
from node_service.services.factors import service
from node_service.services.factors.table_import import ImportRefused, namespace, read_factor_table
from tests.node_service.services.factors.helpers import (
    HEADER,
    DbNode,
    organisation,
    own_alumina,
    table,
    version_rows,
    xlsx,
)


def test_a_csv_table_is_imported_into_the_organisations_namespace(node: DbNode) -> None:
    org = organisation(node.db, "Smelter")
    data = b"\xef\xbb\xbf" + table(own_alumina(), own_alumina().replace("alumina-own", "anode-own"))
    result = service.import_factor_table(node, org, data, "own.csv")
    ns = namespace(org.id)
    assert result.created == [f"{ns}/alumina-own/CN-YN/2024", f"{ns}/anode-own/CN-YN/2024"]
    factor = service.show_factor(node, org, f"{ns}/alumina-own/CN-YN/2024").factor
    assert factor.emissions == {"CO2e/fossil": 700.0} and factor.unit == "t"
    assert factor.key == f"{ns}/alumina-own" and factor.owner == org.id
    assert (
        factor.source == "EPD 氧化铝 2024; Yunnan Example Alumina Co.; https://epd.example.com/alumina-2024"
    )
    assert factor.source_id == "private" and not factor.redistributable and factor.version == "1"
    # the same table again stores nothing new
    again = service.import_factor_table(node, org, data, "own.csv")
    assert not again.stored and len(again.unchanged) == 2


def test_gbk_csv_and_xlsx_are_read(node: DbNode) -> None:
    org = organisation(node.db, "Excel user")
    gbk = table(own_alumina()).decode("utf-8").encode("gbk")
    assert service.import_factor_table(node, org, gbk, "导出.csv").created
    sheet = [
        HEADER.split(","),
        ["", "steel-own", "自产钢", "Steel", 1.85, "tCO2e/t", "", "CN", 2023, "", "EPD steel", "Example Steel", "",
         None, ""],
    ]  # fmt: skip
    result = service.import_factor_table(node, org, xlsx(sheet), "factors.xlsx")
    (factor_id,) = result.created
    assert factor_id == f"{namespace(org.id)}/steel-own/CN/2023"
    assert service.show_factor(node, org, factor_id).factor.emissions == {"CO2e/fossil": 1850.0}


def test_every_problem_of_every_row_is_reported_and_nothing_is_stored(node: DbNode) -> None:
    org = organisation(node.db, "Careless")
    before = version_rows(node.db)
    rows = (
        own_alumina(),  # fine
        ",bad key,名称,,abc,kgCO2e/t,,CN,2024,,T,P,,,",  # key-format, number
        ",k2,名称,,-1,kgCO2e/t,,CN,20x4,,T,P,,,",  # non-negative, year
        ",k3,,,1,kgCO2e/widgetz,,CN,2024,,T,P,,,",  # name required, unit
        ",k4,名称,,1,kgCO2e/t,,CN,2024,,,,,,",  # provenance twice
        ",k5,名称,,1,kgCO2e/t,CH4,CN,2024,,T,P,ftp://x,2024-13-01,",  # gas disagrees, url, date
        "org/000000000000/x,k6,名称,,1,kgCO2e/t,,CN,2024,,T,P,,,",  # another namespace
        own_alumina("800"),  # the same id as the first row
    )
    with pytest.raises(ImportRefused) as refused:
        service.import_factor_table(node, org, table(*rows), "t.csv")
    found = {(p["row"], p["column"], p["rule"]) for p in refused.value.errors}
    assert found == {
        (3, "key", "key-format"),
        (3, "value", "number"),
        (4, "value", "non-negative"),
        (4, "year", "year"),
        (5, "name_zh", "required"),
        (5, "unit", "unit"),
        (6, "source_title", "provenance-required"),
        (6, "publisher", "provenance-required"),
        (7, "gas", "gas"),
        (7, "source_url", "url"),
        (7, "valid_from", "date"),
        (8, "id", "id-namespace"),
        (9, "id", "id-unique"),
    }
    assert all(p["fix"] and p["message"] for p in refused.value.errors)
    assert refused.value.status == 422 and "13 problem(s)" in refused.value.detail
    assert version_rows(node.db) == before


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"key,value,unit,geography,source_title,publisher,colour\n", "unknown-column"),
        (b"key,value,unit,geography,name_zh\nk,1,kgCO2e/t,CN,x\n", "missing-column"),
        (b"", "empty"),
        (table(), "empty"),
        (b"PK\x03\x04 not really a workbook", "xlsx"),
        (table('",k,n,,1,kgCO2e/t,,CN,2024,,T,P,,,'), "csv"),
    ],
)
def test_file_level_problems_refuse_the_file(data: bytes, rule: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        read_factor_table(data, "t.csv", "3f2a9c1e-0000-4000-8000-000000000000")
    assert rule in {p["rule"] for p in refused.value.errors}, refused.value.errors


def test_nobody_shadows_a_builtin_or_another_organisations_id(node: DbNode) -> None:
    a, b = organisation(node.db, "A"), organisation(node.db, "B")
    row = ",alumina,氧化铝,Alumina,1,kgCO2e/t,,CN,2021,,T,P,,,"
    with_builtin_id = "material/alumina/CN/2021" + row
    (created,) = service.import_factor_table(node, a, table(with_builtin_id), "t.csv").created
    assert created == f"{namespace(a.id)}/material/alumina/CN/2021"
    builtin = service.show_factor(node, b, "material/alumina/CN/2021").factor
    assert builtin.owner is None and builtin.emissions != {"CO2e/fossil": 1.0}
    # B names A's namespace: refused
    with pytest.raises(ImportRefused):
        service.import_factor_table(node, b, table(f"{created}" + row), "t.csv")
    # the same key imported by B lands in B's namespace, A's factor untouched
    (b_id,) = service.import_factor_table(node, b, table(row), "t.csv").created
    assert b_id.startswith(namespace(b.id) + "/") and b_id != created


def test_a_changed_value_is_a_new_version(node: DbNode) -> None:
    org = organisation(node.db, "Reviser")
    service.import_factor_table(node, org, table(own_alumina("700")), "t.csv")
    result = service.import_factor_table(node, org, table(own_alumina("650")), "t.csv")
    factor_id = f"{namespace(org.id)}/alumina-own/CN-YN/2024"
    assert result.new_versions == [(factor_id, "2")]
    detail = service.show_factor(node, org, factor_id)
    assert [(v.factor.version, v.current) for v in detail.versions] == [("1", False), ("2", True)]
    assert detail.factor.emissions == {"CO2e/fossil": 650.0}
    assert detail.versions[0].factor.valid_to is not None


def test_an_id_taken_by_another_owner_is_a_conflict(node: DbNode) -> None:
    from datetime import UTC, datetime

    from footprint_engine.factors import FactorLibrary
    from node_service.services.factors.versions import bump_revision, record_version

    org = organisation(node.db, "Squatter")
    factor = FactorLibrary.builtin().get("material/alumina/CN/2021")
    with node.db.transaction() as session, pytest.raises(Conflict):
        bump_revision(session)
        record_version(session, factor, owner=org.id, now=datetime.now(UTC))


def test_a_table_with_ids_and_no_keys_takes_the_id_as_key(node: DbNode) -> None:
    """The columns of shared/reference/materials_cn.csv (id, no key); Chinese unit names and m2 are read."""
    org = organisation(node.db, "Reference user")
    header = "id,name_zh,name_en,value,unit,scope,geography,year,source_title,publisher,source_url,verified_in,notes"
    rows = (
        "material/glass-own/CN/2022,平板玻璃,Flat glass,12.5,kgCO2e/m2,cradle-to-gate,GLOBAL,2022,EPD,Glass Co.,,,",
        "material/cable-own/CN/2022,电缆,Cable,3.2,kgCO2e/千克,cradle-to-gate,CN,2022,EPD,Cable Co.,,,",
    )
    result = service.import_factor_table(node, org, table(*rows, header=header), "materials.csv")
    ns = namespace(org.id)
    assert result.created == [f"{ns}/material/glass-own/CN/2022", f"{ns}/material/cable-own/CN/2022"]
    glass = service.show_factor(node, org, result.created[0]).factor
    assert (glass.key, glass.unit, glass.geography) == (f"{ns}/material/glass-own/CN/2022", "m^2", "GLO")
    assert service.show_factor(node, org, result.created[1]).factor.unit == "kg"
