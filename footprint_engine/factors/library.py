"""The factor library: look-ups by id and by (kind, key, geography, year) with reported fallbacks.

Fallback rules for :meth:`FactorLibrary.find`, tried in order and written into the match:

1. the requested geography and year;
2. the same geography, latest year before the requested one, else the earliest year after it;
3. the same two steps for each parent geography (province → regional grid → CN → GLO); the step says why
   (see :func:`footprint_engine.factors.geography.fallback_reason`).

Factors without a year match any year without a fallback note.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from pydantic import ValidationError

from footprint_engine.errors import FactorLibraryError, FactorNotFoundError
from footprint_engine.factors.builtin import builtin_energy_coefficients, builtin_factors, read_long_format
from footprint_engine.factors.geography import fallback_reason, parents
from footprint_engine.factors.model import EnergyCoefficient, Factor, FactorMatch

__all__ = ["MAX_FACTOR_FILE_BYTES", "FactorLibrary"]

#: Largest factor file accepted by :meth:`FactorLibrary.load_file`.
MAX_FACTOR_FILE_BYTES = 32 * 1024 * 1024

_LONG_COLUMNS = ("kind", "key", "geography", "year", "value", "unit", "gas", "origin", "source")


class FactorLibrary:
    """An immutable set of factors plus GB/T 2589 energy coefficients."""

    def __init__(
        self, factors: Iterable[Factor], energy: Iterable[EnergyCoefficient] = (), *, name: str = "custom"
    ):
        self.name = name
        self._by_id: dict[str, Factor] = {}
        self._by_key: dict[tuple[str, str], list[Factor]] = {}
        for f in factors:
            if f.id in self._by_id:
                raise FactorLibraryError(
                    "duplicate factor id", repr(f.id), "give every factor its own id", field=f.id
                )
            self._by_id[f.id] = f
            self._by_key.setdefault((f.kind, f.key), []).append(f)
        self._energy = {e.key: e for e in energy}

    @classmethod
    @cache
    def builtin(cls) -> FactorLibrary:
        """The factors shipped in footprint_engine/data (cached; immutable)."""
        return cls(builtin_factors(), builtin_energy_coefficients(), name="tanlian-builtin")

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, factor_id: object) -> bool:
        return factor_id in self._by_id

    def factors(self) -> list[Factor]:
        return list(self._by_id.values())

    def get(self, factor_id: str, *, field: str | None = None) -> Factor:
        try:
            return self._by_id[factor_id]
        except KeyError:
            raise FactorNotFoundError(
                "unknown factor",
                f"no factor with id {factor_id!r} in library {self.name!r}",
                "find the id with `tanlian factors search` (or GET /factors?q=…), or load a factor set with it",
                field=field,
            ) from None

    def find(
        self, kind: str, key: str, geography: str, year: int | None, *, field: str | None = None
    ) -> FactorMatch:
        """The best factor for (kind, key, geography, year), with the fallback steps taken."""
        requested = f"{kind} {key!r} for {geography} {year if year is not None else '(any year)'}"
        candidates = self._by_key.get((kind, key), [])
        if not candidates:
            raise FactorNotFoundError(
                "unknown factor",
                f"no {kind} factor for {key!r} in library {self.name!r}",
                "set factorId to an id found with `tanlian factors search`, use a known key, or load a factor set that covers it",
                field=field,
            )
        steps: list[str] = []
        for geo in parents(geography):
            here = [f for f in candidates if f.geography == geo]
            if not here:
                continue
            if geo != geography:
                steps.append(f"geography {geography} → {geo} ({fallback_reason(kind, key, geography, geo)})")
            chosen = _by_year(here, year)
            if chosen.year is not None and year is not None and chosen.year != year:
                steps.append(f"year {year} → {chosen.year} (nearest available for {geo})")
            return FactorMatch(factor=chosen, requested=requested, fallbacks=tuple(steps))
        raise FactorNotFoundError(
            "unknown factor",
            f"no {kind} factor for {key!r} in {geography} or its parents {parents(geography)[1:]}",
            "set factorId to an id found with `tanlian factors search --geography …`, or load a factor set covering this geography",
            field=field,
        )

    def energy_coefficient(self, key: str) -> EnergyCoefficient | None:
        return self._energy.get(key)

    # -- extending -------------------------------------------------------------------------------------

    def extended(self, factors: Sequence[Factor], *, name: str | None = None) -> FactorLibrary:
        """A new library with ``factors`` added; an id already present is an error."""
        return FactorLibrary(
            [*self._by_id.values(), *factors],
            self._energy.values(),
            name=name or f"{self.name}+{len(factors)}",
        )

    def with_file(self, path: str | Path) -> FactorLibrary:
        """A new library with the factors of a CSV or JSON file added (see :meth:`load_file`)."""
        return self.extended(self.load_file(path), name=f"{self.name}+{Path(path).name}")

    @staticmethod
    def load_file(path: str | Path) -> list[Factor]:
        """Read a factor set.

        * JSON: a list of factor objects (fields of :class:`Factor`), or ``{"factors": [...]}``.
        * CSV: long format, one row per factor and gas, columns
          ``kind,key,geography,year,value,unit,gas,origin,source`` (+ optional ``uncertainty_gsd``,
          ``illustrative``); ``unit`` is ``kg…/<activity unit>``.

        Limit: files above :data:`MAX_FACTOR_FILE_BYTES` are refused.
        """
        p = Path(path)
        size = p.stat().st_size
        if size > MAX_FACTOR_FILE_BYTES:
            raise FactorLibraryError(
                "factor file too large",
                f"{size} bytes, limit {MAX_FACTOR_FILE_BYTES}",
                "split the file",
                field=str(p),
            )
        text = p.read_text(encoding="utf-8")
        if p.suffix.lower() == ".json":
            return FactorLibrary.parse_json(text, origin=str(p))
        return FactorLibrary.parse_csv(text, origin=str(p))

    @staticmethod
    def parse_json(text: str, *, origin: str = "<json>") -> list[Factor]:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FactorLibraryError(
                "factor file is not JSON", str(exc), "fix the JSON", field=origin
            ) from None
        items = data.get("factors") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise FactorLibraryError(
                "factor file malformed",
                "want a list of factors or {'factors': [...]}",
                "wrap the factors in a list",
                field=origin,
            )
        out = []
        for i, item in enumerate(items):
            try:
                out.append(Factor.model_validate(item))
            except ValidationError as exc:
                e = exc.errors(include_url=False)[0]
                loc = ".".join(str(x) for x in e["loc"])
                raise FactorLibraryError(
                    "factor invalid",
                    f"factors[{i}].{loc}: {e['msg']}",
                    "fix the factor record",
                    field=f"{origin}:factors[{i}].{loc}",
                ) from None
        return out

    @staticmethod
    def parse_csv(text: str, *, origin: str = "<csv>") -> list[Factor]:
        reader = csv.DictReader(io.StringIO(text))
        missing = [c for c in _LONG_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise FactorLibraryError(
                "factor CSV malformed",
                f"missing columns {missing}",
                f"use the header {','.join(_LONG_COLUMNS)}",
                field=origin,
            )
        rows = list(reader)
        by_kind: dict[str, list[dict[str, str]]] = {}
        for i, row in enumerate(rows, start=2):
            if None in row or any(v is None for v in row.values()):
                raise FactorLibraryError(
                    "factor CSV malformed",
                    f"line {i} has the wrong number of cells",
                    "quote cells containing commas",
                    field=f"{origin}:{i}",
                )
            by_kind.setdefault(row["kind"], []).append(row)
        out: list[Factor] = []
        for kind, group in by_kind.items():
            try:
                out.extend(read_long_format(group, kind, prefix=f"user/{kind}"))
            except (ValidationError, ValueError, IndexError) as exc:
                raise FactorLibraryError(
                    "factor CSV invalid",
                    f"kind {kind!r}: {exc}",
                    "check value, unit (kg…/unit), gas and origin",
                    field=origin,
                ) from None
        return out


def _by_year(factors: list[Factor], year: int | None) -> Factor:
    undated = [f for f in factors if f.year is None]
    if year is None or undated:
        return undated[0] if undated else max(factors, key=lambda f: f.year or 0)
    exact = [f for f in factors if f.year == year]
    if exact:
        return exact[0]
    before = [f for f in factors if f.year is not None and f.year < year]
    if before:
        return max(before, key=lambda f: f.year or 0)
    return min(factors, key=lambda f: f.year or 0)
