"""The copies of the released PACT documents are the releases: their SHA-256 as published, and (where the
team's shared folder is checked out beside the repository) identical to the peers' copies."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.pact_spec import HERE, V3, V23

PINNED = {
    "openapi-v3.0.3.yaml": "e5e48ab32d3d87fd634c8a4df27d81256991819196a4cdb1ef0d655bd8fb9d43",
    "openapi-v2.3.3.yaml": "86bc6d5df6e55b3837ce14b78c920727852070f2cc2977c1d6e77cf208ed4d95",
}
PEERS = HERE.parents[1].parent / "shared" / "peers" / "pact"


@pytest.mark.parametrize("name", sorted(PINNED))
def test_copies_are_the_released_documents(name: str) -> None:
    data = (HERE / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == PINNED[name]
    peer = PEERS / name
    if peer.exists():
        assert peer.read_bytes() == data


def test_versions() -> None:
    assert V3.document["info"]["version"] == "3.0.3"
    assert set(V3.document["paths"]) == {"/3/footprints", "/3/footprints/{id}", "/3/events"}
    assert set(V23.document["paths"]) == {"/2/footprints", "/2/footprints/{id}", "/2/events"}


def test_validation_catches_the_draft_field_names() -> None:
    """The pre-release v3 draft's names are what a released-schema buyer refuses."""
    pcf = {
        "declaredUnitOfMeasurement": "kilogram",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": "1",
        "referencePeriodStart": "2025-01-01T00:00:00Z",
        "referencePeriodEnd": "2026-01-01T00:00:00Z",
        "pcfExcludingBiogenicUptake": "1.5",
        "pcfIncludingBiogenicUptake": "1.5",
        "fossilGhgEmissions": "1.5",
        "fossilCarbonContent": "0",
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["ISO14067"],
        "exemptedEmissionsPercent": "0",
    }
    V3.validate_schema("CarbonFootprint", pcf)
    draft = dict(pcf)
    draft["pcfExcludingBiogenicCO2Withdrawal"] = draft.pop("pcfExcludingBiogenicUptake")
    with pytest.raises(AssertionError, match="pcfExcludingBiogenicUptake"):
        V3.validate_schema("CarbonFootprint", draft)


def test_undocumented_status_fails() -> None:
    with pytest.raises(AssertionError, match="does not document"):
        V3.validate_response("/3/footprints", "get", 404, {"code": "NotFound", "message": "x"})


def test_peers_path_is_the_shared_folder() -> None:
    assert PEERS.name == "pact" and Path(PEERS).parent.name == "peers"
