"""The chain layer against a real node: the same rules, errors and gas as on the embedded chain.

Everything here runs through `Chain.connect(url)` against the anvil binary the fixture starts, and
the gas and revert tests run the very same calls on `Chain.embedded()` beside it, so a difference
between py-evm and a real node (or between the two error paths of the layer) shows up as a diff.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from multiformats import CID, multihash
from saiaas.contracts import (
    Auction,
    AuctionState,
    Category,
    Chain,
    ContractError,
    Factory,
)
from saiaas.ontologies.errors import SaiaasError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "contracts"))
import _attacks  # noqa: E402  (issue 10's attacks, shared with the py-evm tests)

pytestmark = pytest.mark.anvil

D, A, INF = Category.DATA, Category.ALGORITHM, Category.INFRASTRUCTURE
MAX_PRICES = (3 * 10**17, 4 * 10**17, 5 * 10**17)
RESERVE = sum(MAX_PRICES) + 10**17
HOUR = 3600
NOTICE = 600  # Auction.NOTICE: an early close takes effect this long after it is announced
BONDS = (10**16, 10**16, 2 * 10**16)


def cid(tag: str) -> str:
    return str(CID("base32", 1, "raw", multihash.digest(tag.encode(), "sha2-256")))


@pytest.fixture(scope="module")
def anvil_chain(anvil_url: str) -> Chain:
    return Chain.connect(anvil_url)


@pytest.fixture(scope="module")
def embedded_chain() -> Chain:
    return Chain.embedded()


@pytest.fixture(scope="module")
def anvil_factory(anvil_chain: Chain) -> Factory:
    return Factory.deploy(anvil_chain, anvil_chain.accounts[0], cid("ontology-v1"))


@pytest.fixture
def chain(anvil_chain: Chain, anvil_factory: Factory) -> Iterator[Chain]:
    """The anvil chain, rolled back after each test (the factory stays deployed)."""
    snap = anvil_chain.snapshot()
    yield anvil_chain
    anvil_chain.revert(snap)


@pytest.fixture
def factory(chain: Chain, anvil_factory: Factory) -> Factory:
    return anvil_factory


def parties(chain: Chain) -> dict[str, Any]:
    acc = chain.accounts
    return {
        "deployer": acc[0],
        "client": acc[1],
        "first": {D: acc[2], A: acc[3], INF: acc[4]},
        "second": {D: acc[5], A: acc[6], INF: acc[7]},
        "outsider": acc[8],
    }


def create(factory: Factory, client: str, **overrides: Any) -> Auction:
    terms: dict[str, Any] = {
        "requirements_cid": cid("requirements"),
        "max_prices": MAX_PRICES,
        "reserve": RESERVE,
        "bidding_seconds": HOUR,
        "delivery_seconds": 2 * HOUR,
        "acknowledgment_seconds": HOUR,
        "min_references": 0,
    }
    terms.update(overrides)
    auction, _tx = factory.create_auction(client, **terms)
    return auction


def close_early(chain: Chain, auction: Auction, client: str, anyone: str) -> Any:
    """The client announces an early close, the notice runs out, anyone settles (the SLA)."""
    auction.adjudicate(client)
    chain.advance_time(NOTICE)
    return auction.settle(anyone)


def paper_scenario(chain: Chain, factory: Factory | None = None) -> list[tuple[str, int]]:
    """The paper's scenario plus our restitution steps, as (operation, gas from receipt)."""
    p = parties(chain)
    gas: list[tuple[str, int]] = []
    if factory is None:
        factory = Factory.deploy(chain, p["deployer"], cid("ontology-v1"))
        gas.append(("factory deployment", factory.deploy_receipt.gas_used))
    auction, tx = factory.create_auction(
        p["client"],
        requirements_cid=cid("requirements"),
        max_prices=MAX_PRICES,
        reserve=RESERVE,
        bidding_seconds=HOUR,
        delivery_seconds=2 * HOUR,
        acknowledgment_seconds=HOUR,
        bonds=BONDS,
    )
    gas.append(("auction creation", tx.gas_used))
    for c in (D, A, INF):  # one provider per category bids first
        tx = auction.bid(p["first"][c], c, MAX_PRICES[c] - 10, cid(f"asset-first-{c}"))
        gas.append((f"first bid {c.name}", tx.gas_used))
    for c in (D, A, INF):  # the other three outbid them
        tx = auction.bid(p["second"][c], c, MAX_PRICES[c] - 20, cid(f"asset-second-{c}"))
        gas.append((f"outbid {c.name}", tx.gas_used))
    for c in (D, A, INF):  # the first three bid again, lower, and win
        tx = auction.bid(p["first"][c], c, MAX_PRICES[c] - 30, cid(f"asset-first-{c}"))
        gas.append((f"modify bid {c.name}", tx.gas_used))
    chain.advance_time(HOUR)
    tx = auction.settle(p["outsider"])
    gas.append(("adjudication", tx.gas_used))
    tx = auction.deliver(p["first"][INF], cid("model"))
    gas.append(("deliver", tx.gas_used))
    tx = auction.acknowledge(p["client"])
    gas.append(("acknowledge", tx.gas_used))
    for c in (D, A, INF):
        tx = auction.withdraw(p["first"][c])
        gas.append((f"withdraw {c.name}", tx.gas_used))
    tx = auction.withdraw(p["client"])
    gas.append(("withdraw client", tx.gas_used))
    for c in (D, A, INF):
        tx = auction.withdraw(p["second"][c])
        gas.append((f"bond back {c.name}", tx.gas_used))
    return gas


