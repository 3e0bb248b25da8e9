"""Green-power claims: validity of GECs (绿证) and green-power contracts, and the MWh split.

Rules (DESIGN.md "Calculation rules"; NEA/NDRC 2023 notice on full GEC coverage: a certificate is valid
for two years counted from the natural month of production, 1 GEC = 1 MWh):

GEC claim, checked in this order, each with its own error:
  (1) whole MWh (checked by the schema);
  (2) produced no later than the end of the reporting period;
  (3) still valid on the first day of the reporting period (production month + 2 years);
  (4) cancelled, and cancelled for this claimant (``organisation.id`` of the document);
  (5) cancelled while valid and not before production.
Contract claim:
  (1) delivery_end >= delivery_start;
  (2) the delivery window lies inside the reporting period: a contract delivering over a longer window is
      claimed with the MWh delivered inside the period and delivery dates inside it (a window that only
      overlaps the period is refused, naming the date to move).
Across the claims of one document (the MWh is counted once):
  (3) a GEC serial is claimed once — as a GEC claim or bundled with a contract (``bundledGecSerials``), compared
      in the canonical serial form (footprint_engine.gec_serial);
  (4) one contract (canonical contract id) is not claimed twice for overlapping delivery windows.
Per electricity input: claimed MWh <= consumed MWh (checked by the schema).

Claims of the same serial or contract across the whole exchange are the node's check (gec_claims and
contract_claims); the engine sees one document.

Transmission and distribution: green power delivered over the grid (every GEC claim: the certificate covers
grid electricity consumed; a contract with ``delivery`` "grid") is marked ``over_grid`` in its slice, and a
product footprint adds MEE's T&D footprint factor to it (footprint_engine.calculate.line_builder).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from footprint_engine.activity_base import ReportingPeriod
from footprint_engine.activity_inputs import ContractClaim, ElectricityInput, GecClaim
from footprint_engine.errors import GreenPowerClaimError
from footprint_engine.gec_serial import legacy_gec_serial_key

__all__ = ["GEC_VALIDITY_YEARS", "ClaimedPower", "gec_valid_until", "split_electricity", "validate_claims"]

GEC_VALIDITY_YEARS = 2


@dataclass(frozen=True, slots=True)
class ClaimedPower:
    """One slice of an electricity input: either claimed green power or the grid remainder."""

    mwh: float
    generation_type: str | None  # None for the grid remainder
    claim_ref: str | None  # serial or contract id
    kind: str  # "gec", "green-power-contract" or "grid"
    over_grid: bool = True  # delivered over the public grid (False: a contract's direct line)


def gec_valid_until(production_date: date) -> date:
    """Last day of validity: the day before the production month's first day, two years on."""
    start = production_date.replace(day=1)
    end_exclusive = start.replace(year=start.year + GEC_VALIDITY_YEARS)
    return date.fromordinal(end_exclusive.toordinal() - 1)


def validate_claims(electricity: Sequence[ElectricityInput], period: ReportingPeriod, claimant: str) -> None:
    """Raise :class:`GreenPowerClaimError` naming the first invalid claim of the document's ``electricity``
    inputs (``inputs.electricity``), for its reporting ``period`` and ``claimant`` (``organisation.id``)."""
    for i, elec in enumerate(electricity):
        for j, claim in enumerate(elec.green_power_claims):
            path = f"inputs.electricity[{i}].greenPowerClaims[{j}]"
            if isinstance(claim, GecClaim):
                _check_gec(claim, period, claimant, path)
            else:
                _check_contract(claim, period, path)
    _check_counted_once(electricity)


def _check_counted_once(electricity: Sequence[ElectricityInput]) -> None:
    """Rules (3) and (4): every serial once, every contract window once, in document order."""
    serials: dict[str, str] = {}  # canonical serial → where it is claimed
    contracts: dict[str, list[tuple[ContractClaim, str]]] = {}
    for i, elec in enumerate(electricity):
        for j, claim in enumerate(elec.green_power_claims):
            path = f"inputs.electricity[{i}].greenPowerClaims[{j}]"
            if isinstance(claim, GecClaim):
                _claim_serial_once(serials, claim.serial, f"{path}.serial", None)
                continue
            for k, serial in enumerate(claim.bundled_gec_serials):
                _claim_serial_once(serials, serial, f"{path}.bundledGecSerials[{k}]", claim.contract_id)
            key = legacy_gec_serial_key(claim.contract_id)
            for other, where in contracts.get(key, []):
                if claim.delivery_start <= other.delivery_end and other.delivery_start <= claim.delivery_end:
                    raise GreenPowerClaimError(
                        "green-power contract claim refused",
                        f"contract {claim.contract_id!r} delivering {claim.delivery_start}…{claim.delivery_end} is "
                        f"also claimed at {where} for {other.delivery_start}…{other.delivery_end}",
                        "claim each contract's delivery once: one claim per contract and delivery window",
                        field=f"{path}.contractId",
                    )
            contracts.setdefault(key, []).append((claim, path))


