"""Solidity contracts of the node and their committed build artifacts (``contracts/build/*.json``).

The artifacts hold ABI, bytecode, compiler version, settings and a hash of every source, so running the
node needs no compiler. Rebuild with ``python -m contracts.compile``; ``--check`` fails when one is stale.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["ArtifactNotFoundError", "load_artifact"]


class ArtifactNotFoundError(LookupError):
    """No build artifact of that name ships with the package."""


def load_artifact(name: str = "TreeHeadAnchor") -> dict[str, Any]:
    """The build artifact of contract ``name``: contractName, abi, bytecode, deployedBytecode, …"""
    resource = resources.files(__name__).joinpath("build", f"{name}.json")
    if not resource.is_file():
        raise ArtifactNotFoundError(
            f"contract artifact {name!r}: contracts/build/{name}.json not found — run "
            "`python -m contracts.compile` and commit the artifact"
        )
    artifact: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return artifact
