"""Issue 11's attacks on the restitution phase, written once and run on py-evm
(test_restitution_attacks.py) and on anvil (tests/integration/test_chain_anvil.py). Each one went
through on the contracts before issue 11 (no confirmation, no rejection, no appeal, any completed
auction a reference) and must fail on today's:

1. non-delivery: the client's second address wins infrastructure at 1 wei, takes the sealed
   inputs and never delivers: the data and algorithm winners are still paid, the infrastructure
   bond is forfeited to them, whether it confirmed the inputs or an arbitrator finds it received
   them;
2. garbage model: the client rejects a bad model within the acknowledgment window, nobody can
   claim, and the arbitrator's ruling forfeits the infrastructure winner's pay and bond;
3. unfair disqualification: the client disqualifies the two cheapest honest bids so that its
   friend wins at 0.25 ETH; both appeal, the committee upholds them, and each is paid its bid
   price out of the client's share (the cheat costs the client more than the honest price);
4. cheap references: a "won and completed" reference from the provider's own 3-wei auction, or
   from an auction of this auction's client, does not count.

Every function takes a chain, its Factory, the client and at least eight other funded accounts
the node holds keys of (the last three form the arbitration committee).
"""

from __future__ import annotations

from typing import Any

from saiaas.contracts import (
    AGAINST_OPENER,
    FOR_OPENER,
    Auction,
    AuctionState,
    Category,
    Chain,
    Committee,
    ContractError,
    DisputeKind,
    Factory,
)

