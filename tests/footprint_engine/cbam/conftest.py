"""Fixtures: the worked examples of docs/cbam.md, their communications, and each example's workbook
recalculated once per test run by LibreOffice (one soffice run for all of them)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from footprint_engine.cbam import Communication, Installation, build_communication, render_communication

from .examples import (
    INSTALLATION_RECEIPT,
    aluminium_installation,
    cement_installation,
    extrusion_installation,
    steel_installation,
)
from .libreoffice import convert


@pytest.fixture
def steel() -> Installation:
    return steel_installation()


@pytest.fixture
def aluminium() -> Installation:
    return aluminium_installation()


@pytest.fixture
def cement() -> Installation:
    return cement_installation()


EXAMPLES = {
    "steel": steel_installation,
    "aluminium": aluminium_installation,
    "cement": lambda: cement_installation("gec"),
    "extrusion": extrusion_installation,
}


def communication_of(name: str) -> Communication:
    return build_communication(
        EXAMPLES[name](), period=2026, certificate_price_eur=80, receipts=[INSTALLATION_RECEIPT]
    )


def open_workbook(source: Path | bytes, *, data_only: bool = False) -> Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # x14 extensions openpyxl does not read
        return load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, data_only=data_only)


@dataclass(frozen=True)
class Example:
    communication: Communication
    xlsx: Path  # as we wrote it
    recalculated: Path  # after LibreOffice recalculated every formula and saved it again


@pytest.fixture(scope="session")
def examples_xlsx(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Communication | Path]:
    """Each example's communication and workbook as we write it (no LibreOffice)."""
    out = tmp_path_factory.mktemp("cbam-xlsx")
    made: dict[str, Communication | Path] = {}
    for name in EXAMPLES:
        comm = communication_of(name)
        path = out / f"{name}.xlsx"
        path.write_bytes(render_communication(comm, "xlsx"))
        made[name], made[f"{name}.xlsx"] = comm, path
    return made


@pytest.fixture(scope="session")
def recalculated(
    examples_xlsx: dict[str, Communication | Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Example]:
    """Every example's workbook recalculated by LibreOffice, once per test run (≈ 8 s and 400 MB each)."""
    out = tmp_path_factory.mktemp("cbam-recalc")
    sources = [examples_xlsx[f"{name}.xlsx"] for name in EXAMPLES]
    converted = convert([p for p in sources if isinstance(p, Path)], "xlsx:Calc MS Excel 2007 XML", out)
    result: dict[str, Example] = {}
    for name, target in zip(EXAMPLES, converted, strict=True):
        comm, xlsx = examples_xlsx[name], examples_xlsx[f"{name}.xlsx"]
        assert isinstance(comm, Communication) and isinstance(xlsx, Path)
        result[name] = Example(comm, xlsx, target)
    return result
