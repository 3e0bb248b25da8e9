"""Passwords (argon2id), session tokens (random, SHA-256 at rest) and CSRF tokens (HMAC-bound to the session).

CSRF follows OWASP's "signed double-submit cookie": every browser holds a random ``tl_csrf`` cookie; forms
and fetch calls carry ``HMAC-SHA256(secret, "csrf:" + cookie [+ ":" + session hash])`` and the server
recomputes it. A signed-in session binds the token to that session, so a token from another session or
from before sign-in is refused. The secret lives in the database so that every node process agrees.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = [
    "CSRF_COOKIE",
    "MIN_PASSWORD_LENGTH",
    "SESSION_COOKIE",
    "csrf_token",
    "csrf_valid",
    "hash_password",
    "hash_session_token",
    "new_random_token",
    "password_needs_rehash",
    "verify_password",
]

SESSION_COOKIE = "tl_session"
CSRF_COOKIE = "tl_csrf"
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 hashes any length; a bound keeps a request from costing seconds

_hasher = PasswordHasher()  # argon2id, RFC 9106 "second recommended" parameters (argon2-cffi defaults)
_DUMMY_HASH = _hasher.hash("not a real password; equalises timing for unknown users")


def hash_password(password: str) -> str:
    return _hasher.hash(password[:MAX_PASSWORD_LENGTH])


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an unknown user (None) costs the same time as a wrong password."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH]) and (
            stored_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def new_random_token() -> str:
    """256 bits from the OS CSPRNG, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret: bytes, csrf_cookie: str, session_hash: str | None) -> str:
    message = f"csrf:{csrf_cookie}:{session_hash or ''}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def csrf_valid(
    secret: bytes, csrf_cookie: str | None, session_hash: str | None, presented: str | None
) -> bool:
    if not csrf_cookie or not presented:
        return False
    return hmac.compare_digest(csrf_token(secret, csrf_cookie, session_hash), presented)
