"""A stored footprint document (``footprints.result``) as a PACT ProductFootprint: v3.0 and v2.3.

The engine's figures are per declared unit in kgCO2e. PACT decimals are strings matching
``^[+-]?\\d+(\\.\\d+)?$`` (no exponent), so every float goes through :func:`pact_decimal`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from node_service.pact.errors import InternalError

__all__ = [
    "EXTENSION_SCHEMA",
    "Receipt",
    "company_urns",
    "pact_decimal",
    "product_urn",
    "to_v2_product_footprint",
    "to_v3_product_footprint",
    "validity_period",
]

SPEC_VERSION_V3 = "3.0.0"
SPEC_VERSION_V2 = "2.3.0"
#: Data model extension (PACT "Data Model Extensions") that points a buyer to the footprint's receipt.
EXTENSION_SCHEMA = "https://tanlian.example/pact/extensions/receipt/1.0.0/data-model.json"
EXTENSION_DOCS = "https://tanlian.example/pact/extensions/receipt/1.0.0/"

# our declared unit → (PACT declaredUnitOfMeasurement, declaredUnitAmount, kg per declared unit or None)
_UNITS: dict[str, tuple[str, str, str | None]] = {
    "kg": ("kilogram", "1", "1"),
    "g": ("kilogram", "0.001", "0.001"),
    "t": ("kilogram", "1000", "1000"),
    "tonne": ("kilogram", "1000", "1000"),
    "metric_ton": ("kilogram", "1000", "1000"),
    "l": ("liter", "1", None),
    "L": ("liter", "1", None),
    "liter": ("liter", "1", None),
    "m3": ("cubic meter", "1", None),
    "Nm3": ("cubic meter", "1", None),
    "kWh": ("kilowatt hour", "1", "0"),
    "MWh": ("kilowatt hour", "1000", "0"),
    "MJ": ("megajoule", "1", "0"),
    "GJ": ("megajoule", "1000", "0"),
    "tkm": ("ton kilometer", "1", "0"),
    "m2": ("square meter", "1", None),
    "m^2": ("square meter", "1", None),
    "piece": ("piece", "1", None),
    "pcs": ("piece", "1", None),
    "h": ("hour", "1", "0"),
}
_SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class Receipt:
    """Where a buyer fetches the receipt of the footprint's log entry, and what to check it against."""

    url: str
    entry_id: str
    sha256: str
    chain_id: int
    contract: str


def pact_decimal(value: float, *, places: int = 6, sign: str = "any") -> str:
    """A PACT decimal string: fixed notation, at most ``places`` decimals, no trailing zeros, no "-0"."""
    d = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places))
    if sign == "nonnegative" and d < 0:
        if d > Decimal("-1e-6"):
            d = Decimal(0)
        else:
            raise InternalError(f"mapping to PACT: got {value}, want a value >= 0")
    if sign == "nonpositive" and d > 0:
        raise InternalError(f"mapping to PACT: got {value}, want a value <= 0")
    text = format(d.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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


def _day_start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def validity_period(period_end: str) -> tuple[datetime, datetime]:
    """PACT default: valid for 3 years after referencePeriodEnd (end is exclusive: the day after the last day)."""
    start = _day_start(period_end) + timedelta(days=1)
    try:
        end = start.replace(year=start.year + 3)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + 3, day=28)
    return start, end


def _geography(code: str) -> dict[str, str]:
    if _SUBDIVISION.match(code):
        return {"geographyCountrySubdivision": code}
    if _COUNTRY.match(code):
        return {"geographyCountry": code}
    return {}


def _biogenic_non_co2(result: dict[str, Any]) -> float:
    return sum(
        float(g.get("kgCo2E", 0.0))
        for g in result.get("perGas", [])
        if g.get("origin") == "biogenic" and g.get("gas") not in ("CO2", "CO2e")
    )


def _gwp_sets(result: dict[str, Any]) -> list[str]:
    gwp = str(result.get("engine", {}).get("options", {}).get("gwpSet") or "AR6").upper()
    return [gwp] if re.fullmatch(r"AR\d+", gwp) else ["AR6"]


