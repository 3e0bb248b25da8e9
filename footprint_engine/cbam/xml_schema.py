"""Validation of our XML against the Commission's CBAM schema (QReport_17.03.xsd with stypes.xsd, both
unmodified in data/): `cbam_roots.xsd` only declares some of its types as root elements, and our
envelope `tanlian_communication.xsd` refers to those elements."""

from __future__ import annotations

import functools
from typing import Any

from lxml import etree

from footprint_engine.cbam.errors import CbamInputError
from footprint_engine.cbam.workbook_layout import XSD_DIR

__all__ = ["XSD_SHA256", "schema_errors", "validate_communication_xml"]

#: the Commission's files, as published (see data/SOURCES.md).
XSD_SHA256 = {
    "QReport_17.03.xsd": "1b3b8184d35537644fc8dc90790a4e93fdaa0700ac2ebe06521b7311276b63a6",
    "stypes.xsd": "18ddd81eb0b1170b7d17fca75c2727865828064fe4379925cad218dd8afe350b",
}
#: parser limits: documents of our own size, no network, no entities.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@functools.cache
def _schema(name: str) -> Any:
    return etree.XMLSchema(etree.parse(str(XSD_DIR / name), _PARSER))


def schema_errors(document: bytes, *, schema: str = "tanlian_communication.xsd") -> list[str]:
    """Messages of every schema violation ("line N: message"); empty when the document is valid.
    `schema="cbam_roots.xsd"` validates a lone Commission element (GoodsEmissions, CommodityCode …)."""
    try:
        tree = etree.fromstring(document, _PARSER)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    validator = _schema(schema)
    if validator.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in validator.error_log]


def validate_communication_xml(document: bytes) -> None:
    """Raise CbamInputError listing the first violations when the document is not valid."""
    errors = schema_errors(document)
    if errors:
        shown = "; ".join(errors[:5])
        raise CbamInputError(
            f"XML not valid against the CBAM types ({len(errors)} errors): {shown} — this is a bug in the "
            "export; report it with the input"
        )
