"""The portal's request plumbing: locale, signed-in user, CSRF, cookies, templates and error pages.

Every portal route runs through :class:`PortalRoute`, which turns the portal's and the node's errors into
pages (or a redirect to sign-in) instead of the API's problem+json. Forms show errors next to their field.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.background import BackgroundTask

from node_service.api.limits import BodyRefused, BodyTooDeep
from node_service.db.models import Organisation
from node_service.errors import NodeError
from node_service.runtime import Node
from supplier_portal.accounts import Actor, csrf_secret, session_actor
from supplier_portal.check_view import node_error_text
from supplier_portal.errors import CsrfFailed, NotSignedIn, PortalError
from supplier_portal.i18n import HTML_LANG, LOCALES, negotiate, translations
from supplier_portal.security import CSRF_COOKIE, SESSION_COOKIE, csrf_token, csrf_valid

__all__ = ["CsrfPage", "Page", "PagePost", "PortalRoute", "body_refusal", "page"]

log = logging.getLogger("tanlian.portal")
TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_FORM_FIELD_BYTES = 1024 * 1024
# the activity grid sends a field per cell (a page of 200 rows is ~5,000 fields; the body limit,
# TANLIAN_MAX_BODY_BYTES, bounds any form). Starlette keeps the first parse of a form, so this one, made for the
# CSRF field, is the one every route gets: its default of 1,000 fields cut grids of more than ~45 rows (400).
MAX_FORM_FIELDS = 700_000


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _number
    env.filters["tojson_safe"] = lambda v: Markup(  # noqa: S704 - escaped for a <script> JSON block
        json.dumps(v, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return env


def _number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{number:,.{digits}f}"


@dataclass
class Page:
    """What a portal request knows: node, locale, the signed-in user (if any), CSRF and cookies to set."""

    request: Request
    node: Node
    locale: str
    actor: Actor | None
    csrf_cookie: str
    new_csrf_cookie: bool
    cookies: list[tuple[str, str, int | None]] = field(default_factory=list)

    # --- translation ---------------------------------------------------------------------------------
    def _(self, message: str, **params: Any) -> str:
        text = translations(self.locale).gettext(message)
        return text.format(**params) if params else text

    def error_text(self, error: PortalError | NodeError) -> str:
        if isinstance(error, PortalError):
            return error.text(self._)
        return node_error_text(
            self._, error
        )  # the node's own messages are English: worded from the problem type

    # --- security --------------------------------------------------------------------------------------
    @property
    def secure(self) -> bool:
        return self.request.url.scheme == "https"

    @property
    def csrf(self) -> str:
        return csrf_token(
            csrf_secret(self.node), self.csrf_cookie, self.actor.session_hash if self.actor else None
        )

    def signed_in(self, *roles: str) -> Actor:
        if self.actor is None:
            raise NotSignedIn("Sign in first.")
        if roles:
            self.actor.require(*roles)
        return self.actor

    def organisation(self) -> Organisation:
        """The signed-in user's organisation, detached from its session (for the node's services)."""
        actor = self.signed_in()
        with self.node.db.transaction() as session:
            org = session.get(Organisation, actor.organisation_id)
            assert org is not None, f"organisation {actor.organisation_id} of a session is gone"
            session.expunge(org)
        return org

    def set_cookie(self, name: str, value: str, max_age: int | None = None) -> None:
        self.cookies.append((name, value, max_age))

    def _apply(self, response: Response) -> Response:
        if self.new_csrf_cookie:
            self.cookies.insert(0, (CSRF_COOKIE, self.csrf_cookie, None))
        for name, value, max_age in self.cookies:
            response.set_cookie(
                name,
                value,
                max_age=max_age,
                path="/portal",
                httponly=True,
                samesite="lax",
                secure=self.secure,
            )
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        )
        return response

    # --- responses -------------------------------------------------------------------------------------
    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        html = (
            _environment()
            .get_template(template)
            .render(
                _=self._,
                page=self,
                lang=self.locale,
                html_lang=HTML_LANG[self.locale],
                locales=LOCALES,
                actor=self.actor,
                csrf=self.csrf,
                base="/portal",
                **context,
            )
        )
        return self._apply(HTMLResponse(html, status_code=status))

    def redirect(self, url: str) -> Response:
        return self._apply(RedirectResponse(url, status_code=303))

    def json(self, body: Any, status: int = 200) -> Response:
        return self._apply(JSONResponse(body, status_code=status))

    def file(self, data: bytes, filename: str, media_type: str) -> Response:
        return self.attach(Response(data, media_type=media_type), filename)

    def attach(self, response: Response, filename: str) -> Response:
        """``response`` as a download named ``filename`` (RFC 6266 with RFC 8187 UTF-8 encoding)."""
        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
        return self._apply(response)

    def temporary_file(self, path: Path, filename: str, media_type: str) -> Response:
        """Send a file on disk and delete it once sent."""
        response = FileResponse(
            path,
            media_type=media_type,
            filename=filename,
            background=BackgroundTask(path.unlink, missing_ok=True),
        )
        return self._apply(response)


def _page(request: Request) -> Page:
    node: Node = request.app.state.node
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = not cookie or len(cookie) > 100
    return Page(
        request=request,
        node=node,
        locale=negotiate(request.cookies.get("lang"), request.headers.get("accept-language")),
        actor=session_actor(node, request.cookies.get(SESSION_COOKIE)),
        csrf_cookie=secrets.token_urlsafe(32) if fresh else str(cookie),
        new_csrf_cookie=fresh,
    )


async def _checked_page(request: Request) -> Page:
    """A page for a POST: the CSRF token (form field csrf_token or header X-CSRF-Token) must be valid."""
    the_page = _page(request)
    presented = request.headers.get("x-csrf-token")
    if presented is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form(max_part_size=MAX_FORM_FIELD_BYTES, max_fields=MAX_FORM_FIELDS)
        value = form.get("csrf_token")
        presented = value if isinstance(value, str) else None
    session_hash = the_page.actor.session_hash if the_page.actor else None
    if the_page.new_csrf_cookie or not csrf_valid(
        csrf_secret(the_page.node), the_page.csrf_cookie, session_hash, presented
    ):
        raise CsrfFailed("The form expired or came from another site. Reload the page and try again.")
    return the_page


async def body_refusal(request: Request, refused: BodyRefused) -> Response:
    """A request body the node refused before reading it (node_service.api.limits: too large, or JSON nested too
    deeply), answered like the portal's other errors and in the user's language: JSON to the pages' scripts,
    else the error page."""
    the_page = _page(request)
    if isinstance(refused, BodyTooDeep):
        text = the_page._("The document is nested too deeply: at most {limit} levels.", limit=refused.limit)
    else:
        text = the_page._(
            "The request is too large: at most {size} MiB.", size=f"{refused.limit / 2**20:.4g}"
        )
    if "application/json" in request.headers.get("accept", "") or request.headers.get("x-csrf-token"):
        return the_page.json(
            {"error": text, "field": None, "problem": refused.problem}, status=refused.status
        )
    return the_page.render("error.html", status=refused.status, message=text, problem=refused.problem)


page = _page
PagePost = Annotated[Page, Depends(_checked_page)]
CsrfPage = PagePost


class PortalRoute(APIRoute):
    """Portal errors become pages: sign-in redirects, role and CSRF refusals, node errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def portal_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except NotSignedIn:
                target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
                return RedirectResponse(f"/portal/login?next={target}", status_code=303)
            except NodeError as exc:
                wants_json = "application/json" in request.headers.get("accept", "") or (
                    request.headers.get("x-csrf-token") is not None
                )
                the_page = _page(request)
                text = the_page.error_text(exc)
                log.info("portal %s %s: %s %s", request.method, request.url.path, exc.status, exc.problem)
                if wants_json:
                    return the_page.json(
                        {"error": text, "field": exc.field, "problem": exc.problem}, status=exc.status
                    )
                return the_page.render("error.html", status=exc.status, message=text, problem=exc.problem)

        return portal_handler
