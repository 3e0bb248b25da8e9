"""Durable delivery of our events to other PACT hosts: the outbox table and its worker thread.

For each due event: token from ``{target}/auth/token`` (after OpenID discovery, as the PACT authentication
flow says), then ``POST {target}/3/events`` (``/2/events`` for an answer to a request received at ``/2/events``).
The target and a discovered token endpoint must pass the remote-host rules (:mod:`..remotes`: HTTPS, public
addresses checked at connection time, token endpoints on the host's origin — unless the operator's allow-list
names them). Failures are retried with exponential backoff and jitter until ``delivery_give_up_seconds`` (the
spec: not more than 3 days). Rows survive restarts; the worker starts with the app and picks up whatever is due.

``last_error`` (shown to the sender at ``GET /pact/outbox``) is our own description of a failure — the status,
an enumerated PACT error code, why a host was refused — never text from the remote host's answer, which could
be an internal service's reply if a host were ever reached that should not be (:func:`describe_failure`).
"""

from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from node_service.db import Database
from node_service.services.pact.client import PactClient, PactClientError
from node_service.services.pact.management.tokens import NodeKeys
from node_service.services.pact.models import PactOutbox, PactRemoteHost
from node_service.services.pact.remotes import RemoteRefused
from node_service.services.pact.settings import PactSettings

__all__ = ["DeliveryWorker", "describe_failure", "enqueue", "remote_host"]

log = logging.getLogger("tanlian.pact.delivery")
#: a worker claims a row for this long before trying it, so another node process does not send it twice
LEASE_SECONDS = 120
BATCH = 20


def remote_host(session: Session, organisation_id: str, base_url: str) -> PactRemoteHost | None:
    return session.execute(
        select(PactRemoteHost).where(
            PactRemoteHost.organisation_id == organisation_id, PactRemoteHost.base_url == base_url
        )
    ).scalar_one_or_none()


def enqueue(
    session: Session,
    *,
    sender_id: str,
    recipient_id: str,
    target: str,
    event: dict[str, Any],
    spec_major: int,
) -> PactOutbox:
    """Queue ``event`` for ``POST {target}/{spec_major}/events``."""
    now = datetime.now(UTC)
    row = PactOutbox(
        sender_id=sender_id,
        recipient_id=recipient_id,
        target=target,
        event_id=event["id"],
        event=event,
        spec_major=spec_major,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def describe_failure(exc: BaseException) -> str:
    """What ``last_error`` says about a failed delivery: our own words only. A PactClientError and a refusal
    are described by us; a failed connection by the operating system or TLS library (before the host sent a
    byte); any other failure (a broken answer, an unexpected error) by its kind alone, since its text may quote
    what the host sent."""
    kind = type(exc).__name__
    if isinstance(exc, RemoteRefused):
        return f"remote host refused: {exc}"[:2000]
    if isinstance(exc, PactClientError | httpx.ConnectError):
        return f"{kind}: {exc}"[:2000]
    if isinstance(exc, httpx.TimeoutException):
        return f"{kind}: the host did not answer in time"
    if isinstance(exc, httpx.HTTPError):
        return f"{kind}: the exchange with the host failed (its answer is not shown)"
    return f"{kind}: delivery failed (logged on the node)"


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass
class DeliveryWorker:
    db: Database
    keys: NodeKeys
    settings: PactSettings

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pact-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=15)

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while self.deliver_due() and not self._stop.is_set():
                    pass
            except Exception:  # keep the worker alive; the row stays pending
                log.exception("PACT event delivery failed")
            self._wake.wait(self.settings.delivery_interval_seconds)
            self._wake.clear()

    def _claim(self) -> list[tuple[int, str, str, dict[str, Any], int, str, str, datetime, int]]:
        now = datetime.now(UTC)
        with self.db.write_transaction() as session:
            query = (
                select(PactOutbox)
                .where(PactOutbox.status == "pending", PactOutbox.next_attempt_at <= now)
                .order_by(PactOutbox.next_attempt_at)
                .limit(BATCH)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            rows = list(session.execute(query).scalars())
            claimed = []
            for row in rows:
                host = remote_host(session, row.recipient_id, row.target)
                row.next_attempt_at = now + timedelta(seconds=LEASE_SECONDS)
                claimed.append(
                    (
                        row.id,
                        row.target,
                        row.event_id,
                        row.event,
                        row.spec_major,
                        host.client_id if host else "",
                        self.keys.unseal(host.client_secret_sealed) if host else "",
                        _utc(row.created_at),
                        row.attempts,
                    )
                )
            return claimed

    def deliver_due(self) -> int:
        """Try every due event once; the number tried."""
        claimed = self._claim()
        for row_id, target, _event_id, event, spec_major, client_id, secret, created, attempts in claimed:
            error = None
            try:
                if not client_id:
                    raise PactClientError(f"no credentials registered for {target}")
                self._send(target, client_id, secret, event, spec_major)
            except (PactClientError, RemoteRefused, httpx.HTTPError) as exc:
                error = describe_failure(exc)
            except Exception as exc:  # anything else: log it, and retry with backoff like a failure
                log.exception("PACT event %s to %s", _event_id, target)
                error = describe_failure(exc)
            self._record(row_id, error, created, attempts)
        return len(claimed)

    def _client(self, target: str) -> PactClient:
        verify: Any = self.settings.remote_ca_file or self.settings.verify_remote_tls
        return PactClient(
            target,
            verify=verify,
            timeout=self.settings.delivery_timeout_seconds,
            policy=self.settings.remotes,
        )

    def _send(self, target: str, client_id: str, secret: str, event: dict[str, Any], spec_major: int) -> None:
        with self._client(target) as client:
            key = (target, client_id)
            cached = self._tokens.get(key)
            if cached is None or cached[1] <= datetime.now(UTC).timestamp() + 30:
                token, expires_in = client.fetch_token(client_id, secret)
                cached = (token, datetime.now(UTC).timestamp() + expires_in)
                self._tokens[key] = cached
            client.token = cached[0]
            try:
                client.post_event(event, spec_major)
            except PactClientError as exc:
                if exc.status == 401:  # expired early: one fresh token
                    self._tokens.pop(key, None)
                    client.token, _ = client.fetch_token(client_id, secret)
                    client.post_event(event, spec_major)
                else:
                    raise

    def _record(self, row_id: int, error: str | None, created: datetime, attempts: int) -> None:
        now = datetime.now(UTC)
        with self.db.write_transaction() as session:
            row = session.get(PactOutbox, row_id)
            if row is None:
                return
            row.attempts = attempts + 1
            if error is None:
                row.status = "delivered"
                row.delivered_at = now
                row.last_error = None
                return
            row.last_error = error
            if (now - created).total_seconds() >= self.settings.delivery_give_up_seconds:
                row.status = "failed"
                log.warning("giving up PACT event %s to %s: %s", row.event_id, row.target, error)
                return
            delay = min(
                self.settings.delivery_backoff_seconds * (2**attempts),
                self.settings.delivery_backoff_max_seconds,
            )
            row.next_attempt_at = now + timedelta(seconds=delay * random.uniform(0.8, 1.2))  # noqa: S311
