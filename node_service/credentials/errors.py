"""One exception root for the credentials package, one subclass per kind of failure.

Every message reads "what failed: detail — what to do", so a CLI can print ``str(error)`` on one line
and an API can map the class to a problem type.
"""

from __future__ import annotations

__all__ = [
    "ContextMismatchError",
    "CredentialError",
    "InvalidSignatureError",
    "KeyFileError",
    "MalformedCredentialError",
    "MalformedKeyError",
    "MalformedProofError",
    "ProofExpiredError",
    "ProofGenerationError",
    "ProofPurposeMismatchError",
    "UnresolvableVerificationMethodError",
    "UnsupportedCryptosuiteError",
    "WrongPasswordError",
]


class CredentialError(Exception):
    """Root of every error raised by ``node_service.credentials``."""

    def __init__(self, what: str, detail: str, todo: str) -> None:
        self.what = what
        self.detail = detail
        self.todo = todo
        super().__init__(f"{what}: {detail} — {todo}")

    def diagnostics(self) -> str:
        """A short multi-line explanation for humans (what failed, why, what to do)."""
        return f"{self.what}\n  detail: {self.detail}\n  to fix: {self.todo}"


class MalformedKeyError(CredentialError):
    """A public key, Multikey value, did:key or verification method id is not well formed."""


class UnresolvableVerificationMethodError(CredentialError):
    """The proof's verificationMethod cannot be turned into an Ed25519 public key."""


class MalformedProofError(CredentialError):
    """The proof object is missing a field, or a field has the wrong shape."""


class UnsupportedCryptosuiteError(CredentialError):
    """The proof is not a DataIntegrityProof with cryptosuite eddsa-jcs-2022."""


class ProofPurposeMismatchError(CredentialError):
    """The proof was made for a different purpose than the verifier expects."""


class ProofExpiredError(CredentialError):
    """The proof carries an ``expires`` time that has passed."""


class ContextMismatchError(CredentialError):
    """The proof's @context is not a prefix of the document's @context."""


class InvalidSignatureError(CredentialError):
    """The Ed25519 signature does not verify over the document and proof configuration."""


class ProofGenerationError(CredentialError):
    """A proof cannot be created from the given document, key or options."""


class MalformedCredentialError(CredentialError):
    """The document is not a structurally valid Verifiable Credential 2.0 (or not valid JSON)."""


class KeyFileError(CredentialError):
    """A key file cannot be written or read (format, permissions, consistency)."""


class WrongPasswordError(KeyFileError):
    """The password does not decrypt the key file."""
