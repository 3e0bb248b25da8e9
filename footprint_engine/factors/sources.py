"""Data sources of the factor library and the terms each is used under.

A factor names its source by ``Factor.source_id``. ``redistributable`` decides what may leave the organisation
that holds the factor: a licensed background database or a company's private factors are used in its own
calculations, and only the computed figure is ever shown to another organisation or written into a PACT
document.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DataSource", "data_source", "data_sources"]


@dataclass(frozen=True, slots=True)
class DataSource:
    id: str
    title: str
    publisher: str
    url: str | None
    terms: str  # the terms in a sentence, in English
    redistributable: bool
    note: str | None = None


_SOURCES: dict[str, DataSource] = {}


def _register(*sources: DataSource) -> None:
    for s in sources:
        _SOURCES[s.id] = s


def data_source(source_id: str | None) -> DataSource | None:
    """The registered source ``source_id`` (None when unknown or not given)."""
    return _SOURCES.get(source_id) if source_id else None


def data_sources() -> list[DataSource]:
    return list(_SOURCES.values())


_register(
    DataSource(
        id="private",
        title="An organisation's own factors",
        publisher="the importing organisation",
        url=None,
        terms="Private to the organisation that imported them unless it publishes them.",
        redistributable=False,
    ),
    DataSource(
        id="licensed-lci",
        title="A licensed life-cycle inventory database imported through Brightway",
        publisher="the database's licensor",
        url=None,
        terms="Used under the importing organisation's licence; only computed figures leave it.",
        redistributable=False,
    ),
)
