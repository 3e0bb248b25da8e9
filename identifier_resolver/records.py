"""Handle records and values in the JSON shape of the Handle.Net HTTP JSON REST API.

A value is ``{"index", "type", "data": {"format", "value"}, "ttl", "timestamp"}``. Formats:
``string`` (UTF-8 text), ``base64`` and ``hex`` (binary), ``admin`` (HS_ADMIN:
``{"handle", "index", "permissions"}``) and ``vlist`` (HS_VLIST: ``[{"handle", "index"}]``).

Typed values this exchange checks when the format is ``string`` (type names are matched
ASCII case-insensitively, as Handle types are):

=====================  =====================================================
type                   data value
=====================  =====================================================
URL                    absolute http(s) URL (registered Handle type)
EMAIL                  an address with one ``@`` (registered Handle type)
DESC                   free text (registered Handle type)
NAME                   product or organisation name
MANUFACTURER           manufacturer name
MANUFACTURER_USCC      the manufacturer's unified social credit code (GB 32100)
GTIN                   GTIN-8/12/13/14 with a valid check digit
CN_CODE                8-digit EU Combined Nomenclature code (CBAM)
PCF_ID                 UUID of the current published PACT ProductFootprint
=====================  =====================================================

Limits: at most 256 values per record, types at most 256 characters, a data value at most
64 KiB of JSON text.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from identifier_resolver.errors import HandleValueError, IdentifierError
from identifier_resolver.syntax.gtin import parse_gtin
from identifier_resolver.syntax.handle import Handle, ascii_upper
from identifier_resolver.syntax.uscc import parse_uscc

__all__ = [
    "DEFAULT_TTL",
    "MAX_VALUES",
    "TYPE_CN_CODE",
    "TYPE_GTIN",
    "TYPE_MANUFACTURER",
    "TYPE_MANUFACTURER_USCC",
    "TYPE_NAME",
    "TYPE_PCF_ID",
    "TYPE_URL",
    "HandleRecord",
    "HandleValue",
    "parse_values_body",
    "utc_timestamp",
]

DEFAULT_TTL = 86400
MAX_VALUES = 256
MAX_TYPE_LENGTH = 256
MAX_DATA_BYTES = 65536
MAX_INDEX = 2**31 - 1
TYPE_URL = "URL"
TYPE_NAME = "NAME"
TYPE_MANUFACTURER = "MANUFACTURER"
TYPE_MANUFACTURER_USCC = "MANUFACTURER_USCC"
TYPE_GTIN = "GTIN"
TYPE_CN_CODE = "CN_CODE"
TYPE_PCF_ID = "PCF_ID"
_FORMATS = ("string", "base64", "hex", "admin", "vlist")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CN_CODE = re.compile(r"[0-9]{8}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*")


def utc_timestamp(moment: datetime | None = None) -> str:
    """RFC 3339 UTC timestamp with a ``Z`` suffix, as Handle REST servers write it."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_typed_string(kind: str, value: str) -> None:
    """Content rules for the typed values in the module table."""
    field = f"data.value ({kind})"
    try:
        if kind == "URL":
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise HandleValueError(
                    field, f"{value!r} is not an absolute http(s) URL", "give https://host/path"
                )
        elif kind == "EMAIL":
            if value.count("@") != 1:
                raise HandleValueError(field, f"{value!r} is not an e-mail address", "give name@domain")
        elif kind == TYPE_GTIN:
            parse_gtin(value)
        elif kind == TYPE_MANUFACTURER_USCC:
            parse_uscc(value)
        elif kind == TYPE_CN_CODE:
            if not _CN_CODE.fullmatch(value):
                raise HandleValueError(
                    field, f"{value!r} is not 8 digits", "give the 8-digit CN code, no spaces"
                )
        elif kind == TYPE_PCF_ID:
            uuid.UUID(value)
    except IdentifierError as exc:
        raise HandleValueError(field, str(exc), "correct the identifier") from exc
    except ValueError as exc:
        if isinstance(exc, HandleValueError):
            raise
        raise HandleValueError(field, f"{value!r} is not a UUID", "give the ProductFootprint id") from exc


def _check_data(index: int, kind: str, fmt: str, value: Any) -> None:
    field = f"values[index={index}].data"
    if fmt == "string":
        if not isinstance(value, str):
            raise HandleValueError(
                field, f"format string needs a JSON string, got {type(value).__name__}", "quote it"
            )
        _check_typed_string(ascii_upper(kind), value)
    elif fmt == "base64":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError) as exc:
            raise HandleValueError(
                field, "format base64 needs RFC 4648 base64 text", "encode the bytes"
            ) from exc
    elif fmt == "hex":
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            raise HandleValueError(field, "format hex needs an even number of hex digits", "encode the bytes")
    elif fmt == "admin":
        if not (
            isinstance(value, dict)
            and isinstance(value.get("handle"), str)
            and isinstance(value.get("index"), int)
            and isinstance(value.get("permissions"), str)
        ):
            raise HandleValueError(field, "format admin needs {handle, index, permissions}", "see HS_ADMIN")
    elif fmt == "vlist":
        if not isinstance(value, list) or not all(
            isinstance(v, dict) and isinstance(v.get("handle"), str) and isinstance(v.get("index"), int)
            for v in value
        ):
            raise HandleValueError(field, "format vlist needs [{handle, index}, …]", "see HS_VLIST")


