"""Operator tools that read the node's own database: the log audit against the chain and the store check.
(Checks that need no trust in the node live in ``node_service.verification``.)"""
