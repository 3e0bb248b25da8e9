"""Co-product allocation (GB/T 24067-2024 §6.4.6 / ISO 14067 §6.4.6): the document's ``coProducts`` and
``allocation``, and the product's share.

The whole multi-output process described by a document is shared between the product and its
co-products; the engine multiplies every allocated input by the product's share. Shares come from
``allocation.shares`` when given (they must name the product and every co-product and sum to 100 %),
otherwise from physical amounts (same dimension as the declared unit) or economic values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import Field

from footprint_engine.activity_base import Amount, DocumentModel, Quantity
from footprint_engine.errors import AllocationError, UnitError
from footprint_engine.units import conversion_factor

__all__ = ["SHARE_TOLERANCE_PERCENT", "Allocation", "CoProduct", "allocation_shares", "main_product_share"]

#: Allocation shares must sum to 100 % within this many percentage points.
SHARE_TOLERANCE_PERCENT = 0.01


class CoProduct(DocumentModel):
    identifier: str = Field(min_length=1)
    name: str | None = None
    amount: Amount
    unit: str
    economic_value: float | None = Field(
        None, ge=0, description="Price per unit of the co-product (any currency)."
    )


class Allocation(DocumentModel):
    """Allocation among the product and its co-products (GB/T 24067 §6.4.6: physical first, then economic)."""

    basis: Literal["physical", "economic"]
    shares: dict[str, float] | None = Field(
        None, description="Percent per product identifier (the product and each co-product); sum 100."
    )
    economic_value: float | None = Field(
        default=None, ge=0, description="Price per declared unit of the product."
    )
    justification: str | None = None


def allocation_shares(
    *,
    product: str,
    produced: Quantity,
    declared_unit: str,
    co_products: Sequence[CoProduct],
    allocation: Allocation | None,
) -> dict[str, float]:
    """Percent per product identifier (product first). ``{product: 100}`` without co-products.

    The arguments are the document's ``productIdentifier``, ``producedQuantity``, ``declaredUnit``,
    ``coProducts`` and ``allocation``.
    """
    if not co_products:
        return {product: 100.0}
    if allocation is None:
        raise AllocationError(
            "allocation missing",
            f"{len(co_products)} co-product(s) but no allocation",
            "add allocation with basis 'physical' or 'economic'",
            field="allocation",
        )
    names = [product] + [c.identifier for c in co_products]
    if len(set(names)) != len(names):
        raise AllocationError(
            "co-product listed twice",
            "the product and its co-products must have distinct identifiers",
            "merge duplicate co-products",
            field="coProducts",
        )
    if allocation.shares is not None:
        return _given_shares(allocation.shares, names)
    if allocation.basis == "physical":
        return _normalise(_physical_amounts(product, produced, declared_unit, co_products), "physical")
    return _normalise(
        _economic_amounts(product, produced, declared_unit, co_products, allocation), "economic"
    )


def main_product_share(
    *,
    product: str,
    produced: Quantity,
    declared_unit: str,
    co_products: Sequence[CoProduct],
    allocation: Allocation | None,
) -> float:
    """The product's allocation share as a fraction in [0, 1] (arguments as for :func:`allocation_shares`)."""
    shares = allocation_shares(
        product=product,
        produced=produced,
        declared_unit=declared_unit,
        co_products=co_products,
        allocation=allocation,
    )
    return shares[product] / 100.0


def _given_shares(shares: dict[str, float], names: list[str]) -> dict[str, float]:
    missing = [n for n in names if n not in shares]
    unknown = sorted(set(shares) - set(names))
    if missing or unknown:
        raise AllocationError(
            "allocation shares do not match the products",
            f"missing {missing or 'none'}, unknown {unknown or 'none'}",
            "give one share per product identifier: the product and every co-product",
            field="allocation.shares",
        )
    for name, value in shares.items():
        if not 0 <= value <= 100:
            raise AllocationError(
                "allocation share out of range",
                f"share of {name!r} is {value}, want 0…100 %",
                "give shares in percent",
                field=f"allocation.shares.{name}",
            )
    total = sum(shares.values())
    if abs(total - 100.0) > SHARE_TOLERANCE_PERCENT:
        raise AllocationError(
            "allocation shares do not sum to 100 %",
            f"got {total:g} %, want 100 % (tolerance {SHARE_TOLERANCE_PERCENT} points)",
            "correct the shares so they sum to 100",
            field="allocation.shares",
        )
    return {n: float(shares[n]) for n in names}


def _physical_amounts(
    product: str, produced: Quantity, declared_unit: str, co_products: Sequence[CoProduct]
) -> dict[str, float]:
    amounts = {product: produced.amount * _to(produced.unit, declared_unit, "producedQuantity.unit")}
    for i, co in enumerate(co_products):
        amounts[co.identifier] = co.amount * _to(co.unit, declared_unit, f"coProducts[{i}].unit")
    return amounts


def _economic_amounts(
    product: str,
    produced: Quantity,
    declared_unit: str,
    co_products: Sequence[CoProduct],
    allocation: Allocation,
) -> dict[str, float]:
    if allocation.economic_value is None:
        raise AllocationError(
            "economic value missing",
            "economic allocation needs the product's price per declared unit",
            "set allocation.economicValue or give allocation.shares",
            field="allocation.economicValue",
        )
    qty = produced.amount * _to(produced.unit, declared_unit, "producedQuantity.unit")
    amounts = {product: qty * allocation.economic_value}
    for i, co in enumerate(co_products):
        if co.economic_value is None:
            raise AllocationError(
                "economic value missing",
                f"co-product {co.identifier!r} has no economicValue",
                "set economicValue (price per unit) on every co-product or give allocation.shares",
                field=f"coProducts[{i}].economicValue",
            )
        amounts[co.identifier] = co.amount * co.economic_value
    return amounts


def _normalise(amounts: dict[str, float], basis: str) -> dict[str, float]:
    total = sum(amounts.values())
    if total <= 0:
        raise AllocationError(
            "allocation basis is zero",
            f"the {basis} amounts of all products sum to 0",
            "give non-zero amounts or explicit shares",
            field="allocation",
        )
    return {k: 100.0 * v / total for k, v in amounts.items()}


def _to(unit: str, want: str, field: str) -> float:
    try:
        return conversion_factor(unit, want)
    except Exception:
        raise UnitError(
            "unit has the wrong dimension",
            f"{unit!r} cannot be converted to the declared unit {want!r} for physical allocation",
            "express co-products in the declared unit's dimension, or give allocation.shares",
            field=field,
        ) from None