# ---------------------------------------------------------------------------------------------
# Gas: a real node and the embedded chain agree, operation by operation
# ---------------------------------------------------------------------------------------------


def test_gas_of_paper_scenario_equals_embedded(anvil_url: str, embedded_chain: Chain) -> None:
    # A fresh connection and a fresh factory, so both chains start from the same kind of state.
    real = Chain.connect(anvil_url)
    snap = real.snapshot()
    try:
        on_anvil = paper_scenario(real)
    finally:
        real.revert(snap)
    esnap = embedded_chain.snapshot()
    try:
        on_embedded = paper_scenario(embedded_chain)
    finally:
        embedded_chain.revert(esnap)
    assert [op for op, _ in on_anvil] == [op for op, _ in on_embedded]
    diffs = [(op, a, e) for (op, a), (_, e) in zip(on_anvil, on_embedded, strict=True) if a != e]
    assert not diffs, f"gas differs (operation, anvil, embedded): {diffs}"
    assert all(g > 21_000 for _, g in on_anvil)


# ---------------------------------------------------------------------------------------------
# The whole lifecycle on anvil
# ---------------------------------------------------------------------------------------------


def test_lifecycle_pays_everyone_and_empties_the_escrow(chain: Chain, factory: Factory) -> None:
    p = parties(chain)
    assert factory.ontology_cid() == cid("ontology-v1")
    before = chain.balance(p["client"])
    auction = create(factory, p["client"])
    assert factory.is_auction(auction.address)
    assert not factory.is_auction(p["outsider"])
    assert auction.address in [e.auction for e in factory.auctions()]
    assert chain.balance(auction.address) == RESERVE
    assert chain.balance(p["client"]) < before - RESERVE + 1  # reserve escrowed, gas paid

    info = auction.info()
    assert info.client == p["client"]
    assert info.requirements_cid == cid("requirements")
    assert info.ontology_cid == cid("ontology-v1")
    assert tuple(info.max_prices) == MAX_PRICES
    assert info.reserve == RESERVE
    assert auction.state() == AuctionState.BIDDING
    assert 0 < auction.time_left() <= HOUR

    for c in (D, A, INF):
        auction.bid(p["first"][c], c, MAX_PRICES[c] - 10, cid(f"asset-first-{c}"))
        auction.bid(p["second"][c], c, MAX_PRICES[c] - 20, cid(f"asset-second-{c}"))
    # The data bid of `second` is not a semantic match: the client disqualifies it.
    auction.disqualify(p["client"], D, p["second"][D], cid("matcher-report"))
    best = auction.best_bid(D)
    assert best is not None and best.bidder == p["first"][D]
    assert best.price == MAX_PRICES[D] - 10
    assert best.asset_cid == cid(f"asset-first-{D}")
    assert {b.bidder for b in auction.bids(D)} == {p["first"][D], p["second"][D]}

    close_early(chain, auction, p["client"], p["outsider"])
    assert auction.state() == AuctionState.ADJUDICATED
    sla = auction.sla()
    assert sla is not None
    prices = {D: MAX_PRICES[D] - 10, A: MAX_PRICES[A] - 20, INF: MAX_PRICES[INF] - 20}
    winners = {D: p["first"][D], A: p["second"][A], INF: p["second"][INF]}

    auction.deliver(winners[INF], cid("model"))
    assert auction.state() == AuctionState.DELIVERED
    assert auction.owed(winners[INF]) == 0  # nothing payable before the client acknowledges
    auction.acknowledge(p["client"])
    assert auction.state() == AuctionState.COMPLETED

    for c in (D, A, INF):
        assert auction.owed(winners[c]) == prices[c]
    refund = RESERVE - sum(prices.values())
    assert auction.owed(p["client"]) == refund
    for who in [*winners.values(), p["client"]]:
        owed = auction.owed(who)
        balance = chain.balance(who)
        tx = auction.withdraw(who)
        assert auction.owed(who) == 0
        fee = tx.gas_used * chain.w3.eth.get_transaction_receipt(tx.tx_hash)["effectiveGasPrice"]
        assert chain.balance(who) == balance + owed - fee  # exactly what was owed, minus gas
    assert chain.balance(auction.address) == 0
    names = [type(e).__name__ for e in auction.events()]
    assert names, "the auction's events decode on a real node"


