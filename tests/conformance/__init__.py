"""WBCSD's PACT conformance service run against a tanlian node (or any PACT host).

* ``service``: the service's cached install (tarball → ``npm ci`` → build) and one server-mode instance on a
  fresh PostgreSQL database;
* ``local_node``: a tanlian node served over HTTPS in a subprocess, seeded with what the suite needs;
* ``results``: the service's per-test results, parsed;
* ``run``: the whole run, for pytest and for operators (``python -m tests.conformance.run --help``).
"""
