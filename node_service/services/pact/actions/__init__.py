"""PACT events and what they set off: requests received, publication, delivery, recompute notices."""
