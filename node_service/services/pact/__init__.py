"""PACT Technical Specifications v3.0 (and v2.3) for buyers: the data behind the API.

``reads`` answers buyers' footprint lists and gets (the hot path), ``actions`` handles events (requests,
publication, delivery, recompute notices), ``management`` the organisation's OAuth2 clients and tokens.
Settings: :class:`~node_service.services.pact.settings.PactSettings` (``TANLIAN_PACT_*``).
HTTP: ``node_service.api.pact``.
"""
