"""Signed activity-data submissions, in three steps: ``checks`` (everything that can refuse a credential,
nothing written), ``store`` (rows and log entries in one transaction, through ``group_commit``) and ``service``
(the façade: checks, the footprint engine, store)."""

from node_service.services.submissions.checks import (
    ACTIVITY_TYPE,
    Accepted,
    Checked,
    activity_problem,
    check_submission,
    submission_flags,
)
from node_service.services.submissions.service import SubmissionView, submission_of, submit_credential
from node_service.services.submissions.store import store_submission

__all__ = [
    "ACTIVITY_TYPE",
    "Accepted",
    "Checked",
    "SubmissionView",
    "activity_problem",
    "check_submission",
    "store_submission",
    "submission_flags",
    "submission_of",
    "submit_credential",
]
