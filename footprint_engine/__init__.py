"""footprint_engine."""
