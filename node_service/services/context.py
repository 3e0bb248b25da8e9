"""What a service may use of the running node, declared here so that services never import the runtime.

``node_service.runtime.Node`` provides every member (mypy checks it wherever a Node is passed to a service);
a test or another composition may pass any object that does. Services that need one thing take that thing
(a session, the log, settings); the façades that need several take ``NodeResources``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from identifier_resolver import Resolver
    from node_service.chain.anchor_contract import AnchorChain
    from node_service.db import Database
    from node_service.evidence import EvidenceStore
    from node_service.log.append import TransparencyLog
    from node_service.log.heads import Deployment
    from node_service.services.submissions.group_commit import GroupCommit
    from node_service.settings import Settings

__all__ = ["AnchorWaker", "NodeResources"]


class AnchorWaker(Protocol):
    def wake(self) -> None:
        """Anchor soon: new entries were appended."""


class NodeResources(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def db(self) -> Database: ...
    @property
    def tlog(self) -> TransparencyLog: ...
    @property
    def evidence(self) -> EvidenceStore: ...
    @property
    def evidence_max_size(self) -> int: ...
    @property
    def chain(self) -> AnchorChain: ...
    @property
    def deployment(self) -> Deployment: ...
    @property
    def anchorer(self) -> AnchorWaker: ...
    @property
    def resolver(self) -> Resolver:
        """The node's one identifier resolver (database-backed store, upstreams and cache)."""

    @property
    def submission_group(self) -> GroupCommit:
        """The node's group-commit queue for submissions."""
