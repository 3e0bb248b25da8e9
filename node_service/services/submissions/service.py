"""Signed activity-data submissions: verify, attribute, validate, resolve, compute, store and log — all or
nothing. :func:`~node_service.services.submissions.checks.check_submission` does every check that can refuse a
credential; :func:`~node_service.services.submissions.store.store_submission` writes the checked credential with
its footprint and GEC claims; :func:`submit_credential` is both with the engine between.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from node_service.db.models import Footprint, Organisation, Submission
from node_service.errors import NotFound
from node_service.services.context import NodeResources
from node_service.services.footprints.documents import compute_footprint_document
from node_service.services.submissions.checks import Accepted, check_submission, submission_flags
from node_service.services.submissions.store import store_submission

__all__ = ["SubmissionView", "submission_of", "submit_credential"]


@dataclass(frozen=True)
class SubmissionView:
    """One stored submission as its submitter sees it (detached from the session)."""

    submission: Submission
    footprint_id: str
    flags: list[dict[str, Any]]


def submit_credential(node: NodeResources, credential: dict[str, Any]) -> Accepted:
    """Accept a signed activity-data credential: :func:`check_submission`, then the footprint engine
    (outside any transaction: it is pure and may take a while), then :func:`store_submission`."""
    checked = check_submission(node, credential)
    if isinstance(checked, Accepted):
        return checked
    footprint_id = str(uuid.uuid4())
    document = compute_footprint_document(
        node,
        checked.activity,
        footprint_id=footprint_id,
        submission_id=checked.credential_id,
        organisation=checked.organisation_did,
    )
    return store_submission(node, checked, footprint_id, document)


def submission_of(node: NodeResources, owner: Organisation, submission_id: str) -> SubmissionView:
    """A submission of ``owner``'s with its footprint's id and flags (NotFound for anyone else's)."""
    with node.db.transaction() as session:
        sub = session.get(Submission, submission_id)
        if sub is None or sub.organisation_id != owner.id:
            raise NotFound(f"no submission {submission_id} of yours", fix="check the credential id")
        fp = session.query(Footprint).filter(Footprint.submission_id == sub.id).one()
        return SubmissionView(sub, fp.id, submission_flags(session, sub.id))
