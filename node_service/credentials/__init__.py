"""Signed activity data: W3C Verifiable Credentials 2.0 secured with Data Integrity ``eddsa-jcs-2022``.

Modules: :mod:`.didkey` (Multikey / did:key), :mod:`.eddsa_jcs_2022` (the cryptosuite),
:mod:`.vc` (VC 2.0 building and structural checks), :mod:`.keyfile` (key files),
:mod:`.jcs` (RFC 8785), :mod:`.xsd_datetime` (dateTime values), :mod:`.errors`.
"""

from .didkey import (
    did_key,
    public_key_from_multibase,
    public_key_multibase,
    resolve_did_key,
    resolve_verification_method,
    verification_method_id,
)
from .eddsa_jcs_2022 import VerifiedProof, sign, verify
from .errors import (
    ContextMismatchError,
    CredentialError,
    InvalidSignatureError,
    KeyFileError,
    MalformedCredentialError,
    MalformedKeyError,
    MalformedProofError,
    ProofExpiredError,
    ProofGenerationError,
    ProofPurposeMismatchError,
    UnresolvableVerificationMethodError,
    UnsupportedCryptosuiteError,
    WrongPasswordError,
)
from .keyfile import KeyFileInfo, generate_key, key_file_json, read_key_file, write_key_file
from .vc import (
    VerifiedCredential,
    build_credential,
    check_credential,
    load_document,
    sign_credential,
    verify_credential,
)

__all__ = [
    "ContextMismatchError",
    "CredentialError",
    "InvalidSignatureError",
    "KeyFileError",
    "KeyFileInfo",
    "MalformedCredentialError",
    "MalformedKeyError",
    "MalformedProofError",
    "ProofExpiredError",
    "ProofGenerationError",
    "ProofPurposeMismatchError",
    "UnresolvableVerificationMethodError",
    "UnsupportedCryptosuiteError",
    "VerifiedCredential",
    "VerifiedProof",
    "WrongPasswordError",
    "build_credential",
    "check_credential",
    "did_key",
    "generate_key",
    "key_file_json",
    "load_document",
    "public_key_from_multibase",
    "public_key_multibase",
    "read_key_file",
    "resolve_did_key",
    "resolve_verification_method",
    "sign",
    "sign_credential",
    "verification_method_id",
    "verify",
    "verify_credential",
    "write_key_file",
]
