"""The portal's exception root. Pages catch these and show the message next to the field it names.

Messages are English msgids of the portal's gettext catalogs, with ``{placeholders}`` filled from
``params`` after translation, so a Chinese browser sees a Chinese message.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from node_service.errors import NodeError

__all__ = ["CsrfFailed", "FormInvalid", "NotSignedIn", "PortalError", "RoleRequired", "SignInThrottled"]


class PortalError(NodeError):
    """Root of the portal's errors; ``detail`` is a msgid and ``params`` fills its placeholders."""

    status = 400
    problem = "portal-error"
    title = "The portal could not do that"

    def __init__(self, msgid: str, /, *, field: str | None = None, fix: str | None = None, **params: Any):
        self.params = params
        super().__init__(msgid, fix=fix, field=field)

    @property
    def message(self) -> str:
        text = self.detail.format(**self.params) if self.params else self.detail
        return f"{text} — {self.fix}" if self.fix else text


class FormInvalid(PortalError):
    status = 422
    problem = "form-invalid"
    title = "The form is not valid"


class NotSignedIn(PortalError):
    status = 401
    problem = "not-signed-in"
    title = "Sign in first"


class RoleRequired(PortalError):
    status = 403
    problem = "role-required"
    title = "Your role does not allow this"


class CsrfFailed(PortalError):
    status = 403
    problem = "csrf-failed"
    title = "The form expired"


class SignInThrottled(PortalError):
    """Too many failed sign-ins for the account name or from the client address (supplier_portal.sign_in_throttle);
    ``until`` is when the next attempt will be looked at."""

    status = 429
    problem = "sign-in-throttled"
    title = "Too many failed sign-ins"

    def __init__(self, until: datetime, now: datetime) -> None:
        self.until = until
        self.retry_after = max(1, math.ceil((until - now).total_seconds()))
        super().__init__(
            "Too many failed sign-ins. Sign-in is locked until {until} (in {seconds} s); "
            "try again then — the right password is refused too until that time.",
            field="password",
            until=until.strftime("%H:%M:%S UTC"),
            seconds=self.retry_after,
        )
