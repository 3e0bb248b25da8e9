"""CBAM in the node: an exporter's installations (stored, versioned, logged) and emissions communications.

The calculation is ``footprint_engine.cbam``; this package adds storage, access control, precursors taken
from suppliers' footprints on the exchange, receipts, and the ``/cbam`` API (``node_service.cbam.router``).
Modules: ``models`` (tables), ``document`` (the accepted JSON, pure), ``service`` (database logic),
``router`` (HTTP).
"""

from __future__ import annotations

__all__: list[str] = []
