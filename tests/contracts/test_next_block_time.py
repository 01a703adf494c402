"""The dry run before every transaction sees the block the transaction will be mined in.

Issue 15: a bid sent after the bidding deadline but before anyone settled was dry-run against the
last mined block (whose time was before the deadline), passed, was sent, reverted and cost gas,
and was shown as `TransactionReverted(): the transaction reverted without a reason`. Here the
next block's time is moved past the deadline without mining (what the wall clock does between
commands) and the bid must be refused by the contract's own custom error with nothing sent; a
transaction that does revert after being mined shows its hash and its decoded custom error.
Both backends: the embedded py-evm chain and anvil.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from saiaas.contracts import Auction, Chain, ContractError, Factory, decode_cid

ETHER = 10**18


def _cid(tag: str, kind: int = 0) -> str:
    return decode_cid(hashlib.sha256(tag.encode()).digest(), kind)


def _embedded_next_time(chain: Chain) -> Callable[[int], None]:
    def set_next(timestamp: int) -> None:
        backend = chain.w3.provider.ethereum_tester.backend  # type: ignore[attr-defined]
        backend.chain.header = backend.chain.header.copy(timestamp=timestamp)

    return set_next


def _node_next_time(chain: Chain) -> Callable[[int], None]:
    def set_next(timestamp: int) -> None:
        chain.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])  # type: ignore[arg-type]

    return set_next


@pytest.fixture(params=["embedded", pytest.param("anvil", marks=pytest.mark.anvil)])
def backend(request: pytest.FixtureRequest) -> Iterator[tuple[Chain, Callable[[int], None]]]:
    if request.param == "embedded":
        chain = Chain.embedded()
        yield chain, _embedded_next_time(chain)
        return
    chain = Chain.connect(request.getfixturevalue("anvil_url"))  # one anvil per module
    yield chain, _node_next_time(chain)


def _auction(chain: Chain) -> tuple[Auction, list[str]]:
    owner, client, *providers = chain.accounts
    factory = Factory.deploy(chain, owner, _cid("ontology"))
    auction, _tx = factory.create_auction(
        client, requirements_cid=_cid("requirements", 1), max_prices=(ETHER // 10,) * 3,
        reserve=ETHER, bidding_seconds=3600, delivery_seconds=7200, acknowledgment_seconds=1800,
    )
    return auction, providers


def test_a_bid_after_the_deadline_is_refused_by_name_and_nothing_is_sent(backend: Any) -> None:
    chain, set_next_time = backend
    auction, providers = _auction(chain)
    deadline = auction.info().bidding_deadline
    assert chain.now() < deadline  # the last block is still inside the bidding window
    set_next_time(deadline + 5)  # ... but the next one will not be
    nonce = chain.w3.eth.get_transaction_count(providers[0])
    balance = chain.balance(providers[0])
    with pytest.raises(ContractError) as refused:
        auction.bid(providers[0], 0, ETHER // 20, _cid("asset"))
    assert refused.value.name == "BiddingClosed"
    assert refused.value.sent is False and refused.value.tx_hash is None
    assert str(refused.value).startswith("BiddingClosed: bidding on this auction ended at")
    assert str(refused.value).endswith("nothing sent")
    assert chain.w3.eth.get_transaction_count(providers[0]) == nonce
    assert chain.balance(providers[0]) == balance
    assert auction.bids(0) == []


def test_a_bid_just_before_the_deadline_still_goes_through(backend: Any) -> None:
    chain, set_next_time = backend
    auction, providers = _auction(chain)
    deadline = auction.info().bidding_deadline
    set_next_time(deadline - 1)
    result = auction.bid(providers[0], 0, ETHER // 20, _cid("asset"))
    assert result.gas_used > 0


def test_a_transaction_that_reverts_once_mined_shows_its_hash_and_custom_error(
        backend: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The dry run passes, then the deadline passes before the block is mined (a slow signer, a
    busy node): the receipt's status is 0, and the error names the contract's reason."""
    chain, set_next_time = backend
    auction, providers = _auction(chain)
    deadline = auction.info().bidding_deadline
    gas_cap = chain._gas_cap

    def late(*args: Any) -> int:  # runs between the dry run and the send
        set_next_time(deadline + 5)
        return gas_cap(*args)

    monkeypatch.setattr(chain, "_gas_cap", late)
    nonce = chain.w3.eth.get_transaction_count(providers[0])
    with pytest.raises(ContractError) as reverted:
        auction.bid(providers[0], 0, ETHER // 20, _cid("asset"))
    error = reverted.value
    assert error.name == "BiddingClosed", str(error)
    assert error.sent is True and error.tx_hash is not None
    receipt = chain.w3.eth.get_transaction_receipt(error.tx_hash)  # type: ignore[arg-type]
    assert receipt["status"] == 0
    assert chain.w3.eth.get_transaction_count(providers[0]) == nonce + 1
    assert f"transaction {error.tx_hash} was mined and reverted" in str(error)
    assert "without a reason" not in str(error)
