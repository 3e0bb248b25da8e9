"""Write input cells into a copy of an XLSX file at the XML level, leaving every other byte of meaning
alone: formulas, styles, validation lists, defined names, conditional formatting (x14 extensions
included), the Translations sheet. openpyxl would drop the x14 extensions and takes seconds to load and
save the template; this edits only the cells written.

What it does to the copy: (1) each written cell gets a number, boolean or inline string, created in
column order where the template had no element for it — never over a formula (refused); (2) the cached
results of every formula are removed and the workbook is marked for a full calculation on load, so no
reader sees the template's results for empty inputs; (3) appended sheets (plain values) are registered in
the workbook, its relationships and the content types.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from lxml import etree

__all__ = ["Cell", "TemplatePatch", "strip_cached_results"]

Cell = str | int | float | bool | date | None
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_WS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_WS_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_M = f"{{{_MAIN}}}"
_COORD = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
_EXCEL_EPOCH = date(1899, 12, 30)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: a formula (<f …/> or <f …>…</f>) followed by its cached result <v>…</v>: the result is dropped.
_CACHED_RESULT = re.compile(rb"(<f(?:\s[^>]*)?/>|<f(?:\s[^>]*)?>[^<]*</f>)<v>[^<]*</v>")


def strip_cached_results(sheet_xml: bytes) -> bytes:
    """The sheet without the cached results of its formulas (the workbook is recalculated on load)."""
    return _CACHED_RESULT.sub(rb"\1", sheet_xml)


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index


def _column_letters(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _split(coord: str) -> tuple[int, int]:
    match = _COORD.match(coord)
    if match is None:
        raise ValueError(f"cell reference {coord!r} malformed: want e.g. 'AB12'")
    return _column_index(match.group(1)), int(match.group(2))


def _set_value(cell: Any, value: Cell) -> None:
    for child in list(cell):
        cell.remove(child)
    cell.attrib.pop("t", None)
    if isinstance(value, bool):
        cell.set("t", "b")
        etree.SubElement(cell, _M + "v").text = "1" if value else "0"
    elif isinstance(value, int | float):
        etree.SubElement(cell, _M + "v").text = repr(float(value)) if isinstance(value, float) else str(value)
    elif isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        etree.SubElement(cell, _M + "v").text = str((day - _EXCEL_EPOCH).days)
    else:
        cell.set("t", "inlineStr")
        text = etree.SubElement(etree.SubElement(cell, _M + "is"), _M + "t")
        text.text = _XML_ILLEGAL.sub("", str(value))
        text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


class _Sheet:
    """One worksheet's XML with an index of its rows and cells."""

    def __init__(self, data: bytes) -> None:
        self.root = etree.fromstring(data, _PARSER)
        sheet_data = self.root.find(_M + "sheetData")
        if sheet_data is None:
            raise ValueError("worksheet without sheetData")
        self.data = sheet_data
        self.rows = {int(r.get("r")): r for r in sheet_data.iterfind(_M + "row")}

    def cell(self, coord: str) -> Any:
        col, row_number = _split(coord)
        row = self.rows.get(row_number)
        if row is None:
            row = etree.Element(_M + "row", r=str(row_number))
            later = [n for n in self.rows if n > row_number]
            if later:
                self.rows[min(later)].addprevious(row)
            else:
                self.data.append(row)
            self.rows[row_number] = row
        for existing in row.iterfind(_M + "c"):
            ref = existing.get("r")
            if ref == coord:
                return existing
            if ref is not None and _split(ref)[0] > col:
                created = etree.Element(_M + "c", r=coord)
                existing.addprevious(created)
                return created
        created = etree.SubElement(row, _M + "c", r=coord)
        return created

    def to_bytes(self) -> bytes:
        return bytes(etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _sheet_xml(rows: Iterable[Sequence[Cell]]) -> bytes:
    root = etree.Element(_M + "worksheet", nsmap={None: _MAIN, "r": _REL})
    data = etree.SubElement(root, _M + "sheetData")
    for r, values in enumerate(rows, start=1):
        row = etree.SubElement(data, _M + "row", r=str(r))
        for c, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            _set_value(etree.SubElement(row, _M + "c", r=f"{_column_letters(c)}{r}"), value)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


class TemplatePatch:
    """Inputs for a copy of an XLSX template, written out by `render()`."""

    def __init__(self, template: bytes) -> None:
        self._template = template
        with zipfile.ZipFile(io.BytesIO(template)) as z:
            self._workbook = etree.fromstring(z.read("xl/workbook.xml"), _PARSER)
            self._rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"), _PARSER)
        targets = {r.get("Id"): r.get("Target") for r in self._rels.iterfind(f"{{{_PKG_REL}}}Relationship")}
        self.sheet_parts: dict[str, str] = {}
        for sheet in self._workbook.iterfind(f"{_M}sheets/{_M}sheet"):
            target = str(targets[sheet.get(f"{{{_REL}}}id")])
            self.sheet_parts[str(sheet.get("name"))] = (
                target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            )
        self._cells: dict[str, dict[str, Cell]] = {}
        self._appended: list[tuple[str, list[Sequence[Cell]]]] = []

    def put(self, sheet: str, coord: str, value: Cell) -> None:
        """Write `value` into an input cell (None or "" writes nothing)."""
        if sheet not in self.sheet_parts:
            raise KeyError(f"no sheet {sheet!r} in the template")
        _split(coord)
        if value is None or value == "":
            return
        self._cells.setdefault(sheet, {})[coord] = value

    def get(self, sheet: str, coord: str) -> Cell:
        """A value written so far (None when not written)."""
        return self._cells.get(sheet, {}).get(coord)

    def append_sheet(self, name: str, rows: list[Sequence[Cell]]) -> None:
        """A sheet of plain values after the template's sheets."""
        if name in self.sheet_parts or any(n == name for n, _ in self._appended):
            raise ValueError(f"sheet {name!r} exists")
        self._appended.append((name, rows))

    def _finish_workbook(self, new_sheets: list[tuple[str, str, str]]) -> bytes:
        sheets = self._workbook.find(_M + "sheets")
        assert sheets is not None
        ids = [int(s.get("sheetId", "0")) for s in sheets.iterfind(_M + "sheet")]
        for offset, (name, rid, _part) in enumerate(new_sheets, start=1):
            etree.SubElement(sheets, _M + "sheet", name=name, sheetId=str(max(ids) + offset)).set(
                f"{{{_REL}}}id", rid
            )
        calc = self._workbook.find(_M + "calcPr")
        if calc is None:
            calc = etree.SubElement(self._workbook, _M + "calcPr")
        calc.set("fullCalcOnLoad", "1")
        return bytes(etree.tostring(self._workbook, xml_declaration=True, encoding="UTF-8", standalone=True))

    def render(self) -> bytes:
        """The patched workbook's bytes."""
        out = io.BytesIO()
        new_sheets: list[tuple[str, str, str]] = []
        for index, (name, _rows) in enumerate(self._appended, start=1):
            new_sheets.append((name, f"rIdTanlian{index}", f"xl/worksheets/tanlian{index}.xml"))
        with (
            zipfile.ZipFile(io.BytesIO(self._template)) as source,
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as target,
        ):
            parts = {part: name for name, part in self.sheet_parts.items()}
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename in parts:
                    data = strip_cached_results(data)
                    cells = self._cells.get(parts[info.filename])
                    if cells:
                        sheet = _Sheet(data)
                        for coord, value in cells.items():
                            cell = sheet.cell(coord)
                            if cell.find(_M + "f") is not None:
                                raise ValueError(
                                    f"{parts[info.filename]}!{coord} holds a template formula; inputs only"
                                )
                            _set_value(cell, value)
                        data = sheet.to_bytes()
                elif info.filename == "xl/workbook.xml":
                    data = self._finish_workbook(new_sheets)
                elif info.filename == "xl/_rels/workbook.xml.rels" and new_sheets:
                    rels = etree.fromstring(data, _PARSER)
                    for _name, rid, part in new_sheets:
                        etree.SubElement(
                            rels,
                            f"{{{_PKG_REL}}}Relationship",
                            Id=rid,
                            Type=_WS_TYPE,
                            Target=part[len("xl/") :],
                        )
                    data = bytes(
                        etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
                    )
                elif info.filename == "[Content_Types].xml" and new_sheets:
                    types = etree.fromstring(data, _PARSER)
                    for _name, _rid, part in new_sheets:
                        etree.SubElement(
                            types, f"{{{_CT}}}Override", PartName=f"/{part}", ContentType=_WS_CONTENT
                        )
                    data = bytes(
                        etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
                    )
                target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
            for (_name, rows), (_n, _rid, part) in zip(self._appended, new_sheets, strict=True):
                target.writestr(part, _sheet_xml(rows), compress_type=zipfile.ZIP_DEFLATED)
        return out.getvalue()
