"""Key files: an Ed25519 private key (PKCS#8, optionally encrypted) in JSON that WebCrypto can read.

Format (version 1), every binary field standard base64 with padding::

    {
      "format": "tanlian-ed25519-key",
      "version": 1,
      "did": "did:key:z6Mk…",
      "publicKeyMultibase": "z6Mk…",
      "privateKey": {
        "encoding": "pkcs8",                     # RFC 8410 PKCS#8 DER (WebCrypto importKey "pkcs8")
        "encryption": null | {
          "name": "AES-GCM", "length": 256, "iv": "<12 bytes>",
          "kdf": {"name": "PBKDF2", "hash": "SHA-256", "iterations": 600000, "salt": "<16 bytes>"}
        },
        "data": "<PKCS#8 DER, or AES-GCM ciphertext followed by its 16-byte tag>"
      }
    }

The password is normalised to Unicode NFC and encoded as UTF-8 before PBKDF2. No additional data is
authenticated; instead the decrypted key must match ``did`` and ``publicKeyMultibase``.

Files are created with ``os.open(O_CREAT | O_EXCL, 0o600)`` (never chmod-ed afterwards) and an existing
file is never overwritten. An unencrypted key file readable by group or others is refused on read.
Limits: key files are at most ``MAX_KEY_FILE_BYTES``; PBKDF2 iterations between ``PBKDF2_MIN_ITERATIONS``
and ``PBKDF2_MAX_ITERATIONS``. Private key bytes are never logged, printed or put in exception messages.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import secrets
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from .didkey import did_key, public_key_multibase
from .errors import KeyFileError, WrongPasswordError

__all__ = [
    "KEY_FILE_FORMAT",
    "KEY_FILE_VERSION",
    "MAX_KEY_FILE_BYTES",
    "PBKDF2_ITERATIONS",
    "PBKDF2_MAX_ITERATIONS",
    "PBKDF2_MIN_ITERATIONS",
    "KeyFileInfo",
    "generate_key",
    "key_file_info",
    "key_file_json",
    "parse_key_file",
    "read_key_file",
    "write_key_file",
]

KEY_FILE_FORMAT = "tanlian-ed25519-key"
KEY_FILE_VERSION = 1
MAX_KEY_FILE_BYTES = 64 * 1024
PBKDF2_ITERATIONS = 600_000
PBKDF2_MIN_ITERATIONS = 600_000
PBKDF2_MAX_ITERATIONS = 10_000_000
SALT_SIZE = 16
IV_SIZE = 12
AES_KEY_SIZE = 32
GCM_TAG_SIZE = 16


@dataclass(frozen=True)
class KeyFileInfo:
    """The public part of a key file (safe to print)."""

    did: str
    public_key_multibase: str
    encrypted: bool


def generate_key() -> Ed25519PrivateKey:
    """A new Ed25519 private key from the operating system's CSPRNG."""
    return Ed25519PrivateKey.generate()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value: object, name: str, size: int | None = None) -> bytes:
    if not isinstance(value, str):
        raise KeyFileError(f"key file field {name} is not a string", f"got {type(value).__name__}", _REMAKE)
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFileError(f"key file field {name} is not base64", str(exc), _REMAKE) from exc
    if size is not None and len(data) != size:
        raise KeyFileError(
            f"key file field {name} has the wrong size", f"got {len(data)}, want {size}", _REMAKE
        )
    return data


_REMAKE = "restore the key file from your backup"


def _derive_key(password: str, salt: bytes, iterations: int) -> bytes:
    if not password:
        raise KeyFileError("password is empty", "an empty password protects nothing", "choose a password")
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=AES_KEY_SIZE, salt=salt, iterations=iterations)
    return kdf.derive(unicodedata.normalize("NFC", password).encode("utf-8"))


