"""The portal's exception root. Pages catch these and show the message next to the field it names.

Messages are English msgids of the portal's gettext catalogs, with ``{placeholders}`` filled from
``params`` after translation, so a Chinese browser sees a Chinese message.
"""

from __future__ import annotations

from typing import Any

from node_service.errors import NodeError

__all__ = ["CsrfFailed", "FormInvalid", "NotSignedIn", "PortalError", "RoleRequired"]


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
