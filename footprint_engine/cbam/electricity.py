"""Which emission factor CBAM allows for electricity consumed in a production process.

Rule applied (Regulation (EU) 2023/956 Annex IV point 6; Implementing Regulation (EU) 2023/1773 Annex III
section D for the method): indirect emissions use the grid-average emission factor of the country of
production, unless the operator shows (a) a direct technical link between the installation and the
generating source, or (b) a power purchase agreement with an electricity producer for an amount of
electricity equivalent to the amount for which the actual factor is claimed; then that producer's actual
factor applies. Green electricity certificates (GEC / 绿证) alone satisfy neither condition and change
nothing in the CBAM figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from footprint_engine.cbam.errors import ElectricityFactorSourceError
from footprint_engine.cbam.model import ElectricityUse, GridFactor
from footprint_engine.factors.rules import account_rule

__all__ = [
    "ELECTRICITY_RULE",
    "ELECTRICITY_RULE_SOURCE",
    "AppliedElectricityFactor",
    "apply_electricity_rule",
]

#: The account rule ``cbam-indirect`` (footprint_engine.factors.rules), stated once there: the default is the
#: country's grid factor — the Commission's IEA-based factor (Annex III D.4(a)) or other public data (D.4(b)),
#: given by the installation as ``installation.grid_factor`` with its source.
ELECTRICITY_RULE = account_rule("cbam-indirect").electricity
ELECTRICITY_RULE_SOURCE = "; ".join(
    f"{c.document} {c.clause}" for c in account_rule("cbam-indirect").citations
)


@dataclass(frozen=True, slots=True)
class AppliedElectricityFactor:
    mwh: float
    factor: float
    source: str
    basis: str  # "grid", "direct_technical_link", "power_purchase_agreement"
    reason: str

    @property
    def tco2e(self) -> float:
        return self.mwh * self.factor


def _require_grid(grid: GridFactor | None, where: str) -> GridFactor:
    if grid is None:
        raise ElectricityFactorSourceError(
            f"{where}: grid electricity factor missing — set installation.grid_factor to the grid-average "
            "factor of the country of production (tCO2/MWh) with its source"
        )
    if not grid.source.strip():
        raise ElectricityFactorSourceError(
            f"installation.grid_factor {grid.value} tCO2/MWh has no source — name the publication "
            "(e.g. 'MEE/NBS 2024-12-20, 2022 national grid average')"
        )
    return grid


def apply_electricity_rule(
    use: ElectricityUse, grid: GridFactor | None, *, where: str, period: tuple[date, date]
) -> AppliedElectricityFactor:
    """Factor for one electricity line: (1) a claimed factor needs a source; (2) a direct link or PPA
    claim is checked; (3) anything else, and any claim whose conditions fail, takes the grid average."""
    # (1): every factor given must carry its source.
    if use.emission_factor is not None and not use.factor_source.strip():
        raise ElectricityFactorSourceError(
            f"{where}: electricity factor {use.emission_factor} tCO2/MWh has no source — set factor_source "
            "(the generator's verified emission report, or the grid publication)"
        )
    gec_note = ""
    if use.gec is not None:
        gec_note = f"; GEC claim of {use.gec.mwh:g} MWh recorded, no effect on CBAM figures"
    # (2): actual factor only where the Annex IV point 6 conditions hold.
    failed = ""
    if use.basis == "direct_technical_link":
        if use.direct_link is None:
            failed = "direct technical link claimed without evidence (generator, meter)"
        elif use.emission_factor is None:
            failed = "direct technical link without the generator's emission factor"
        else:
            return AppliedElectricityFactor(
                use.mwh,
                use.emission_factor,
                use.factor_source,
                use.basis,
                f"direct technical link to {use.direct_link.generator} (meter {use.direct_link.meter_id})"
                + gec_note,
            )
    elif use.basis == "power_purchase_agreement":
        ppa = use.ppa
        if ppa is None:
            failed = "power purchase agreement claimed without the contract"
        elif use.emission_factor is None:
            failed = "power purchase agreement without the producer's emission factor"
        elif ppa.contracted_mwh + 1e-9 < use.mwh:
            failed = (
                f"PPA {ppa.contract_id} covers {ppa.contracted_mwh:g} MWh, less than {use.mwh:g} MWh claimed"
            )
        elif ppa.period_end < period[0] or ppa.period_start > period[1]:
            failed = f"PPA {ppa.contract_id} does not overlap the reporting period"
        else:
            return AppliedElectricityFactor(
                use.mwh,
                use.emission_factor,
                use.factor_source,
                use.basis,
                f"power purchase agreement {ppa.contract_id} with {ppa.producer} "
                f"({ppa.contracted_mwh:g} MWh)" + gec_note,
            )
    # (3): grid average.
    grid_factor = _require_grid(grid, where)
    reason = "grid average (default)"
    if failed:
        reason = f"grid average: {failed}"
    return AppliedElectricityFactor(use.mwh, grid_factor.value, grid_factor.source, "grid", reason + gec_note)
