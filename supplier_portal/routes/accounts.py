"""Pages for accounts: language, sign-in and out, registration of an organisation, users, audit trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from node_service.credentials.errors import CredentialError
from node_service.credentials.vc import MAX_DOCUMENT_BYTES, load_document
from node_service.services.organisations.errors import NameHasControlCharacter
from supplier_portal import accounts
from supplier_portal.errors import FormInvalid, PortalError, SignInThrottled
from supplier_portal.i18n import LOCALES
from supplier_portal.security import MIN_PASSWORD_LENGTH, SESSION_COOKIE
from supplier_portal.web import Page, PagePost, PortalRoute, page

__all__ = ["router"]

router = APIRouter(route_class=PortalRoute, include_in_schema=False)
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
PageDep = Annotated[Page, Depends(page)]


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/portal/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/portal/"


@router.get("/")
def home(p: PageDep) -> Response:
    if p.actor is None:
        return p.render("welcome.html")
    return p.redirect("/portal/dashboard")


@router.get("/lang/{locale}")
def switch_language(p: PageDep, locale: str, next: str | None = None) -> Response:
    if locale in LOCALES:
        p.set_cookie("lang", locale, max_age=365 * 24 * 3600)
    return p.redirect(_safe_next(next))


@router.get("/login")
def login_form(p: PageDep, next: str | None = None) -> Response:
    return p.render("login.html", next=_safe_next(next), errors={}, values={})


@router.post("/login")
async def login(p: PagePost, request: Request) -> Response:
    form = await _form(request)
    client = request.client.host if request.client else None
    try:
        token = accounts.sign_in_throttled(
            p.node, form.get("username", "").strip(), form.get("password", ""), client
        )
    except SignInThrottled as exc:
        response = p.render(
            "login.html",
            status=exc.status,
            next=_safe_next(form.get("next")),
            errors={"password": p.error_text(exc)},
            values=form,
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if token is None:
        errors = {"password": p._("User name or password is wrong.")}
        return p.render(
            "login.html", status=401, next=_safe_next(form.get("next")), errors=errors, values=form
        )
    p.set_cookie(SESSION_COOKIE, token)
    return p.redirect(_safe_next(form.get("next")))


@router.post("/logout")
async def logout(p: PagePost) -> Response:
    if p.actor is not None:
        accounts.end_session(p.node, p.actor)
    p.set_cookie(SESSION_COOKIE, "", max_age=0)
    return p.redirect("/portal/")


@router.get("/register")
def register_form(p: PageDep) -> Response:
    return p.render("register.html", min_password=MIN_PASSWORD_LENGTH)


@router.post("/register")
async def register(p: PagePost, request: Request) -> Response:
    """JSON from the register page's script: the browser-signed registration and the admin's account."""
    if request.headers.get("content-type", "").startswith(FORMS):
        # a form's body was read for its CSRF field: it is no JSON document (and cannot be read again)
        raise FormInvalid(
            "The registration is not valid JSON: {detail}", field="registration", detail="a form was sent"
        )
    raw = await request.body()
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise FormInvalid("The registration is too large.", field="registration")
    try:
        body: dict[str, Any] = load_document(raw)
    except CredentialError as exc:
        raise FormInvalid(
            "The registration is not valid JSON: {detail}", field="registration", detail=str(exc)
        ) from exc
    registration = body.get("registration")
    if not isinstance(registration, dict):
        raise FormInvalid("The signed registration is missing; generate the key first.", field="key")
    try:
        registered, _ = accounts.register_with_admin(
            p.node, registration, str(body.get("username", "")).strip(), str(body.get("password", ""))
        )
    except PortalError:
        raise
    except NameHasControlCharacter as exc:
        # the node's rule (node_service.services.organisations.names), said in the user's language
        code = f"{exc.code_point:04X}"
        if exc.field and exc.field.endswith(".zh"):
            raise FormInvalid(
                "The Chinese name contains a control or text-direction character (U+{code}); remove it.",
                field="name",
                code=code,
            ) from exc
        raise FormInvalid(
            "The English name contains a control or text-direction character (U+{code}); remove it.",
            field="name",
            code=code,
        ) from exc
    token = accounts.sign_in(p.node, str(body.get("username", "")).strip(), str(body.get("password", "")))
    if token:
        p.set_cookie(SESSION_COOKIE, token)
    return p.json(
        {
            "did": registered.organisation.did,
            "apiToken": registered.api_token,
            "next": "/portal/dashboard",
        },
        status=201,
    )


@router.get("/users")
def users(p: PageDep) -> Response:
    actor = p.signed_in("admin")
    return p.render(
        "users.html", users=accounts.list_users(p.node, actor), roles=accounts.ROLES, errors={}, values={}
    )


@router.post("/users")
async def add_user(p: PagePost, request: Request) -> Response:
    actor = p.signed_in("admin")
    form = await _form(request)
    try:
        accounts.add_user(
            p.node, actor, form.get("username", "").strip(), form.get("password", ""), form.get("role", "")
        )
    except FormInvalid as exc:
        return p.render(
            "users.html",
            status=422,
            users=accounts.list_users(p.node, actor),
            roles=accounts.ROLES,
            errors={exc.field: p.error_text(exc)},
            values=form,
        )
    return p.redirect("/portal/users")


@router.get("/audit")
def audit_trail(p: PageDep) -> Response:
    actor = p.signed_in("admin")
    return p.render("audit.html", entries=accounts.list_audit(p.node, actor))


@router.get("/key")
def key_page(p: PageDep) -> Response:
    p.signed_in()
    return p.render("key.html")
