"""supplier_portal."""
