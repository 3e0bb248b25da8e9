"""meter_gateway: the edge agent a factory runs next to its meters (a skeleton; built in the metering issues).

What it will do:

- read the meters over the protocols factories have: Modbus TCP, OPC UA, MQTT and DL/T 645 (China's
  electricity meter protocol);
- sign each batch of readings with the gateway's own ``did:key`` (Ed25519, eddsa-jcs-2022) through
  :mod:`node_service.credentials`, the node's pure signing code, so a node verifies gateway batches exactly as
  it verifies any other credential;
- keep the signed batches in a local store-and-forward queue and send them to the node when it is reachable,
  so a network outage loses no reading.

What it will not have: a database, an HTTP server, Brightway or web3. An edge install is
``pip install 'tanlian[gateway]'`` (pyproject.toml), which leaves the node's server, database, chain and
footprint engine out. import-linter's "meter_gateway" contract (pyproject.toml) lets this package import
``node_service.credentials`` and nothing else of the node; tests/architecture/test_packaging.py checks that
importing it pulls in none of the node's heavy packages.
"""
