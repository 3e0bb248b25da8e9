"""The chain side of the node: the anvil devnet subprocess and the tree-head anchor contract client."""
