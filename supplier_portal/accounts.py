"""Portal accounts: organisation users with roles, sign-in sessions, the CSRF secret and the audit trail."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from node_service.db.models import Organisation
from node_service.runtime import Node
from node_service.services.organisations.registration import Registered, register_organisation
from supplier_portal import sign_in_throttle as throttle
from supplier_portal.errors import FormInvalid, RoleRequired, SignInThrottled
from supplier_portal.models import PortalAudit, PortalSecret, PortalSession, PortalUser
from supplier_portal.security import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    hash_session_token,
    new_random_token,
    password_needs_rehash,
    verify_password,
)

__all__ = [
    "ROLES",
    "SESSION_LIFETIME",
    "Actor",
    "add_user",
    "audit",
    "csrf_secret",
    "end_session",
    "record_audit",
    "register_with_admin",
    "session_actor",
    "sign_in",
    "sign_in_throttled",
]

ROLES = ("admin", "data_entry", "viewer")
SESSION_LIFETIME = timedelta(hours=12)
_USERNAME = re.compile(r"[A-Za-z0-9._@-]{3,80}")


@dataclass(frozen=True)
class Actor:
    """The signed-in user as pages see it (detached from any database session)."""

    user_id: str
    username: str
    role: str
    organisation_id: str
    organisation_did: str
    organisation_name: str
    organisation_roles: tuple[str, ...]
    session_hash: str

    def may(self, *roles: str) -> bool:
        return self.role in roles

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise RoleRequired("Your role ({role}) may not do this.", role=self.role)


def audit(
    session: Session,
    action: str,
    *,
    actor: Actor | None = None,
    organisation_id: str | None = None,
    object_id: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        PortalAudit(
            time=datetime.now(UTC),
            organisation_id=actor.organisation_id if actor else organisation_id,
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else detail.pop("username", None),
            action=action,
            object_id=object_id,
            detail=detail,
        )
    )


def record_audit(
    node: Node, action: str, *, actor: Actor, object_id: str | None = None, **detail: Any
) -> None:
    """:func:`audit` in a transaction of its own (after the node's service committed the action)."""
    with node.db.transaction() as session:
        audit(session, action, actor=actor, object_id=object_id, **detail)


def csrf_secret(node: Node) -> bytes:
    """The portal's HMAC key, created on first use and shared through the database."""
    with node.db.transaction() as session:
        row = session.get(PortalSecret, "csrf")
        if row is None:
            row = PortalSecret(name="csrf", value=secrets.token_hex(32))
            session.add(row)
        return bytes.fromhex(row.value)


def check_new_user(session: Session, username: str, password: str, role: str) -> None:
    if not _USERNAME.fullmatch(username):
        raise FormInvalid("Use 3 to 80 letters, digits or . _ @ - for the user name.", field="username")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise FormInvalid(
            "The password needs at least {n} characters.", field="password", n=MIN_PASSWORD_LENGTH
        )
    if role not in ROLES:
        raise FormInvalid("Choose one of the roles offered.", field="role")
    if session.execute(select(PortalUser).where(PortalUser.username == username)).first():
        raise FormInvalid("This user name is taken; choose another.", field="username")


def register_with_admin(
    node: Node, registration: dict[str, Any], username: str, password: str
) -> tuple[Registered, str]:
    """Register an organisation from its browser-signed registration and create its first admin user.

    The user name and password are checked before the registration reaches the node, so a bad form
    registers nothing. Returns the registration (with its one-time API token) and the new user's id.
    """
    with node.db.transaction() as session:
        check_new_user(session, username, password, "admin")
    password_hash = hash_password(password)
    registered = register_organisation(node, registration)
    user_id = str(uuid.uuid4())
    with node.db.transaction() as session:
        session.add(
            PortalUser(
                id=user_id,
                organisation_id=registered.organisation.id,
                username=username,
                password_hash=password_hash,
                role="admin",
                created_at=datetime.now(UTC),
            )
        )
        audit(
            session,
            "organisation.register",
            organisation_id=registered.organisation.id,
            object_id=registered.organisation.did,
            username=username,
        )
    return registered, user_id


def add_user(node: Node, actor: Actor, username: str, password: str, role: str) -> str:
    actor.require("admin")
    with node.db.transaction() as session:
        check_new_user(session, username, password, role)
        user_id = str(uuid.uuid4())
        session.add(
            PortalUser(
                id=user_id,
                organisation_id=actor.organisation_id,
                username=username,
                password_hash=hash_password(password),
                role=role,
                created_at=datetime.now(UTC),
            )
        )
        audit(session, "user.add", actor=actor, object_id=username, role=role)
    return user_id


def list_users(node: Node, actor: Actor) -> list[dict[str, Any]]:
    with node.db.transaction() as session:
        rows = session.execute(
            select(PortalUser)
            .where(PortalUser.organisation_id == actor.organisation_id)
            .order_by(PortalUser.created_at)
        ).scalars()
        return [{"username": u.username, "role": u.role, "created": u.created_at} for u in rows]


def list_audit(node: Node, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
    with node.db.transaction() as session:
        rows = session.execute(
            select(PortalAudit)
            .where(PortalAudit.organisation_id == actor.organisation_id)
            .order_by(PortalAudit.id.desc())
            .limit(limit)
        ).scalars()
        return [
            {
                "time": a.time,
                "username": a.username,
                "action": a.action,
                "object": a.object_id,
                "detail": a.detail,
            }
            for a in rows
        ]


def sign_in(node: Node, username: str, password: str) -> str | None:
    """A new session token for the right password, else None. Every attempt is audited."""
    with node.db.transaction() as session:
        user = session.execute(select(PortalUser).where(PortalUser.username == username)).scalar_one_or_none()
        ok = verify_password(user.password_hash if user else None, password)
        if not ok or user is None or user.disabled_at is not None:
            audit(
                session,
                "session.sign-in-failed",
                organisation_id=user.organisation_id if user else None,
                username=username[:80],
            )
            return None
        if password_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        token = new_random_token()
        now = datetime.now(UTC)
        session.execute(delete(PortalSession).where(PortalSession.expires_at < now))
        session.add(
            PortalSession(
                token_hash=hash_session_token(token),
                user_id=user.id,
                created_at=now,
                expires_at=now + SESSION_LIFETIME,
            )
        )
        audit(session, "session.sign-in", organisation_id=user.organisation_id, username=user.username)
        return token


def sign_in_throttled(node: Node, username: str, password: str, client: str | None) -> str | None:
    """:func:`sign_in` behind the sign-in throttle (``supplier_portal.sign_in_throttle``): a session token for
    the right password, None for a wrong one; SignInThrottled while the account name or the client address
    is locked — the password is not even checked then."""
    now = throttle.now()
    with node.db.transaction() as session:
        until = throttle.locked_until(session, username, client, now)
        if until is not None:
            audit(session, "session.sign-in-throttled", username=username[:80], client=client)
    if until is not None:
        raise SignInThrottled(until, now)
    token = sign_in(node, username, password)
    for attempt in range(2):  # two first failures of one key at once: the loser inserts again, as an update
        try:
            with node.db.transaction() as session:
                if token is not None:
                    throttle.clear(session, username)
                    return token
                until = throttle.record_failure(session, username, client, now)
            break
        except IntegrityError:
            if attempt:
                raise
    if until is not None:
        raise SignInThrottled(until, now)
    return None


def session_actor(node: Node, token: str | None) -> Actor | None:
    if not token:
        return None
    token_hash = hash_session_token(token)
    with node.db.transaction() as session:
        row = session.get(PortalSession, token_hash)
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        if expires < datetime.now(UTC):
            session.delete(row)
            return None
        user = session.get(PortalUser, row.user_id)
        if user is None or user.disabled_at is not None:
            return None
        org = session.get(Organisation, user.organisation_id)
        assert org is not None
        return Actor(
            user_id=user.id,
            username=user.username,
            role=user.role,
            organisation_id=org.id,
            organisation_did=org.did,
            organisation_name=org.name_zh or org.name_en or org.did,
            organisation_roles=tuple(org.roles),
            session_hash=token_hash,
        )


def end_session(node: Node, actor: Actor) -> None:
    with node.db.transaction() as session:
        row = session.get(PortalSession, actor.session_hash)
        if row is not None:
            session.delete(row)
        audit(session, "session.sign-out", actor=actor)
