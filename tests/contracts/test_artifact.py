"""The committed contract artifact is what the sources compile to (recompiles: ~5-20 s with solc-js)."""

from __future__ import annotations

import json
import shutil

import pytest

from contracts import ArtifactNotFoundError, compile, load_artifact


def _have_compiler() -> bool:
    return shutil.which("node") is not None or compile.find_compiler() != compile.SHIM


@pytest.mark.skipif(not _have_compiler(), reason="neither native solc nor node for solc-js is installed")
def test_committed_artifact_is_not_stale() -> None:
    fresh = compile.build_artifacts()
    stale = compile.stale_artifacts(fresh)
    assert not stale, f"contracts/build/{stale} is stale — run `python -m contracts.compile` and commit it"
    committed = load_artifact("TreeHeadAnchor")
    assert committed["sourceSha256"] == compile.source_sha256(compile.collect_sources())
    # a changed artifact is detected as stale
    changed = json.loads(json.dumps(fresh))
    changed["TreeHeadAnchor"]["bytecode"] += "00"
    assert compile.stale_artifacts(changed) == ["TreeHeadAnchor"]


def test_sources_include_the_openzeppelin_imports() -> None:
    sources = compile.collect_sources()
    assert "TreeHeadAnchor.sol" in sources
    assert "@openzeppelin/contracts/access/AccessControl.sol" in sources
    assert "@openzeppelin/contracts/utils/introspection/ERC165.sol" in sources
    assert list(sources) == sorted(sources)


def test_source_hash_changes_with_any_source() -> None:
    sources = compile.collect_sources()
    base = compile.source_sha256(sources)
    edited = dict(sources)
    edited["@openzeppelin/contracts/utils/Context.sol"] += "\n"
    assert compile.source_sha256(edited) != base


def test_unknown_artifact_is_a_clear_error() -> None:
    with pytest.raises(ArtifactNotFoundError, match=r"run `python -m contracts\.compile`"):
        load_artifact("NoSuchContract")
