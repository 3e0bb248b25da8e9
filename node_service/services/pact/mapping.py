"""A stored footprint as a PACT ProductFootprint (v3.0, and v2.3 at ``/2/``): the node's side of the mapping.

The ``pcf`` (CarbonFootprint) is the engine's: :func:`footprint_engine.pact.to_pact_v3_pcf` and
:func:`~footprint_engine.pact.to_pact_v23_pcf`, computed from the engine result stored with the footprint
(``footprints.result["result"]``). This module adds what only the node knows: the footprint id, status,
``precedingPfIds``, company and product identifiers, classifications, validity period and the receipt extension.

A published v3 document is stored (PACT v3 immutability: only its ``status`` changes later); the v2.3 document
is derived when it is read, from the stored v3 document (node fields) and the engine result (the ``pcf``).

Documents published before this node served the released v3.0 schema (until 2026-12 it wrote a pre-release
draft's names, :data:`DRAFT_PCF_NAMES`, and a ``version``) are left as stored and shown in the released shape
when read (:func:`released_document`): the ``pcf`` rendered again from the stored engine result, every node field
as stored. What was logged — the footprint document — never changes, so their receipts verify as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from footprint_engine.calculate.result import FootprintResult
from footprint_engine.pact import PactMappingError, rules_comment, to_pact_v3_pcf, to_pact_v23_pcf
from node_service.services.pact.errors import InternalError

__all__ = [
    "EXTENSION_SCHEMA",
    "PactMappingError",
    "Receipt",
    "company_urns",
    "engine_result",
    "is_draft_document",
    "product_mass_kg",
    "product_urn",
    "released_document",
    "to_v2_product_footprint",
    "to_v3_product_footprint",
    "validity_period",
]

SPEC_VERSION_V3 = "3.0.0"
SPEC_VERSION_V2 = "2.3.0"
#: Data model extension (PACT "Data Model Extensions") that points a buyer to the footprint's receipt.
EXTENSION_SCHEMA = "https://tanlian.example/pact/extensions/receipt/1.0.0/data-model.json"
EXTENSION_DOCS = "https://tanlian.example/pact/extensions/receipt/1.0.0/"
#: v2.3 ProductFootprint properties copied from the stored v3 document (same meaning in both versions).
_V2_FROM_V3 = (
    "id",
    "version",
    "created",
    "status",
    "validityPeriodStart",
    "validityPeriodEnd",
    "companyName",
    "companyIds",
    "productDescription",
    "productIds",
    "productNameCompany",
    "comment",
    "precedingPfIds",
    "productClassifications",
    "extensions",
)
_KILOGRAM_UNITS = frozenset({"kg", "g", "t", "tonne", "metric_ton"})
#: ``pcf`` names of the pre-release v3 draft (wbcsd/data-exchange-protocol 122c476) that this node wrote until
#: 2026-12, and the released v3.0 names of the same figures
DRAFT_PCF_NAMES = {
    "pcfExcludingBiogenicCO2Withdrawal": "pcfExcludingBiogenicUptake",
    "pcfIncludingBiogenicCO2Withdrawal": "pcfIncludingBiogenicUptake",
    "biogenicCO2Withdrawal": "biogenicCO2Uptake",
}


@dataclass(frozen=True)
class Receipt:
    """Where a buyer fetches the receipt of the footprint's log entry, and what to check it against."""

    url: str
    entry_id: str
    sha256: str
    chain_id: int
    contract: str


def product_urn(identifier: str) -> str:
    """PACT productIds URN of one of our product identifiers (GTIN, IDIS handle or an URN already)."""
    if identifier.lower().startswith("urn:"):
        return identifier
    try:
        from identifier_resolver.syntax.parse import parse_identifier
        from identifier_resolver.syntax.urn import to_pact_urn

        return to_pact_urn(parse_identifier(identifier))
    except Exception:
        return "urn:pact:tanlian:product-id:" + quote(identifier, safe="-._~!$&'()*+,;=:@/")


def company_urns(did: str, uscc: str | None) -> list[str]:
    urns = []
    if uscc:
        urns.append("urn:pact:creditchina.gov.cn:uscc:" + uscc)
    urns.append("urn:pact:w3.org:did:" + did)
    return urns


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def validity_period(period_end: str) -> tuple[datetime, datetime]:
    """PACT default: valid for 3 years after referencePeriodEnd (end is exclusive: the day after the last day)."""
    start = datetime.combine(date.fromisoformat(period_end), datetime.min.time(), tzinfo=UTC)
    start += timedelta(days=1)
    try:
        end = start.replace(year=start.year + 3)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + 3, day=28)
    return start, end


def engine_result(document: dict[str, Any], footprint_id: str) -> FootprintResult:
    """The engine result of a stored footprint document (``footprints.result``)."""
    result = document.get("result")
    if not isinstance(result, dict):
        raise InternalError(f"footprint {footprint_id}: the stored document has no engine result")
    try:
        return FootprintResult.model_validate(result)
    except ValidationError as exc:
        raise InternalError(
            f"footprint {footprint_id}: the stored engine result does not parse "
            f"({exc.error_count()} errors, first at {'.'.join(map(str, exc.errors()[0]['loc']))})"
        ) from exc


