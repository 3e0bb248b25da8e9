"""Fixtures: the worked examples of docs/cbam.md."""

from __future__ import annotations

import pytest

from footprint_engine.cbam import Installation

from .examples import aluminium_installation, cement_installation, steel_installation


@pytest.fixture
def steel() -> Installation:
    return steel_installation()


@pytest.fixture
def aluminium() -> Installation:
    return aluminium_installation()


@pytest.fixture
def cement() -> Installation:
    return cement_installation()
