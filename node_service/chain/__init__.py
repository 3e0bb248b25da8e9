"""The chain side of the node: the anvil devnet subprocess and the tree-head anchor contract client.

The recursion limit. ``py_ecc`` (imported by ``eth_account`` → ``eth_keyfile`` for EIP-2335 BLS keystores, which
the node never uses) raises the interpreter's recursion limit to 100,000 when it is imported. With the limit that
high, CPython's C JSON parser recurses through deeply nested input until the C stack overflows (SIGSEGV) instead of
raising ``RecursionError``: one unauthenticated request of ``[`` × 100,000 killed the node (issue 16). This package
is the node's first import of the Ethereum libraries (every other module reaches them through it, or imports
web3 lazily after the node has started), so it imports ``py_ecc`` here, first, and puts the limit back right
after. ``tests/security/test_hostile_bodies.py`` checks that importing the app leaves the interpreter's default.
"""

import importlib as _importlib
import sys as _sys

_limit = _sys.getrecursionlimit()
_importlib.import_module("py_ecc")
_sys.setrecursionlimit(_limit)
