"""The anchorer: puts the log's tree heads on the chain, crash-safely, and re-anchors what a chain lost.

Each round:
  (1) take the anchoring lock (PostgreSQL advisory lock, so exactly one node process anchors);
  (2) read the contract's latest head; anchors the database holds as confirmed above it are marked ``lost``
      (the chain was reset or restored from an older dump) and become targets again;
  (3) settle a pending anchor: confirmed when its transaction is mined, re-sent when the chain never saw it;
  (4) pick the next target: the smallest lost or historical head above the chain's latest, else the log's
      current size once the batch is due (interval elapsed or batch size reached);
  (5) sign the transaction, record it as pending with its hash, then broadcast it and wait for confirmations.
A ``kill -9`` between any two steps leaves a state that the next round settles: nothing anchored twice,
nothing skipped.

Test-only fault hook: ``TANLIAN_FAULT=after-pending-record`` makes the process SIGKILL itself right after the
pending anchor is committed and before the transaction is broadcast; ``TANLIAN_FAULT=after-broadcast`` right
after the broadcast and before the receipt is recorded. The crash tests (tests/node_service/chain/) use them;
never set them in production.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Connection, select, text

from node_service.chain.anchor_contract import AnchorChain, ChainError
from node_service.db.engine import Database
from node_service.db.models import Anchor, LogEntry
from node_service.log.append import TransparencyLog
from node_service.log.heads import Deployment

__all__ = ["FAULT_POINTS", "Anchorer", "fault_point"]

log = logging.getLogger("tanlian.anchorer")
IDLE_CHAIN_CHECK_SECONDS = 10.0
_ADVISORY_LOCK_KEY = 0x7A6E_6C69_616E  # "tanlian"-ish, fixed
FAULT_POINTS = ("after-pending-record", "after-broadcast")


def fault_point(name: str) -> None:
    """Crash tests only: SIGKILL this process at ``name`` when TANLIAN_FAULT says so."""
    if os.environ.get("TANLIAN_FAULT") == name:
        log.error("TANLIAN_FAULT=%s: killing this process (test-only fault hook)", name)
        os.kill(os.getpid(), signal.SIGKILL)


class Anchorer:
    def __init__(
        self,
        db: Database,
        tlog: TransparencyLog,
        chain: AnchorChain,
        deployment: Deployment,
        *,
        interval_seconds: float = 5.0,
        batch_size: int = 10_000,
    ) -> None:
        self.db = db
        self.tlog = tlog
        self.chain = chain
        self.deployment = deployment
        self.interval_seconds = interval_seconds
        self.batch_size = batch_size
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        self._leader_conn: Connection | None = None
        self._last_chain_check = 0.0

    # -- lifecycle ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="tanlian-anchorer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.release_leadership()

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        tick = min(self.interval_seconds, 0.5)
        while not self._stop.is_set():
            try:
                self.run_once()
                self.last_error = None
            except Exception as exc:  # the loop must survive a flaky chain or database
                error = f"{type(exc).__name__}: {exc}"
                # once per distinct failure (a devnet being restarted fails every tick until it is back)
                (log.debug if error == self.last_error else log.warning)("anchoring round failed: %s", error)
                self.last_error = error
            self._wake.wait(tick)
            self._wake.clear()

    # -- one round ---------------------------------------------------------------------------------------------
    def _anchors(self, session, *statuses: str) -> list[Anchor]:  # type: ignore[no-untyped-def]
        dep = self.deployment
        return list(
            session.execute(
                select(Anchor)
                .where(
                    Anchor.chain_id == dep.chain_id,
                    Anchor.contract_address == dep.contract_address,
                    Anchor.status.in_(statuses),
                )
                .order_by(Anchor.tree_size)
            ).scalars()
        )

    def _is_leader(self) -> bool:
        """SQLite: one process owns the file. PostgreSQL: hold a session advisory lock on a dedicated
        connection for as long as this process anchors; other processes skip their rounds."""
        if self.db.is_sqlite:
            return True
        if self._leader_conn is not None:
            try:  # the lock lives as long as the connection: make sure it still does
                self._leader_conn.execute(text("SELECT 1"))
                self._leader_conn.commit()
                return True
            except Exception:
                log.warning("lost the connection holding the anchoring lock; trying to take it again")
                self._leader_conn.invalidate()
                self.release_leadership()
        conn = self.db.engine.connect()
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _ADVISORY_LOCK_KEY}).scalar())
        conn.commit()
        if got:
            self._leader_conn = conn
            log.info("this process anchors: it holds the anchoring lock (pid %d)", os.getpid())
        else:
            conn.close()
        return got

    @property
    def is_leader(self) -> bool:
        """Whether this process currently holds the anchoring lock (always on SQLite)."""
        return self.db.is_sqlite or self._leader_conn is not None

    def release_leadership(self) -> None:
        if self._leader_conn is not None:
            self._leader_conn.close()
            self._leader_conn = None

    def _idle(self, session) -> bool:  # type: ignore[no-untyped-def]
        if self._anchors(session, "pending"):
            return False
        confirmed = self._anchors(session, "confirmed")
        return bool(confirmed) and confirmed[-1].tree_size == self.tlog.size(session)

    def run_once(self, *, force: bool = False) -> Anchor | None:
        """One anchoring round; returns the anchor confirmed in this round, if any."""
        dep = self.deployment
        # (1)
        if not self._is_leader():
            return None
        with self.db.transaction() as session:
            # (2) — an idle log (everything anchored, nothing pending) asks the chain only every
            # IDLE_CHAIN_CHECK_SECONDS, to notice a reset chain without an RPC call every tick
            if not force and self._idle(session):
                if time.monotonic() - self._last_chain_check < IDLE_CHAIN_CHECK_SECONDS:
                    return None
            self._last_chain_check = time.monotonic()
            chain_latest = self.chain.latest_tree_size(dep.contract_address)
            for anchor in self._anchors(session, "confirmed"):
                if anchor.tree_size > chain_latest:
                    log.warning(
                        "head %d is missing on chain %d; re-anchoring it", anchor.tree_size, dep.chain_id
                    )
                    anchor.status = "lost"
            # (3)
            pending = self._anchors(session, "pending")
            for anchor in pending:
                settled = self._settle(anchor, chain_latest)
                if settled is not None:
                    return settled if settled.status == "confirmed" else None
            # (4)
            target = self._next_target(session, chain_latest, force=force)
            if target is None:
                return None
            size, root = target
            proof = self.tlog.consistency_proof(session, chain_latest, size) if chain_latest else []
            # (5)
            prepared = self.chain.prepare_anchor(dep.contract_address, size, root, proof)
            anchor = self._record_pending(session, size, root.hex(), prepared.transaction_hash)
        fault_point("after-pending-record")
        self.chain.broadcast(prepared)
        fault_point("after-broadcast")
        return self._confirm(anchor.id, prepared.transaction_hash)

    def _settle(self, anchor: Anchor, chain_latest: int) -> Anchor | None:
        receipt = self.chain.get_receipt(anchor.transaction_hash) if anchor.transaction_hash else None
        if receipt is not None:
            on_chain_root, _ = self.chain.tree_head(anchor.contract_address, anchor.tree_size)
            if receipt["status"] == 1 and on_chain_root.hex() == anchor.root_hash:
                anchor.status = "confirmed"
                anchor.block_number = int(receipt["blockNumber"])
                anchor.confirmed_at = datetime.now(UTC)
                return anchor
            anchor.status = "failed"
            anchor.error = f"transaction {anchor.transaction_hash} reverted or the head differs on chain"
            return anchor
        if anchor.transaction_hash and self.chain.transaction_known(anchor.transaction_hash):
            return anchor  # still in the mempool: wait for a later round
        # never broadcast (crash before send) or dropped by a reset chain: forget it and anchor afresh
        anchor.status = "failed"
        anchor.error = "transaction never reached the chain"
        return None

    def _next_target(self, session, chain_latest: int, *, force: bool) -> tuple[int, bytes] | None:  # type: ignore[no-untyped-def]
        size = self.tlog.size(session)
        if size <= chain_latest:
            return None
        dep = self.deployment
        # heads anchored before on this or an earlier contract (of any chain) that this contract lacks
        history = session.execute(
            select(Anchor.tree_size)
            .where(Anchor.tree_size > chain_latest, Anchor.tree_size <= size)
            .where(Anchor.status.in_(("confirmed", "lost")))
            .where((Anchor.contract_address != dep.contract_address) | (Anchor.status == "lost"))
            .order_by(Anchor.tree_size)
            .limit(1)
        ).scalar_one_or_none()
        if history is not None:
            return int(history), self.tlog.root(session, int(history))
        if not force and size - chain_latest < self.batch_size:
            oldest = session.execute(
                select(LogEntry.created_at).where(LogEntry.leaf_index == chain_latest)
            ).scalar_one_or_none()
            if oldest is not None:
                created = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
                if (datetime.now(UTC) - created).total_seconds() < self.interval_seconds:
                    return None
        return size, self.tlog.root(session, size)

    def _record_pending(self, session, size: int, root_hex: str, tx_hash: str) -> Anchor:  # type: ignore[no-untyped-def]
        dep = self.deployment
        anchor = session.execute(
            select(Anchor).where(
                Anchor.chain_id == dep.chain_id,
                Anchor.contract_address == dep.contract_address,
                Anchor.tree_size == size,
            )
        ).scalar_one_or_none()
        if anchor is None:
            anchor = Anchor(
                chain_id=dep.chain_id,
                contract_address=dep.contract_address,
                tree_size=size,
                created_at=datetime.now(UTC),
            )
            session.add(anchor)
        anchor.root_hash = root_hex
        anchor.transaction_hash = tx_hash
        anchor.block_number = None
        anchor.status = "pending"
        anchor.error = None
        session.flush()
        return anchor

    def _confirm(self, anchor_id: int, tx_hash: str) -> Anchor | None:
        try:
            receipt = self.chain.wait_for_receipt(tx_hash)
        except ChainError as exc:
            log.warning("%s", exc.message)
            return None  # stays pending; the next round settles it
        with self.db.transaction() as session:
            anchor = session.get(Anchor, anchor_id)
            assert anchor is not None
            if receipt["status"] == 1:
                anchor.status = "confirmed"
                anchor.block_number = int(receipt["blockNumber"])
                anchor.confirmed_at = datetime.now(UTC)
            else:
                anchor.status = "failed"
                anchor.error = f"transaction {tx_hash} reverted"
            return anchor

    def wait_until_anchored(self, leaf_index: int, timeout: float = 30.0) -> Anchor:
        """Block until a confirmed head covers ``leaf_index`` (used by the embedded demo and tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.db.transaction() as session:
                for anchor in reversed(self._anchors(session, "confirmed")):
                    if anchor.tree_size > leaf_index:
                        return anchor
            self.wake()
            time.sleep(0.1)
        raise TimeoutError(
            f"leaf {leaf_index} not anchored within {timeout:.0f} s ({self.last_error or 'no error'})"
        )
