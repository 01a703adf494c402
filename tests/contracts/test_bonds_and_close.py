"""Issue 10's rules one by one: bonds (locked by a first bid, returned by pull: losers after the
close, winners after the restitution), the notice before any close, and `promote`."""

from __future__ import annotations

import sys
from pathlib import Path

from saiaas.contracts import AuctionState, Category, CloseAnnounced

sys.path.insert(0, str(Path(__file__).parent))
from _helpers import NOTICE, close_early, reverts  # noqa: E402
from conftest import BIDDING, DELIVERY, MAX_PRICES, RESERVE, cid  # noqa: E402

D, A, INFRA = Category.DATA, Category.ALGORITHM, Category.INFRASTRUCTURE
BONDS = (10**15, 2 * 10**15, 3 * 10**15)
PRICES = (MAX_PRICES[0] // 2, MAX_PRICES[1] // 2, MAX_PRICES[2] // 2)


def bonded(world):
    return world.create(bonds=BONDS)


def two_bidders_each(world, auction):
    """Providers 0-2 win (lower), 3-5 lose; returns (winners, losers)."""
    winners, losers = world.providers[:3], world.providers[3:6]
    for c in Category:
        auction.bid(losers[c], c, PRICES[c], cid(f"loser {c}"))
        auction.bid(winners[c], c, PRICES[c] - 1, cid(f"winner {c}"))
    return winners, losers


def test_a_first_bid_locks_exactly_the_bond_and_later_bids_nothing(world):
    auction = bonded(world)
    p = world.providers[0]
    assert auction.bond_due(D, p) == BONDS[D]
    with reverts("WrongBond") as info:
        auction.bid(p, D, 100, cid("a"), bond=BONDS[D] - 1)
    assert info.value.args == (BONDS[D] - 1, BONDS[D])
    with reverts("WrongBond"):
        auction.bid(p, D, 100, cid("a"), bond=BONDS[D] + 1)
    auction.bid(p, D, 100, cid("a"))  # the layer attaches the bond
    assert auction.balance() == RESERVE + BONDS[D]
    assert auction.bond_due(D, p) == 0 and auction.bond_due(A, p) == BONDS[A]
    with reverts("WrongBond") as info:
        auction.bid(p, D, 90, cid("a"), bond=1)
    assert info.value.args == (1, 0)
    auction.bid(p, D, 90, cid("a"))
    assert auction.balance() == RESERVE + BONDS[D]


def test_losers_get_their_bond_after_the_close_winners_after_the_restitution(world):
    auction = bonded(world)
    winners, losers = two_bidders_each(world, auction)
    for who in [*winners, *losers]:
        assert auction.owed(who) == 0  # nothing while bidding
    close_early(world, auction)
    for c in Category:
        assert auction.owed(losers[c]) == BONDS[c]
        assert auction.owed(winners[c]) == 0  # locked until the restitution ends
        auction.withdraw(losers[c])
        assert auction.bid_of(c, losers[c]).bond_returned
        with reverts("NothingOwed"):
            auction.withdraw(losers[c])
    auction.deliver(winners[INFRA], cid("model"))
    assert auction.owed(winners[D]) == 0
    auction.acknowledge(world.client)
    for c in Category:
        assert auction.owed(winners[c]) == PRICES[c] - 1 + BONDS[c]
        auction.withdraw(winners[c])
    auction.withdraw(world.client)
    assert auction.balance() == 0


def test_a_missed_delivery_gives_the_infrastructure_bond_to_the_client(world):
    auction = bonded(world)
    winners, losers = two_bidders_each(world, auction)
    close_early(world, auction)
    world.chain.advance_time(DELIVERY)
    auction.cancel(world.client)
    assert auction.state() == AuctionState.CANCELLED
    assert auction.owed(world.client) == RESERVE + BONDS[INFRA]
    assert auction.owed(winners[INFRA]) == 0
    for c in (D, A):
        assert auction.owed(winners[c]) == BONDS[c]
    for who in {world.client, *winners, *losers} - {winners[INFRA]}:
        auction.withdraw(who)
    assert auction.balance() == 0


def test_a_failed_auction_returns_every_bond_even_a_disqualified_one(world):
    auction = bonded(world)
    p, q = world.providers[:2]
    auction.bid(p, D, 100, cid("p"))
    auction.bid(q, D, 90, cid("q"))
    auction.disqualify(world.client, D, q, cid("no"))
    world.chain.advance_time(BIDDING + NOTICE)
    assert auction.state() == AuctionState.FAILED
    assert (auction.owed(p), auction.owed(q)) == (BONDS[D], BONDS[D])
    assert auction.owed(world.client) == RESERVE
    for who in (p, q, world.client):
        auction.withdraw(who)
    assert auction.balance() == 0


def test_an_early_close_is_announced_notice_ahead_and_never_later_than_the_deadline(world):
    auction = world.create()
    deadline = auction.info().bidding_deadline
    tx = auction.adjudicate(world.client)
    first = [e.closes_at for e in tx.events if isinstance(e, CloseAnnounced)]
    assert first == [auction.closes_at()] and first[0] == world.chain.now() + NOTICE
    assert auction.time_left() == first[0] - world.chain.now()
    world.chain.advance_time(NOTICE // 2)
    tx = auction.adjudicate(world.client)  # again: never sooner than NOTICE from now
    assert auction.closes_at() == first[0]
    # Near the deadline an announcement changes nothing.
    late = world.create()
    world.chain.advance_time(BIDDING - NOTICE // 2)
    tx = late.adjudicate(world.client)
    late_deadline = late.info().bidding_deadline
    assert [e.closes_at for e in tx.events if isinstance(e, CloseAnnounced)] == [late_deadline]
    assert late.closes_at() == late_deadline
    assert deadline < late_deadline


def test_disqualifying_the_best_near_the_close_leaves_notice_to_the_others(world):
    auction = world.create()
    p, q, r = world.providers[:3]
    auction.bid(p, D, 100, cid("p"))
    auction.bid(q, D, 200, cid("q"))
    auction.bid(r, D, 300, cid("r"))
    deadline = auction.info().bidding_deadline
    world.chain.advance_time(BIDDING - 60)
    auction.disqualify(world.client, D, r, cid("not the best"))
    assert auction.closes_at() == deadline  # not the best: nothing moves
    tx = auction.disqualify(world.client, D, p, cid("the best"))
    assert auction.closes_at() == world.chain.now() + NOTICE > deadline
    assert any(isinstance(e, CloseAnnounced) for e in tx.events)
    assert auction.best_bid(D).bidder == q
    world.chain.advance_time(120)  # past the original deadline, bidding goes on
    auction.bid(world.providers[3], D, 150, cid("s"))
    assert auction.best_bid(D).bidder == world.providers[3]
    world.chain.advance_time(NOTICE)
    with reverts("BiddingClosed"):
        auction.bid(world.providers[4], D, 1, cid("late"))


def test_promote_takes_only_a_lower_valid_bid_with_its_own_asset(world):
    auction = world.create()
    p, q, stranger = world.providers[0], world.providers[1], world.providers[5]
    auction.bid(p, D, 100, cid("p"))
    auction.bid(q, D, 200, cid("q"))
    with reverts("NotBetter") as info:
        auction.promote(stranger, D, q)
    assert info.value.args == (200, 100)
    with reverts("NoSuchBid"):
        auction.promote(stranger, D, stranger)
    with reverts("AssetMismatch"):
        auction.chain.transact(auction._c.functions.promote(0, q, b"\x07" * 32), stranger)
    # The client's nominee is q; q changes its asset before the disqualification lands.
    from saiaas.contracts import encode_cid

    prepared = auction._c.functions.disqualify(
        0, p, encode_cid(cid("why"))[0], 0, q, encode_cid(cid("q"))[0]
    )
    auction.bid(q, D, 199, cid("q2"))
    world.chain.transact(prepared, world.client)
    assert auction.best_bid(D) is None
    with reverts("BidderDisqualified"):
        auction.promote(stranger, D, p)
    auction.promote(stranger, D)
    best = auction.best_bid(D)
    assert (best.bidder, best.price, best.asset_cid) == (q, 199, cid("q2"))
    close_early(world, auction)
    with reverts("BiddingClosed"):
        auction.promote(stranger, D, q)
