"""The installation document the node accepts, and footprints on the exchange turned into precursor data.

The document is the engine's CBAM ``Installation`` JSON (``footprint_engine.cbam.Installation``) with one
node extension: a precursor may cite a supplier's footprint on this node instead of giving
``supplier_data``::

    {"precursor_id": "ingot", "cn_code": "76011000", "mass_t": 1050,
     "supplier_footprint_id": "<footprint id on this node>"}

The node replaces the citation with ``supplier_data`` taken from the stored footprint (and its receipt)
before the engine sees the installation. Everything here is pure: no database, no HTTP.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from footprint_engine.cbam import (
    CbamError,
    Installation,
    bundled_default_table,
    calculate_processes,
    check_installation,
)
from footprint_engine.cbam.errors import (
    ElectricityFactorSourceError,
    GoodOutOfScopeError,
    MissingProductionRouteError,
    PrecursorMassError,
    UnsupportedGoodError,
)
from footprint_engine.cbam.scope import classify_good, resolve_route
from footprint_engine.errors import FootprintEngineError
from footprint_engine.units import check_unit, conversion_factor
from node_service.errors import ValidationFailed

__all__ = [
    "CITATION_FIELD",
    "MAX_CITATIONS",
    "FootprintCitation",
    "cbam_problem",
    "check_calculable",
    "check_document",
    "extract_citations",
    "resolve_document",
    "supplier_data_from_footprint",
]

CITATION_FIELD = "supplier_footprint_id"
#: at most this many precursors may cite footprints (each costs a look-up and a receipt).
MAX_CITATIONS = 1_000
SEE_DECIMALS = 5  # Implementing Regulation (EU) 2023/1773: SEE "with a maximum of five decimal places"

# The field each engine rule is about; the message names the process or good.
_RULE_FIELDS: dict[type[CbamError], str] = {
    GoodOutOfScopeError: "cn_code",
    UnsupportedGoodError: "cn_code",
    MissingProductionRouteError: "production_route",
    PrecursorMassError: "mass_t",
    ElectricityFactorSourceError: "factor_source",
}


@dataclass(frozen=True, slots=True)
class FootprintCitation:
    """A precursor that cites a footprint on this node; ``field`` is where, for error messages."""

    process_index: int
    precursor_index: int
    footprint_id: str

    @property
    def field(self) -> str:
        return f"processes.{self.process_index}.precursors.{self.precursor_index}.{CITATION_FIELD}"


def cbam_problem(exc: CbamError, *, field: str | None = None) -> ValidationFailed:
    """An engine rule failure as a node validation error (422) naming the field of the rule."""
    rule_field = field or next((f for t, f in _RULE_FIELDS.items() if isinstance(exc, t)), "installation")
    return ValidationFailed(exc.diagnostics(), field=rule_field)


def _pydantic_problem(exc: ValidationError) -> ValidationFailed:
    errors = [
        {
            "field": ".".join(str(p) for p in e["loc"]) or "installation",
            "rule": e["type"],
            "message": e["msg"],
        }
        for e in exc.errors()
    ]
    first = errors[0]
    failed = ValidationFailed(
        f"{first['field']}: {first['message']}",
        fix=f"correct {first['field']} ({len(errors)} problem(s) in total)",
        field=first["field"],
    )
    failed.errors = errors  # type: ignore[attr-defined]
    return failed


def extract_citations(document: Any) -> tuple[dict[str, Any], list[FootprintCitation]]:
    """Split the node extension off: a copy of ``document`` without citations, and the citations.

    Checks (1) the document is a JSON object; (2) each citation is a non-empty string of at most 200
    characters; (3) a citing precursor gives neither ``supplier_data`` nor ``from_process``; (4) at most
    `MAX_CITATIONS` citations. Other structure is left to the engine's model.
    """
    # (1)
    if not isinstance(document, dict):
        raise ValidationFailed(
            f"the installation is a {type(document).__name__}, want a JSON object",
            field="installation",
            fix="send the CBAM installation JSON (see docs/cbam.md)",
        )
    stripped = copy.deepcopy(document)
    citations: list[FootprintCitation] = []
    processes = stripped.get("processes")
    for i, process in enumerate(processes if isinstance(processes, list) else []):
        precursors = process.get("precursors") if isinstance(process, dict) else None
        for j, pre in enumerate(precursors if isinstance(precursors, list) else []):
            if not isinstance(pre, dict) or CITATION_FIELD not in pre:
                continue
            cited = pre.pop(CITATION_FIELD)
            citation = FootprintCitation(i, j, cited if isinstance(cited, str) else "")
            # (2)
            if not isinstance(cited, str) or not cited.strip() or len(cited) > 200:
                raise ValidationFailed(
                    f"{citation.field}: got {cited!r}, want the id of a footprint on this node",
                    field=citation.field,
                    fix="give the footprint id the supplier shared with you (GET /footprints lists them)",
                )
            # (3)
            for other in ("supplier_data", "from_process"):
                if pre.get(other) is not None:
                    raise ValidationFailed(
                        f"{citation.field}: a precursor cites a footprint and also gives {other}",
                        field=citation.field,
                        fix=f"give either {CITATION_FIELD} or {other}, not both",
                    )
            citations.append(citation)
    # (4)
    if len(citations) > MAX_CITATIONS:
        raise ValidationFailed(
            f"too many footprint citations: got {len(citations)}, want at most {MAX_CITATIONS}",
            field="processes",
            fix="split the installation or give supplier_data directly",
        )
    return stripped, citations


def check_document(stripped: Mapping[str, Any]) -> Installation:
    """Validate the document without its citations: the engine's model, then scope and route per good.

    Errors name the field (``processes.0.goods.1.cn_code``). Rules needing the cited footprints
    (precursor valuation, mass balance) are checked by `resolve_document`.
    """
    try:
        installation = Installation.model_validate(stripped)
    except ValidationError as exc:
        raise _pydantic_problem(exc) from exc
    for i, process in enumerate(installation.processes):
        for j, good in enumerate(process.goods):
            where = f"processes.{i}.goods.{j}"
            try:
                scope = classify_good(good.cn_code)
            except GoodOutOfScopeError as exc:
                raise cbam_problem(exc, field=f"{where}.cn_code") from exc
            try:
                resolve_route(scope, good.production_route, good_id=good.good_id)
            except MissingProductionRouteError as exc:
                raise cbam_problem(exc, field=f"{where}.production_route") from exc
        for j, pre in enumerate(process.precursors):
            try:
                classify_good(pre.cn_code)
            except GoodOutOfScopeError as exc:
                raise cbam_problem(exc, field=f"processes.{i}.precursors.{j}.cn_code") from exc
    return installation


def resolve_document(
    stripped: Mapping[str, Any],
    citations: list[FootprintCitation],
    supplier_data: Mapping[str, Mapping[str, Any]],
) -> Installation:
    """The engine's installation: each citation replaced by ``supplier_data[footprint id]``, all rules checked."""
    document = copy.deepcopy(dict(stripped))
    for citation in citations:
        pre = document["processes"][citation.process_index]["precursors"][citation.precursor_index]
        pre["supplier_data"] = dict(supplier_data[citation.footprint_id])
    installation = check_document(document)
    try:
        check_installation(installation)
    except CbamError as exc:
        raise cbam_problem(exc) from exc
    return installation