def test_deadline_by_time_jump_settles_automatically(chain: Chain, factory: Factory) -> None:
    p = parties(chain)
    auction = create(factory, p["client"])
    for c in (D, A, INF):
        auction.bid(p["first"][c], c, MAX_PRICES[c], cid(f"asset-{c}"))
    with pytest.raises(ContractError):
        auction.settle(p["outsider"])  # not before the deadline
    t0 = chain.now()
    chain.advance_time(HOUR + 60)
    assert chain.now() >= t0 + HOUR + 60
    assert auction.time_left() == 0
    with pytest.raises(ContractError):
        auction.bid(p["second"][D], D, 1, cid("late"))
    auction.settle(p["outsider"])  # anyone may settle after the deadline
    assert auction.state() == AuctionState.ADJUDICATED
    # Nothing delivered within the delivery window: the client cancels and recovers the reserve.
    chain.advance_time(2 * HOUR + 60)
    with pytest.raises(ContractError):
        auction.deliver(p["first"][INF], cid("too-late"))
    auction.cancel(p["client"])
    assert auction.owed(p["client"]) == RESERVE
    auction.withdraw(p["client"])
    assert chain.balance(auction.address) == 0


def test_failed_auction_returns_the_whole_reserve(chain: Chain, factory: Factory) -> None:
    p = parties(chain)
    auction = create(factory, p["client"])
    auction.bid(p["first"][D], D, 1, cid("only-data"))  # algorithm and infrastructure: no bid
    chain.advance_time(HOUR + 1)
    auction.settle(p["outsider"])
    assert auction.state() == AuctionState.FAILED
    if auction.owed(p["client"]) == 0:
        auction.cancel(p["client"])
    assert auction.owed(p["client"]) == RESERVE
    auction.withdraw(p["client"])
    assert chain.balance(auction.address) == 0


def test_silent_client_lets_winners_claim(chain: Chain, factory: Factory) -> None:
    p = parties(chain)
    auction = create(factory, p["client"])
    for c in (D, A, INF):
        auction.bid(p["first"][c], c, MAX_PRICES[c] - 1, cid(f"asset-{c}"))
    close_early(chain, auction, p["client"], p["outsider"])
    auction.deliver(p["first"][INF], cid("model"))
    with pytest.raises(ContractError):
        auction.claim(p["first"][D])  # the client still has time to acknowledge
    chain.advance_time(HOUR + 60)
    auction.claim(p["first"][D])
    for c in (D, A, INF):
        assert auction.owed(p["first"][c]) == MAX_PRICES[c] - 1
    assert auction.owed(p["client"]) == RESERVE - sum(MAX_PRICES) + 3
    for who in [*p["first"].values(), p["client"]]:
        auction.withdraw(who)
    assert chain.balance(auction.address) == 0


