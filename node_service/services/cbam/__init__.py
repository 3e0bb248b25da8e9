"""CBAM in the node: an exporter's installations (stored, versioned, logged) and emissions communications.

The calculation is ``footprint_engine.cbam``; this room adds storage, access control, precursors taken from
suppliers' footprints on the exchange and receipts. Modules: ``models`` (tables), ``document`` (the accepted
JSON, pure), ``service`` (database logic). HTTP: ``node_service.api.cbam``.
"""
