"""JSON rendering of a communication (the pydantic model's own schema, UTF-8, stable key order)."""

from __future__ import annotations

from footprint_engine.cbam.results import Communication

__all__ = ["communication_to_json"]


def communication_to_json(communication: Communication, *, indent: int | None = 2) -> bytes:
    """UTF-8 JSON of the communication, receipts included verbatim under "receipts"."""
    return communication.model_dump_json(indent=indent).encode("utf-8")