def test_references_must_be_completed_wins_of_the_same_factory(
    chain: Chain, factory: Factory
) -> None:
    p = parties(chain)
    done = create(factory, p["client"])
    for c in (D, A, INF):
        done.bid(p["first"][c], c, 1, cid(f"asset-{c}"))
    close_early(chain, done, p["client"], p["outsider"])
    done.deliver(p["first"][INF], cid("model"))
    done.acknowledge(p["client"])
    auction = create(factory, p["client"], min_references=1)
    with pytest.raises(ContractError):
        auction.bid(p["first"][D], D, 5, cid("no-refs"))
    with pytest.raises(ContractError):
        auction.bid(p["second"][D], D, 5, cid("not-the-winner"), [done.address])
    with pytest.raises(ContractError):
        auction.bid(p["first"][A], D, 5, cid("other-category"), [done.address])
    with pytest.raises(ContractError):
        auction.bid(p["first"][D], D, 5, cid("not-an-auction"), [p["outsider"]])
    auction.bid(p["first"][D], D, 5, cid("with-ref"), [done.address])
    assert auction.best_bid(D) is not None


def test_at_refuses_addresses_that_are_not_ours(chain: Chain, factory: Factory) -> None:
    p = parties(chain)
    with pytest.raises(SaiaasError):
        Auction.at(chain, p["outsider"])
    with pytest.raises(SaiaasError):
        Factory.at(chain, p["outsider"])
    again = Factory.at(chain, factory.address)
    assert again.ontology_cid() == factory.ontology_cid()
    auction = create(factory, p["client"])
    assert Auction.at(chain, auction.address).info().client == p["client"]


# ---------------------------------------------------------------------------------------------
# Reverts: the same custom error on a real node as on the embedded chain
# ---------------------------------------------------------------------------------------------

Case = Callable[[Chain, Factory, dict[str, Any]], Any]