@dataclass(frozen=True, slots=True)
class HandleValue:
    """One typed value of a handle record."""

    index: int
    type: str
    format: str
    value: Any
    ttl: int = DEFAULT_TTL
    timestamp: str = ""

    @classmethod
    def string(cls, index: int, type: str, value: str, ttl: int = DEFAULT_TTL) -> HandleValue:
        """A validated ``string``-format value."""
        return cls.from_json(
            {"index": index, "type": type, "data": {"format": "string", "value": value}, "ttl": ttl}
        )

    @classmethod
    def from_json(cls, obj: Any) -> HandleValue:
        """Validate one value from API JSON; ``data`` may also be a bare string (format string)."""
        if not isinstance(obj, dict):
            raise HandleValueError(
                "value", f"got {type(obj).__name__}, want an object", "send {index, type, data}"
            )
        # (1) index
        index = obj.get("index")
        if isinstance(index, bool) or not isinstance(index, int) or not 1 <= index <= MAX_INDEX:
            raise HandleValueError(
                "index", f"got {index!r}, want an integer 1..{MAX_INDEX}", "number values from 1"
            )
        # (2) type
        kind = obj.get("type")
        if not isinstance(kind, str) or not kind or len(kind) > MAX_TYPE_LENGTH or _CONTROL.search(kind):
            raise HandleValueError(
                f"values[index={index}].type", f"got {kind!r}", "give a non-empty type name"
            )
        # (3) data: {"format", "value"} or a bare string
        data = obj.get("data")
        if isinstance(data, str):
            fmt, value = "string", data
        elif isinstance(data, dict) and isinstance(data.get("format"), str) and "value" in data:
            fmt, value = data["format"], data["value"]
        else:
            raise HandleValueError(
                f"values[index={index}].data", "missing or not {format, value}", "add data"
            )
        if fmt == "admin" and isinstance(value, dict) and str(value.get("index", "")).isdigit():
            value = {**value, "index": int(value["index"])}  # pyhandle and others send "200"
        if fmt not in _FORMATS:
            raise HandleValueError(
                f"values[index={index}].data.format", f"got {fmt!r}", f"use one of {_FORMATS}"
            )
        size = len(json.dumps(value, ensure_ascii=False).encode())
        if size > MAX_DATA_BYTES:
            raise HandleValueError(
                f"values[index={index}].data", f"got {size} bytes, want <= 65536", "store less"
            )
        _check_data(index, kind, fmt, value)
        # (4) ttl
        ttl = obj.get("ttl", DEFAULT_TTL)
        if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= MAX_INDEX:
            raise HandleValueError(
                f"values[index={index}].ttl", f"got {ttl!r}, want seconds >= 0", "give seconds"
            )
        timestamp = obj.get("timestamp", "")
        return cls(index, kind, fmt, value, ttl, timestamp if isinstance(timestamp, str) else "")

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "type": self.type,
            "data": {"format": self.format, "value": self.value},
            "ttl": self.ttl,
            "timestamp": self.timestamp,
        }

    def stamped(self, timestamp: str) -> HandleValue:
        return HandleValue(self.index, self.type, self.format, self.value, self.ttl, timestamp)

    def matches_type(self, wanted: str) -> bool:
        """Handle REST ``type=`` matching: exact (ASCII case-insensitive), or subtypes when it ends in '.'."""
        mine, want = ascii_upper(self.type), ascii_upper(wanted)
        if want.endswith("."):
            return mine == want[:-1] or mine.startswith(want)
        return mine == want


@dataclass(frozen=True, slots=True)
class HandleRecord:
    """A handle and its values, ordered by index, indices unique."""

    handle: Handle
    values: tuple[HandleValue, ...]

    @classmethod
    def build(cls, handle: Handle, values: Iterable[HandleValue]) -> HandleRecord:
        ordered = tuple(sorted(values, key=lambda v: v.index))
        if len(ordered) > MAX_VALUES:
            raise HandleValueError(
                "values", f"got {len(ordered)} values, want <= {MAX_VALUES}", "split the record"
            )
        seen: set[int] = set()
        for value in ordered:
            if value.index in seen:
                raise HandleValueError(
                    "index", f"index {value.index} appears twice", "give each value its own index"
                )
            seen.add(value.index)
        return cls(handle, ordered)

    def select(self, types: Sequence[str] = (), indices: Sequence[int] = ()) -> list[HandleValue]:
        """Values matching ANY given index or type (Handle REST semantics); all when none given."""
        if not types and not indices:
            return list(self.values)
        wanted = set(indices)
        return [v for v in self.values if v.index in wanted or any(v.matches_type(t) for t in types)]

    def first(self, type: str) -> HandleValue | None:
        return next((v for v in self.values if v.matches_type(type)), None)

    @property
    def min_ttl(self) -> int | None:
        return min((v.ttl for v in self.values), default=None)

    def values_json(self) -> list[dict[str, Any]]:
        return [v.to_json() for v in self.values]

    @classmethod
    def from_json(cls, handle: Handle, values: Any) -> HandleRecord:
        return cls.build(handle, (HandleValue.from_json(v) for v in _as_value_list(values)))


def _as_value_list(body: Any) -> list[Any]:
    if isinstance(body, list):
        return body
    if isinstance(body, dict) and isinstance(body.get("values"), list):
        return list(body["values"])
    if isinstance(body, dict) and "index" in body:
        return [body]
    raise HandleValueError(
        "body", "not a value array, {values: [...]} or a single value", "send a JSON array"
    )


def parse_values_body(body: Any) -> list[HandleValue]:
    """The PUT body: an array of values, ``{"values": [...]}``, or one value."""
    return [HandleValue.from_json(v) for v in _as_value_list(body)]
