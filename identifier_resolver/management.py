"""Record management under authoritative prefixes (the logic behind PUT and DELETE).

Callers check authorisation first; these functions check authority (step 1) and then apply the
Handle REST semantics. Nothing is written unless every value validated (bad input never
corrupts a stored record).
"""

from __future__ import annotations

from collections.abc import Sequence

from identifier_resolver.errors import (
    HandleExistsError,
    HandleNotFoundError,
    NotResponsibleError,
    ValueExistsError,
    ValuesNotFoundError,
)
from identifier_resolver.records import HandleRecord, HandleValue, utc_timestamp
from identifier_resolver.store import HandleRecordStore
from identifier_resolver.syntax.handle import Handle

__all__ = ["delete_values", "put_values", "require_authority"]


def require_authority(store: HandleRecordStore, handle: Handle) -> None:
    """Refuse management of handles under prefixes this node does not serve (responseCode 301)."""
    if not store.is_authoritative(handle.prefix):
        raise NotResponsibleError(str(handle), handle.prefix)


def put_values(
    store: HandleRecordStore,
    handle: Handle,
    values: Sequence[HandleValue],
    *,
    indices: Sequence[int] = (),
    overwrite: bool = True,
    timestamp: str | None = None,
) -> bool:
    """Create/replace the record, or with ``indices`` add/replace only those values.

    1. the node must be authoritative for the prefix;
    2. ``indices`` given: only values with those indices are taken from ``values`` and merged into
       the existing record (``overwrite=False`` refuses existing indices, responseCode 201);
    3. no ``indices``: the whole record is replaced (``overwrite=False`` refuses an existing handle,
       responseCode 101);
    4. every written value gets the write time as its timestamp.
    Returns True when the handle was created.
    """
    require_authority(store, handle)  # (1)
    stamp = timestamp or utc_timestamp()
    existing = store.get(handle)
    if indices:  # (2)
        wanted = set(indices)
        chosen = [v for v in values if v.index in wanted]
        current = {v.index: v for v in (existing.values if existing else ())}
        clash = sorted(wanted & current.keys())
        if clash and not overwrite:
            raise ValueExistsError(str(handle), clash)
        for value in chosen:
            current[value.index] = value.stamped(stamp)  # (4)
        record = HandleRecord.build(handle, current.values())
    else:  # (3)
        if existing is not None and not overwrite:
            raise HandleExistsError(str(handle))
        record = HandleRecord.build(handle, (v.stamped(stamp) for v in values))
    return store.put(record)


def delete_values(store: HandleRecordStore, handle: Handle, *, indices: Sequence[int] = ()) -> None:
    """Delete the record, or with ``indices`` only those values (all must exist, responseCode 200)."""
    require_authority(store, handle)
    existing = store.get(handle)
    if existing is None:
        raise HandleNotFoundError(str(handle))
    if not indices:
        store.delete(handle)
        return
    present = {v.index for v in existing.values}
    missing = sorted(set(indices) - present)
    if missing:
        raise ValuesNotFoundError(str(handle), missing)
    drop = set(indices)
    store.put(HandleRecord.build(handle, (v for v in existing.values if v.index not in drop)))