def _reserve_too_low(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    return create(f, p["client"], reserve=sum(MAX_PRICES) - 1)


def _client_bids(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    return create(f, p["client"]).bid(p["client"], D, 1, cid("mine"))


def _price_zero(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    return create(f, p["client"]).bid(p["first"][D], D, 0, cid("free"))


def _price_above_max(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    return create(f, p["client"]).bid(p["first"][D], D, MAX_PRICES[D] + 1, cid("dear"))


def _bid_not_lower(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    auction = create(f, p["client"])
    auction.bid(p["first"][D], D, 100, cid("a"))
    return auction.bid(p["first"][D], D, 100, cid("a"))


def _late_bid(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    auction = create(f, p["client"])
    chain.advance_time(HOUR + 10)
    return auction.bid(p["first"][D], D, 100, cid("late"))


def _early_settle(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    return create(f, p["client"]).settle(p["outsider"])


def _stranger_adjudicates(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    return create(f, p["client"]).adjudicate(p["outsider"])


def _stranger_disqualifies(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    auction = create(f, p["client"])
    auction.bid(p["first"][D], D, 100, cid("a"))
    return auction.disqualify(p["outsider"], D, p["first"][D], cid("why"))


def _wrong_deliverer(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    auction = create(f, p["client"])
    for c in (D, A, INF):
        auction.bid(p["first"][c], c, 1, cid(f"asset-{c}"))
    close_early(chain, auction, p["client"], p["outsider"])
    return auction.deliver(p["first"][D], cid("model"))


def _early_cancel(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    auction = create(f, p["client"])
    for c in (D, A, INF):
        auction.bid(p["first"][c], c, 1, cid(f"asset-{c}"))
    close_early(chain, auction, p["client"], p["outsider"])
    return auction.cancel(p["client"])


def _wrong_bond(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    auction = create(f, p["client"], bonds=BONDS)
    return auction.bid(p["first"][D], D, 100, cid("a"), bond=BONDS[D] - 1)


def _absurd_window(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    return create(f, p["client"], acknowledgment_seconds=2**32 - 1)


def _promote_not_better(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    auction = create(f, p["client"])
    auction.bid(p["first"][D], D, 100, cid("a"))
    auction.bid(p["second"][D], D, 200, cid("b"))
    return auction.promote(p["outsider"], D, p["second"][D])


def _nothing_to_withdraw(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    return create(f, p["client"]).withdraw(p["outsider"])


def _acknowledge_undelivered(chain: Chain, f: Factory, p: dict[str, Any]) -> Any:
    auction = create(f, p["client"])
    for c in (D, A, INF):
        auction.bid(p["first"][c], c, 1, cid(f"asset-{c}"))
    close_early(chain, auction, p["client"], p["outsider"])
    return auction.acknowledge(p["client"])


#: Each case and the custom error the issue's rule calls for (named as the contracts name it).
REVERTS: dict[str, tuple[Case, str]] = {
    "reserve below the max prices": (_reserve_too_low, "ReserveBelowMaxPrices"),
    "client bids": (_client_bids, "ClientCannotBid"),
    "price zero": (_price_zero, "PriceZero"),
    "price above max": (_price_above_max, "PriceAboveMax"),
    "bid not lower than own": (_bid_not_lower, "BidNotLower"),
    "bid after the deadline": (_late_bid, "BiddingClosed"),
    "settle before the deadline": (_early_settle, "BiddingStillOpen"),
    "stranger adjudicates": (_stranger_adjudicates, "NotClient"),
    "stranger disqualifies": (_stranger_disqualifies, "NotClient"),
    "non-winner delivers": (_wrong_deliverer, "NotInfrastructureWinner"),
    "cancel within the delivery window": (_early_cancel, "DeliveryWindowOpen"),
    "acknowledge before delivery": (_acknowledge_undelivered, "WrongState"),
    "nothing to withdraw": (_nothing_to_withdraw, "NothingOwed"),
    "first bid without the bond": (_wrong_bond, "WrongBond"),
    "49,708-day acknowledgment window": (_absurd_window, "InvalidWindow"),
    "promote a bid that is not lower": (_promote_not_better, "NotBetter"),
}


def _revert_name(chain: Chain, factory: Factory, case: Case) -> tuple[str, str]:
    snap = chain.snapshot()
    try:
        with pytest.raises(ContractError) as caught:
            case(chain, factory, parties(chain))
    finally:
        chain.revert(snap)
    return caught.value.name, str(caught.value)


@pytest.fixture(scope="module")
def embedded_factory(embedded_chain: Chain) -> Factory:
    return Factory.deploy(embedded_chain, embedded_chain.accounts[0], cid("ontology-v1"))


@pytest.mark.parametrize("case", list(REVERTS), ids=list(REVERTS))
def test_revert_names_equal_embedded(
    case: str,
    chain: Chain,
    factory: Factory,
    embedded_chain: Chain,
    embedded_factory: Factory,
) -> None:
    run, expected = REVERTS[case]
    on_anvil, text = _revert_name(chain, factory, run)
    on_embedded, _ = _revert_name(embedded_chain, embedded_factory, run)
    assert (on_anvil, on_embedded) == (expected, expected)
    assert text.startswith(expected + ": ") and "\n" not in text


# ---------------------------------------------------------------------------------------------
# Issue 10's attacks on a real node (the same functions as tests/contracts/test_attacks.py)
# ---------------------------------------------------------------------------------------------


def _attack_args(chain: Chain, factory: Factory) -> tuple[Chain, Factory, str, list[str]]:
    acc = chain.accounts
    return chain, factory, acc[1], acc[2:10]


@pytest.mark.parametrize("n", [31, 300])
def test_throwaway_bidders_cannot_lock_out_an_honest_lower_bid(
    n: int, chain: Chain, factory: Factory
) -> None:
    _attacks.lock_out(*_attack_args(chain, factory), n=n)


def test_a_disqualification_of_the_best_cannot_be_dodged(chain: Chain, factory: Factory) -> None:
    _attacks.disqualification_dodge(*_attack_args(chain, factory))


def test_an_early_close_cannot_cut_off_a_bid_in_flight(chain: Chain, factory: Factory) -> None:
    _attacks.early_close(*_attack_args(chain, factory))


def test_absurd_windows_are_refused(chain: Chain, factory: Factory) -> None:
    _attacks.absurd_windows(*_attack_args(chain, factory))


def test_a_bid_with_another_providers_asset_is_flagged_and_cannot_win(
    chain: Chain, factory: Factory
) -> None:
    _attacks.borrowed_asset(*_attack_args(chain, factory))


def test_the_factory_moves_its_ownership_in_two_steps(chain: Chain, factory: Factory) -> None:
    owner, heir = chain.accounts[0], chain.accounts[8]
    factory.transfer_ownership(owner, heir)
    assert factory.owner() == owner and factory.pending_owner() == heir
    factory.accept_ownership(heir)
    assert factory.owner() == heir and factory.pending_owner() is None
