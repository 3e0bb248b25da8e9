"""Two `tanlian serve` processes on one PostgreSQL and one chain: exactly one anchors (advisory lock); when it
dies (kill -9), the other takes over and nothing is lost or anchored twice."""

from __future__ import annotations

import time

from node_service.chain.account import load_or_create_account
from node_service.chain.devnet import Devnet
from node_service.settings import Settings
from tests.node_service.chain.support import assert_reconciled, register_org, serve

LEADER_LINE = "this process anchors"


def test_exactly_one_process_anchors(postgres_url, tmp_path):
    key = tmp_path / "chain-account.key"
    load_or_create_account(key)
    with Devnet(Settings().anvil_executable()) as rpc:
        shared = {
            "TANLIAN_DATABASE_URL": postgres_url,
            "TANLIAN_CHAIN_RPC": rpc,
            "TANLIAN_CHAIN_PRIVATE_KEY_FILE": str(key),
        }
        # the devnet here was not started by a node: fund the shared account as a devnet operator would
        from web3 import Web3

        account = load_or_create_account(key)
        Web3(Web3.HTTPProvider(rpc)).provider.make_request("anvil_setBalance", [account.address, hex(10**21)])
        first = serve(tmp_path / "a", **shared)
        second = serve(tmp_path / "b", **shared)
        try:
            with first.client() as a, second.client() as b:
                for i in range(6):
                    register_org(a if i % 2 else b, f"org {i}")
                assert_reconciled(a, rpc)
                time.sleep(1)  # several anchorer rounds of both processes
                leaders = [n for n in (first, second) if LEADER_LINE in n.log_text()]
                assert len(leaders) == 1, [n.log_text()[-2000:] for n in (first, second)]
                leader = leaders[0]
                follower = second if leader is first else first
                leader.kill9()  # its database session ends and with it the advisory lock
                with follower.client() as c:
                    for i in range(3):
                        register_org(c, f"after {i}")
                    assert_reconciled(c, rpc)
                assert LEADER_LINE in follower.log_text()
        finally:
            first.stop()
            second.stop()
