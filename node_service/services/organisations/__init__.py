"""Who signs and what they name: registration and API tokens, organisations' key lifecycle (add, rotate,
retire, revoke), their IDIS prefixes, the node's handle records (a database-backed ``HandleRecordStore``)
and the resolver wiring.

Modules: :mod:`.registration`, :mod:`.keys`, :mod:`.handles`, :mod:`.resolution`, :mod:`.models`,
:mod:`.errors`. HTTP: ``node_service.api.identity`` and ``node_service.api.exchange``.
"""
