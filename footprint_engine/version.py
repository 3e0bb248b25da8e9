"""The engine's version: ``footprint_engine.__version__`` and ``engine.version`` in every result."""

__all__ = ["ENGINE_VERSION"]

ENGINE_VERSION = "0.1.0"
