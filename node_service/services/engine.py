"""The node's use of the footprint engine: one factor library and Brightway directory per process."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from footprint_engine.activity import ActivityData
from footprint_engine.calculate import CalculationOptions, calculate
from footprint_engine.factors import FactorLibrary
from node_service.settings import Settings

__all__ = ["calculate_activity"]

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _library() -> FactorLibrary:
    return FactorLibrary.builtin()


def calculate_activity(settings: Settings, activity: ActivityData) -> dict[str, Any]:
    """Compute the footprint of ``activity`` and return the engine's result as JSON."""
    with _lock:  # Brightway's project state is process-global
        result = calculate(
            activity, library=_library(), options=CalculationOptions(brightway_dir=settings.brightway_dir)
        )
    data: dict[str, Any] = result.model_dump(mode="json", by_alias=True)
    return data
