"""Issue 10's attacks on the bidding phase, written once and run on py-evm (test_attacks.py) and on
anvil (tests/integration/test_chain_anvil.py). Each one failed on the contracts before issue 10
(TooManyBidders, AssetMismatch / BidderListIncomplete, an adjudication that cut off a pending bid,
a 49,708-day acknowledgment window) and must pass on today's.

Every function takes a chain, its Factory, the client and at least five other funded accounts
the node holds keys of; throw-away bidders are local keys funded by the last of them.
"""

from __future__ import annotations

from typing import Any

from multiformats import CID, multihash
from saiaas.contracts import (
    Auction,
    AuctionState,
    BidDisqualified,
    Category,
    Chain,
    CloseAnnounced,
    ContractError,
    Factory,
    encode_cid,
)

D, A, INF = Category.DATA, Category.ALGORITHM, Category.INFRASTRUCTURE
ETHER = 10**18
MAX_PRICES = (3 * ETHER // 10, 3 * ETHER // 10, 4 * ETHER // 10)
BONDS = (ETHER // 100, ETHER // 100, ETHER // 50)
HOUR = 3600
NOTICE = 600


def cid(tag: str) -> str:
    return str(CID("base32", 1, "raw", multihash.digest(tag.encode(), "sha2-256")))


def expect(name: str, call: Any) -> ContractError:
    try:
        call()
    except ContractError as error:
        assert error.name == name, f"expected {name}, got {error}"
        return error
    raise AssertionError(f"expected {name}, the call went through")


def open_auction(factory: Factory, client: str, **overrides: Any) -> Auction:
    terms: dict[str, Any] = {
        "requirements_cid": cid("requirements"),
        "max_prices": MAX_PRICES,
        "reserve": sum(MAX_PRICES),
        "bidding_seconds": HOUR,
        "delivery_seconds": 2 * HOUR,
        "acknowledgment_seconds": HOUR,
        "bonds": BONDS,
    }
    terms.update(overrides)
    auction, _tx = factory.create_auction(client, **terms)
    return auction


def sybils(chain: Chain, funder: str, n: int, tag: str) -> list[Any]:
    """`n` throw-away accounts (local keys), each funded for one bond and its gas."""
    from eth_account import Account
    from eth_utils import keccak

    accounts = [Account.from_key(keccak(text=f"{tag}-{i}")) for i in range(n)]
    for account in accounts:
        chain.w3.eth.send_transaction(
            {"from": funder, "to": account.address, "value": BONDS[0] + ETHER // 10}
        )
    return accounts


def fill_other_categories(auction: Auction, providers: list[str]) -> None:
    auction.bid(providers[1], A, MAX_PRICES[A] // 2, cid("algorithm"))
    auction.bid(providers[2], INF, MAX_PRICES[INF] // 2, cid("infrastructure"))


def settle_at_close(chain: Chain, auction: Auction, anyone: str) -> None:
    chain.advance_time(max(0, auction.closes_at() - chain.now()))
    auction.settle(anyone)
    assert auction.state() == AuctionState.ADJUDICATED


def lock_out(chain: Chain, factory: Factory, client: str, providers: list[str], n: int) -> None:
    """n throw-away bidders (the first one a competitor at 0.297 ETH) fill the data category;
    the honest 0.15 ETH bid still lands and wins, and every spammer paid a bond it only gets back
    after the auction (by pull, one transaction each)."""
    auction = open_auction(factory, client)
    spam = sybils(chain, providers[-1], n, f"lock-out-{n}")
    competitor, *rest = spam
    auction.bid(competitor, D, 297 * ETHER // 1000, cid("competitor"), bond=BONDS[D])
    for k, account in enumerate(rest):
        auction.bid(account, D, MAX_PRICES[D] - k, cid(f"junk {k}"), bond=BONDS[D])
    honest = providers[0]
    auction.bid(honest, D, 15 * ETHER // 100, cid("honest data"))
    assert auction.best_bid(D).bidder == honest  # type: ignore[union-attr]
    assert auction.balance() == sum(MAX_PRICES) + (n + 1) * BONDS[D]
    fill_other_categories(auction, providers)
    settle_at_close(chain, auction, providers[3])
    sla = auction.sla()
    assert sla is not None and sla.winners[D].bidder == honest
    for account in (competitor, rest[-1]):  # losers take their bonds back
        assert auction.owed(account.address) == BONDS[D]
        auction.withdraw(account)
        assert auction.owed(account.address) == 0


def disqualification_dodge(
    chain: Chain, factory: Factory, client: str, providers: list[str]
) -> None:
    """The client disqualifies a junk best bid; before its transaction lands the next bidder
    re-bids 1 wei lower with another asset and a newcomer bids: the disqualification still lands,
    the junk bid never wins, and the lowest valid bid takes its place (promoted by anyone)."""
    auction = open_auction(factory, client)
    junk, next_best, newcomer, third = providers[0], providers[1], providers[3], providers[4]
    auction.bid(junk, D, MAX_PRICES[D] // 10, cid("junk"))
    auction.bid(next_best, D, MAX_PRICES[D] // 2, cid("next v1"))
    auction.bid(third, D, MAX_PRICES[D] * 6 // 10, cid("third"))
    # The client's transaction, prepared from the events as they were (nominee: next_best).
    reason, kind = encode_cid(cid("junk: the asset does not match"))
    prepared = auction._c.functions.disqualify(
        int(D), junk, reason, kind, next_best, encode_cid(cid("next v1"))[0]
    )
    # ... meanwhile: the front-run.
    auction.bid(next_best, D, MAX_PRICES[D] // 2 - 1, cid("next v2"))
    auction.bid(newcomer, D, MAX_PRICES[D] * 7 // 10, cid("newcomer"))
    tx = chain.transact(prepared, client)
    assert [type(e) for e in tx.events].count(BidDisqualified) == 1
    assert auction.bid_of(D, junk).disqualified  # type: ignore[union-attr]
    # The nominee changed its asset: no best until someone promotes the lowest valid bid, and
    # bidding lasts at least NOTICE more for that.
    assert auction.best_bid(D) is None
    assert any(isinstance(e, CloseAnnounced) for e in tx.events) or (
        auction.closes_at() - chain.now() >= NOTICE - 5
    )
    auction.promote(providers[2], D)  # anyone: the lowest valid standing bid
    best = auction.best_bid(D)
    assert best is not None and (best.bidder, best.price) == (next_best, MAX_PRICES[D] // 2 - 1)
    expect("NotBetter", lambda: auction.promote(providers[2], D, third))
    expect("BidderDisqualified", lambda: auction.promote(providers[2], D, junk))
    expect("BidderDisqualified", lambda: auction.bid(junk, D, 1, cid("junk again")))
    fill_other_categories(auction, providers)
    settle_at_close(chain, auction, providers[3])
    assert auction.sla().winners[D].bidder == next_best  # type: ignore[union-attr]
    assert auction.owed(junk) == BONDS[D]  # a disqualified bidder's bond comes back


def early_close(chain: Chain, factory: Factory, client: str, providers: list[str]) -> None:
    """The client announces an early close; a lower bid already in flight lands after it and
    wins; bidding ends NOTICE after the announcement, not before."""
    auction = open_auction(factory, client)
    auction.bid(providers[0], D, MAX_PRICES[D] // 2, cid("first"))
    fill_other_categories(auction, providers)
    deadline = auction.info().bidding_deadline
    tx = auction.adjudicate(client)
    announced = [e.closes_at for e in tx.events if isinstance(e, CloseAnnounced)]
    assert len(announced) == 1 and announced[0] < deadline
    assert auction.state() == AuctionState.BIDDING and auction.closes_at() == announced[0]
    assert announced[0] - chain.now() >= NOTICE - 1
    pending = providers[3]
    auction.bid(pending, D, MAX_PRICES[D] // 3, cid("pending"))  # was in flight: it lands
    expect("BiddingStillOpen", lambda: auction.settle(providers[4]))
    chain.advance_time(announced[0] - chain.now())
    expect("BiddingClosed", lambda: auction.bid(providers[4], D, 1, cid("too late")))
    auction.settle(providers[4])
    sla = auction.sla()
    assert sla is not None and sla.winners[D].bidder == pending
    assert sla.adjudicated_at == announced[0]


def absurd_windows(chain: Chain, factory: Factory, client: str, providers: list[str]) -> None:
    """The review's auction: an acknowledgment window of 2**32-1 s (49,708 days) is refused."""
    for field, which in (
        ("bidding_seconds", 0),
        ("delivery_seconds", 1),
        ("acknowledgment_seconds", 2),
    ):
        for value in (0, 2**32 - 1):
            terms = {field: value}
            error = expect("InvalidWindow", lambda t=terms: open_auction(factory, client, **t))
            assert error.args == (which, value)


def borrowed_asset(chain: Chain, factory: Factory, client: str, providers: list[str]) -> None:
    """An account bids with another provider's asset description (same CID): the chain layer
    flags it before the close, the client's disqualification takes effect, the owner wins."""
    auction = open_auction(factory, client)
    owner, thief = providers[0], providers[3]
    asset = cid("owner's dataset description (names the owner's address)")
    auction.bid(owner, D, MAX_PRICES[D] // 2, asset)
    auction.bid(thief, D, MAX_PRICES[D] // 4, asset)
    assert auction.best_bid(D).bidder == thief  # type: ignore[union-attr]
    assert auction.shared_assets(D) == {asset: [owner, thief]}
    auction.disqualify(client, D, thief, cid("the description names another provider"))
    best = auction.best_bid(D)
    assert best is not None and best.bidder == owner
    fill_other_categories(auction, providers)
    settle_at_close(chain, auction, providers[4])
    assert auction.sla().winners[D].bidder == owner  # type: ignore[union-attr]