def _secondary_sources(result: dict[str, Any]) -> list[dict[str, str]]:
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for factor in result.get("factors", []):
        name = str(factor.get("source") or "").strip()
        if not name:
            continue
        version = str(factor.get("year") or "unspecified")
        seen.setdefault((name, version), {"name": name, "version": version})
    return list(seen.values())


def _pcf_v3(document: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    unit = str(result.get("declaredUnit") or document.get("declaredUnit"))
    if unit not in _UNITS:
        raise InternalError(
            f"mapping to PACT: declared unit {unit!r} has no PACT declaredUnitOfMeasurement",
            fix="use kg, t, kWh, MJ, m3, l, m2, piece, tkm or h",
        )
    measure, amount, mass = _UNITS[unit]
    em = result["emissions"]
    pcf: dict[str, Any] = {
        "declaredUnitOfMeasurement": measure,
        "declaredUnitAmount": amount,
        "productMassPerDeclaredUnit": mass if mass is not None else "0",
        "referencePeriodStart": _rfc3339(_day_start(str(result["reportingPeriodStart"]))),
        "referencePeriodEnd": _rfc3339(_day_start(str(result["reportingPeriodEnd"])) + timedelta(days=1)),
        "pcfExcludingBiogenicCO2Withdrawal": pact_decimal(em["totalExcludingBiogenicRemovals"]),
        "pcfIncludingBiogenicCO2Withdrawal": pact_decimal(em["total"]),
        "fossilGhgEmissions": pact_decimal(em["fossil"] + em["aircraft"], sign="nonnegative"),
        "fossilCarbonContent": "0",
        "biogenicCarbonContent": "0",
        "landUseChangeGhgEmissions": pact_decimal(em["dluc"], sign="nonnegative"),
        "biogenicNonCO2Emissions": pact_decimal(_biogenic_non_co2(result), sign="nonnegative"),
        "biogenicCO2Withdrawal": pact_decimal(min(em["biogenicRemovals"], 0.0), sign="nonpositive"),
        "aircraftGhgEmissions": pact_decimal(em["aircraft"], sign="nonnegative"),
        "ipccCharacterizationFactors": _gwp_sets(result),
        "crossSectoralStandards": ["ISO14067"],
        "boundaryProcessesDescription": (
            f"{result.get('systemBoundary', 'cradle-to-gate')}; stages: "
            + ", ".join(result.get("stagesIncluded", []))
            + f"; {result.get('method', {}).get('standard', 'GB/T 24067-2024')}"
        ),
        "exemptedEmissionsPercent": pact_decimal(
            float(result.get("cutOff", {}).get("excludedSharePercent", 0.0)), sign="nonnegative"
        ),
        "exemptedEmissionsDescription": "; ".join(
            str(e.get("description", "")) for e in result.get("cutOff", {}).get("exclusions", [])
        ),
        "primaryDataShare": pact_decimal(float(result.get("primaryDataShare", 0.0)), sign="nonnegative"),
        **_geography(str(result.get("geography", ""))),
    }
    allocation = result.get("allocation") or {}
    if allocation:
        pcf["allocationRulesDescription"] = (
            f"basis: {allocation.get('basis')}; {allocation.get('rule', '')}".strip()
        )
    dqr = (result.get("dqi") or {}).get("pactDqr") or {}
    if all(k in dqr for k in ("technological", "temporal", "geographical")):
        pcf["dqi"] = {
            f"{name}DQR": pact_decimal(dqr[name], places=2)
            for name in ("technological", "temporal", "geographical", "completeness", "reliability")
            if name in dqr
        }
        pcf["dqi"]["coveragePercent"] = pact_decimal(
            float(result["dqi"].get("coveragePercent", 0.0)), places=2
        )
    sources = _secondary_sources(result)
    if sources:
        pcf["secondaryEmissionFactorSources"] = sources
    return pcf


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
) -> dict[str, Any]:
    """The v3 ProductFootprint of a stored footprint document (``footprints.result``)."""
    result = document.get("result")
    if not isinstance(result, dict) or "emissions" not in result:
        raise InternalError(f"footprint {footprint_id}: stored document has no engine result")
    product_id = str(document.get("productId") or result.get("productIdentifier"))
    start, end = validity_period(str(result["reportingPeriodEnd"]))
    name = document.get("productName") or result.get("productName") or product_id
    pf: dict[str, Any] = {
        "id": footprint_id,
        "specVersion": SPEC_VERSION_V3,
        "version": 1,
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
            + (" Some secondary factors are illustrative." if result.get("illustrativeFactorsUsed") else "")
        ),
        "pcf": _pcf_v3(document, result),
        "extensions": [_receipt_extension(receipt)],
    }
    if preceding_pf_ids:
        pf["precedingPfIds"] = preceding_pf_ids
    if classifications:
        pf["productClassifications"] = classifications
    return pf


