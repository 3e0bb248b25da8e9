"""The PACT API: ``/auth/token`` and the OpenID configuration (``auth``), ``/{2,3}/footprints``, ``/{2,3}/events``
and receipts (``actions``), the owner's ``/pact/…`` management routes (``management``), and the read fast path
the app installs in front of them (``fastpath``). ``router`` includes the three in that order."""

from fastapi import APIRouter

from node_service.api.pact import actions, auth, management

__all__ = ["router"]

router = APIRouter()
router.include_router(auth.router)
router.include_router(actions.router)
# tagged "pact" as well, as when the management routes were part of the PACT router (the OpenAPI document)
router.include_router(management.router, tags=["pact"])
