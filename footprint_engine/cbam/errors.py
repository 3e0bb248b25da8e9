"""One exception root for the CBAM package; every message reads "what failed: detail — what to do"."""

from __future__ import annotations

__all__ = [
    "CbamError",
    "CbamInputError",
    "DefaultValueNotFoundError",
    "ElectricityFactorSourceError",
    "GoodOutOfScopeError",
    "MissingProductionRouteError",
    "PrecursorMassError",
    "UnsupportedGoodError",
]


class CbamError(Exception):
    """Root of every error raised by footprint_engine.cbam."""

    def diagnostics(self) -> str:
        """The message, for a CLI's one-line reason or an RFC 9457 problem detail."""
        return str(self)


class CbamInputError(CbamError):
    """Input that cannot be turned into a communication (inconsistent ids, cycles, bad numbers)."""


class GoodOutOfScopeError(CbamError):
    """A CN code that is not in Annex I of Regulation (EU) 2023/956."""


class MissingProductionRouteError(CbamError):
    """A good whose aggregated goods category needs a production route, given without one (or a wrong one)."""


class PrecursorMassError(CbamError):
    """Precursor mass above product mass beyond the stated tolerance."""


class ElectricityFactorSourceError(CbamError):
    """An electricity emission factor without a source."""


class DefaultValueNotFoundError(CbamError):
    """No Commission default value for the (country, CN code, route) asked for."""


class UnsupportedGoodError(CbamError):
    """A good in scope whose calculation this module does not implement (electricity as a good)."""
