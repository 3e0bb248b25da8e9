#!/bin/sh
# Evidence is private: this Kubo node neither announces what it stores nor looks content up on the public
# network, and its gateway and RPC API stay inside the compose network.
set -e
ipfs config Routing.Type none
ipfs config Addresses.Gateway /ip4/127.0.0.1/tcp/8080
ipfs config Addresses.API /ip4/0.0.0.0/tcp/5001
