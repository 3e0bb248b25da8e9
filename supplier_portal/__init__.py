"""supplier_portal: the bilingual (zh-CN / en) web UI of the exchange, mounted by the node at ``/portal``.

Server-rendered pages (Jinja2) over node_service's service layer; the organisation's Ed25519 key is made,
kept (IndexedDB, non-extractable) and used (eddsa-jcs-2022) in the browser, so the server never sees it.

Mount with ``app.include_router(portal_router, prefix="/portal")``.
"""

from __future__ import annotations

from fastapi import APIRouter

from supplier_portal.routes_accounts import router as _accounts
from supplier_portal.routes_audit import router as _audit
from supplier_portal.routes_cbam import router as _cbam
from supplier_portal.routes_evidence import router as _evidence
from supplier_portal.routes_exchange import router as _exchange

__all__ = ["portal_router"]

portal_router = APIRouter(include_in_schema=False)
portal_router.include_router(_accounts)
portal_router.include_router(_exchange)
portal_router.include_router(_evidence)
portal_router.include_router(_cbam)
portal_router.include_router(_audit)
