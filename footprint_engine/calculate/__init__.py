"""Footprint calculation on Brightway: inventory lines → matrices → bw2calc → result."""

from footprint_engine.calculate.engine import calculate
from footprint_engine.calculate.options import CalculationOptions
from footprint_engine.calculate.result import FootprintResult
from footprint_engine.calculate.upstream import UpstreamFootprint

__all__ = ["CalculationOptions", "FootprintResult", "UpstreamFootprint", "calculate"]
