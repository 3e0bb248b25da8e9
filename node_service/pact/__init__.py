"""PACT Technical Specifications v3.0 (and v2.3) for buyers: OAuth2 clients, footprints, events.

The app includes ``pact_router`` (``app.include_router(pact_router)``); its lifespan starts the event
delivery worker. Settings: :class:`~node_service.pact.settings.PactSettings` (``TANLIAN_PACT_*``).
"""

from node_service.pact.routers import pact_router

__all__ = ["pact_router"]