def key_file_json(
    private_key: Ed25519PrivateKey, *, password: str | None = None, iterations: int = PBKDF2_ITERATIONS
) -> dict[str, Any]:
    """The key file as a JSON-ready dict; encrypted with AES-256-GCM under PBKDF2 when ``password``."""
    pkcs8 = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    encryption: dict[str, Any] | None = None
    data = pkcs8
    if password is not None:
        if not PBKDF2_MIN_ITERATIONS <= iterations <= PBKDF2_MAX_ITERATIONS:
            raise KeyFileError(
                "PBKDF2 iteration count out of range",
                f"got {iterations}, want {PBKDF2_MIN_ITERATIONS}..{PBKDF2_MAX_ITERATIONS}",
                "use the default",
            )
        salt, iv = secrets.token_bytes(SALT_SIZE), secrets.token_bytes(IV_SIZE)
        data = AESGCM(_derive_key(password, salt, iterations)).encrypt(iv, pkcs8, None)
        encryption = {
            "name": "AES-GCM",
            "length": AES_KEY_SIZE * 8,
            "iv": _b64(iv),
            "kdf": {"name": "PBKDF2", "hash": "SHA-256", "iterations": iterations, "salt": _b64(salt)},
        }
    return {
        "format": KEY_FILE_FORMAT,
        "version": KEY_FILE_VERSION,
        "did": did_key(private_key),
        "publicKeyMultibase": public_key_multibase(private_key),
        "privateKey": {"encoding": "pkcs8", "encryption": encryption, "data": _b64(data)},
    }


