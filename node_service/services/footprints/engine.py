"""The node's use of the footprint engine: one Brightway directory per process, the calculating organisation's
factor library (node_service.services.factors.library) passed in by the caller.

What the node stores and shows of each factor a result used (``result.factors``): its exact version, and, for a
factor whose terms forbid redistribution (an organisation's private factor, a licensed database), only what
identifies it — id, version, year, geography, unit — with the source given as
:data:`PRIVATE_SOURCE`: the stored document is what the log hashes and what buyers receive, so the licensed
content never enters it (issue 17, licensing).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from footprint_engine.activity import ActivityData
from footprint_engine.calculate import CalculationOptions, UpstreamFootprint, calculate
from footprint_engine.errors import FootprintEngineError
from footprint_engine.factors import Factor, FactorLibrary
from footprint_engine.factors.sources import data_source
from node_service.errors import ValidationFailed
from node_service.settings import Settings

__all__ = ["PRIVATE_SOURCE", "brightway_lock", "calculate_activity", "redistributable"]

#: Brightway's project state is process-global: every use of bw2data/bw2calc/bw2io in the node holds this lock.
brightway_lock = threading.Lock()

PRIVATE_SOURCE = "private/licensed factor of the supplier"
_KEPT = ("id", "version", "year", "geography", "unit", "illustrative", "usedBy", "fallbacks", "sourceId")


def redistributable(factor: Factor) -> bool:
    """The factor, and the terms of its source, allow showing it to other organisations."""
    source = data_source(factor.source_id)
    return factor.redistributable and (source is None or source.redistributable)


def _factor_entries(data: dict[str, Any], library: FactorLibrary) -> None:
    """Each ``factors`` entry names its version; a non-redistributable factor's entry is reduced (module doc)."""
    entries = data.get("factors")
    if not isinstance(entries, list):
        return
    for i, entry in enumerate(entries):
        factor = library.get(entry["id"]) if entry.get("id") in library else None
        if factor is None:
            continue
        entry.setdefault("version", factor.version)
        if not redistributable(factor):
            kept = {k: entry[k] for k in _KEPT if k in entry}
            entries[i] = {
                **kept,
                "source": PRIVATE_SOURCE,
                "sourceId": factor.source_id,
                "redistributable": False,
            }


def calculate_activity(
    settings: Settings,
    activity: ActivityData,
    upstream: Mapping[str, UpstreamFootprint] | None = None,
    *,
    library: FactorLibrary,
) -> dict[str, Any]:
    """Compute the footprint of ``activity`` with ``library`` (the calculating organisation's) and return the
    engine's result as JSON.

    An input the engine refuses (unknown factor, invalid GEC claim, missing upstream footprint …) becomes a 422
    naming the field inside the credential.
    """
    options = CalculationOptions(brightway_dir=settings.brightway_dir)
    try:
        with brightway_lock:
            result = calculate(activity, library=library, upstream=upstream, options=options)
    except FootprintEngineError as exc:
        field = f"credentialSubject.{exc.field}" if exc.field else "credentialSubject"
        raise ValidationFailed(f"{exc.what}: {exc.detail}", fix=exc.fix, field=field) from exc
    data: dict[str, Any] = result.model_dump(mode="json", by_alias=True)
    _factor_entries(data, library)
    return data
