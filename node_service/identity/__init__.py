"""Who signs and what they name: organisations' key lifecycle (add, rotate, retire, revoke), their IDIS
prefixes, the node's handle records (a database-backed ``HandleRecordStore``), the resolver wiring and
the routers that expose them.

Modules: :mod:`.keys`, :mod:`.handles`, :mod:`.resolution`, :mod:`.routers`, :mod:`.models`, :mod:`.errors`.
Nothing is imported here, so that services can use :mod:`.keys` without pulling in the routers.
"""
