"""The node's use of the footprint engine: one factor library and Brightway directory per process."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from footprint_engine.activity import ActivityData
from footprint_engine.calculate import CalculationOptions, UpstreamFootprint, calculate
from footprint_engine.errors import FootprintEngineError
from footprint_engine.factors import FactorLibrary
from node_service.errors import ValidationFailed
from node_service.settings import Settings

__all__ = ["calculate_activity"]

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _library() -> FactorLibrary:
    return FactorLibrary.builtin()


def calculate_activity(
    settings: Settings, activity: ActivityData, upstream: Mapping[str, UpstreamFootprint] | None = None
) -> dict[str, Any]:
    """Compute the footprint of ``activity`` and return the engine's result as JSON.

    An input the engine refuses (unknown factor, invalid GEC claim, missing upstream footprint …) becomes a 422
    naming the field inside the credential.
    """
    options = CalculationOptions(brightway_dir=settings.brightway_dir)
    try:
        with _lock:  # Brightway's project state is process-global
            result = calculate(activity, library=_library(), upstream=upstream, options=options)
    except FootprintEngineError as exc:
        field = f"credentialSubject.{exc.field}" if exc.field else "credentialSubject"
        raise ValidationFailed(f"{exc.what}: {exc.detail}", fix=exc.fix, field=field) from exc
    data: dict[str, Any] = result.model_dump(mode="json", by_alias=True)
    return data
