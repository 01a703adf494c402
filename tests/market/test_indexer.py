"""The chain index: paging through a node that caps eth_getLogs, the span shrinking and growing
back, resuming after a crash at the last committed block, reorganisations, unknown logs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from saiaas.benchmarks.serve import CappedProxy, populate
from saiaas.contracts import Chain, Factory
from saiaas.market.indexer import Index, RangeRefused
from saiaas.ontologies import example_path, ontology_bytes
from saiaas.storage import cid_of

REQUEST_CID = cid_of(example_path("hospital-request.ttl").read_bytes())


# ------------------------------------------------------------------ without a node


class FakeNode:
    """A node with one raw log (of an event kind no decoder knows) per block, refusing spans
    over `cap` blocks while `capped`."""

    def __init__(self, head: int, address: str, cap: int):
        self._head, self.address, self.cap, self.capped = head, address, cap, True
        self.spans: list[tuple[int, bool]] = []

    def head(self) -> int:
        return self._head

    def logs(self, start: int, end: int, addresses: Sequence[str]) -> list[dict[str, Any]]:
        refused = self.capped and end - start + 1 > self.cap
        self.spans.append((end - start + 1, refused))
        if refused:
            raise RangeRefused(f"query exceeds max block range {self.cap}")
        if self.address not in addresses:
            return []
        return [{"block": n, "log_index": 0, "tx_hash": f"0x{n:064x}", "block_hash": "0x",
                 "address": self.address, "topics": ["0x" + "ab" * 32], "data": "0x01"}
                for n in range(start, end + 1)]

    def blocks(self, numbers: Sequence[int]) -> dict[int, tuple[str, int]]:
        return {n: (f"0x{n:064x}", 1_700_000_000 + n) for n in numbers}

    def receipts(self, hashes: Sequence[str]) -> dict[str, tuple[int, int, str]]:
        return {h: (21_000, 1, "0x" + "00" * 20) for h in hashes}


def test_span_shrinks_on_refusal_and_grows_back_and_unknown_logs_stay_raw(tmp_path: Path) -> None:
    chain = Chain.embedded()
    factory = chain.accounts[5]  # any address: the fake node answers for it
    node = FakeNode(head=3_000, address=factory, cap=100)
    index = Index(tmp_path / "i.sqlite", first_span=1_000, confirmations=0)
    report = index.sync(chain, factory, node=node, max_pages=10, start_block=0)
    assert report.refused_pages >= 3 and all(s <= 100 for s, refused in node.spans if not refused)
    shrunk = index.span
    assert shrunk <= 100
    node.capped = False  # the provider lifts its cap: the span grows back
    report = index.sync(chain, factory, node=node, start_block=0)
    assert report.last_block == 3_000 and index.span > shrunk
    events = index.events(factory)
    assert len(events) == 3_001 and events[0]["event"] is None and events[0]["data"] == "0x01"
    index.close()


# ------------------------------------------------------------------ on anvil


@pytest.fixture
def market_chain(anvil_url: str) -> Any:
    chain = Chain.connect(anvil_url)
    snapshot = chain.snapshot()
    factory = Factory.deploy(chain, chain.accounts[0], cid_of(ontology_bytes()))
    yield chain, factory
    chain.revert(snapshot)


def _fresh(path: Path, chain: Chain, factory: Factory) -> list[tuple[Any, ...]]:
    with Index(path) as index:
        index.sync(chain, factory.address)
        return index.fingerprint()


@pytest.mark.anvil
def test_paged_sync_through_a_capped_node_equals_one_read(
    market_chain: Any, anvil_url: str, tmp_path: Path
) -> None:
    chain, factory = market_chain
    populate(anvil_url, factory.address, REQUEST_CID, auctions=6, bids=4)
    chain.w3.provider.make_request("anvil_mine", [hex(1_500)])
    populate(anvil_url, factory.address, REQUEST_CID, auctions=2, bids=3)
    with CappedProxy(anvil_url, cap=100) as proxy:
        capped = Chain.connect(proxy.url)
        with Index(tmp_path / "capped.sqlite") as index:
            report = index.sync(capped, factory.address)
            assert proxy.refused >= 1 and report.refused_pages >= 1
            assert report.behind == 0 and index.span < 2 * proxy.cap  # shrunk from 2,000
            auctions = index.auctions()
            assert len(auctions) == 8
            assert sum(a["bid_count"] for a in auctions) == 6 * 4 + 2 * 3
            assert all(int(a["terms"]["max_prices_wei"]["data"]) > 0 for a in auctions)
            assert {a["state"] for a in auctions} == {"BIDDING"}
            capped_rows = index.fingerprint()
    assert capped_rows == _fresh(tmp_path / "plain.sqlite", chain, factory)


@pytest.mark.anvil
def test_a_crash_mid_sync_resumes_at_the_last_committed_block(
    market_chain: Any, anvil_url: str, tmp_path: Path
) -> None:
    chain, factory = market_chain
    populate(anvil_url, factory.address, REQUEST_CID, auctions=3, bids=3)
    chain.w3.provider.make_request("anvil_mine", [hex(400)])
    populate(anvil_url, factory.address, REQUEST_CID, auctions=3, bids=3)
    committed: list[int] = []

    def crash_on_third(start: int, end: int) -> None:
        committed.append(end)
        if len(committed) == 3:
            raise KeyboardInterrupt  # the process dies between two pages

    path = tmp_path / "i.sqlite"
    index = Index(path, first_span=50, confirmations=4)
    with pytest.raises(KeyboardInterrupt):
        index.sync(chain, factory.address, on_page=crash_on_third)
    index.close()
    with Index(path, first_span=50, confirmations=4) as resumed:
        assert resumed.last_block == committed[-1]
        report = resumed.sync(chain, factory.address)
        assert report.from_block > 1  # resumed, not started over
        assert resumed.fingerprint() == _fresh(tmp_path / "plain.sqlite", chain, factory)


@pytest.mark.anvil
def test_a_reorganisation_drops_what_vanished(
    market_chain: Any, anvil_url: str, tmp_path: Path
) -> None:
    chain, factory = market_chain
    populate(anvil_url, factory.address, REQUEST_CID, auctions=2, bids=2)
    fork = chain.snapshot()
    populate(anvil_url, factory.address, REQUEST_CID, auctions=2, bids=3)  # will vanish
    chain.w3.provider.make_request("anvil_mine", [hex(30)])
    path = tmp_path / "i.sqlite"
    with Index(path, confirmations=4) as index:
        index.sync(chain, factory.address)
        assert len(index.auctions()) == 4
        before_head = index.last_block
    chain.revert(fork)  # the other branch: fewer auctions, more blocks
    populate(anvil_url, factory.address, REQUEST_CID, auctions=1, bids=1)
    chain.w3.provider.make_request("anvil_mine", [hex(60)])
    assert int(chain.w3.eth.block_number) > before_head
    with Index(path, confirmations=4) as index:
        report = index.sync(chain, factory.address)
        assert report.rewound_to is not None and report.rewound_to < before_head - 4
        assert len(index.auctions()) == 3
        assert index.fingerprint() == _fresh(tmp_path / "plain.sqlite", chain, factory)
