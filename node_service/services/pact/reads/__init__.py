"""Footprint reads for PACT: filters, pages, prepared statements and the rendered-document cache."""
