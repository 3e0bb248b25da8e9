"""Client of the TreeHeadAnchor contract: deploy, read the views, send EIP-1559 anchor transactions."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractLogicError, TransactionNotFound

from contracts import load_artifact
from node_service.errors import NodeError, StartupError

__all__ = ["AnchorChain", "ChainError", "PreparedTransaction", "SentTransaction"]


class ChainError(NodeError):
    problem = "chain-error"
    title = "Chain call failed"


@dataclass(frozen=True)
class PreparedTransaction:
    transaction_hash: str
    raw: bytes


@dataclass(frozen=True)
class SentTransaction:
    transaction_hash: str
    block_number: int | None = None
    status: int | None = None
    gas_used: int | None = None


class AnchorChain:
    """One JSON-RPC endpoint and the node's account on it."""

    def __init__(self, rpc_url: str, account: LocalAccount, *, confirmations: int = 1, timeout: float = 30.0):
        self.rpc_url = rpc_url
        self.account = account
        self.confirmations = confirmations
        self.timeout = timeout
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        self.artifact = load_artifact("TreeHeadAnchor")

    # -- chain facts -------------------------------------------------------------------------------------------
    def check_reachable(self) -> int:
        try:
            return int(self.w3.eth.chain_id)
        except Exception as exc:
            raise StartupError(
                f"Ethereum JSON-RPC unreachable at {self.rpc_url}: {type(exc).__name__}",
                fix="start the chain or set TANLIAN_CHAIN_RPC to a reachable endpoint (unset it for a devnet)",
            ) from exc

    @property
    def chain_id(self) -> int:
        return int(self.w3.eth.chain_id)

    def genesis_hash(self) -> str:
        return HexBytes(self.w3.eth.get_block(0)["hash"]).to_0x_hex()

    def has_code(self, address: str) -> bool:
        return len(self.w3.eth.get_code(Web3.to_checksum_address(address))) > 0

    def runs_anchor_code(self, address: str) -> bool:
        """Whether the code at ``address`` is exactly the TreeHeadAnchor artifact's deployed bytecode."""
        code = HexBytes(self.w3.eth.get_code(Web3.to_checksum_address(address)))
        return len(code) > 0 and code == HexBytes(str(self.artifact["deployedBytecode"]))

    def may_anchor(self, address: str) -> bool:
        """Whether the node's account holds ANCHORER_ROLE in the contract at ``address``."""
        contract = self.contract(address)
        role = contract.functions.ANCHORER_ROLE().call()
        return bool(contract.functions.hasRole(role, self.account.address).call())

    def fund_on_devnet(self, wei: int = 10**21) -> None:
        """anvil only: give the node's account ether so it can anchor."""
        self.w3.provider.make_request("anvil_setBalance", [self.account.address, hex(wei)])  # type: ignore[arg-type]

    def contract(self, address: str) -> Any:
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=self.artifact["abi"])

    # -- views -------------------------------------------------------------------------------------------------
    def tree_head(self, address: str, tree_size: int) -> tuple[bytes, int]:
        root, anchored_at = self.contract(address).functions.treeHead(tree_size).call()
        return bytes(root), int(anchored_at)

    def latest_tree_size(self, address: str) -> int:
        return int(self.contract(address).functions.latestTreeSize().call())

    # -- transactions ------------------------------------------------------------------------------------------
    def _fees(self) -> dict[str, int]:
        base = int(self.w3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
        tip = int(self.w3.to_wei(1, "gwei"))
        return {"maxPriorityFeePerGas": tip, "maxFeePerGas": 2 * base + tip}

    def _sign(self, tx: dict[str, Any]) -> PreparedTransaction:
        tx = {
            **tx,
            "from": self.account.address,
            "chainId": self.chain_id,
            "nonce": self.w3.eth.get_transaction_count(self.account.address, "pending"),
            "type": 2,
            **self._fees(),
        }
        if "gas" not in tx:
            tx["gas"] = int(self.w3.eth.estimate_gas(tx) * 1.2) + 10_000  # type: ignore[arg-type]
        signed = self.account.sign_transaction(tx)
        return PreparedTransaction(HexBytes(signed.hash).to_0x_hex(), bytes(signed.raw_transaction))

    def broadcast(self, prepared: PreparedTransaction) -> str:
        try:
            sent = HexBytes(self.w3.eth.send_raw_transaction(prepared.raw)).to_0x_hex()
        except Exception as exc:
            raise ChainError(
                f"sending transaction {prepared.transaction_hash} failed: {exc}",
                fix="the anchorer retries on its next round",
            ) from exc
        return sent

    def deploy(self) -> tuple[SentTransaction, str]:
        factory = self.w3.eth.contract(abi=self.artifact["abi"], bytecode=self.artifact["bytecode"])
        tx = factory.constructor().build_transaction({"from": self.account.address})
        tx_hash = self.broadcast(self._sign({"data": tx["data"]}))
        receipt = self.wait_for_receipt(tx_hash)
        if receipt["status"] != 1:
            raise ChainError(
                f"contract deployment {tx_hash} reverted", fix="check the chain and the artifact"
            )
        sent = SentTransaction(tx_hash, int(receipt["blockNumber"]), 1, int(receipt["gasUsed"]))
        return sent, str(receipt["contractAddress"])

    def prepare_anchor(
        self, address: str, tree_size: int, root: bytes, proof: list[bytes]
    ) -> PreparedTransaction:
        """Sign (not send) an anchorTreeHead transaction; its hash is known before it is broadcast."""
        fn = self.contract(address).functions.anchorTreeHead(tree_size, root, proof)
        try:
            data = fn.build_transaction({"from": self.account.address})["data"]
            gas = fn.estimate_gas({"from": self.account.address})
        except ContractLogicError as exc:
            raise ChainError(
                f"the contract refuses tree head {tree_size}: {exc}",
                fix="run `tanlian log audit` to compare the database with the chain",
            ) from exc
        return self._sign(
            {"to": Web3.to_checksum_address(address), "data": data, "gas": int(gas * 1.2) + 10_000}
        )

    def get_receipt(self, tx_hash: str) -> dict[str, Any] | None:
        try:
            return dict(self.w3.eth.get_transaction_receipt(HexBytes(tx_hash)))
        except TransactionNotFound:
            return None

    def transaction_known(self, tx_hash: str) -> bool:
        try:
            self.w3.eth.get_transaction(HexBytes(tx_hash))
        except TransactionNotFound:
            return False
        return True

    def wait_for_receipt(self, tx_hash: str, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the receipt and then for ``confirmations`` blocks (counting the one it is in)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            receipt = self.get_receipt(tx_hash)
            if receipt is not None and receipt.get("blockNumber") is not None:
                depth = int(self.w3.eth.block_number) - int(receipt["blockNumber"]) + 1
                if depth >= self.confirmations:
                    return receipt
            time.sleep(0.05)
        raise ChainError(
            f"transaction {tx_hash} not confirmed within {timeout or self.timeout:.0f} s",
            fix="the anchorer retries on its next round; check the chain's block production",
        )
