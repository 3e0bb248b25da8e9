"""The released PACT OpenAPI documents (v3.0.3 for ``/3/``, v2.3.3 for ``/2/``) as a buyer validates with them.

The two YAML files beside this module are byte-for-byte copies of WBCSD's releases (README.md here: source and
SHA-256; ``test_pact_spec.py`` checks both). :data:`V3` and :data:`V23` validate a schema instance
(``validate_schema("ProductFootprint", doc)``) or an operation's response (``validate_response(path, method,
status, body)``: the status must be documented, the body must match it).

Where the released documents contradict themselves it is said here, not patched in the files:
* v3.0.3 answers 401 with ``$ref: '#/components/schemas/UnauthorizedResponse'``, which the document does not
  define. Its prose (error handling) gives every error response an ``Error`` body, so a 401 body is validated
  against ``Error``.
* v2.3.3's ``Error.code`` enumerates ``NotFound`` (annotated "404 NoSuchFootprint") but not ``NoSuchFootprint``,
  which the v2.3 prose's error table gives GetFootprint's 404 and WBCSD's conformance suite requires (v2.3 test
  8). ``/2/footprints/{id}`` answers ``NoSuchFootprint``, so a 404 body of V23 may carry either code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["HERE", "V3", "V23", "PactSpec"]

HERE = Path(__file__).parent


@dataclass
class PactSpec:
    """One released PACT OpenAPI document."""

    file: str
    base: str
    #: per status, error codes the prose names that the document's ``Error`` enum spells otherwise
    code_aliases: dict[int, dict[str, str]] = field(default_factory=dict)
    _validators: dict[str, jsonschema.Draft202012Validator] = field(default_factory=dict, repr=False)

    @cached_property
    def document(self) -> dict[str, Any]:
        loaded: dict[str, Any] = yaml.safe_load((HERE / self.file).read_text(encoding="utf-8"))
        return loaded

    @cached_property
    def _registry(self) -> Registry:
        return Registry().with_resource(
            self.base, Resource.from_contents(self.document, default_specification=DRAFT202012)
        )

    def _validate(self, key: str, schema: dict[str, Any], instance: Any) -> None:
        validator = self._validators.get(key)
        if validator is None:
            validator = jsonschema.Draft202012Validator(
                schema, registry=self._registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
            )
            self._validators[key] = validator
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        if errors:
            raise AssertionError(
                f"{self.file}: " + "; ".join(f"{list(e.path)}: {e.message[:300]}" for e in errors[:5])
            )

    def validate_schema(self, name: str, instance: Any) -> None:
        """Validate against components/schemas/<name>."""
        self._validate(name, {"$ref": f"{self.base}#/components/schemas/{name}"}, instance)

    def _response_object(self, reference: str) -> dict[str, Any] | None:
        section, name = reference.rsplit("/", 2)[-2:]
        found: dict[str, Any] | None = self.document["components"].get(section, {}).get(name)
        return found

    def validate_response(self, path: str, method: str, status: int, body: Any) -> None:
        """The response must be documented for the operation, and its body must match the documented schema
        (no body when none is documented)."""
        operation = self.document["paths"][path][method.lower()]
        responses = operation["responses"]
        assert str(status) in responses, (
            f"{self.file}: {method} {path} answered {status}, which it does not document ({sorted(responses)})"
        )
        response = responses[str(status)]
        if "$ref" in response:
            resolved = self._response_object(response["$ref"])
            if resolved is None:  # v3.0.3's undefined UnauthorizedResponse: the prose says an Error body
                resolved = {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                }
            response = resolved
        content = response.get("content")
        if not content:
            assert body in (None, b"", ""), f"{method} {path} {status}: a body where none is documented"
            return
        schema = content["application/json"]["schema"]
        if isinstance(body, dict) and body.get("code") in self.code_aliases.get(status, {}):
            body = {**body, "code": self.code_aliases[status][body["code"]]}  # the prose's name (docstring)
        self._validate(f"{method} {path} {status}", _rebase(schema, self.base), body)


def _rebase(node: Any, base: str) -> Any:
    if isinstance(node, dict):
        return {
            k: (base + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _rebase(v, base))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v, base) for v in node]
    return node


V3 = PactSpec("openapi-v3.0.3.yaml", "urn:pact:openapi:3.0.3")
V23 = PactSpec("openapi-v2.3.3.yaml", "urn:pact:openapi:2.3.3", {404: {"NoSuchFootprint": "NotFound"}})
