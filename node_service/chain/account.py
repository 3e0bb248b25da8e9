"""The node's own chain account: a secp256k1 key kept in the data directory (mode 0600), never logged."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from node_service.errors import StartupError

__all__ = ["load_or_create_account"]


def load_or_create_account(path: Path) -> LocalAccount:
    """Load the anchoring key from ``path``; create it (0600, never overwritten) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key_hex = "0x" + secrets.token_hex(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        except OSError as exc:
            raise StartupError(
                f"cannot write the node's chain key {path}: {exc.strerror}",
                fix="make the data directory writable or set TANLIAN_DATA_DIR",
            ) from exc
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(key_hex + "\n")
    try:
        key_hex = path.read_text().strip()
        account: LocalAccount = Account.from_key(key_hex)
    except (OSError, ValueError) as exc:
        raise StartupError(
            f"cannot read the node's chain key {path}: {type(exc).__name__}",
            fix="restore the key file (a 32-byte hex secp256k1 key) or point TANLIAN_CHAIN_PRIVATE_KEY_FILE at one",
        ) from exc
    return account
