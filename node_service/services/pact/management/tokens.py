"""Access tokens (RFC 7519 JWT, HS256 per RFC 7518 §3.2) and secrets at rest.

* Client secrets are stored as argon2id hashes (argon2-cffi defaults, RFC 9106).
* Access tokens are JWTs signed with a 256-bit node key kept in ``<data dir>/keys/pact-token.key`` (mode 0600).
  Each carries the version of the client secret it was issued against (``sv``, :func:`secret_version`), so that
  a rotation invalidates exactly the tokens issued before it, whatever the clock says.
* Credentials of other hosts (which must be usable, so cannot be hashed) are sealed with AES-256-GCM under
  ``<data dir>/keys/pact-seal.key``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from node_service.services.pact.errors import BadRequest, TokenExpired

__all__ = [
    "KEY_BYTES",
    "AccessToken",
    "NodeKeys",
    "hash_secret",
    "issue_access_token",
    "load_node_keys",
    "secret_version",
    "verify_access_token",
    "verify_secret",
]

KEY_BYTES = 32
#: A JWT longer than this is refused before any parsing (ours are ~300 bytes).
MAX_TOKEN_LENGTH = 4096
#: Verified tokens remembered per process (keyed by node keys and token; expiry is checked on every use).
TOKEN_CACHE_SIZE = 4096
_hasher = PasswordHasher()


@dataclass(frozen=True)
class NodeKeys:
    token_key: bytes
    seal_key: bytes
    issuer: str = "tanlian"

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.seal_key).encrypt(nonce, plaintext.encode(), b"tanlian-pact-remote-secret")
        return base64.b64encode(nonce + sealed).decode()

    def unseal(self, sealed: str) -> str:
        raw = base64.b64decode(sealed)
        return AESGCM(self.seal_key).decrypt(raw[:12], raw[12:], b"tanlian-pact-remote-secret").decode()


def _load_or_create_key(path: Path) -> bytes:
    if path.exists():
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise ValueError(
                f"key file {path}: got {len(key)} bytes, want {KEY_BYTES} — delete it to make a new one"
            )
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def load_node_keys(keys_dir: Path) -> NodeKeys:
    return NodeKeys(
        token_key=_load_or_create_key(keys_dir / "pact-token.key"),
        seal_key=_load_or_create_key(keys_dir / "pact-seal.key"),
    )


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def secret_version(secret_hash: str) -> str:
    """The version of a client secret a token is bound to: 96 bits of SHA-256 over the secret's stored hash
    (argon2id, salted; a new secret is a new hash). Tells nothing about the secret: finding it would still
    take the salt, which the token does not carry."""
    digest = hashlib.sha256(b"tanlian-pact-secret-version\x00" + secret_hash.encode()).digest()
    return _b64url(digest[:12])


@dataclass(frozen=True)
class AccessToken:
    client_id: str
    organisation_id: str
    issued_at: int
    expires_at: int
    #: :func:`secret_version` of the client secret the token was issued against (None: a token from before)
    secret_version: str | None = None


def issue_access_token(
    keys: NodeKeys, client_id: str, organisation_id: str, ttl_seconds: int, *, secret_hash: str
) -> tuple[str, int]:
    """A signed JWT for ``client_id``, bound to the client secret whose stored hash is ``secret_hash`` (the one
    the client authenticated with), and the number of seconds it lives."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {
        "iss": keys.issuer,
        "sub": client_id,
        "org": organisation_id,
        "sv": secret_version(secret_hash),
        "iat": now,
        "exp": now + ttl_seconds,
        "jti": secrets.token_hex(8),
        "scope": "footprint:list footprint:read",
    }
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    sig = hmac.new(keys.token_key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(sig)}", ttl_seconds


def verify_access_token(keys: NodeKeys, token: str, *, now: float | None = None) -> AccessToken:
    """Verify a bearer token: steps (1)-(4) of :func:`_verify_signed_token` once per token (cached, so a client
    reusing its token costs one dictionary lookup), step (5) on every call."""
    access = _verify_signed_token(keys, token)
    # (5)
    if (now if now is not None else time.time()) >= access.expires_at:
        raise TokenExpired("the access token has expired", fix="request a new token from /auth/token")
    return access


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _verify_signed_token(keys: NodeKeys, token: str) -> AccessToken:
    """Verify a bearer token's signature and claims (failures raise, and are not cached). Steps:

    (1) size and shape: at most MAX_TOKEN_LENGTH characters, three base64url parts;
    (2) the header names HS256 (no other algorithm is accepted, in particular not "none");
    (3) the HMAC-SHA256 signature matches (constant-time comparison);
    (4) the claims are an object with our issuer, a subject, an organisation, an integer expiry and issue time,
        and the secret version (a string) if present — whether it is the client's current one is the caller's
        (:func:`~node_service.services.pact.management.clients.check_client`);
    step (5), the expiry (TokenExpired, HTTP 401; every other failure is BadRequest), is the caller's.
    """
    invalid = "invalid access token"
    fix = "request a new token from /auth/token"
    # (1)
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise BadRequest(f"{invalid}: not a JWT", fix=fix)
    head_b64, claims_b64, sig_b64 = token.split(".")
    try:
        header = json.loads(_b64url_decode(head_b64))
        claims = json.loads(_b64url_decode(claims_b64))
        signature = _b64url_decode(sig_b64)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # a deeply nested header: refused, no 500
        raise BadRequest(f"{invalid}: malformed JWT", fix=fix) from exc
    # (2)
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise BadRequest(f"{invalid}: algorithm must be HS256", fix=fix)
    # (3)
    expected = hmac.new(keys.token_key, f"{head_b64}.{claims_b64}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, signature):
        raise BadRequest(f"{invalid}: signature does not verify", fix=fix)
    # (4)
    if not isinstance(claims, dict):
        raise BadRequest(f"{invalid}: claims are not an object", fix=fix)
    exp, iat, sub, org = claims.get("exp"), claims.get("iat"), claims.get("sub"), claims.get("org")
    version = claims.get("sv")
    if (
        claims.get("iss") != keys.issuer
        or not isinstance(exp, int)
        or not isinstance(iat, int)
        or not isinstance(sub, str)
        or not isinstance(org, str)
        or not isinstance(version, str | None)
    ):
        raise BadRequest(f"{invalid}: claims iss/sub/org/exp missing", fix=fix)
    return AccessToken(
        client_id=sub, organisation_id=org, issued_at=iat, expires_at=exp, secret_version=version
    )
