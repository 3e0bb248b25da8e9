"""The CBAM form's choices: the communication template's own list values (sheet Parameters_Constants of
the 2024-12-13 version) as the document stores them, each with the words a practitioner reads (msgids,
translated where shown)."""

from __future__ import annotations

__all__ = [
    "CARBON_INSTRUMENTS",
    "DATA_QUALITY",
    "N_",
    "QUALITY_ASSURANCE",
    "REBATE_TYPES",
    "ROUTE_NAMES",
    "SOURCE_KINDS",
]


def N_(message: str) -> str:
    """Mark a msgid for extraction; translated where it is shown."""
    return message


CARBON_INSTRUMENTS = {
    "National Emissions Trading System": N_("National emissions trading system (national carbon market)"),
    "Regional Emissions Trading System": N_("Regional emissions trading system (pilot carbon market)"),
    "Carbon Tax": N_("Carbon tax"),
    "Carbon Levy": N_("Carbon levy"),
    "Carbon Fee": N_("Carbon fee"),
    "Combination": N_("Combination"),
    "Other": N_("Other"),
}
REBATE_TYPES = {
    "Free allocation": N_("Free allocation"),
    "Financial compensation": N_("Financial compensation"),
    "Tax deduction": N_("Tax deduction"),
    "Combination": N_("Combination"),
    "Other": N_("Other"),
    "None": N_("None"),
}
DATA_QUALITY = {
    "": N_("(not stated)"),
    "Mostly measurements & analyses": N_("Mostly measurements and laboratory analyses"),
    "Mostly measurements & national standard factors for e.g. the emission factor": N_(
        "Mostly measurements and national default factors"
    ),
    "Mostly measurements & sector-specific standard factors for e.g. the emission factor": N_(
        "Mostly measurements and sector default factors"
    ),
    "Mostly measurements & international standard factors for e.g. the emission factor": N_(
        "Mostly measurements and international default factors"
    ),
    "Mostly default values provided by the European Commission": N_("Mostly EU default values"),
}
QUALITY_ASSURANCE = {
    "": N_("(not stated)"),
    "Third-party verification": N_("Third-party verification"),
    "Internal audits": N_("Internal audits"),
    "Four eyes principle": N_("Four-eyes check"),
    "None": N_("None"),
}
SOURCE_KINDS = {"fuel": N_("Fuel combustion"), "process": N_("Process emissions")}
ROUTE_NAMES = {
    "blast_furnace": N_("Blast furnace route"),
    "smelting_reduction": N_("Smelting reduction"),
    "direct_reduction": N_("Direct reduction"),
    "bof": N_("Basic oxygen steelmaking"),
    "eaf": N_("Electric arc furnace"),
    "bf_bof": N_("From BF/BOF crude steel"),
    "dri_eaf": N_("From DRI/EAF crude steel"),
    "scrap_eaf": N_("From scrap/EAF crude steel"),
    "primary": N_("Primary (electrolytic) smelting"),
    "secondary": N_("Secondary melting (recycling)"),
    "grey_clinker": N_("Grey clinker"),
    "white_clinker": N_("White clinker"),
    "steam_reforming": N_("Steam reforming"),
    "gasification": N_("Gasification of coal"),
    "electrolysis": N_("Electrolysis of water"),
    "chlor_alkali": N_("Chlor-alkali electrolysis"),
}
