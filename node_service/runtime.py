"""The running node: database, chain (devnet or external), deployment, transparency log and anchorer.

``Node.start()`` is the whole start-up sequence; each step fails with a StartupError naming what to do:
  (1) the data directory is writable;
  (2) the database is reachable and migrated to head, and holds the built-in factor library (a changed factor is
      a new version, with recompute notices for the footprints that used the old one);
  (3) the chain: an anvil devnet subprocess (state in the data directory) unless TANLIAN_CHAIN_RPC is set;
  (4) the node's chain account (generated in the data directory on first start; funded on a devnet);
  (5) the anchor contract: deployed on first start and remembered per chain id (with the history of every
      contract deployed); redeployed only when the contract at the recorded address is gone, is another
      program, or holds heads that are not this log's (never because of the genesis hash) — the anchorer then
      re-anchors the heads from the database;
  (6) the anchorer thread.

A *worker* node (``TANLIAN_NODE_ROLE=worker``, one per extra process of ``tanlian serve --workers N``) does
(1), connects to the database its primary migrated, to the primary's chain (``TANLIAN_CHAIN_RPC``) and reads
the contract the primary deployed; it starts no devnet and no anchorer: the primary's anchorer reads new log
entries from the database on its own tick (every 0.5 s at most).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from identifier_resolver import Resolver
from node_service.chain.account import load_or_create_account
from node_service.chain.anchor_contract import AnchorChain
from node_service.chain.anchorer import Anchorer
from node_service.chain.devnet import Devnet
from node_service.db import Database, create_database, upgrade_to_head
from node_service.db.checkpoint import WalCheckpointer
from node_service.db.models import Anchor, ChainDeployment, ChainDeploymentRecord
from node_service.errors import StartupError
from node_service.evidence import MAX_EVIDENCE_SIZE, EvidenceStore, KuboEvidenceStore, LocalEvidenceStore
from node_service.log.append import TransparencyLog
from node_service.log.heads import Deployment
from node_service.log.tree_store import configure_subtree_cache
from node_service.services.factors.builtin_sync import sync_builtin
from node_service.services.factors.reference_tables import sync_reference_tables
from node_service.services.organisations.resolution import make_resolver
from node_service.services.submissions.group_commit import GroupCommit
from node_service.settings import Settings

__all__ = ["Node"]

log = logging.getLogger("tanlian.node")
WRITE_PROBE_SECONDS = 2.0


def _check_writable(path: Path) -> None:
    """The data directory, created 0700 (it holds the database with the portal's CSRF secret, keys and evidence);
    an existing one loses any group and other permissions."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if path.stat().st_mode & 0o077:
            log.info("data directory %s: group and other permissions removed (now 0700)", path)
            path.chmod(0o700)
        probe = path / ".write-probe"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        raise StartupError(
            f"data directory {path} is not writable: {exc.strerror}",
            fix="set TANLIAN_DATA_DIR to a writable directory",
        ) from exc


class PrimaryAnchors:
    """A worker process's stand-in for the anchorer: anchoring is the primary process's job, and its anchorer
    finds new entries in the shared database on its next tick, so there is nothing to wake or stop here."""

    last_error: str | None = None

    def wake(self) -> None:
        """Nothing to do in this process (see the class docstring)."""

    def stop(self) -> None:
        """Nothing runs in this process."""


@dataclass
class Node:
    settings: Settings
    db: Database = field(init=False)
    evidence: EvidenceStore = field(init=False)
    evidence_max_size: int = field(init=False, default=MAX_EVIDENCE_SIZE)
    tlog: TransparencyLog = field(init=False)
    chain: AnchorChain = field(init=False)
    deployment: Deployment = field(init=False)
    anchorer: Anchorer | PrimaryAnchors = field(init=False)
    devnet: Devnet | None = field(init=False, default=None)
    checkpointer: WalCheckpointer | None = field(init=False, default=None)
    resolver: Resolver = field(init=False)  # identifiers cited by submissions (handle records, upstreams)
    submission_group: GroupCommit[Any] = field(init=False, default_factory=GroupCommit)
    _write_probe: tuple[float, str | None] = field(init=False, default=(-1e9, None), repr=False)

    def __post_init__(self) -> None:
        # made with the node (routers are built over it before it starts); reads the database once started
        self.resolver = make_resolver(self.settings, lambda: self.db)

    started: bool = field(init=False, default=False)

    @property
    def local_devnet_rpc(self) -> str | None:
        """The loopback URL of the node's own anvil devnet (the primary's, in a worker), else None: an
        external RPC URL may embed credentials and is not shown to clients."""
        if self.devnet is not None:
            return self.devnet.rpc_url
        if self.is_worker and self.settings.chain_rpc_is_local_devnet:
            return self.settings.chain_rpc
        return None

    @property
    def is_worker(self) -> bool:
        return self.settings.node_role == "worker"

    def start(self) -> Node:
        s = self.settings
        # (1)
        _check_writable(s.resolved_data_dir)
        self.evidence = self._evidence_store()
        # (2) the primary migrates; its workers open the database it migrated
        self.db = create_database(s.sqlalchemy_url)
        if not self.is_worker:
            upgrade_to_head(self.db.engine)
            sync_builtin(self.db)  # the built-in factor library, recorded with its versions
            sync_reference_tables(self.db)  # and the engine's reference tables, the same way
        configure_subtree_cache(self.db.engine, s.log_tile_cache_mib << 20)
        self.tlog = TransparencyLog(self.db.writer_lock_file)
        try:
            if self.is_worker:
                self._attach_to_primary()
            else:
                self._start_chain_and_anchorer()
        except BaseException:
            self._stop_chain()
            self.tlog.lock.close()
            self.db.dispose()
            raise
        self.started = True
        return self

    def _chain_account_file(self) -> Path:
        return self.settings.chain_private_key_file or (self.settings.keys_dir / "chain-account.key")

    def _start_chain_and_anchorer(self) -> None:
        s = self.settings
        # (3)
        rpc = s.chain_rpc
        if rpc is None:
            self.devnet = Devnet(s.anvil_executable(), s.devnet_dir, on_restart=self._on_devnet_restart)
            rpc = self.devnet.start()
        # (4)
        account = load_or_create_account(self._chain_account_file())
        self.chain = AnchorChain(rpc, account, confirmations=s.chain_confirmations)
        self.chain.check_reachable()
        if self.devnet is not None:
            self.chain.fund_on_devnet()
        # (5)
        self.deployment = self._ensure_deployment()
        # (6)
        self.anchorer = Anchorer(
            self.db,
            self.tlog,
            self.chain,
            self.deployment,
            interval_seconds=s.anchor_interval_seconds,
            batch_size=s.anchor_batch_size,
        )
        self.anchorer.start()
        if self.db.is_sqlite:
            self.checkpointer = WalCheckpointer(self.db.engine)
            self.checkpointer.start()

    def _attach_to_primary(self) -> None:
        """A worker: the primary's chain (TANLIAN_CHAIN_RPC) and the contract it recorded; no anchorer."""
        rpc = self.settings.chain_rpc
        if rpc is None:
            raise StartupError(
                "a worker node needs its primary's chain: TANLIAN_CHAIN_RPC is not set",
                fix="start workers with `tanlian serve --workers N`, which sets it",
            )
        self.chain = AnchorChain(rpc, load_or_create_account(self._chain_account_file()), confirmations=1)
        self.chain.check_reachable()
        with self.db.transaction() as session:
            known = session.get(ChainDeployment, self.chain.chain_id)
            if known is None:
                raise StartupError(
                    f"no anchor contract is recorded for chain {self.chain.chain_id}",
                    fix="start the primary node first (`tanlian serve` deploys it)",
                )
            self.deployment = Deployment(known.chain_id, known.contract_address)
        self.anchorer = PrimaryAnchors()

    def _evidence_store(self) -> EvidenceStore:
        """TANLIAN_EVIDENCE_BACKEND: ``local`` (DATA_DIR/evidence) or ``kubo`` (TANLIAN_KUBO_API_URL)."""
        if self.settings.evidence_backend == "kubo":
            return KuboEvidenceStore(self.settings.kubo_api_url)
        return LocalEvidenceStore(self.settings.evidence_dir)

    def _ensure_deployment(self) -> Deployment:
        """(5) Keep the recorded contract unless the chain at its address is not this log's witness any more;
        the decision reads the contract's code and heads there, never the genesis hash (anvil may rebuild
        block 0 from its state file with a new hash after a crash while keeping every contract)."""
        chain_id = self.chain.chain_id
        genesis = self.chain.genesis_hash()
        reason: str | None = None
        with self.db.transaction() as session:
            known = session.get(ChainDeployment, chain_id)
            if known is not None:
                reason = self._not_our_contract(session, known.contract_address)
                if reason is None:
                    if known.genesis_hash != genesis:
                        log.info(
                            "chain %d reports a new genesis hash %s; the anchor contract %s and its heads are "
                            "intact, so it is kept",
                            chain_id,
                            genesis,
                            known.contract_address,
                        )
                        known.genesis_hash = genesis
                    return Deployment(chain_id, known.contract_address)
                log.warning("chain %d was reset: %s; deploying a new anchor contract", chain_id, reason)
        sent, address = self.chain.deploy()
        now = datetime.now(UTC)
        with self.db.transaction() as session:
            # a reset devnet may give the new contract the old address: its heads there are gone
            session.execute(
                update(Anchor)
                .where(Anchor.chain_id == chain_id, Anchor.contract_address == address)
                .where(Anchor.status.in_(("confirmed", "pending")))
                .values(status="lost", error="the chain lost this head (reset)")
            )
            session.execute(
                update(ChainDeploymentRecord)
                .where(ChainDeploymentRecord.chain_id == chain_id, ChainDeploymentRecord.retired_at.is_(None))
                .values(retired_at=now, retired_reason=reason)
            )
            row = session.get(ChainDeployment, chain_id) or ChainDeployment(chain_id=chain_id)
            row.contract_address = address
            row.genesis_hash = genesis
            row.transaction_hash = sent.transaction_hash
            row.block_number = sent.block_number or 0
            row.artifact_sha256 = str(self.chain.artifact.get("sourceSha256", ""))
            row.created_at = now
            session.merge(row)
            session.add(
                ChainDeploymentRecord(
                    chain_id=chain_id,
                    contract_address=address,
                    genesis_hash=genesis,
                    transaction_hash=sent.transaction_hash,
                    block_number=sent.block_number or 0,
                    deployed_at=now,
                )
            )
        log.info("anchor contract deployed at %s on chain %d", address, chain_id)
        return Deployment(chain_id, address)

    def _not_our_contract(self, session: Session, address: str) -> str | None:
        """Why the contract at ``address`` cannot go on witnessing this log, or None when it can:
        (a) its code is the TreeHeadAnchor artifact's; (b) the node's account may anchor there; (c) its latest
        head is a head of this log (no larger than the log, the same root). A contract holding fewer heads
        than the database (a chain restored from an older dump) is kept: the anchorer re-anchors the rest."""
        # (a)
        if not self.chain.runs_anchor_code(address):
            return f"the code at {address} is not the anchor contract (none, or another program)"
        # (b)
        if not self.chain.may_anchor(address):
            return f"the node's account {self.chain.account.address} may not anchor at {address}"
        # (c)
        latest = self.chain.latest_tree_size(address)
        if latest == 0:
            return None
        size = self.tlog.size(session)
        if latest > size:
            return f"the contract at {address} holds tree size {latest}, beyond this log's size {size}"
        on_chain, _ = self.chain.tree_head(address, latest)
        if on_chain != self.tlog.root(session, latest):
            return f"the contract's head {latest} at {address} is not this log's root at that size"
        return None

    def _on_devnet_restart(self) -> None:
        """The supervisor restarted anvil from its state file: fund the account again and check the
        contract (a state dump older than the deployment loses it), then let the anchorer catch up."""
        if not self.started:
            return  # during start-up, the start sequence itself fails or goes on
        self.chain.fund_on_devnet()
        deployment = self._ensure_deployment()
        self.deployment = deployment
        if isinstance(self.anchorer, Anchorer):
            self.anchorer.deployment = deployment
        self.anchorer.wake()

    def _stop_chain(self) -> None:
        if self.devnet is not None:
            self.devnet.stop()
            self.devnet = None

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        self.anchorer.stop()
        if self.checkpointer is not None:
            self.checkpointer.stop()
        self._stop_chain()
        self.resolver.close()
        self.tlog.lock.close()
        self.db.dispose()

    def _write_problem(self) -> str | None:
        """Database.write_problem(), asked at most every WRITE_PROBE_SECONDS (readiness probes are frequent)."""
        now = time.monotonic()
        if now - self._write_probe[0] >= WRITE_PROBE_SECONDS:
            self._write_probe = (now, self.db.write_problem())
        return self._write_probe[1]

    def _devnet_state(self) -> dict[str, object]:
        if self.devnet is None:
            return {}
        state: dict[str, object] = {"devnetRestarts": self.devnet.restarts}
        if self.devnet.last_exit:
            state["devnetLastExit"] = self.devnet.last_exit
        return state

    def readiness(self) -> dict[str, dict[str, object]]:
        """Each dependency and whether it answers now (for GET /readyz)."""
        checks: dict[str, dict[str, object]] = {}
        try:
            self.db.ping()
            checks["database"] = {"ok": True, "dialect": self.db.engine.dialect.name}
            unwritable = self._write_problem()
            if unwritable is not None:
                checks["database"] = {
                    **checks["database"],
                    "ok": False,
                    "error": f"not writable: {unwritable}",
                }
        except Exception as exc:
            checks["database"] = {"ok": False, "error": type(exc).__name__}
        try:
            has_code = self.chain.has_code(self.deployment.contract_address)
            checks["chain"] = {
                "ok": has_code,
                "chainId": self.deployment.chain_id,
                "contract": self.deployment.contract_address,
                **({} if has_code else {"error": "anchor contract missing on chain"}),
                **({"anchorerError": self.anchorer.last_error} if self.anchorer.last_error else {}),
                **self._devnet_state(),
            }
        except Exception as exc:
            checks["chain"] = {"ok": False, "error": type(exc).__name__}
        evidence = self.settings.evidence_dir
        try:
            evidence.mkdir(parents=True, exist_ok=True)
            checks["evidenceStore"] = {
                "ok": os.access(evidence, os.W_OK),
                "backend": self.settings.evidence_backend,
            }
        except OSError as exc:
            checks["evidenceStore"] = {"ok": False, "error": exc.strerror}
        return checks
