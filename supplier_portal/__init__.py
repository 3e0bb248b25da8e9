"""supplier_portal: the bilingual (zh-CN / en) web UI of the exchange, mounted by the node at ``/portal``.

Server-rendered pages (Jinja2) over node_service's service layer; the organisation's Ed25519 key is made,
kept (IndexedDB, non-extractable) and used (eddsa-jcs-2022) in the browser, so the server never sees it.

The node finds it through the ``tanlian.plugins`` entry point (pyproject.toml), which names :func:`mount`;
node_service never imports this package.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from node_service.api.limits import answer_refusals
from supplier_portal.routes.accounts import router as _accounts
from supplier_portal.routes.audit import router as _audit
from supplier_portal.routes.cbam import router as _cbam
from supplier_portal.routes.evidence import router as _evidence
from supplier_portal.routes.exchange import router as _exchange
from supplier_portal.web import body_refusal

__all__ = ["mount", "portal_router"]

portal_router = APIRouter(include_in_schema=False)
portal_router.include_router(_accounts)
portal_router.include_router(_exchange)
portal_router.include_router(_evidence)
portal_router.include_router(_cbam)
portal_router.include_router(_audit)


def mount(app: FastAPI) -> None:
    """The plug-in hook: serve the portal under ``/portal``, and answer the node's refusals of request bodies
    there as portal pages in the user's language (node_service.api.limits)."""
    app.include_router(portal_router, prefix="/portal")
    answer_refusals(app, "/portal", body_refusal)
