"""Ending and restitution rules of issue 2: adjudication (early, by settle, automatic), failure,
delivery, acknowledgment, cancel, claim, and pull payments that add up to the reserve."""

from __future__ import annotations

import sys
from pathlib import Path

from saiaas.contracts import AuctionSettled, AuctionState, Category, ModelDelivered, Withdrawn

sys.path.insert(0, str(Path(__file__).parent))
from _helpers import close_early, paid, reverts  # noqa: E402
from conftest import ACK, BIDDING, DELIVERY, MAX_PRICES, RESERVE, cid  # noqa: E402

D, A, INFRA = Category.DATA, Category.ALGORITHM, Category.INFRASTRUCTURE
PRICES = (MAX_PRICES[0] // 2, MAX_PRICES[1] // 3, MAX_PRICES[2] // 4)


def adjudicated(world, auction):
    winners = world.fill(auction, PRICES)
    close_early(world, auction)
    return winners


def delivered(world, auction):
    winners = adjudicated(world, auction)
    auction.deliver(winners[INFRA], cid("model", 1))
    return winners


def test_client_adjudicates_early_and_the_sla_is_state_and_one_event(world, auction):
    winners = world.fill(auction, PRICES)
    with reverts("NotClient"):
        auction.adjudicate(winners[0])
    tx = close_early(world, auction)
    settled = [e for e in tx.events if isinstance(e, AuctionSettled)]
    assert len(settled) == 1 and settled[0].state == AuctionState.ADJUDICATED
    sla = auction.sla()
    assert sla.winners == settled[0].winners
    for cat in Category:
        w = sla.winners[cat]
        assert (w.bidder, w.price, w.asset_cid) == (winners[cat], PRICES[cat], cid(f"asset {cat}"))
    assert sla.delivery_deadline == sla.adjudicated_at + DELIVERY
    assert sla.adjudicated_at < auction.info().bidding_deadline
    assert auction.state() == AuctionState.ADJUDICATED
    with reverts("BiddingClosed"):
        auction.bid(world.providers[5], D, 1, cid("late"))
    with reverts("WrongState"):
        auction.adjudicate(world.client)
    with reverts("WrongState"):
        auction.settle(world.providers[5])


def test_anyone_settles_after_the_deadline_not_before(world, auction):
    world.fill(auction, PRICES)
    with reverts("BiddingStillOpen"):
        auction.settle(world.providers[5])
    world.chain.advance_time(BIDDING)
    assert auction.state() == AuctionState.ADJUDICATED  # views already read the settled state
    tx = auction.settle(world.providers[5])
    assert [e.state for e in tx.events if isinstance(e, AuctionSettled)] == [
        AuctionState.ADJUDICATED
    ]
    assert auction.sla().adjudicated_at == auction.info().bidding_deadline
    with reverts("WrongState"):
        auction.settle(world.providers[5])


def test_the_first_call_after_the_deadline_settles_automatically(world, auction):
    winners = world.fill(auction, PRICES)
    world.chain.advance_time(BIDDING)
    tx = auction.deliver(winners[INFRA], cid("model"))  # no settle() call before
    kinds = [type(e) for e in tx.events]
    assert kinds == [AuctionSettled, ModelDelivered]
    assert auction.state() == AuctionState.DELIVERED


def test_a_category_without_a_valid_bid_fails_and_refunds_the_client(world, auction):
    p, q = world.providers[:2]
    auction.bid(p, D, 10, cid("d"))
    auction.bid(q, A, 10, cid("a"))
    world.chain.advance_time(BIDDING)
    assert auction.state() == AuctionState.FAILED
    assert auction.sla() is None
    assert auction.owed(world.client) == RESERVE and auction.owed(p) == 0
    before = world.chain.balance(world.client)
    tx = auction.withdraw(world.client)  # settles (FAILED) and pays in one call
    assert [type(e) for e in tx.events] == [AuctionSettled, Withdrawn]
    assert world.chain.balance(world.client) == before + RESERVE - paid(world.chain, tx.tx_hash)
    assert auction.balance() == 0
    with reverts("NothingOwed"):
        auction.withdraw(world.client)
    with reverts("NothingOwed"):
        auction.withdraw(p)


def test_disqualifying_every_bid_of_a_category_fails_the_auction(world, auction):
    winners = world.fill(auction, PRICES)
    auction.disqualify(world.client, A, winners[A], cid("no match"))
    tx = close_early(world, auction)
    assert [e.state for e in tx.events if isinstance(e, AuctionSettled)] == [AuctionState.FAILED]
    tx = auction.cancel(world.client)  # cancel is allowed on a failed auction too
    assert auction.state() == AuctionState.CANCELLED
    assert auction.owed(world.client) == RESERVE


def test_only_the_infrastructure_winner_delivers_and_only_in_time(world, auction):
    winners = world.fill(auction, PRICES)
    with reverts("WrongState"):
        auction.deliver(winners[INFRA], cid("model"))  # still bidding
    close_early(world, auction)
    with reverts("NotInfrastructureWinner"):
        auction.deliver(winners[D], cid("model"))
    with reverts("UnsupportedCid"):
        world.chain.transact(auction._c.functions.deliver(b"\x01" * 32, 3), winners[INFRA])
    world.chain.advance_time(DELIVERY)
    with reverts("DeliveryDeadlinePassed"):
        auction.deliver(winners[INFRA], cid("model"))


def test_delivery_then_acknowledgment_pays_everyone_exactly(world, auction):
    winners = delivered(world, auction)
    sla = auction.sla()
    assert sla.model_cid == cid("model", 1) and sla.delivered_at
    assert sla.acknowledgment_deadline == sla.delivered_at + ACK
    for who in [*winners, world.client]:
        assert auction.owed(who) == 0  # nothing before acknowledgment
    with reverts("NothingOwed"):
        auction.withdraw(winners[0])
    with reverts("NotClient"):
        auction.acknowledge(winners[0])
    auction.acknowledge(world.client)
    assert auction.state() == AuctionState.COMPLETED
    expected = {winners[c]: PRICES[c] for c in Category} | {world.client: RESERVE - sum(PRICES)}
    assert {who: auction.owed(who) for who in expected} == expected
    for who, amount in expected.items():
        before = world.chain.balance(who)
        tx = auction.withdraw(who)
        assert [e.amount for e in tx.events if isinstance(e, Withdrawn)] == [amount]
        assert world.chain.balance(who) == before + amount - paid(world.chain, tx.tx_hash)
        assert auction.owed(who) == 0
        with reverts("NothingOwed"):
            auction.withdraw(who)
    assert auction.balance() == 0
    with reverts("WrongState"):
        auction.acknowledge(world.client)
    assert auction.won_completed(winners[D], D) and not auction.won_completed(winners[D], A)


def test_one_provider_winning_two_categories_is_paid_both(world, auction):
    p, q = world.providers[:2]
    auction.bid(p, D, PRICES[D], cid("d"))
    auction.bid(p, A, PRICES[A], cid("a"))
    auction.bid(q, INFRA, PRICES[INFRA], cid("i"))
    close_early(world, auction)
    auction.deliver(q, cid("model"))
    auction.acknowledge(world.client)
    assert auction.owed(p) == PRICES[D] + PRICES[A]
    auction.withdraw(p)
    assert auction.balance() == RESERVE - PRICES[D] - PRICES[A]


def test_acknowledge_and_claim_need_a_delivery(world, auction):
    winners = adjudicated(world, auction)
    with reverts("WrongState"):
        auction.acknowledge(world.client)
    with reverts("WrongState"):
        auction.claim(winners[0])


def test_cancel_when_nothing_is_delivered_in_time(world, auction):
    winners = adjudicated(world, auction)
    with reverts("NotClient"):
        auction.cancel(winners[0])
    with reverts("DeliveryWindowOpen"):
        auction.cancel(world.client)
    world.chain.advance_time(DELIVERY)
    with reverts("DeliveryDeadlinePassed"):
        auction.deliver(winners[INFRA], cid("model"))
    auction.cancel(world.client)
    assert auction.state() == AuctionState.CANCELLED
    assert auction.owed(world.client) == RESERVE and auction.owed(winners[0]) == 0
    auction.withdraw(world.client)
    assert auction.balance() == 0


def test_cancel_is_refused_while_bidding_and_after_delivery(world, auction):
    with reverts("WrongState"):
        auction.cancel(world.client)
    delivered(world, auction)
    world.chain.advance_time(DELIVERY)
    with reverts("WrongState"):
        auction.cancel(world.client)


def test_winners_claim_when_the_client_stays_silent(world, auction):
    winners = delivered(world, auction)
    with reverts("NotWinner"):
        auction.claim(world.providers[5])
    with reverts("AcknowledgmentWindowOpen"):
        auction.claim(winners[0])
    world.chain.advance_time(ACK)
    with reverts("NotWinner"):
        auction.claim(world.client)
    auction.claim(winners[1])
    assert auction.state() == AuctionState.CLAIMED
    assert not auction.won_completed(winners[0], D)  # a claim is not an acknowledgment
    expected = {winners[c]: PRICES[c] for c in Category} | {world.client: RESERVE - sum(PRICES)}
    for who, amount in expected.items():
        assert auction.owed(who) == amount
        auction.withdraw(who)
    assert auction.balance() == 0
    with reverts("WrongState"):
        auction.acknowledge(world.client)


def test_the_client_may_still_acknowledge_after_the_window_until_someone_claims(world, auction):
    delivered(world, auction)
    world.chain.advance_time(ACK * 2)
    auction.acknowledge(world.client)
    assert auction.state() == AuctionState.COMPLETED
