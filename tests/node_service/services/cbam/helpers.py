"""Installation documents and engine references for the node's CBAM tests."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula

from footprint_engine.cbam import Installation, build_communication, render_communication
from tests.footprint_engine.cbam.examples import aluminium_installation, cement_installation

__all__ = [
    "aluminium_products",
    "cement_document",
    "engine_render",
    "smelter_document",
    "workbook_values",
]


def cement_document() -> dict[str, Any]:
    """The worked cement example of docs/cbam.md (clinker → Portland cement, GEC claim) as JSON."""
    return cement_installation("gec").model_dump(mode="json", exclude_defaults=True)


def smelter_document() -> dict[str, Any]:
    return aluminium_installation().model_dump(mode="json", exclude_defaults=True)


def aluminium_products(footprint_id: str | None, *, mass_t: float = 1_050.0) -> dict[str, Any]:
    """An extrusion plant making bars (CN 7604 21 00) from bought unwrought aluminium (CN 7601 10 00)."""
    precursor: dict[str, Any] = {"precursor_id": "ingot", "cn_code": "76011000", "mass_t": mass_t}
    if footprint_id is not None:
        precursor["supplier_footprint_id"] = footprint_id
    else:
        precursor["production_route"] = "primary"
    return {
        "installation_id": "CN-EXTRUSION-001",
        "name": "Example Extrusion Plant (Guangdong)",
        "operator_id": "CNEXTR0001",
        "city": "Foshan",
        "contact": {"name": "Chen Jing", "email": "chen.jing@example.cn", "phone": "+86 757 8000 0000"},
        "reporting_period_start": "2026-01-01",
        "reporting_period_end": "2026-12-31",
        "grid_factor": {"value": 0.5366, "source": "MEE/NBS release 2024-12-20: 2022 national grid average"},
        "direct_emissions": [
            {
                "source_id": "billet-furnace-gas",
                "kind": "fuel",
                "activity_data": 10,
                "activity_unit": "TJ",
                "emission_factor": 56.1,
                "factor_source": "IPCC 2006 Guidelines Vol. 2 Table 2.2, natural gas",
                "attribution": {"extrude": 1},
            }
        ],
        "processes": [
            {
                "process_id": "extrude",
                "electricity": [{"mwh": 800}],
                "precursors": [precursor],
                "goods": [
                    {
                        "good_id": "profiles",
                        "cn_code": "76042100",
                        "production_route": "primary",
                        "activity_level_t": 1_000,
                    }
                ],
            }
        ],
    }


def engine_render(
    document: dict[str, Any], *, fmt: str, receipts: list[dict[str, Any]], price: float | None = 80.0
) -> bytes:
    """What the engine alone makes of the same installation (the reference the node must match)."""
    installation = Installation.model_validate(document)
    comm = build_communication(installation, period=2026, certificate_price_eur=price, receipts=receipts)
    return render_communication(comm, fmt)  # type: ignore[arg-type]


def _comparable(value: Any) -> Any:
    if isinstance(value, ArrayFormula):  # compares by identity otherwise
        return ("array formula", value.ref, value.text)
    return value


def workbook_values(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return {
        ws.title: [tuple(_comparable(v) for v in row) for row in ws.iter_rows(values_only=True)]
        for ws in book.worksheets
    }
