"""Shared fixtures for the credentials tests: the W3C eddsa-jcs-2022 vector and fresh keys."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

VECTORS = Path(__file__).parent / "vectors"
ED25519_PRIV_MULTICODEC = b"\x80\x26"  # "ed25519-priv" varint, as in the spec's secretKeyMultibase


def load_vector(name: str = "eddsa-jcs-2022-rec-b3.json") -> dict[str, Any]:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture
def vector() -> dict[str, Any]:
    return copy.deepcopy(load_vector())


@pytest.fixture
def vector_private_key(vector: dict[str, Any]) -> Ed25519PrivateKey:
    secret = vector["keyPair"]["secretKeyMultibase"]
    assert secret.startswith("z")
    decoded = base58.b58decode(secret[1:])
    assert decoded[:2] == ED25519_PRIV_MULTICODEC and len(decoded) == 34
    return Ed25519PrivateKey.from_private_bytes(decoded[2:])


@pytest.fixture
def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()
