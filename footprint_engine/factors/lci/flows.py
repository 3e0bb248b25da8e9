"""Elementary flows: ecoinvent's greenhouse-gas flows → the engine's ``GAS/origin`` flow keys, and the flows
the IPCC 2021 GWP100 method bundled with bw2io characterises (what counts as a greenhouse gas)."""

from __future__ import annotations

__all__ = ["GHG_FLOWS", "IPCC_2021_GWP100_FLOWS", "flow_key_of"]

#: (ecoinvent elementary-flow name, top compartment) → engine flow key "GAS/origin". Emissions count in every air
#: sub-compartment; in "lower stratosphere + upper troposphere" a fossil origin becomes "aircraft" (reported
#: separately, ISO 14067 §7.3). "Carbon dioxide, in air" is the uptake of CO2 into biomass.
GHG_FLOWS: dict[tuple[str, str], str] = {
    ("Carbon dioxide, fossil", "air"): "CO2/fossil",
    ("Carbon dioxide, non-fossil", "air"): "CO2/biogenic",
    ("Carbon dioxide, from soil or biomass stock", "air"): "CO2/dluc",
    ("Carbon dioxide, in air", "natural resource"): "CO2/biogenic-removal",
    ("Methane, fossil", "air"): "CH4/fossil",
    ("Methane, non-fossil", "air"): "CH4/biogenic",
    ("Methane, from soil or biomass stock", "air"): "CH4/dluc",
    ("Dinitrogen monoxide", "air"): "N2O/fossil",
    ("Sulfur hexafluoride", "air"): "SF6/fossil",
    ("Nitrogen fluoride", "air"): "NF3/fossil",
    ("Methane, tetrafluoro-, R-14", "air"): "CF4/fossil",
    ("Ethane, hexafluoro-, HFC-116", "air"): "C2F6/fossil",
    ("Ethane, 1,1,1,2-tetrafluoro-, HFC-134a", "air"): "HFC-134a/fossil",
    ("Methane, trifluoro-, HFC-23", "air"): "HFC-23/fossil",
    ("Methane, difluoro-, HFC-32", "air"): "HFC-32/fossil",
}
_AIRCRAFT_SUBCOMPARTMENT = "lower stratosphere + upper troposphere"

#: (name, top compartment) of every elementary flow that the IPCC 2021 GWP100 methods bundled with bw2io 0.9.17
#: characterise (climate change: fossil, biogenic, land use; short-lived climate forcers left out): what counts as
#: a greenhouse gas when a flow has no engine key. test_lci_import.py checks it against bw2io's
#: data/lcia/lcia_39_ecoinvent.zip (reading that file takes seconds).
IPCC_2021_GWP100_FLOWS: frozenset[tuple[str, str]] = frozenset(
    {("Carbon dioxide, to soil or biomass stock", "soil")}
) | frozenset(
    (name, "air")
    for name in (
        "Bromopropane",
        "Butane",
        "Carbon dioxide, fossil",
        "Carbon dioxide, from soil or biomass stock",
        "Chloroform",
        "Dinitrogen monoxide",
        "Ethane",
        "Ethane, 1,1,1,2-tetrafluoro-, HFC-134a",
        "Ethane, 1,1,1-trichloro-, HCFC-140",
        "Ethane, 1,1,1-trifluoro-, HFC-143a",
        "Ethane, 1,1,2-trichloro-1,2,2-trifluoro-, CFC-113",
        "Ethane, 1,1-dichloro-1-fluoro-, HCFC-141b",
        "Ethane, 1,1-difluoro-, HFC-152a",
        "Ethane, 1,2-dichloro-",
        "Ethane, 1,2-dichloro-1,1,2,2-tetrafluoro-, CFC-114",
        "Ethane, 1-chloro-1,1-difluoro-, HCFC-142b",
        "Ethane, 2,2-dichloro-1,1,1-trifluoro-, HCFC-123",
        "Ethane, 2-chloro-1,1,1,2-tetrafluoro-, HCFC-124",
        "Ethane, chloropentafluoro-, CFC-115",
        "Ethane, hexafluoro-, HFC-116",
        "Ethane, pentafluoro-, HFC-125",
        "Methane, bromo-, Halon 1001",
        "Methane, bromochlorodifluoro-, Halon 1211",
        "Methane, bromotrifluoro-, Halon 1301",
        "Methane, chloro-fluoro-, HCFC-31",
        "Methane, chlorodifluoro-, HCFC-22",
        "Methane, chlorotrifluoro-, CFC-13",
        "Methane, dichloro-, HCC-30",
        "Methane, dichlorodifluoro-, CFC-12",
        "Methane, dichlorofluoro-, HCFC-21",
        "Methane, difluoro-, HFC-32",
        "Methane, fossil",
        "Methane, from soil or biomass stock",
        "Methane, monochloro-, R-40",
        "Methane, non-fossil",
        "Methane, tetrachloro-, R-10",
        "Methane, tetrafluoro-, R-14",
        "Methane, trichlorofluoro-, CFC-11",
        "Methane, trifluoro-, HFC-23",
        "Monochloroethane",
        "Nitrogen fluoride",
        "Perfluoropentane",
        "Propane",
        "Sulfur hexafluoride",
        "Tetrachloroethylene",
        "Trichloroethylene",
    )
)


def flow_key_of(name: str, compartment: str, subcompartment: str = "") -> str | None:
    """The engine's flow key for an ecoinvent elementary flow, or None when it is not a mapped greenhouse gas."""
    key = GHG_FLOWS.get((name, compartment))
    if key is not None and key.endswith("/fossil") and subcompartment == _AIRCRAFT_SUBCOMPARTMENT:
        return key.replace("/fossil", "/aircraft")
    return key
