"""Problems of the identity package: each a :class:`ValidationFailed` (422) with its own problem type,
so clients can tell "your key is revoked" from "your JSON is wrong" without parsing text."""

from __future__ import annotations

from node_service.errors import ValidationFailed

__all__ = [
    "InvalidIdentifier",
    "KeyNotRegistered",
    "KeyNotYetAdded",
    "KeyRetired",
    "KeyRevoked",
    "NameHasControlCharacter",
    "ProofTimeInvalid",
    "UnresolvableIdentifier",
]


class KeyNotRegistered(ValidationFailed):
    problem = "key-not-registered"
    title = "The signing key is not registered to the issuing organisation"


class KeyNotYetAdded(ValidationFailed):
    problem = "key-not-yet-added"
    title = "The signature is dated before its key was added to the organisation"


class KeyRevoked(ValidationFailed):
    problem = "key-revoked"
    title = "The signature was made after its key was revoked"


class KeyRetired(ValidationFailed):
    problem = "key-retired"
    title = "The signature was made after its key was retired"


class ProofTimeInvalid(ValidationFailed):
    problem = "proof-time-invalid"
    title = "The proof's creation time is missing, in the future or too old"


class InvalidIdentifier(ValidationFailed):
    problem = "invalid-identifier"
    title = "An identifier breaks its syntax rules"


class UnresolvableIdentifier(ValidationFailed):
    problem = "unresolvable-identifier"
    title = "An identifier does not resolve"


class NameHasControlCharacter(ValidationFailed):
    """An organisation name holds a control character or a bidirectional-text override (``code_point`` says
    which, ``field`` where), so what readers see would differ from what is stored."""

    problem = "name-has-control-character"
    title = "The organisation name holds a control or text-direction character"

    def __init__(self, detail: str, *, field: str, code_point: int, fix: str) -> None:
        self.code_point = code_point
        super().__init__(detail, field=field, fix=fix)
