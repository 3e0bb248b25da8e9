"""The PACT API: ``/auth/token``, ``/{2,3}/footprints``, ``/{2,3}/events`` and ``/pact/…`` management routes,
and the read fast path the app installs in front of them."""
