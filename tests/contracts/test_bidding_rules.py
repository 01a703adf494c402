"""Bidding rules of issue 2: prices, descending own bids, the client, references, the base price,
disqualification, the bidder cap, and the deadline."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from saiaas.contracts import AuctionState, BidDisqualified, BidPlaced, Category, ChainError

sys.path.insert(0, str(Path(__file__).parent))
from _helpers import close_early, reverts  # noqa: E402
from conftest import BIDDING, MAX_PRICES, cid  # noqa: E402

D, A, INFRA = Category.DATA, Category.ALGORITHM, Category.INFRASTRUCTURE


def complete(world, auction, winners=None, client=None):
    """Drive `auction` to COMPLETED with providers 0-2 (or `winners`) as winners."""
    winners = winners or world.providers[:3]
    for cat, who in zip(Category, winners, strict=True):
        auction.bid(who, cat, MAX_PRICES[cat] // 2, cid(f"ref asset {cat}"))
    close_early(world, auction, client)
    auction.deliver(winners[2], cid("model"))
    auction.acknowledge(client or world.client)
    assert auction.state() == AuctionState.COMPLETED


def test_bid_records_price_asset_and_event(world, auction):
    p = world.providers[0]
    tx = auction.bid(p, D, 10**17, cid("data asset", 1))
    placed = [e for e in tx.events if isinstance(e, BidPlaced)]
    assert placed == [BidPlaced(D, p, 10**17, cid("data asset", 1), tx.block_number)]
    bid = auction.bid_of(D, p)
    assert (bid.price, bid.asset_cid, bid.disqualified) == (10**17, cid("data asset", 1), False)
    assert auction.best_bid(D) == bid
    assert auction.bid_of(A, p) is None and auction.best_bid(A) is None
    assert auction.bids(D) == [bid]


def test_price_must_be_positive_and_at_most_the_category_max(world, auction):
    p = world.providers[0]
    with reverts("PriceZero"):
        auction.bid(p, D, 0, cid("a"))
    with reverts("PriceAboveMax") as info:
        auction.bid(p, INFRA, MAX_PRICES[INFRA] + 1, cid("a"))
    assert info.value.args == (MAX_PRICES[INFRA] + 1, MAX_PRICES[INFRA])
    auction.bid(p, INFRA, MAX_PRICES[INFRA], cid("a"))  # the max itself is allowed


def test_a_later_bid_must_be_strictly_lower_than_ones_own(world, auction):
    p, q = world.providers[:2]
    auction.bid(p, D, 100, cid("a"))
    auction.bid(q, D, 50, cid("b"))
    for price in (100, 101):
        with reverts("BidNotLower") as info:
            auction.bid(p, D, price, cid("a"))
        assert info.value.args == (price, 100)
    auction.bid(p, D, 99, cid("a2"))  # above the best (50) is fine: only one's own bid counts
    assert auction.bid_of(D, p).price == 99 and auction.bid_of(D, p).asset_cid == cid("a2")
    auction.bid(p, A, 1000, cid("c"))  # another category is a separate ladder


def test_the_client_cannot_bid(world, auction):
    with reverts("ClientCannotBid"):
        auction.bid(world.client, D, 1, cid("a"))


def test_unknown_category_and_cid_kind_are_refused(world, auction):
    p = world.providers[0]
    with reverts("UnknownCategory"):
        auction.bid(p, 3, 1, cid("a"))
    with reverts("UnsupportedCid"):
        world.chain.transact(auction._c.functions.bid(0, 1, b"\x01" * 32, 2, []), p)
    with pytest.raises(ChainError, match="unknown category"):
        auction.bid_of(5, p)


def test_lowest_bid_is_the_base_price_and_ties_go_to_the_earlier_bid(world, auction):
    p, q, r = world.providers[:3]
    auction.bid(p, D, 100, cid("p"))
    auction.bid(q, D, 80, cid("q"))
    assert auction.best_bid(D).bidder == q
    auction.bid(r, D, 80, cid("r"))  # tie: q was first
    assert auction.best_bid(D).bidder == q
    auction.bid(p, D, 80, cid("p"))  # tie again, still q
    assert auction.best_bid(D).bidder == q
    auction.bid(r, D, 79, cid("r"))
    assert auction.best_bid(D).bidder == r
    assert [b.bidder for b in auction.bids(D)] == [r, q, p]


def test_bidding_closes_at_the_deadline(world, auction):
    p = world.providers[0]
    auction.bid(p, D, 100, cid("a"))
    world.chain.advance_time(BIDDING)
    assert auction.time_left() == 0
    with reverts("BiddingClosed"):
        auction.bid(world.providers[1], D, 50, cid("b"))
    with reverts("BiddingClosed"):
        auction.disqualify(world.client, D, p, cid("reason"))


def test_references_are_counted_and_checked(world):
    p, q, r = world.providers[:3]
    other_client = world.providers[6]  # a reference's client must not be this auction's client
    done = world.create(sender=other_client)
    complete(world, done, client=other_client)  # p won DATA, q ALGORITHM, r INFRASTRUCTURE
    open_one = world.create()
    open_one.bid(p, D, 1, cid("x"))
    auction = world.create(min_references=1)

    with reverts("TooFewReferences") as info:
        auction.bid(p, D, 10, cid("a"))
    assert info.value.args == (0, 1)
    with reverts("ReferenceNotWon"):  # q won ALGORITHM there, not DATA
        auction.bid(q, D, 10, cid("a"), [done.address])
    with reverts("ReferenceNotWon"):  # p won DATA, not ALGORITHM
        auction.bid(p, A, 10, cid("a"), [done.address])
    with reverts("ReferenceNotWon"):  # not completed
        auction.bid(p, D, 10, cid("a"), [open_one.address])
    with reverts("ReferenceNotAuction"):
        auction.bid(p, D, 10, cid("a"), [world.client])
    with reverts("ReferenceNotAuction"):
        auction.bid(p, D, 10, cid("a"), [world.factory.address])
    # the same reference twice (the Python client dedups, so call the contract directly)
    call = auction._c.functions.bid(0, 10, b"\x01" * 32, 0, [done.address, done.address])
    with reverts("ReferencesNotAscending"):
        world.chain.transact(call, p)
    auction.bid(p, D, 10, cid("a"), [done.address])
    auction.bid(q, A, 10, cid("b"), [done.address])
    assert auction.best_bid(D).bidder == p and auction.best_bid(A).bidder == q


def test_disqualification_rules(world, auction):
    p, q = world.providers[:2]
    auction.bid(p, D, 100, cid("p"))
    with reverts("NotClient"):
        auction.disqualify(q, D, p, cid("reason"))
    with reverts("NoSuchBid"):
        auction.disqualify(world.client, D, q, cid("reason"))
    with reverts("NoSuchBid"):
        auction.disqualify(world.client, A, p, cid("reason"))
    tx = auction.disqualify(world.client, D, p, cid("matcher report", 1))
    assert [e for e in tx.events if isinstance(e, BidDisqualified)] == [
        BidDisqualified(D, p, cid("matcher report", 1), tx.block_number)
    ]
    assert auction.bid_of(D, p).disqualified
    assert auction.best_bid(D) is None
    with reverts("AlreadyDisqualified"):
        auction.disqualify(world.client, D, p, cid("reason"))
    with reverts("BidderDisqualified"):
        auction.bid(p, D, 50, cid("p2"))
    auction.bid(p, A, 50, cid("p2"))  # other categories are unaffected


def test_disqualifying_the_best_falls_back_to_the_lowest_valid_earliest_bid(world, auction):
    p, q, r, s = world.providers[:4]
    auction.bid(p, D, 90, cid("p", 1))
    auction.bid(q, D, 70, cid("q"))
    auction.bid(r, D, 80, cid("r"))
    auction.bid(s, D, 80, cid("s"))  # ties with r, later
    auction.bid(p, D, 60, cid("p", 1))  # p best
    auction.disqualify(world.client, D, q, cid("no"))  # not the best: nothing moves
    assert auction.best_bid(D).bidder == p
    auction.disqualify(world.client, D, p, cid("no"))
    best = auction.best_bid(D)
    assert (best.bidder, best.price, best.asset_cid) == (r, 80, cid("r"))
    auction.disqualify(world.client, D, r, cid("no"))
    assert auction.best_bid(D).bidder == s
    auction.disqualify(world.client, D, s, cid("no"))
    assert auction.best_bid(D) is None
    # a new bidder after everyone was disqualified starts afresh
    t = world.providers[4]
    auction.bid(t, D, 85, cid("t"))
    assert auction.best_bid(D).bidder == t
    auction.bid(world.providers[5], D, 84, cid("u"))
    auction.disqualify(world.client, D, world.providers[5], cid("no"))
    assert auction.best_bid(D).bidder == t


def test_fallback_keeps_the_winners_asset_kind(world, auction):
    p, q = world.providers[:2]
    auction.bid(p, D, 90, cid("p", 1))
    auction.bid(q, D, 70, cid("q", 0))
    auction.disqualify(world.client, D, q, cid("no"))
    auction.bid(world.providers[2], A, 1, cid("a"))
    auction.bid(world.providers[3], INFRA, 1, cid("i"))
    close_early(world, auction)
    assert auction.sla().winners[D].asset_cid == cid("p", 1)


def cid_digest(value: str) -> bytes:
    from saiaas.contracts import encode_cid

    return encode_cid(value)[0]
