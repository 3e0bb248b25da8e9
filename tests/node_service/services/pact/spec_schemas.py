"""Validation of responses against the official PACT v3 OpenAPI document (spec/ beside this file, see its header)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC = Path(__file__).parent / "spec" / "pact-v3-openapi.yaml"
BASE = "urn:pact-v3-openapi"


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    return loaded


@lru_cache(maxsize=1)
def _registry() -> Registry:
    return Registry().with_resource(
        BASE, Resource.from_contents(document(), default_specification=DRAFT202012)
    )


def _validate(schema: dict[str, Any], instance: Any) -> None:
    validator = jsonschema.Draft202012Validator(
        {"$id": f"{BASE}-instance", **schema} if "$ref" not in schema else schema,
        registry=_registry(),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        raise AssertionError("; ".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:5]))


def validate_schema(name: str, instance: Any) -> None:
    """Validate against components/schemas/<name>."""
    _validate({"$ref": f"{BASE}#/components/schemas/{name}"}, instance)


def validate_response(path: str, method: str, status: int, body: Any) -> None:
    """Validate a response body against the operation's response schema for ``status`` (documented or fail)."""
    operation = document()["paths"][path][method.lower()]
    responses = operation["responses"]
    assert str(status) in responses, (
        f"{method} {path}: status {status} is not documented ({sorted(responses)})"
    )
    response = responses[str(status)]
    if "$ref" in response:  # the document keeps response objects under components/schemas
        response = document()["components"]["schemas"][response["$ref"].rsplit("/", 1)[-1]]
    content = response.get("content")
    if content is None:
        return
    schema = content["application/json"]["schema"]
    if "$ref" in schema:
        schema = {"$ref": BASE + schema["$ref"]}
    else:
        schema = _rebase(schema)
    _validate(schema, body)


def _rebase(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: (BASE + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


# ---------------------------------------------------------------- PACT v2.3 (/2/)
V23_SPEC = Path(__file__).parent / "spec" / "pact-v2.3-productfootprint.schema.json"
# the engine tests' copy of the v2.3 CarbonFootprint schema (tests/footprint_engine/engine/pact_schemas/)
ENGINE_SCHEMAS = Path(__file__).resolve().parents[3] / "footprint_engine" / "engine" / "pact_schemas"
V23_PCF = ENGINE_SCHEMAS / "pact-v2.3-carbonfootprint.schema.json"
V23_BASE = "https://pact-v23.invalid/"  # only names the two files for the registry


@lru_cache(maxsize=1)
def _v23_registry() -> Registry:
    import json

    resources = []
    for path in (V23_SPEC, V23_PCF):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((V23_BASE + path.name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


def validate_v23(name: str, instance: Any) -> None:
    """Validate against the v2.3 excerpt's $defs/<name> (ListFootprintsResponse, GetFootprintResponse,
    ProductFootprint), its pcf against the v2.3 CarbonFootprint schema."""
    _validate_with({"$ref": f"{V23_BASE}{V23_SPEC.name}#/$defs/{name}"}, instance, _v23_registry())


def _validate_with(schema: dict[str, Any], instance: Any, registry: Registry) -> None:
    validator = jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        raise AssertionError("; ".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:5]))
