"""Verification that needs no trust in the node: receipts against SHA-256 and any Ethereum client."""

from node_service.verification.receipt import Check, ReceiptError, verify_receipt

__all__ = ["Check", "ReceiptError", "verify_receipt"]
