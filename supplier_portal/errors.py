"""The portal's exception root. Pages catch these and show the message next to the field it names.

Messages are English msgids of the portal's gettext catalogs, with ``{placeholders}`` filled from
``params`` after translation, so a Chinese browser sees a Chinese message; a parameter that is itself a message
(:class:`Msg`) is translated too. Node errors, which carry English, are worded from their problem type
(supplier_portal.check_view.node_error_text).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from identifier_resolver import IdentifierError
from node_service.errors import NodeError
from supplier_portal.problem_texts import IDENTIFIER_RULES

__all__ = [
    "CsrfFailed",
    "FormInvalid",
    "IdentifierInvalid",
    "Msg",
    "NotSignedIn",
    "PortalError",
    "RoleRequired",
    "SignInThrottled",
]


@dataclass(frozen=True)
class Msg:
    """A message inside a message: a msgid and its parameters, translated when the outer one is."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, _: Callable[..., str]) -> str:
        return _(self.msgid, **{k: v.text(_) if isinstance(v, Msg) else v for k, v in self.params.items()})

    def __str__(self) -> str:  # English, for logs and the message property
        return self.text(lambda m, **p: m.format(**p) if p else m)


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
        text = str(Msg(self.detail, self.params))
        return f"{text} — {self.fix}" if self.fix else text

    def text(self, _: Callable[..., str]) -> str:
        """The message in the language of ``_`` (a page's translate function)."""
        return Msg(self.detail, self.params).text(_)


class FormInvalid(PortalError):
    status = 422
    problem = "form-invalid"
    title = "The form is not valid"


class IdentifierInvalid(FormInvalid):
    """An identifier typed into a form breaks its syntax: the reason in the user's language, from the rule
    (supplier_portal.problem_texts.IDENTIFIER_RULES), with the check characters got and wanted."""

    def __init__(self, value: str, error: IdentifierError, *, field: str) -> None:
        self.rule = error.rule
        got, want = getattr(error, "got", None), getattr(error, "want", None)
        texts = IDENTIFIER_RULES.get(error.rule, IDENTIFIER_RULES["unrecognised"])
        reason = (
            Msg(texts[0], {"got": got, "want": want})
            if got is not None and want is not None
            else Msg(texts[-1])
        )
        super().__init__(
            "“{value}” is not a valid identifier: {reason}", field=field, value=value, reason=reason
        )


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
