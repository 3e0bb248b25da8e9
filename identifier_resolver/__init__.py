"""identifier_resolver."""
