"""Factor library: emission factors with provenance, GWP100 sets, GB/T 2589 coefficients."""

from footprint_engine.factors.geography import parents
from footprint_engine.factors.gwp import GwpSet, characterisation, gwp_table
from footprint_engine.factors.library import MAX_FACTOR_FILE_BYTES, FactorLibrary
from footprint_engine.factors.model import (
    FLOW_GASES,
    FLOW_ORIGINS,
    EnergyCoefficient,
    Factor,
    FactorMatch,
    flow_key,
)

__all__ = [
    "FLOW_GASES",
    "FLOW_ORIGINS",
    "MAX_FACTOR_FILE_BYTES",
    "EnergyCoefficient",
    "Factor",
    "FactorLibrary",
    "FactorMatch",
    "GwpSet",
    "characterisation",
    "flow_key",
    "gwp_table",
    "parents",
]
