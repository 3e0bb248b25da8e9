"""Msgids that templates translate from data (roles, statuses, check and action names).

Listed here so that catalog extraction finds them; tests/supplier_portal/test_units.py checks each is
translated.
"""

from __future__ import annotations

__all__ = ["DYNAMIC_MSGIDS"]


def N_(message: str) -> str:
    return message


DYNAMIC_MSGIDS = (
    # roles within an organisation
    N_("admin"),
    N_("data_entry"),
    N_("viewer"),
    # footprint request status
    N_("open"),
    N_("answered"),
    # data source of an input
    N_("primary"),
    N_("secondary"),
    # receipt checks (node_service.verification.verify_receipt and the portal's own)
    N_("check:shape"),
    N_("check:leaf"),
    N_("check:inclusion"),
    N_("check:content"),
    N_("check:cid"),
    N_("check:chain"),
    N_("check:chain-id"),
    N_("check:on-chain-head"),
    N_("check:transaction"),
    N_("check:time"),
    N_("check:exchange"),
    # audit trail actions
    N_("action:organisation.register"),
    N_("action:user.add"),
    N_("action:session.sign-in"),
    N_("action:session.sign-in-failed"),
    N_("action:session.sign-out"),
    N_("action:session.sign-in-throttled"),
    # supplier_portal.errors.SignInThrottled
    N_(
        "Too many failed sign-ins. Sign-in is locked until {until} (in {seconds} s); "
        "try again then — the right password is refused too until that time."
    ),
    N_("action:product.add"),
    N_("action:submission.submit"),
    N_("action:footprint.publish"),
    N_("action:request.create"),
)
