"""Example activity-data documents shipped with the engine (package data)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["example_names", "load_example"]


def example_names() -> list[str]:
    """Names accepted by :func:`load_example`."""
    return sorted(
        p.name.removesuffix(".json") for p in resources.files(__name__).iterdir() if p.name.endswith(".json")
    )


def load_example(name: str) -> dict[str, Any]:
    """The example document ``name`` (e.g. ``"aluminium-ingot-yunnan"``) as a fresh dict."""
    if name not in example_names():
        raise KeyError(f"no example {name!r}; known: {', '.join(example_names())}")
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
