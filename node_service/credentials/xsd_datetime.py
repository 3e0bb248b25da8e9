"""XML Schema 1.1 Part 2 dateTime values, as used by Data Integrity ``created``/``expires`` and VC validity."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from .errors import MalformedProofError, ProofGenerationError

__all__ = ["format_datetime", "parse_datetime"]

# XML Schema 1.1 Part 2 dateTime (§3.3.7): optional time zone; years of four digits (Python's range).
_XSD_DATETIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?P<fraction>\.\d+)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?"
)


def parse_datetime(value: object, *, field_name: str = "created") -> datetime:
    """Parse an XML Schema dateTime; a value without a time zone is taken as UTC."""
    match = _XSD_DATETIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise MalformedProofError(
            f"proof.{field_name} is not an XML Schema dateTime",
            f"got {value!r:.60}",
            "use the form 2025-01-31T12:00:00Z",
        )
    parts = match.groupdict()
    tz = UTC
    if parts["tz"] and parts["tz"] != "Z":
        sign = 1 if parts["tz"][0] == "+" else -1
        hours, minutes = int(parts["tz"][1:3]), int(parts["tz"][4:6])
        if hours > 14 or minutes > 59:
            raise MalformedProofError(
                f"proof.{field_name} has an impossible time zone offset",
                f"got {parts['tz']}",
                "use an offset between -14:00 and +14:00, or Z",
            )
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    micro = int((parts["fraction"] or ".0")[1:7].ljust(6, "0"))
    try:
        return datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"]),
            micro,
            tzinfo=tz,
        )
    except ValueError as exc:
        raise MalformedProofError(
            f"proof.{field_name} is not a real date and time", f"{value!r:.60}: {exc}", "fix the value"
        ) from exc


def format_datetime(moment: datetime) -> str:
    """UTC XML Schema dateTimeStamp with a ``Z``; fractional seconds only when present."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ProofGenerationError(
            "created has no time zone",
            f"got the naive datetime {moment.isoformat()}",
            "pass an aware datetime, e.g. datetime.now(UTC)",
        )
    utc = moment.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"
