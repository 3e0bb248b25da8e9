"""Compile the Solidity contracts into committed build artifacts (``contracts/build/<Name>.json``).

    python -m contracts.compile           write the artifacts
    python -m contracts.compile --check   exit 1 when a committed artifact differs from a fresh build

Compiler: py-solc-x ``compile_standard`` against a native ``solc`` of exactly :data:`SOLC_VERSION` when
py-solc-x finds one (installed through it, or on PATH), else against solc-js from the npm registry through
``contracts/solc-shim`` (answers ``--version`` like native solc and strips the non-JSON line solc-js prints
before its standard-JSON output). Both give the same bytecode: it depends on the compiler version, the
settings and the sources only.

Every source, including the OpenZeppelin imports from ``node_modules``, is passed inline in the standard
JSON input, so the compiler reads no files. ``sourceSha256`` in the artifact is the SHA-256 of the lines
``<sha256 hex of the content>  <source unit name>\\n`` sorted by name (``sha256sum`` style).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

__all__ = [
    "CONTRACTS",
    "SETTINGS",
    "SOLC_VERSION",
    "CompileError",
    "build_artifacts",
    "collect_sources",
    "find_compiler",
    "main",
    "source_sha256",
]

SOLC_VERSION = "0.8.28"
CONTRACTS = ("TreeHeadAnchor",)
SETTINGS: dict[str, Any] = {
    "optimizer": {"enabled": True, "runs": 200},
    "evmVersion": "cancun",
    "metadata": {"bytecodeHash": "ipfs"},
}
HERE = Path(__file__).resolve().parent
BUILD_DIR = HERE / "build"
SHIM = HERE / "solc-shim"
MAX_SOURCES = 200

_IMPORT = re.compile(r"""^\s*import\s+(?:[^;]*?\s+from\s+)?["']([^"']+)["']\s*;""", re.MULTILINE)


class CompileError(Exception):
    """Compiling the contracts failed; the message says what and what to do."""


def _node_modules() -> Path:
    for parent in (HERE, *HERE.parents):
        candidate = parent / "node_modules"
        if (candidate / "@openzeppelin" / "contracts").is_dir():
            return candidate
    raise CompileError(
        "sources: node_modules/@openzeppelin/contracts not found above contracts/ — run `npm ci` in the repo"
    )


def _resolve(unit: str, importer: str) -> str:
    if not unit.startswith("."):
        return unit
    parts = importer.split("/")[:-1]
    for piece in unit.split("/"):
        if piece == "..":
            if not parts:
                raise CompileError(
                    f"sources: import {unit!r} in {importer} leaves the source tree — fix the import"
                )
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _read_unit(unit: str) -> str:
    if unit.startswith("@"):
        path = _node_modules() / unit
    else:
        path = HERE / unit
    if not path.is_file():
        raise CompileError(f"sources: {unit} not found at {path} — check the import or run `npm ci`")
    return path.read_text(encoding="utf-8")


def collect_sources(names: tuple[str, ...] = CONTRACTS) -> dict[str, str]:
    """Source unit name → content for the contracts and everything they import, transitively."""
    sources: dict[str, str] = {}
    pending = [f"{name}.sol" for name in names]
    while pending:
        unit = pending.pop()
        if unit in sources:
            continue
        if len(sources) >= MAX_SOURCES:
            raise CompileError(f"sources: more than {MAX_SOURCES} source units — check for an import loop")
        sources[unit] = _read_unit(unit)
        pending.extend(_resolve(imp, unit) for imp in _IMPORT.findall(sources[unit]))
    return dict(sorted(sources.items()))


def source_sha256(sources: dict[str, str]) -> str:
    lines = "".join(
        f"{hashlib.sha256(content.encode('utf-8')).hexdigest()}  {unit}\n"
        for unit, content in sorted(sources.items())
    )
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def find_compiler() -> Path:
    """A native solc of SOLC_VERSION known to py-solc-x, else the solc-js shim."""
    import solcx
    from solcx.install import get_executable

    try:
        solcx.import_installed_solc()
        native = get_executable(SOLC_VERSION)
    except (solcx.exceptions.SolcNotInstalled, solcx.exceptions.SolcError, OSError):
        return SHIM
    return Path(native)


def build_artifacts(
    names: tuple[str, ...] = CONTRACTS, compiler: Path | None = None
) -> dict[str, dict[str, Any]]:
    """Compile and return ``{name: artifact}``; raise CompileError on any compiler error."""
    import solcx
    from solcx.wrapper import get_version_str_from_solc_binary

    sources = collect_sources(names)
    solc = compiler or find_compiler()
    version = get_version_str_from_solc_binary(solc)
    if not version.startswith(SOLC_VERSION + "+"):
        raise CompileError(
            f"compiler: {solc} is {version}, want {SOLC_VERSION} — install solc {SOLC_VERSION}"
        )
    selection = {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}}
    standard_input = {
        "language": "Solidity",
        "sources": {unit: {"content": content} for unit, content in sources.items()},
        "settings": {**SETTINGS, "outputSelection": selection},
    }
    try:
        output = solcx.compile_standard(standard_input, solc_binary=solc)
    except solcx.exceptions.SolcError as exc:
        raise CompileError(f"compiler: {exc} — fix the Solidity source") from exc
    errors = [e["formattedMessage"] for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise CompileError("compiler: " + "\n".join(errors) + " — fix the Solidity source")
    digest = source_sha256(sources)
    artifacts = {}
    for name in names:
        compiled = output["contracts"][f"{name}.sol"][name]
        artifacts[name] = {
            "contractName": name,
            "abi": compiled["abi"],
            "bytecode": "0x" + compiled["evm"]["bytecode"]["object"],
            "deployedBytecode": "0x" + compiled["evm"]["deployedBytecode"]["object"],
            "compilerVersion": version.split(".Linux")[0].split(".Emscripten")[0].split(".Darwin")[0],
            "sourceSha256": digest,
            "settings": SETTINGS,
        }
    return artifacts


def _dump(artifact: dict[str, Any]) -> str:
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def stale_artifacts(artifacts: dict[str, dict[str, Any]]) -> list[str]:
    """Names whose committed artifact differs from ``artifacts`` (or is missing)."""
    stale = []
    for name, artifact in artifacts.items():
        path = BUILD_DIR / f"{name}.json"
        if not path.is_file() or path.read_text(encoding="utf-8") != _dump(artifact):
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.compile", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed artifact is stale")
    args = parser.parse_args(argv)
    try:
        artifacts = build_artifacts()
    except CompileError as exc:
        print(f"contracts.compile: {exc}", file=sys.stderr)
        return 2
    if args.check:
        stale = stale_artifacts(artifacts)
        for name in stale:
            print(f"stale: contracts/build/{name}.json — run `python -m contracts.compile` and commit it")
        if not stale:
            print("contracts/build: up to date")
        return 1 if stale else 0
    BUILD_DIR.mkdir(exist_ok=True)
    for name, artifact in artifacts.items():
        (BUILD_DIR / f"{name}.json").write_text(_dump(artifact), encoding="utf-8")
        short = artifact["sourceSha256"][:12]
        print(f"wrote contracts/build/{name}.json ({artifact['compilerVersion']}, sources {short})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
