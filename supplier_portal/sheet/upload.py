"""Reading an uploaded activity table: CSV (UTF-8, UTF-8 with BOM, or GB18030/GBK — what Excel writes in
China) or XLSX, headers in English, Chinese or as machine keys.

Steps of :func:`read_upload`, each with its own error (row as numbered in the file, header = row 1):
  (1) size: at most ``MAX_UPLOAD_BYTES``, refused before anything is decoded;
  (2) kind: XLSX (a zip, by name or magic) or CSV/TXT;
  (3) text: a CSV is decoded strictly as UTF-8 (BOM or not), else strictly as GB18030 (which includes GBK and
      GB2312); bytes that are neither (or text with NULs, as UTF-16 gives) are refused with the encodings
      named, never decoded loosely into mojibake; a tab-separated first line means tabs separate the cells;
  (4) header: every header cell must name a known column, and section, id and amount must be there;
  (5) rows: at most ``MAX_ROWS`` non-empty data rows (the error says how many the file has) and
      ``MAX_CELL_CHARS`` characters a cell; section and data-source names in Chinese become their keys.
All problems of steps (4) and (5) are reported together.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from supplier_portal.sheet.columns import (
    COLUMNS,
    MAX_CELL_CHARS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    N_,
    CellError,
    SheetInvalid,
    column_for_header,
    data_source_key,
    section_key,
)

__all__ = ["decode_csv", "read_upload"]


def _file_error(message: str, **params: Any) -> SheetInvalid:
    return SheetInvalid([CellError(0, "file", message, params)])


def decode_csv(data: bytes) -> str:
    """The text of a CSV file (step (3) of the module docstring); raises :class:`SheetInvalid`."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:  # UTF-16 ("Unicode text") decodes as either, with NULs between the letters
            return text
    raise _file_error(
        N_(
            "The CSV file is in an encoding the exchange does not read: it is neither UTF-8 nor GB18030/GBK. "
            "In Excel choose Save As → “CSV UTF-8 (comma delimited)” or “CSV (comma delimited)”, or save the "
            "workbook as .xlsx, and upload it again."
        )
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise _file_error(N_("The XLSX file cannot be read: {detail}"), detail=type(exc).__name__) from exc
    try:
        # the first sheet whose first row names known columns (the template's instructions sheet comes second,
        # but a user may have moved it)
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            first = next(rows, None)
            if first is not None and any(column_for_header(_cell_text(v)) for v in first):
                yield list(first)
                for values in rows:
                    yield list(values)
                return
        first_sheet = book.worksheets[0].iter_rows(values_only=True)
        yield from (list(v) for v in first_sheet)
    finally:
        book.close()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = decode_csv(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise _file_error(
            N_("The CSV file is malformed ({detail}); put cells that contain commas or quotes in quotes."),
            detail=str(exc)[:80],
        ) from None


def _table(lines: Iterable[list[Any]]) -> list[dict[str, str]]:
    # (4)
    iterator = iter(lines)
    header = next(iterator, None)
    if header is None or not any(_cell_text(h) for h in header):
        raise SheetInvalid([CellError(1, "section", N_("The file is empty."))])
    names: list[str | None] = []
    errors: list[CellError] = []
    for cell in header:
        text = _cell_text(cell)
        column = column_for_header(text) if text else None
        if text and column is None:
            errors.append(CellError(1, text[:40], N_("Unknown column {column}; use the template's columns."),
                                    {"column": text[:40]}))  # fmt: skip
        names.append(column)
    for required in ("section", "id", "amount"):
        if required not in names:
            errors.append(CellError(1, required, N_("The column {column} is missing."), {"column": required}))
    if errors:
        raise SheetInvalid(errors)
    # (5)
    rows: list[dict[str, str]] = []
    blank_run = (
        0  # blank rows in the middle are kept (row numbers stay those of the file); trailing ones dropped
    )
    count = 0
    for number, values in enumerate(iterator, start=2):
        cells = dict.fromkeys(COLUMNS, "")
        for i, value in enumerate(values):
            column = names[i] if i < len(names) else None
            if column is None:
                continue
            text = _cell_text(value)
            if len(text) > MAX_CELL_CHARS:
                errors.append(CellError(number, column, N_("At most {n} characters in a cell (got {got})."),
                                        {"n": MAX_CELL_CHARS, "got": len(text)}))  # fmt: skip
                text = text[:MAX_CELL_CHARS]
            cells[column] = text
        if not any(cells.values()):
            blank_run += 1
            continue
        count += 1
        if count > MAX_ROWS:
            continue  # counted, not kept
        rows.extend(dict.fromkeys(COLUMNS, "") for _ in range(blank_run))
        blank_run = 0
        cells["section"] = section_key(cells["section"]) if cells["section"] else ""
        if cells["data_source"]:
            cells["data_source"] = data_source_key(cells["data_source"])
        rows.append(cells)
    if count > MAX_ROWS:
        raise SheetInvalid(
            [
                CellError(0, "file", N_("The file has {got} rows; at most {n} rows can be uploaded at once. "
                                        "Split it into several files."), {"got": count, "n": MAX_ROWS})
            ]
        )  # fmt: skip
    if errors:
        raise SheetInvalid(errors)
    return rows


def read_upload(filename: str, data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded CSV or XLSX file (steps in the module docstring; raises :class:`SheetInvalid`)."""
    # (1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _file_error(
            N_("The file is larger than {n} MiB; split it into several files."), n=MAX_UPLOAD_BYTES >> 20
        )
    # (2) + (3)
    lower = filename.lower()
    lines: Iterable[list[Any]]
    if lower.endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        lines = _xlsx_rows(data)
    elif lower.endswith((".csv", ".txt")):
        lines = _csv_rows(data)
    else:
        raise _file_error(N_("Upload a .csv or .xlsx file made from the template."))
    # (4) + (5)
    return _table(lines)
