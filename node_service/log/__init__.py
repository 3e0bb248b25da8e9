"""The transparency log in the database: appending entries (``append``), the tree's storage in nodes and
tiles (``tree_store``) and its anchored heads and consistency proofs (``heads``)."""