_V2_UNITS = {
    "liter": "liter",
    "kilogram": "kilogram",
    "cubic meter": "cubic meter",
    "kilowatt hour": "kilowatt hour",
    "megajoule": "megajoule",
    "ton kilometer": "ton kilometer",
    "square meter": "square meter",
}


def to_v2_product_footprint(v3: dict[str, Any]) -> dict[str, Any]:
    """The v2.3 ProductFootprint of a v3 one (same id; v2.3 property names and number types)."""
    p = v3["pcf"]
    declared = _V2_UNITS.get(p["declaredUnitOfMeasurement"], "kilogram")
    pcf: dict[str, Any] = {
        "declaredUnit": declared,
        "unitaryProductAmount": p["declaredUnitAmount"],
        "pCfExcludingBiogenic": p["pcfExcludingBiogenicCO2Withdrawal"],
        "pCfIncludingBiogenic": p["pcfIncludingBiogenicCO2Withdrawal"],
        "fossilGhgEmissions": p["fossilGhgEmissions"],
        "fossilCarbonContent": p["fossilCarbonContent"],
        "biogenicCarbonContent": p["biogenicCarbonContent"],
        "dLucGhgEmissions": p["landUseChangeGhgEmissions"],
        "aircraftGhgEmissions": p["aircraftGhgEmissions"],
        "biogenicCarbonWithdrawal": p["biogenicCO2Withdrawal"],
        "characterizationFactors": p["ipccCharacterizationFactors"][-1],
        "ipccCharacterizationFactorsSources": p["ipccCharacterizationFactors"],
        "crossSectoralStandardsUsed": ["ISO Standard 14067"],
        "productOrSectorSpecificRules": [],
        "boundaryProcessesDescription": p["boundaryProcessesDescription"],
        "referencePeriodStart": p["referencePeriodStart"],
        "referencePeriodEnd": p["referencePeriodEnd"],
        "exemptedEmissionsPercent": min(float(p["exemptedEmissionsPercent"]), 5.0),
        "exemptedEmissionsDescription": p["exemptedEmissionsDescription"],
        "packagingEmissionsIncluded": False,
        "primaryDataShare": float(p["primaryDataShare"]),
    }
    for key in ("geographyCountry", "geographyCountrySubdivision", "geographyRegionOrSubregion"):
        if key in p:
            pcf[key] = p[key]
    if "dqi" in p:
        pcf["dqi"] = {key: float(value) for key, value in p["dqi"].items()}
    if "secondaryEmissionFactorSources" in p:
        pcf["secondaryEmissionFactorSources"] = p["secondaryEmissionFactorSources"]
    pf: dict[str, Any] = {
        key: v3[key]
        for key in (
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
            "extensions",
        )
        if key in v3
    }
    pf["specVersion"] = SPEC_VERSION_V2
    pf["productCategoryCpc"] = next(
        (c.rsplit(":", 1)[-1] for c in v3.get("productClassifications", []) if "cpc" in c.lower()),
        "unclassified",
    )
    if "precedingPfIds" in v3:
        pf["precedingPfIds"] = v3["precedingPfIds"]
    if "productClassifications" in v3:
        pf["productClassifications"] = v3["productClassifications"]
    pf["pcf"] = pcf
    return pf