def _claim_serial_once(seen: dict[str, str], serial: str, field: str, contract: str | None) -> None:
    key = legacy_gec_serial_key(serial)
    if key in seen:
        bundled = f" (bundled with contract {contract!r})" if contract is not None else ""
        raise GreenPowerClaimError(
            "GEC claim refused",
            f"GEC serial {serial!r}{bundled} is also claimed at {seen[key]}: the same MWh would count twice",
            "claim each certificate once — a GEC bundled with a green-power contract is claimed by the contract "
            "only (serials compare in canonical form)",
            field=field,
        )
    seen[key] = field


def _check_gec(claim: GecClaim, period: ReportingPeriod, claimant: str, path: str) -> None:
    serial = claim.serial
    # (2)
    if claim.production_date > period.end:
        raise GreenPowerClaimError(
            "GEC claim refused",
            f"serial {serial!r} was produced {claim.production_date}, after the reporting period ends {period.end}",
            "claim certificates for electricity produced before the period ends",
            field=f"{path}.productionDate",
        )
    # (3)
    until = gec_valid_until(claim.production_date)
    if until < period.start:
        raise GreenPowerClaimError(
            "GEC claim refused",
            f"serial {serial!r} expired {until} (2-year validity), before the period starts {period.start}",
            "claim certificates still valid in the reporting period",
            field=f"{path}.productionDate",
        )
    # (4)
    if claim.cancellation is None:
        raise GreenPowerClaimError(
            "GEC claim refused",
            f"serial {serial!r} has no cancellation record",
            "cancel the certificates for your organisation on the GEC platform and add the cancellation",
            field=f"{path}.cancellation",
        )
    if claim.cancellation.claimant != claimant:
        raise GreenPowerClaimError(
            "GEC claim refused",
            f"serial {serial!r} was cancelled for {claim.cancellation.claimant!r}, "
            f"not for this organisation {claimant!r}",
            "only certificates cancelled for the reporting organisation can be claimed",
            field=f"{path}.cancellation.claimant",
        )
    # (5)
    if not claim.production_date <= claim.cancellation.date <= until:
        raise GreenPowerClaimError(
            "GEC claim refused",
            f"serial {serial!r} was cancelled {claim.cancellation.date}, outside its validity "
            f"{claim.production_date}…{until}",
            "certificates must be cancelled while valid",
            field=f"{path}.cancellation.date",
        )


def _check_contract(claim: ContractClaim, period: ReportingPeriod, path: str) -> None:
    # (1)
    if claim.delivery_end < claim.delivery_start:
        raise GreenPowerClaimError(
            "green-power contract claim refused",
            f"contract {claim.contract_id!r} delivery ends {claim.delivery_end} before it starts "
            f"{claim.delivery_start}",
            "correct the delivery dates",
            field=f"{path}.deliveryEnd",
        )
    # (2)
    inside = "claim only the MWh delivered inside the period, with delivery dates inside it"
    if claim.delivery_start < period.start:
        raise GreenPowerClaimError(
            "green-power contract claim refused",
            f"contract {claim.contract_id!r} delivery starts {claim.delivery_start}, before the reporting period "
            f"{period.start}…{period.end}",
            f"{inside} (deliveryStart on or after {period.start})",
            field=f"{path}.deliveryStart",
        )
    if claim.delivery_end > period.end:
        raise GreenPowerClaimError(
            "green-power contract claim refused",
            f"contract {claim.contract_id!r} delivery ends {claim.delivery_end}, after the reporting period "
            f"{period.start}…{period.end}",
            f"{inside} (deliveryEnd on or before {period.end})",
            field=f"{path}.deliveryEnd",
        )


def split_electricity(elec: ElectricityInput) -> list[ClaimedPower]:
    """The claimed slices (in document order) followed by the grid remainder (possibly 0 MWh)."""
    slices: list[ClaimedPower] = []
    for claim in elec.green_power_claims:
        if isinstance(claim, GecClaim):
            slices.append(ClaimedPower(claim.quantity_mwh, claim.generation_type, claim.serial, "gec"))
        else:
            slices.append(
                ClaimedPower(
                    claim.quantity_mwh,
                    claim.generation_type,
                    claim.contract_id,
                    "green-power-contract",
                    over_grid=claim.delivery == "grid",
                )
            )
    remainder = max(elec.consumed_mwh() - sum(s.mwh for s in slices), 0.0)
    slices.append(ClaimedPower(remainder, None, None, "grid"))
    return slices
