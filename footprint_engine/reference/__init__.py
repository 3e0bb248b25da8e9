"""Reference tables: the versioned library of published figures that are not emission factors.

GB/T 2589 coefficients, default fuel parameters, GWP100, energy-consumption limit levels, park indicators, …:
each row with its provenance (source, publisher, year, where read, whether it needs review) and validity, each
table with a version bound to its content. ``reference_table("energy-limit-levels")``.
"""

from footprint_engine.reference.table import (
    MAX_TABLE_BYTES,
    Column,
    Provenance,
    ReferenceRow,
    ReferenceTable,
    ReferenceTableError,
)
from footprint_engine.reference.tables import reference_table, reference_table_names, reference_tables

__all__ = [
    "MAX_TABLE_BYTES",
    "Column",
    "Provenance",
    "ReferenceRow",
    "ReferenceTable",
    "ReferenceTableError",
    "reference_table",
    "reference_table_names",
    "reference_tables",
]