D, A, INF = Category.DATA, Category.ALGORITHM, Category.INFRASTRUCTURE
ETHER = 10**18
MAX_PRICES = (35 * ETHER // 100, 25 * ETHER // 100, 40 * ETHER // 100)
BONDS = (ETHER // 100, ETHER // 100, ETHER // 20)
FEE = ETHER // 1000
HOUR = 3600


def cid(tag: str) -> str:
    import hashlib

    from saiaas.contracts import decode_cid

    return decode_cid(hashlib.sha256(tag.encode()).digest(), 0)


def expect(name: str, call: Any) -> ContractError:
    try:
        call()
    except ContractError as error:
        assert error.name == name, f"expected {name}, got {error}"
        return error
    raise AssertionError(f"expected {name}, the call went through")


def committee(chain: Chain, providers: list[str]) -> tuple[Committee, list[str]]:
    """A 2-of-3 committee of the last three accounts, charging FEE per dispute."""
    members = providers[-3:]
    arbitrator, _gas = Committee.deploy(chain, members[0], members, 2, FEE)
    return arbitrator, members


def rule(arbitrator: Committee, members: list[str], dispute_id: int, ruling: int) -> None:
    arbitrator.vote(members[0], dispute_id, ruling)
    arbitrator.vote(members[1], dispute_id, ruling)  # the second vote gives the ruling


def open_auction(
    factory: Factory, client: str, arbitrator: Committee | None, **overrides: Any
) -> Auction:
    terms: dict[str, Any] = {
        "requirements_cid": cid("requirements"),
        "max_prices": MAX_PRICES,
        "reserve": sum(MAX_PRICES),
        "bidding_seconds": HOUR,
        "delivery_seconds": 2 * HOUR,
        "acknowledgment_seconds": HOUR,
        "bonds": BONDS,
    }
    if arbitrator is not None:
        terms.update(
            arbitrator=arbitrator.address, confirmation_seconds=HOUR // 2, appeal_seconds=HOUR
        )
    terms.update(overrides)
    auction, _tx = factory.create_auction(client, **terms)
    return auction


def settle(chain: Chain, auction: Auction, anyone: str) -> None:
    chain.advance_time(max(0, auction.closes_at() - chain.now()))
    auction.settle(anyone)


def pays_out_exactly(chain: Chain, auction: Auction, parties: list[str]) -> dict[str, int]:
    """Everything owed adds up to what the auction holds; everyone withdraws; nothing is left."""
    owed = {p: auction.owed(p) for p in dict.fromkeys(parties)}
    assert sum(owed.values()) == auction.balance(), (owed, auction.balance())
    for party, amount in owed.items():
        if amount:
            auction.withdraw(party)
    assert auction.balance() == 0
    return owed


def non_delivery(chain: Chain, factory: Factory, client: str, providers: list[str]) -> None:
    arbitrator, members = committee(chain, providers)
    data, algorithm, alias = providers[0], providers[1], providers[2]  # alias: the client's own
    prices = (MAX_PRICES[D] // 2, MAX_PRICES[A] // 2, 1)
    for confirms in (True, False):
        auction = open_auction(factory, client, arbitrator)
        for category, who in zip(Category, (data, algorithm, alias), strict=True):
            auction.bid(who, category, prices[category], cid(f"asset {category}"))
        settle(chain, auction, data)
        if confirms:  # it received the sealed inputs (their CIDs) and says so
            auction.confirm_inputs(alias, cid("sealed data"), cid("sealed algorithm"))
        else:  # it stays silent: the data winner disputes once the confirmation window is over
            expect(
                "ConfirmationWindowOpen",
                lambda a=auction: a.dispute_confirmation(data, cid("proof of sending")),
            )
            chain.advance_time(HOUR // 2)
            expect(
                "NotInputWinner", lambda a=auction: a.dispute_confirmation(alias, cid("nothing"))
            )
            auction.dispute_confirmation(data, cid("sealed CIDs sent, transport receipts"))
            (dispute,) = auction.disputes()
            assert dispute.kind == DisputeKind.CONFIRMATION and dispute.open
            chain.advance_time(2 * HOUR)
            expect("DisputePending", lambda a=auction: a.cancel(client))
            rule(arbitrator, members, dispute.dispute_id, FOR_OPENER)
            assert factory.record_of(alias, INF).disputes_lost >= 1
        chain.advance_time(2 * HOUR)  # the delivery deadline passes: nothing was delivered
        auction.cancel(client)
        assert auction.state() == AuctionState.FORFEITED
        assert auction.owed(alias) == 0  # its bond is forfeited
        assert auction.owed(data) == prices[D] + BONDS[D]
        assert auction.owed(algorithm) == prices[A] + BONDS[A]
        reserve = sum(MAX_PRICES)
        assert auction.owed(client) == reserve + BONDS[INF] - prices[D] - prices[A]
        pays_out_exactly(chain, auction, [client, data, algorithm, alias])


def garbage_model(chain: Chain, factory: Factory, client: str, providers: list[str]) -> None:
    arbitrator, members = committee(chain, providers)
    winners = providers[:3]
    prices = tuple(p // 2 for p in MAX_PRICES)
    auction = open_auction(factory, client, arbitrator)
    for category, who in zip(Category, winners, strict=True):
        auction.bid(who, category, prices[category], cid(f"asset {category}"))
    settle(chain, auction, winners[0])
    auction.deliver(winners[2], cid("32 bytes of garbage"))
    assert auction.confirmation().confirmed_at  # a delivery confirms the inputs
    expect("NotClient", lambda: auction.reject(winners[0], cid("report")))
    expect("WrongFee", lambda: auction.reject(client, cid("report"), fee=0))
    auction.reject(client, cid("evaluation: accuracy 0.11 < required 0.85"))
    assert auction.state() == AuctionState.REJECTED
    chain.advance_time(2 * HOUR)
    expect("WrongState", lambda: auction.claim(winners[2]))  # no claim past the window
    (dispute,) = auction.disputes()
    assert dispute.kind == DisputeKind.REJECTION and dispute.evidence
    expect(
        "NotArbitrator",
        lambda: chain.transact(auction._c.functions.rule(dispute.dispute_id, 1), client),
    )
    rule(arbitrator, members, dispute.dispute_id, FOR_OPENER)
    assert auction.state() == AuctionState.FORFEITED
    assert auction.owed(winners[2]) == 0
    assert auction.owed(winners[0]) == prices[D] + BONDS[D]
    assert auction.owed(client) == sum(MAX_PRICES) + BONDS[INF] - prices[D] - prices[A]
    pays_out_exactly(chain, auction, [client, *winners])
    assert factory.record_of(winners[2], INF).disputes_lost == 1
    assert arbitrator.fees_owed(members[0]) + arbitrator.fees_owed(members[1]) == FEE
    # Without an arbitrator there is nothing to reject with: the timeouts decide (and say so).
    plain = open_auction(factory, client, None)
    expect("NoArbitrator", lambda: plain.reject(client, cid("report"), fee=0))


def unfair_disqualification(
    chain: Chain, factory: Factory, client: str, providers: list[str]
) -> None:
    arbitrator, members = committee(chain, providers)
    honest, second, friend = providers[0], providers[3], providers[4]
    auction = open_auction(factory, client, arbitrator)
    auction.bid(honest, D, ETHER // 10, cid("honest data"))
    auction.bid(second, D, 12 * ETHER // 100, cid("second data"))
    auction.bid(friend, D, ETHER // 4, cid("friend's data"))
    auction.bid(providers[1], A, MAX_PRICES[A] // 2, cid("algorithm"))
    auction.bid(providers[2], INF, MAX_PRICES[INF] // 2, cid("infrastructure"))
    auction.disqualify(client, D, honest, cid("invented reason"))
    auction.disqualify(client, D, second, cid("another invented reason"))
    expect("WrongState", lambda: auction.appeal(honest, D, cid("appeal")))  # after the close
    settle(chain, auction, friend)
    assert auction.sla().winners[D].bidder == friend  # type: ignore[union-attr]
    expect("NotDisqualified", lambda: auction.appeal(friend, D, cid("appeal")))
    auction.appeal(honest, D, cid("my asset matches: the matcher's report"))
    auction.appeal(second, D, cid("mine too"))
    expect("AlreadyAppealed", lambda: auction.appeal(honest, D, cid("again")))
    first, again = auction.disputes()
    rule(arbitrator, members, first.dispute_id, FOR_OPENER)
    rule(arbitrator, members, again.dispute_id, FOR_OPENER)
    assert auction.appeal_of(D, honest) == (True, True)
    assert auction.owed(honest) == ETHER // 10 + BONDS[D]  # its price, and its bond back
    assert auction.owed(second) == 12 * ETHER // 100 + BONDS[D]
    # the restitution goes on: delivered, acknowledged; the client pays the friend and both
    auction.deliver(providers[2], cid("model"))
    auction.acknowledge(client)
    spent = ETHER // 4 + MAX_PRICES[A] // 2 + MAX_PRICES[INF] // 2
    compensation = ETHER // 10 + 12 * ETHER // 100
    assert auction.owed(client) == 0  # its share waits for the appeal window
    chain.advance_time(HOUR)
    assert auction.owed(client) == sum(MAX_PRICES) - spent - compensation
    pays_out_exactly(chain, auction, [client, honest, second, friend, *providers[1:3]])
    # The cheat cost the client 0.25 + 0.22 ETH for data instead of 0.10 ETH.
    assert ETHER // 4 + compensation > ETHER // 10


def unfair_disqualification_lost(
    chain: Chain, factory: Factory, client: str, providers: list[str]
) -> None:
    """An appeal the committee rejects: no compensation, a lost dispute in the record."""
    arbitrator, members = committee(chain, providers)
    junk = providers[0]
    auction = open_auction(factory, client, arbitrator)
    auction.bid(junk, D, ETHER // 10, cid("junk"))
    auction.disqualify(client, D, junk, cid("the asset does not match"))
    settle(chain, auction, junk)  # no valid bid anywhere: the auction failed
    auction.appeal(junk, D, cid("please"))
    (dispute,) = auction.disputes()
    rule(arbitrator, members, dispute.dispute_id, AGAINST_OPENER)
    assert auction.owed(junk) == BONDS[D]
    assert factory.record_of(junk, D).disputes_lost == 1


def cheap_references(chain: Chain, factory: Factory, client: str, providers: list[str]) -> None:
    forger, alias, honest_client = providers[0], providers[5], providers[6]
    # The forger's own auction, from its second address: reserve 3 wei, it wins all three.
    own, _ = factory.create_auction(
        alias,
        requirements_cid=cid("own"),
        max_prices=(1, 1, 1),
        reserve=3,
        bidding_seconds=60,
        delivery_seconds=120,
        acknowledgment_seconds=60,
    )
    for category in Category:
        own.bid(forger, category, 1, cid(f"own {category}"))
    settle(chain, own, forger)
    own.deliver(forger, cid("own model"))
    own.acknowledge(alias)
    assert own.won_completed(forger, D)
    own.withdraw(forger)
    assert factory.record_of(forger, D).completed == 1  # the record tells it paid 1 wei
    assert factory.record_of(forger, D).value_paid == 1
    # An auction that asks for a reference worth at least 0.01 ETH refuses it.
    auction = open_auction(
        factory, client, None, min_references=1, min_reference_value=ETHER // 100
    )
    assert auction.info().min_reference_value == ETHER // 100
    error = expect(
        "ReferenceTooSmall", lambda: auction.bid(forger, D, ETHER // 10, cid("d"), [own.address])
    )
    assert error.args[1:] == (1, ETHER // 100)
    # A reference from an auction of this auction's own client does not count either.
    friendly, _ = factory.create_auction(
        client,
        requirements_cid=cid("friendly"),
        max_prices=(ETHER, ETHER, ETHER),
        reserve=3 * ETHER,
        bidding_seconds=60,
        delivery_seconds=120,
        acknowledgment_seconds=60,
    )
    for category in Category:
        friendly.bid(providers[1], category, ETHER // 2, cid(f"friendly {category}"))
    settle(chain, friendly, client)
    friendly.deliver(providers[1], cid("m"))
    friendly.acknowledge(client)
    expect(
        "ReferenceSelfDealt",
        lambda: auction.bid(providers[1], D, ETHER // 10, cid("d"), [friendly.address]),
    )
    # An honest client's completed auction that paid enough counts.
    real, _ = factory.create_auction(
        honest_client,
        requirements_cid=cid("real"),
        max_prices=(ETHER, ETHER, ETHER),
        reserve=3 * ETHER,
        bidding_seconds=60,
        delivery_seconds=120,
        acknowledgment_seconds=60,
    )
    for category in Category:
        real.bid(providers[2], category, ETHER // 2, cid(f"real {category}"))
    settle(chain, real, honest_client)
    real.deliver(providers[2], cid("m"))
    real.acknowledge(honest_client)
    auction.bid(providers[2], D, ETHER // 10, cid("d"), [real.address])
    # A record can be required: one completed auction and no lost dispute.
    strict = open_auction(factory, client, None, min_record_completed=1, max_disputes_lost=0)
    expect("RecordTooShort", lambda: strict.bid(providers[3], D, ETHER // 10, cid("new")))
    real.withdraw(providers[2])  # the record is written when the winner is paid
    strict.bid(providers[2], D, ETHER // 10, cid("d"))
