"""Errors raised by footprint_engine.

One root (:class:`FootprintEngineError`) with a subclass per kind of failure. Every message has the form
``"what failed: detail — what to do"`` and names the input (a field path such as
``inputs.electricity[0].greenPowerClaims[1]``) whenever one is to blame.
"""

from __future__ import annotations

__all__ = [
    "ActivityDataError",
    "AllocationError",
    "CalculationError",
    "FactorLibraryError",
    "FactorNotFoundError",
    "FootprintEngineError",
    "GreenPowerClaimError",
    "UnitError",
    "UpstreamFootprintError",
]


class FootprintEngineError(Exception):
    """Root of every error footprint_engine raises on purpose."""

    def __init__(self, what: str, detail: str, fix: str, *, field: str | None = None) -> None:
        self.what = what
        self.detail = detail
        self.fix = fix
        self.field = field
        where = f" at {field}" if field else ""
        super().__init__(f"{what}{where}: {detail} — {fix}")

    def diagnostics(self) -> str:
        """A multi-line explanation for people (CLI output, problem+json ``detail``)."""
        lines = [f"{self.what}.", f"  detail: {self.detail}"]
        if self.field:
            lines.append(f"  field: {self.field}")
        lines.append(f"  what to do: {self.fix}")
        return "\n".join(lines)


class ActivityDataError(FootprintEngineError, ValueError):
    """The activity-data document breaks a rule of the schema.

    Also a ``ValueError`` so that pydantic validators may raise it and keep the field location.
    """


class UnitError(ActivityDataError):
    """A unit is unknown, or has the wrong dimension for its field."""


class AllocationError(ActivityDataError):
    """Co-product allocation is incomplete or its shares do not sum to 100 %."""


class GreenPowerClaimError(ActivityDataError):
    """A GEC or green-power-contract claim is not valid for this document."""


class FactorLibraryError(FootprintEngineError):
    """A factor file or factor record is malformed."""


class FactorNotFoundError(FactorLibraryError):
    """No factor matches an input, even after the fallback rules."""


class UpstreamFootprintError(FootprintEngineError):
    """A cited upstream footprint is missing or does not fit the input that cites it."""


class CalculationError(FootprintEngineError):
    """The matrices could not be built or solved."""
