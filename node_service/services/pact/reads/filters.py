"""ListFootprints filter criteria (PACT v3 "Filtering"): OR within a parameter, AND across parameters.

The same criteria are the ``data`` of a RequestCreated event, so both are parsed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from node_service.services.pact.errors import BadRequest

__all__ = ["LIST_KEYS", "MAX_VALUES", "Criteria", "parse_datetime"]

#: multi-valued parameters and the key kind each is matched against
LIST_KEYS = {
    "productId": "productId",
    "companyId": "companyId",
    "geography": "geography",
    "classification": "classification",
}
#: at most this many values per parameter, each at most 300 characters (the key column's size)
MAX_VALUES = 100
MAX_VALUE_LENGTH = 300
STATUSES = ("Active", "Deprecated")
_STATUS_NAMES = {name.lower(): name for name in STATUSES}


def _status(text: str) -> str:
    """The ``status`` filter: matched case-insensitively, as the v3 spec says. Another value is not refused (the
    list of statuses may grow; WBCSD's conformance suite expects an empty result): it matches no footprint."""
    if len(text) > MAX_VALUE_LENGTH:
        raise BadRequest(f"status: {len(text)} characters, want at most {MAX_VALUE_LENGTH}")
    return _STATUS_NAMES.get(text.lower(), text)


def parse_datetime(name: str, text: str) -> datetime:
    """An RFC 3339 date-time (a bare date is read as midnight UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(
            f"{name}: {text[:40]!r} is not an RFC 3339 date-time", fix="use e.g. 2025-01-31T00:00:00Z"
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class Criteria:
    values: dict[str, list[str]] = field(default_factory=dict)
    valid_on: datetime | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None
    status: str | None = None

    @classmethod
    def from_lists(cls, params: dict[str, list[str]]) -> Criteria:
        criteria = cls()
        for name in LIST_KEYS:
            values = [v for v in params.get(name, []) if v != ""]
            if len(values) > MAX_VALUES:
                raise BadRequest(f"{name}: got {len(values)} values, want at most {MAX_VALUES}")
            for value in values:
                if len(value) > MAX_VALUE_LENGTH:
                    raise BadRequest(
                        f"{name}: a value has {len(value)} characters, want at most {MAX_VALUE_LENGTH}"
                    )
            if values:
                criteria.values[name] = sorted(set(values))
        for name, attr in (
            ("validOn", "valid_on"),
            ("validAfter", "valid_after"),
            ("validBefore", "valid_before"),
        ):
            given = params.get(name, [])
            if len(given) > 1:
                raise BadRequest(f"{name}: given {len(given)} times, want once")
            if given:
                setattr(criteria, attr, parse_datetime(name, given[0]))
        status = params.get("status", [])
        if len(status) > 1:
            raise BadRequest(f"status: given {len(status)} times, want once")
        criteria.status = _status(status[0]) if status and status[0] != "" else None
        return criteria

    @classmethod
    def from_event_data(cls, data: dict[str, Any]) -> Criteria:
        """The criteria of a RequestCreated event (arrays of strings, date-time strings, status)."""
        params: dict[str, list[str]] = {}
        for name in LIST_KEYS:
            if name not in data:
                continue
            value = data[name]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise BadRequest(f"data.{name}: must be an array of strings")
            params[name] = value
        for name in ("validOn", "validAfter", "validBefore", "status"):
            if name in data:
                if not isinstance(data[name], str):
                    raise BadRequest(f"data.{name}: must be a string")
                params[name] = [data[name]]
        return cls.from_lists(params)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.values)
        for name, moment in (
            ("validOn", self.valid_on),
            ("validAfter", self.valid_after),
            ("validBefore", self.valid_before),
        ):
            if moment is not None:
                out[name] = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.status:
            out["status"] = self.status
        return out
