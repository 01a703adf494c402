"""BidPlaced and AuctionSettled pack bidder, price, category/state and asset kind into one word each
(to save gas): these tests put every field at its edge, so a wrong shift or mask shows up here."""

from __future__ import annotations

import sys
from pathlib import Path

from saiaas.contracts import AuctionSettled, AuctionState, BidPlaced, Category, Winner

sys.path.insert(0, str(Path(__file__).parent))
from _helpers import close_early  # noqa: E402
from conftest import BIDDING, cid  # noqa: E402

TOP = 2**72 - 1  # the largest price a category can have (72-bit fields)
D, A, INFRA = Category.DATA, Category.ALGORITHM, Category.INFRASTRUCTURE


def _edge_auction(world):
    return world.create(max_prices=(TOP, TOP, TOP), reserve=3 * TOP)


def test_bids_at_the_top_price_with_either_cid_kind_decode_exactly(world):
    auction = _edge_auction(world)
    p = world.providers
    placed = []
    for cat, kind in ((D, 1), (A, 0), (INFRA, 1)):
        tx = auction.bid(p[cat], cat, TOP, cid(f"edge {cat}", kind))
        placed += [e for e in tx.events if isinstance(e, BidPlaced)]
    assert [(e.category, e.bidder, e.price, e.asset_cid) for e in placed] == [
        (D, p[0], TOP, cid("edge 0", 1)),
        (A, p[1], TOP, cid("edge 1", 0)),
        (INFRA, p[2], TOP, cid("edge 2", 1)),
    ]
    tx = auction.bid(p[0], D, 1, cid("lowest", 0))
    assert [e for e in tx.events if isinstance(e, BidPlaced)] == [
        BidPlaced(D, p[0], 1, cid("lowest", 0), tx.block_number)
    ]
    assert [(b.bidder, b.price, b.asset_cid) for b in auction.bids(D)] == [
        (p[0], 1, cid("lowest", 0))
    ]


def test_settlement_event_carries_each_winner_price_kind_and_the_outcome(world):
    auction = _edge_auction(world)
    p = world.providers
    auction.bid(p[0], D, TOP, cid("w0", 1))
    auction.bid(p[1], A, 1, cid("w1", 0))
    auction.bid(p[2], INFRA, TOP - 1, cid("w2", 1))
    world.chain.advance_time(BIDDING)
    tx = auction.settle(p[5])
    settled = [e for e in tx.events if isinstance(e, AuctionSettled)]
    assert settled == [
        AuctionSettled(
            AuctionState.ADJUDICATED,
            {
                D: Winner(p[0], TOP, cid("w0", 1)),
                A: Winner(p[1], 1, cid("w1", 0)),
                INFRA: Winner(p[2], TOP - 1, cid("w2", 1)),
            },
            tx.block_number,
        )
    ]
    assert auction.sla().winners == settled[0].winners


def test_a_failed_settlement_says_failed_and_lists_only_the_categories_with_a_bid(world):
    auction = _edge_auction(world)
    p = world.providers
    auction.bid(p[1], A, TOP, cid("lonely", 1))
    tx = close_early(world, auction)
    settled = [e for e in tx.events if isinstance(e, AuctionSettled)]
    assert settled == [
        AuctionSettled(
            AuctionState.FAILED, {A: Winner(p[1], TOP, cid("lonely", 1))}, tx.block_number
        )
    ]
    assert auction.state() == AuctionState.FAILED
