"""Throttling of portal sign-in: failed attempts counted per account name and per client address, in the
database (shared by every server process), with a lock that doubles with each further failure.

The rule, for each of the two keys of an attempt (the account name as typed, lower-cased; the client's
address):
  (1) while the key is locked, every attempt is refused before the password is looked at — the right
      password too — and the refusal says when to try again;
  (2) a failure counts; from ``threshold`` failures on, the key is locked for ``base`` seconds, doubled with
      each further failure, at most ``cap``;
  (3) failures older than ``forget_after`` are forgotten; a successful sign-in clears the account's count
      (not the address's: one address guessing at many accounts stays throttled).
Names that match no account are counted the same way, so the answers do not tell which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from supplier_portal.models import PortalSignInThrottle

__all__ = ["POLICIES", "Policy", "clear", "locked_until", "now", "record_failure"]


@dataclass(frozen=True)
class Policy:
    threshold: int  # failures before the first lock
    base: timedelta  # the first lock
    cap: timedelta  # the longest lock
    forget_after: timedelta  # failures older than this no longer count

    def lock_for(self, failures: int) -> timedelta | None:
        if failures < self.threshold:
            return None
        doublings = min(failures - self.threshold, 20)
        return min(self.base * (2**doublings), self.cap)


POLICIES: dict[str, Policy] = {
    # one account: 5 wrong passwords, then 30 s, 1 min, 2 min … at most 15 min between attempts
    "account": Policy(5, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1)),
    # one client address, over every account it tries: 20 failures, then the same back-off
    "client": Policy(20, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1)),
}


def now() -> datetime:
    """The throttle's clock (a function, so tests can move it)."""
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _keys(account: str, client: str | None) -> list[tuple[str, str]]:
    keys = [("account", account.strip().lower()[:80])]
    if client:
        keys.append(("client", client[:80]))
    return keys


def locked_until(session: Session, account: str, client: str | None, now: datetime) -> datetime | None:
    """(1) The latest time until which the account or the client address is locked, if either is now."""
    until = None
    for scope, key in _keys(account, client):
        row = session.get(PortalSignInThrottle, (scope, key))
        if row is not None and row.locked_until is not None and _aware(row.locked_until) > now:
            until = max(until or now, _aware(row.locked_until))
    return until


def record_failure(session: Session, account: str, client: str | None, now: datetime) -> datetime | None:
    """(2) and (3): count a failed attempt for both keys; the time until which this failure locks them."""
    until = None
    for scope, key in _keys(account, client):
        policy = POLICIES[scope]
        row = session.get(PortalSignInThrottle, (scope, key), with_for_update=True)
        if row is None:
            row = PortalSignInThrottle(scope=scope, key=key, failures=0, last_failure_at=now)
            session.add(row)
        elif now - _aware(row.last_failure_at) > policy.forget_after:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        lock = policy.lock_for(row.failures)
        row.locked_until = now + lock if lock else None
        if row.locked_until is not None:
            until = max(until or now, row.locked_until)
    return until


def clear(session: Session, account: str) -> None:
    """(3) A successful sign-in forgets the account's failures."""
    session.execute(
        delete(PortalSignInThrottle).where(
            PortalSignInThrottle.scope == "account", PortalSignInThrottle.key == account.strip().lower()[:80]
        )
    )
