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
  (1) delivery_end >= delivery_start;  (2) the delivery window overlaps the reporting period.
Per electricity input: claimed MWh <= consumed MWh (checked by the schema).

A serial used twice across the whole exchange is the node's check; the engine sees one document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from footprint_engine.activity_base import ReportingPeriod
from footprint_engine.activity_inputs import ContractClaim, ElectricityInput, GecClaim
from footprint_engine.errors import GreenPowerClaimError

__all__ = ["GEC_VALIDITY_YEARS", "ClaimedPower", "gec_valid_until", "split_electricity", "validate_claims"]

GEC_VALIDITY_YEARS = 2


@dataclass(frozen=True, slots=True)
class ClaimedPower:
    """One slice of an electricity input: either claimed green power or the grid remainder."""

    mwh: float
    generation_type: str | None  # None for the grid remainder
    claim_ref: str | None  # serial or contract id
    kind: str  # "gec", "green-power-contract" or "grid"


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
    if claim.delivery_end < claim.delivery_start:
        raise GreenPowerClaimError(
            "green-power contract claim refused",
            f"contract {claim.contract_id!r} delivery ends {claim.delivery_end} before it starts "
            f"{claim.delivery_start}",
            "correct the delivery dates",
            field=f"{path}.deliveryEnd",
        )
    if claim.delivery_start > period.end or claim.delivery_end < period.start:
        raise GreenPowerClaimError(
            "green-power contract claim refused",
            f"contract {claim.contract_id!r} delivered {claim.delivery_start}…{claim.delivery_end}, outside the "
            f"reporting period {period.start}…{period.end}",
            "claim contracts delivering in the reporting period",
            field=f"{path}.deliveryStart",
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
                    claim.quantity_mwh, claim.generation_type, claim.contract_id, "green-power-contract"
                )
            )
    remainder = max(elec.consumed_mwh() - sum(s.mwh for s in slices), 0.0)
    slices.append(ClaimedPower(remainder, None, None, "grid"))
    return slices
