"""node_service."""