def check_calculable(installation: Installation) -> None:
    """Run the engine's calculation once so that rules applied only while calculating (electricity factor
    sources, default values of precursors) refuse bad input when it is stored, not when it is used."""
    try:
        calculate_processes(installation, bundled_default_table())
    except CbamError as exc:
        raise cbam_problem(exc) from exc


def supplier_data_from_footprint(footprint_id: str, footprint: Mapping[str, Any]) -> dict[str, Any]:
    """A stored footprint document as CBAM precursor data (``SupplierEmbeddedEmissions`` JSON, no receipt).

    The footprint is a cradle-to-gate PCF in kgCO2e per declared unit; CBAM wants tCO2e per tonne split
    into direct and indirect. (1) the declared unit must be a mass (else refused); (2) indirect = its
    electricity at the location-based (grid-average) factor, because certificates do not change CBAM
    figures; (3) direct = everything else (total without biogenic removals, minus the market-based
    electricity it contains) — an upper bound of the CBAM direct emissions, since a PCF also counts
    upstream materials and transport; (4) both per tonne, rounded to five decimals.
    """
    where = f"footprint {footprint_id}"
    declared = footprint.get("declaredUnit")
    result = footprint.get("result")
    if not isinstance(declared, str) or not isinstance(result, Mapping):
        raise ValidationFailed(
            f"{where} has no declaredUnit or result", fix="cite a footprint computed by this node"
        )
    # (1)
    try:
        check_unit(declared, field="declaredUnit", allowed=("mass",))
        tonnes_per_unit = conversion_factor(declared, "t")
    except (FootprintEngineError, ValueError) as exc:
        raise ValidationFailed(
            f"{where} is declared per {declared!r}, not per unit of mass; CBAM precursors need tCO2e per tonne",
            fix="ask the supplier for a footprint declared per kg or t, or give supplier_data instead",
        ) from exc
    try:
        total_kg = float(result["emissions"]["totalExcludingBiogenicRemovals"])
        electricity = result["electricity"]
        location_kg = float(electricity["locationBasedKgCo2E"])
        market_kg = float(electricity["marketBasedKgCo2E"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed(
            f"{where}: result lacks {exc} (emissions or electricity figures)",
            fix="cite a footprint computed by this node's engine",
        ) from exc
    # (2), (3), (4)
    per_t = 1.0 / (tonnes_per_unit * 1000.0)  # kgCO2e per declared unit → tCO2e per t
    see_direct = round(max(total_kg - market_kg, 0.0) * per_t, SEE_DECIMALS)
    see_indirect = round(max(location_kg, 0.0) * per_t, SEE_DECIMALS)
    period = footprint.get("reportingPeriod") or {}
    source = (
        f"tanlian footprint {footprint_id} of {footprint.get('organisation', '?')} for "
        f"{footprint.get('productId', '?')} ({period.get('start', '?')} to {period.get('end', '?')}), "
        f"cradle-to-gate PCF per {declared}: direct = non-electricity emissions (upper bound of CBAM "
        "direct), indirect = electricity at the location-based grid factor (certificates do not count)"
    )
    return {"see_direct": see_direct, "see_indirect": see_indirect, "source": source}
