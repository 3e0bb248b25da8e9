"""The earlier home of the LCI import, kept so that ``footprint_engine.factors.lci_import`` keeps working.

The code lives in the package :mod:`footprint_engine.factors.lci` (one module per step of an import); import
from there. The names below are the same objects, re-exported. To change a limit in a test, patch the module
that reads it (e.g. ``footprint_engine.factors.lci.source.MAX_LCI_BYTES``), not this one.
"""

from __future__ import annotations

from footprint_engine.factors.lci import (
    FORMATS,
    GHG_FLOWS,
    IPCC_2021_GWP100_FLOWS,
    MAX_LCI_BYTES,
    UNITS,
    LciFormat,
    LciImport,
    flow_key_of,
    import_lci,
)

__all__ = [
    "FORMATS",
    "GHG_FLOWS",
    "IPCC_2021_GWP100_FLOWS",
    "MAX_LCI_BYTES",
    "UNITS",
    "LciFormat",
    "LciImport",
    "flow_key_of",
    "import_lci",
]
