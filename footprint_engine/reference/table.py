"""Reference tables: published figures other than emission factors, each row with its provenance and validity.

A :class:`ReferenceTable` is read from a CSV file shipped in the package. Its ``version`` names the content: the
SHA-256 of the file(s) it was read from is looked up among the table's recorded editions, so a changed file
can never pass for the version a stored result recorded (an unrecorded file reads as ``unrecorded-<sha>``).

Limits of the reader: files up to :data:`MAX_TABLE_BYTES`, every row with exactly the header's cells, numbers
finite; an empty cell is ``None``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from types import MappingProxyType
from typing import Literal

from footprint_engine.errors import FootprintEngineError

__all__ = [
    "MAX_TABLE_BYTES",
    "Column",
    "Provenance",
    "ReferenceRow",
    "ReferenceTable",
    "ReferenceTableError",
    "Value",
    "frozen",
    "read_csv",
    "sha256_of",
    "typed_values",
]

#: Largest reference file read.
MAX_TABLE_BYTES = 4 * 1024 * 1024

ColumnType = Literal["str", "float", "int"]
Value = str | float | int | None


class ReferenceTableError(FootprintEngineError):
    """A reference table is unknown, or its file or rows break the table's rules."""


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType
    title_zh: str
    title_en: str
    unit: str | None = None  # None: the unit is per row (a 'unit' column) or the value has none


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a row comes from. ``review``: the source says the figure must be checked before it decides anything."""

    source: str  # the document, as the row names it
    publisher: str | None
    year: int | None
    url: str | None = None
    verified_in: str | None = None  # where the figure was read (URL or repository:path)
    review: bool = False
    review_note: str | None = None

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise ReferenceTableError(
                "provenance incomplete", "empty source", "name the document", field="source"
            )
        if self.review and not self.review_note:
            raise ReferenceTableError(
                "provenance incomplete",
                "review is set without a note",
                "say what to review",
                field="review_note",
            )


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    values: Mapping[str, Value]
    provenance: Provenance
    valid_from: date | None = None  # first day the figure is in force (None: not stated)
    valid_to: date | None = None  # last day (None: in force)

    def __getitem__(self, column: str) -> Value:
        return self.values[column]

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class ReferenceTable:
    name: str
    title_zh: str
    title_en: str
    version: str
    columns: tuple[Column, ...]
    rows: tuple[ReferenceRow, ...]
    origin: str  # the file(s) in the package it was read from
    sha256: str  # of those files' bytes, in order
    note: str | None = None
    documents: tuple[str, ...] = ()  # companion texts in the same package directory (see document())
    _document_reader: Callable[[str], str] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ReferenceTableError(
                "table malformed", f"duplicate column in {names}", "rename", field=self.name
            )
        for i, row in enumerate(self.rows):
            if list(row.values) != names:
                raise ReferenceTableError(
                    "row malformed",
                    f"row {i} has columns {list(row.values)}, want {names}",
                    "give every row the table's columns",
                    field=f"{self.name}[{i}]",
                )
            for c in self.columns:
                _check_type(row.values[c.name], c, f"{self.name}[{i}].{c.name}")
            if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
                raise ReferenceTableError(
                    "validity reversed",
                    f"row {i}: valid_to {row.valid_to} before valid_from {row.valid_from}",
                    "swap or fix the dates",
                    field=f"{self.name}[{i}]",
                )

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Value]:
        if name not in {c.name for c in self.columns}:
            raise ReferenceTableError(
                "unknown column",
                f"{name!r} not in {self.name} ({[c.name for c in self.columns]})",
                "use one of those",
                field=name,
            )
        return [row.values[name] for row in self.rows]

    def where(self, **equals: Value) -> list[ReferenceRow]:
        """Rows whose columns equal the given values (``table.where(product_zh="水泥熟料")``)."""
        for name in equals:
            self.column(name)  # names an unknown column
        return [r for r in self.rows if all(r.values[k] == v for k, v in equals.items())]

    def document(self, name: str) -> str:
        """The text of a companion document listed in :attr:`documents`."""
        if name not in self.documents or self._document_reader is None:
            raise ReferenceTableError(
                "unknown document",
                f"{name!r}; {self.name} has {list(self.documents)}",
                "use one of those",
                field=name,
            )
        return self._document_reader(name)


def _check_type(value: Value, column: Column, where: str) -> None:
    if value is None:
        return
    want: tuple[type, ...] = {"str": (str,), "float": (float,), "int": (int,)}[column.type]
    if type(value) not in want:
        raise ReferenceTableError(
            "cell has the wrong type",
            f"{value!r} is {type(value).__name__}, want {column.type}",
            "fix it",
            field=where,
        )


def read_csv(package: str, filename: str) -> tuple[list[dict[str, str]], bytes]:
    """Rows of a CSV file in ``package`` (strings, header as keys) and the file's bytes."""
    data = resources.files(package).joinpath(filename).read_bytes()
    where = f"{package}:{filename}"
    if len(data) > MAX_TABLE_BYTES:
        raise ReferenceTableError(
            "reference file too large",
            f"{len(data)} bytes, limit {MAX_TABLE_BYTES}",
            "split the table",
            field=where,
        )
    reader = csv.DictReader(io.StringIO(data.decode("utf-8")))
    rows = []
    for line, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise ReferenceTableError(
                "reference file malformed",
                f"line {line} has the wrong number of cells",
                "quote cells that contain commas",
                field=where,
            )
        rows.append(row)
    return rows, data


def typed_values(row: Mapping[str, str], columns: Iterable[Column], where: str) -> dict[str, Value]:
    """A row's cells converted to its columns' types; an empty cell is None."""
    out: dict[str, Value] = {}
    for c in columns:
        text = row[c.name].strip()
        if not text:
            out[c.name] = None
        elif c.type == "str":
            out[c.name] = text
        else:
            try:
                number = int(text) if c.type == "int" else float(text)
            except ValueError:
                raise ReferenceTableError(
                    "cell is not a number", f"{text!r} in column {c.name}", f"write a {c.type}", field=where
                ) from None
            if isinstance(number, float) and not math.isfinite(number):
                raise ReferenceTableError(
                    "cell is not finite", f"{text!r}", "write a finite number", field=where
                )
            out[c.name] = number
    return out


def frozen(values: dict[str, Value]) -> Mapping[str, Value]:
    return MappingProxyType(values)


def sha256_of(*blobs: bytes) -> str:
    """SHA-256 of one file (as ``sha256sum`` prints it); of several: of their SHA-256 hex digests, in order."""
    digests = [hashlib.sha256(b).hexdigest() for b in blobs]
    return digests[0] if len(digests) == 1 else hashlib.sha256("".join(digests).encode()).hexdigest()