def write_key_file(
    path: str | os.PathLike[str],
    private_key: Ed25519PrivateKey,
    *,
    password: str | None = None,
    iterations: int = PBKDF2_ITERATIONS,
) -> KeyFileInfo:
    """Create ``path`` (mode 0600, refusing to overwrite) holding the key file; return its public info."""
    document = key_file_json(private_key, password=password, iterations=iterations)
    text = json.dumps(document, indent=2) + "\n"
    try:
        fd = os.open(
            os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
    except FileExistsError as exc:
        raise KeyFileError(
            "key file already exists",
            f"{os.fspath(path)!r}",
            "choose another --out path; keys are never overwritten",
        ) from exc
    except OSError as exc:
        raise KeyFileError(
            "key file cannot be created", f"{os.fspath(path)!r}: {exc.strerror}", "check the folder"
        ) from exc
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return KeyFileInfo(document["did"], document["publicKeyMultibase"], password is not None)


def _load_json(data: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(
            "key file is too large", f"got {len(data)} bytes, want at most {MAX_KEY_FILE_BYTES}", _REMAKE
        )
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise KeyFileError("key file is not JSON", str(exc), _REMAKE) from exc
    if not isinstance(value, dict):
        raise KeyFileError("key file is not a JSON object", f"top level is {type(value).__name__}", _REMAKE)
    return value


def key_file_info(data: bytes | str | dict[str, Any]) -> KeyFileInfo:
    """Check the key file's envelope and return its public part (no password needed)."""
    document = _load_json(data)
    if document.get("format") != KEY_FILE_FORMAT or document.get("version") != KEY_FILE_VERSION:
        raise KeyFileError(
            "not a tanlian key file",
            f"format={document.get('format')!r:.40}, version={document.get('version')!r:.10}; "
            f"want {KEY_FILE_FORMAT!r} version {KEY_FILE_VERSION}",
            "give a file made by 'tanlian keys generate' or the portal's key backup",
        )
    private = document.get("privateKey")
    if not isinstance(private, dict) or private.get("encoding") != "pkcs8":
        raise KeyFileError("key file privateKey is malformed", "want encoding 'pkcs8'", _REMAKE)
    did, multibase = document.get("did"), document.get("publicKeyMultibase")
    if not isinstance(did, str) or not isinstance(multibase, str) or did != "did:key:" + str(multibase):
        raise KeyFileError("key file did and publicKeyMultibase disagree", f"did={did!r:.80}", _REMAKE)
    return KeyFileInfo(did, multibase, private.get("encryption") is not None)


def parse_key_file(data: bytes | str | dict[str, Any], *, password: str | None = None) -> Ed25519PrivateKey:
    """The private key in a key file.

    (1) the envelope is a version-1 tanlian key file; (2) when encrypted, a password is given, the
    parameters are AES-256-GCM / PBKDF2-HMAC-SHA256 within limits, and decryption succeeds; (3) the data
    is an Ed25519 PKCS#8 key; (4) its public key matches ``did`` and ``publicKeyMultibase``.
    """
    # (1):
    document = _load_json(data)
    info = key_file_info(document)
    private = document["privateKey"]
    blob = _unb64(private.get("data"), "privateKey.data")
    # (2):
    encryption = private.get("encryption")
    if encryption is not None:
        if password is None:
            raise WrongPasswordError(
                "key file is encrypted",
                "no password was given",
                "pass --password-file FILE or type it when asked",
            )
        kdf = encryption.get("kdf") if isinstance(encryption, dict) else None
        if (
            not isinstance(encryption, dict)
            or encryption.get("name") != "AES-GCM"
            or encryption.get("length") != AES_KEY_SIZE * 8
            or not isinstance(kdf, dict)
            or kdf.get("name") != "PBKDF2"
            or kdf.get("hash") != "SHA-256"
        ):
            raise KeyFileError(
                "key file encryption is not supported", "want AES-GCM 256 under PBKDF2 SHA-256", _REMAKE
            )
        iterations = kdf.get("iterations")
        if (
            not isinstance(iterations, int)
            or not PBKDF2_MIN_ITERATIONS <= iterations <= PBKDF2_MAX_ITERATIONS
        ):
            raise KeyFileError(
                "key file PBKDF2 iteration count out of range",
                f"got {iterations!r:.20}, want {PBKDF2_MIN_ITERATIONS}..{PBKDF2_MAX_ITERATIONS}",
                "export the key again with at least 600,000 iterations",
            )
        salt = _unb64(kdf.get("salt"), "privateKey.encryption.kdf.salt")
        if len(salt) < SALT_SIZE:
            raise KeyFileError(
                "key file salt is too short", f"got {len(salt)} bytes, want >= {SALT_SIZE}", _REMAKE
            )
        iv = _unb64(encryption.get("iv"), "privateKey.encryption.iv", IV_SIZE)
        if len(blob) <= GCM_TAG_SIZE:
            raise KeyFileError("key file data is truncated", f"got {len(blob)} bytes", _REMAKE)
        try:
            blob = AESGCM(_derive_key(password, salt, iterations)).decrypt(iv, blob, None)
        except InvalidTag as exc:
            raise WrongPasswordError(
                "key file cannot be decrypted",
                "wrong password, or the file was damaged",
                "try the password again",
            ) from exc
    # (3):
    try:
        key = serialization.load_der_private_key(blob, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError("key file data is not a PKCS#8 private key", type(exc).__name__, _REMAKE) from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError("key file holds a non-Ed25519 key", type(key).__name__, "use an Ed25519 key")
    # (4):
    if public_key_multibase(key) != info.public_key_multibase:
        raise KeyFileError(
            "key file private key does not match its publicKeyMultibase",
            f"file says {info.public_key_multibase}",
            _REMAKE,
        )
    return key


def read_key_file(path: str | os.PathLike[str], *, password: str | None = None) -> Ed25519PrivateKey:
    """Read and decrypt a key file from disk (see :func:`parse_key_file`)."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            raw = handle.read(MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(
            "key file cannot be read", f"{name!r}: {exc.strerror}", "check the --key path"
        ) from exc
    info = key_file_info(_load_json(raw))
    if not info.encrypted and os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        raise KeyFileError(
            "unencrypted key file is readable by other users",
            f"{name!r} has mode {stat.S_IMODE(mode):04o}",
            f"run: chmod 600 {Path(name).name}",
        )
    return parse_key_file(raw, password=password)
