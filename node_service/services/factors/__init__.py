"""The node's factor library: every version of every factor (the built-in library synced at start, organisations'
imported factors), what each footprint used, recompute notices, search and publication (docs/factors.md).

Modules: ``models`` (tables), ``versions`` (recording a version), ``builtin_sync``, ``library`` (an
organisation's library and the visibility rule), ``uses``, ``notices``, ``table_import``, ``service`` (what the
api and the CLI call), ``resolve`` (which factor an account rule gives), ``views`` (factor JSON), ``reference_tables`` (the engine's
reference tables, versioned the same way).
"""