def product_mass_kg(result: FootprintResult, given: float | None) -> float | None:
    """kg of product per declared unit for PACT ``productMassPerDeclaredUnit``: the publisher's figure, else the
    end-of-life scenario's product mass when the result has one (None: not known)."""
    if given is not None:
        return given
    scenario = result.life_cycle.end_of_life_scenario if result.life_cycle is not None else None
    mass = (scenario or {}).get("productMassKg")
    return float(mass) if isinstance(mass, int | float) and mass > 0 else None


def _receipt_extension(receipt: Receipt) -> dict[str, Any]:
    return {
        "specVersion": "2.0.0",
        "dataSchema": EXTENSION_SCHEMA,
        "documentation": EXTENSION_DOCS,
        "data": {
            "receiptUrl": receipt.url,
            "logEntryId": receipt.entry_id,
            "footprintSha256": receipt.sha256,
            "hashAlgorithm": "SHA-256 over RFC 8785 canonical JSON of the footprint document",
            "anchor": {"chainId": receipt.chain_id, "contract": receipt.contract},
        },
    }


def to_v3_product_footprint(
    document: dict[str, Any],
    *,
    footprint_id: str,
    created: datetime,
    status: str,
    company_name: str,
    company_ids: list[str],
    preceding_pf_ids: list[str],
    classifications: list[str],
    receipt: Receipt,
    product_mass_per_declared_unit_kg: float | None = None,
) -> dict[str, Any]:
    """The v3 ProductFootprint of a stored footprint document (``footprints.result``).

    Raises :class:`PactMappingError` (with ``field``) when the result cannot be expressed in PACT v3, e.g. a
    count, volume or area unit without the product's mass."""
    result = engine_result(document, footprint_id)
    mass = product_mass_kg(result, product_mass_per_declared_unit_kg)
    pcf = to_pact_v3_pcf(result, product_mass_per_declared_unit_kg=mass)
    product_id = str(document.get("productId") or result.product_identifier)
    start, end = validity_period(result.reporting_period_end.isoformat())
    name = document.get("productName") or result.product_name or product_id
    pf: dict[str, Any] = {
        "id": footprint_id,
        "specVersion": SPEC_VERSION_V3,
        "created": _rfc3339(created),
        "status": status,
        "validityPeriodStart": _rfc3339(start),
        "validityPeriodEnd": _rfc3339(end),
        "companyName": company_name,
        "companyIds": company_ids,
        "productDescription": f"{name} ({product_id}); computed by the tanlian exchange from signed activity data",
        "productIds": [product_urn(product_id)],
        "productNameCompany": str(name),
        "comment": (
            "GB/T 24067-2024 footprint computed from signed activity data; the footprint document is logged in an "
            "RFC 9162 transparency log anchored on Ethereum (see the receipt extension). Carbon contents are not "
            "assessed and are reported as 0."
            + (" Some secondary factors are illustrative." if result.illustrative_factors_used else "")
            + (f" {rules}" if (rules := rules_comment(result)) else "")
        ),
        "pcf": pcf,
        "extensions": [_receipt_extension(receipt)],
    }
    if preceding_pf_ids:
        pf["precedingPfIds"] = preceding_pf_ids
    if classifications:
        pf["productClassifications"] = classifications
    return pf


def is_draft_document(document: dict[str, Any]) -> bool:
    """Whether a stored v3 ProductFootprint was rendered with the pre-release draft's names."""
    pcf = document.get("pcf")
    return isinstance(pcf, dict) and any(name in pcf for name in DRAFT_PCF_NAMES)


def released_document(document: dict[str, Any], result: FootprintResult) -> dict[str, Any]:
    """A stored draft-shaped v3 ProductFootprint in the released v3.0 shape: the ``pcf`` rendered again from the
    footprint's engine result ``result`` (with the product mass it was published with), the draft's
    ``version`` left out (v3.0 has none), every other field as stored."""
    released = {key: value for key, value in document.items() if key != "version"}
    released["pcf"] = to_pact_v3_pcf(
        result, product_mass_per_declared_unit_kg=_published_mass(document, result)
    )
    return released


def _published_mass(v3: dict[str, Any], result: FootprintResult) -> float | None:
    """The product mass a stored v3 document was published with (``pcf.productMassPerDeclaredUnit``), for a
    declared unit that is not a mass (None: a mass unit, or not known)."""
    if result.declared_unit in _KILOGRAM_UNITS:
        return None
    stored = float(v3["pcf"].get("productMassPerDeclaredUnit", "0"))
    return stored if stored > 0 else None


def to_v2_product_footprint(v3: dict[str, Any], result: FootprintResult) -> dict[str, Any]:
    """The v2.3 ProductFootprint of a published footprint: node fields from its v3 document ``v3`` (status, ids,
    receipt URLs …), the ``pcf`` from the engine result.

    Raises :class:`PactMappingError` when the result has no v2.3 form (exemptions above v2's 5 % ceiling, a
    piece without the product's mass)."""
    pcf = to_pact_v23_pcf(result, product_mass_per_declared_unit_kg=_published_mass(v3, result))
    pf: dict[str, Any] = {key: v3[key] for key in _V2_FROM_V3 if key in v3}
    pf["specVersion"] = SPEC_VERSION_V2
    pf.setdefault("version", 1)  # required in v2.3; v3.0 has none (never revised in place here)
    pf["productCategoryCpc"] = next(
        (c.rsplit(":", 1)[-1] for c in v3.get("productClassifications", []) if "cpc" in c.lower()),
        "unclassified",
    )
    pf["pcf"] = pcf
    return pf
