"""No wei is created or lost: random auction lifecycles against a small reference model.

Hypothesis drives random sequences of create / bid / disqualify / adjudicate / settle / deliver /
acknowledge / cancel / claim / withdraw and time jumps on the embedded chain, with adversarial
bidders since issue 10: swarms of sybil accounts (signed locally) and the client's second
address, all paying the bonds of the terms. A Python model,
written from the rules of issue 2 (not from the contract), predicts which calls must revert and
what each party is owed. After every step: the auction's balance equals what the model says it
still holds, `owed()` agrees with the model for every party, and the sum owed never exceeds the
balance. At the end, after jumping past every deadline, every party gets out what it is owed and
every auction ends empty.

Bonds (issue 10): a bidder's first bid in a category locks that category's bond; once bidding is
over losers (disqualified or not) get theirs back, winners once the restitution ends (completed or
claimed); after a cancelled SLA the infrastructure winner's bond goes to the client, the others'
back to them; a failed auction returns every bond. An early close takes effect NOTICE after the
client announces it, and disqualifying the best bid leaves at least NOTICE of bidding.

Where the rules are silent on timing at the exact second of a deadline, the model accepts either
outcome for calls executed within `MARGIN` seconds of it, then follows what the chain did.

Restitution (issue 11): an auction may name the world's 2-of-3 committee as its arbitrator; the
machine then also confirms inputs, rejects deliveries, appeals disqualifications, disputes missing
confirmations and rules (the committee's second vote), and a cancel after a confirmation forfeits
the infrastructure bond (FORFEITED: data and algorithm winners paid, the bond to the client after
them). The model keeps the client's share back while an appeal may come or a dispute is open,
pays upheld appeals their bid price out of that share (capped by the least it can be), and at the
end checks that every honest party got at least what the rules promise it.

Run longer with `HYPOTHESIS_PROFILE=thorough`.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from multiformats import CID, multihash
from saiaas.contracts import (
    Auction,
    Category,
    Chain,
    Committee,
    ContractError,
    DisputeOpened,
    Factory,
)

_THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
# ~1 min by default (hundreds of py-evm transactions); the thorough profile runs past
# pyproject's 600 s per-test timeout, so it lifts it.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(0 if _THOROUGH else 600)]

CATS = (Category.DATA, Category.ALGORITHM, Category.INFRASTRUCTURE)
#: Seconds either side of a deadline where the rules leave `<` versus `<=` open.
MARGIN = 3
MAX_AUCTIONS = 3
#: Auction.NOTICE
NOTICE = 600
#: Throw-away accounts (signed locally) that bid in swarms.
SYBILS = 4
#: Multiples of 1000 s against windows of 500 mod 1000 s keep most calls clear of deadlines.
JUMPS = (1, 1000, 1000, 2000, 6000, 20_000)
WINDOWS = (2500, 5500, 9500)
#: The confirmation window of arbitrated auctions (shorter than any delivery window).
CONFIRM = 1500
#: A bid's price: mostly valid (a share of the max, or just under one's own last bid), sometimes
#: zero or above the max.
PRICES = st.one_of(
    st.sampled_from(["lower", "max", "same", 0, "over"]),
    st.integers(1, 100).map(lambda pct: ("pct", pct)),
    st.integers(1, 100).map(lambda pct: ("pct", pct)),
)
#: References: mostly none; else indexes of this example's auctions (MAX_AUCTIONS: not one).
REFS = st.one_of(st.just([]), st.just([]), st.lists(st.integers(0, MAX_AUCTIONS), max_size=2))

# The custom errors the model expects for each rule a call breaks (the contracts' names). When a
# call breaks several rules, the chain may report any of them: the order of checks is its own.
ERRORS: dict[str, set[str]] = {
    "reserve": {"ReserveBelowMaxPrices"},
    "closed": {"BiddingClosed"},
    "not_closed": {"BiddingStillOpen"},
    "client_bid": {"ClientCannotBid"},
    "price": {"PriceZero", "PriceAboveMax"},
    "not_lower": {"BidNotLower"},
    "refs": {"TooFewReferences", "ReferenceNotAuction", "ReferenceNotWon", "ReferenceSelfDealt"},
    "not_client": {"NotClient"},
    "no_bid": {"NoSuchBid"},
    "already_disq": {"AlreadyDisqualified"},
    "disq_rebid": {"BidderDisqualified"},
    "state": {"WrongState"},
    "not_infra": {"NotInfrastructureWinner"},
    "delivery_late": {"DeliveryDeadlinePassed"},
    "delivery_open": {"DeliveryWindowOpen"},
    "ack_open": {"AcknowledgmentWindowOpen"},
    "not_winner": {"NotWinner"},
    "nothing": {"NothingOwed"},
    "no_arbitrator": {"NoArbitrator"},
    "confirmed": {"AlreadyConfirmed"},
    "confirm_open": {"ConfirmationWindowOpen"},
    "not_input_winner": {"NotInputWinner"},
    "disputed": {"ConfirmationAlreadyDisputed"},
    "ack_closed": {"AcknowledgmentWindowClosed"},
    "appeal_closed": {"AppealWindowClosed"},
    "not_disq": {"NotDisqualified"},
    "appealed": {"AlreadyAppealed"},
    "pending": {"DisputePending"},
}


def cid(tag: str) -> str:
    """A CIDv1 raw-leaf string, as saiaas.storage produces for small files."""
    return str(CID("base32", 1, "raw", multihash.digest(tag.encode(), "sha2-256")))


# --------------------------------------------------------------------------------------------
# The reference model
# --------------------------------------------------------------------------------------------


@dataclass
class BidModel:
    price: int
    seq: int  # when the current price was placed: ties go to the earlier bid
    disqualified: bool = False


@dataclass
class AuctionModel:
    """What one auction holds and owes, by the issue's rules only."""

    address: str
    client: str
    max_prices: tuple[int, int, int]
    reserve: int
    bidding_deadline: int  # when bidding closes now: the deadline, an announced or a pushed close
    delivery_seconds: int
    ack_seconds: int
    min_refs: int
    bonds: tuple[int, int, int] = (0, 0, 0)
    state: str = "BIDDING"
    bids: list[dict[str, BidModel]] = field(default_factory=lambda: [{}, {}, {}])
    winners: dict[int, tuple[str, int]] = field(default_factory=dict)
    delivery_deadline: int = 0
    ack_deadline: int = 0
    owed: dict[str, int] = field(default_factory=dict)
    balance: int = 0
    seq: int = 0
    # restitution (issue 11)
    arbitrated: bool = False
    appeal_seconds: int = 0
    closed_at: int = 0
    confirmed: bool = False
    confirmation_disputed: bool = False
    #: open disputes: id -> (kind, party, category)
    disputes: dict[int, tuple[str, str, int]] = field(default_factory=dict)
    appealed: set[tuple[int, str]] = field(default_factory=set)
    compensated: int = 0
    client_credited: bool = False  # the client's share was credited (compensation debits it)
    paid: dict[str, int] = field(default_factory=dict)  # withdrawn so far, per party
    promised: dict[str, int] = field(default_factory=dict)  # the least each honest party is due

    def owed_to(self, who: str, now: int | None = None) -> int:
        """What `who` can withdraw now: the client's share waits, with an arbitrator, for the
        appeal window to end and every dispute to be ruled."""
        if who == self.client and now is not None and not self.client_free(now):
            return 0
        return self.owed.get(who, 0)

    def client_free(self, now: int) -> bool:
        if not self.arbitrated:
            return True
        return not self.disputes and bool(self.closed_at) and (
            now >= self.closed_at + self.appeal_seconds
        )

    def near_appeal_end(self, now: int) -> bool:
        return self.arbitrated and bool(self.closed_at) and (
            abs(now - (self.closed_at + self.appeal_seconds)) <= MARGIN
        )

    def credit_client(self, amount: int) -> None:
        self.credit(self.client, amount - self.compensated)
        self.client_credited = True

    def promise(self, who: str, amount: int) -> None:
        self.promised[who] = self.promised.get(who, 0) + amount

    def forfeit(self) -> None:
        """Confirmed inputs, then no delivery or a rejection upheld: the data and algorithm
        winners get price and bond; the infrastructure bond and the rest of the reserve go to the
        client."""
        spent = 0
        for c, (who, price) in self.winners.items():
            if c == Category.INFRASTRUCTURE:
                continue
            self.credit(who, price + self.bonds[c])
            self.promise(who, price + self.bonds[c])
            spent += price
        self.credit_client(self.reserve - spent + self.bonds[Category.INFRASTRUCTURE])
        self.state = "FORFEITED"

    def floor(self) -> int:
        """The least the client's share can be before appeals (what upheld appeals draw on)."""
        if len(self.winners) == len(CATS):
            return self.reserve - sum(p for _, p in self.winners.values())
        return self.reserve

    def credit(self, who: str, amount: int) -> None:
        if amount:
            self.owed[who] = self.owed.get(who, 0) + amount

    def close(self, closed_at: int) -> None:
        """Adjudication, early or automatic: the SLA, or a failure that refunds the client.

        `closed_at` starts the delivery window: the time of an early adjudication, else the
        bidding deadline (the issue is silent; a late settle() must not stretch the window).
        """
        winners: dict[int, tuple[str, int]] = {}
        for c in CATS:
            valid = [(b.price, b.seq, who) for who, b in self.bids[c].items() if not b.disqualified]
            if valid:
                price, _, who = min(valid)
                winners[int(c)] = (who, price)
        self.closed_at = closed_at
        if len(winners) < len(CATS):
            self.state = "FAILED"
            self.credit_client(self.reserve)  # the whole reserve, at once
            for c in CATS:  # and every bond
                for who in self.bids[c]:
                    self.credit(who, self.bonds[c])
            return
        self.state = "ADJUDICATED"
        self.winners = winners
        self.delivery_deadline = closed_at + self.delivery_seconds
        for c in CATS:  # losers' bonds are free once bidding is over
            for who in self.bids[c]:
                if who != winners[int(c)][0]:
                    self.credit(who, self.bonds[c])

    def best(self, cat: Category) -> str | None:
        valid = [(b.price, b.seq, who) for who, b in self.bids[cat].items() if not b.disqualified]
        return min(valid)[2] if valid else None

    def pay_out(self, state: str) -> None:
        """Acknowledged (COMPLETED) or claimed (CLAIMED): winners' prices, rest to the client."""
        spent = 0
        for c, (who, price) in self.winners.items():
            self.credit(who, price + self.bonds[c])  # pay and bond
            self.promise(who, price + self.bonds[c])
            spent += price
        self.credit_client(self.reserve - spent)
        self.state = state

    def effective(self, now: int) -> AuctionModel:
        """The auction as views read it: past the deadline it reads as settled."""
        if self.state != "BIDDING" or now < self.bidding_deadline:
            return self
        settled = copy.deepcopy(self)
        settled.close(self.bidding_deadline)
        return settled


class Outcome:
    """What the model expects of one call: the broken rules, and whether timing leaves it open."""

    def __init__(self) -> None:
        self.broken: list[str] = []
        self.doubtful = False

    def require(self, ok: bool, rule_name: str) -> None:
        if not ok:
            self.broken.append(rule_name)

    def before(self, t: int, deadline: int, rule_name: str) -> None:
        """The call must run before `deadline`; within MARGIN of it either outcome is fine."""
        if abs(t - deadline) <= MARGIN:
            self.doubtful = True
        elif t > deadline:
            self.broken.append(rule_name)

    def after(self, t: int, deadline: int, rule_name: str) -> None:
        if abs(t - deadline) <= MARGIN:
            self.doubtful = True
        elif t < deadline:
            self.broken.append(rule_name)

    @property
    def names(self) -> set[str]:
        return set().union(*(ERRORS[b] for b in self.broken)) if self.broken else set()


def auto_close(m: AuctionModel, t: int, out: Outcome) -> None:
    """After the bidding deadline the first call of any kind settles the auction."""
    if m.state != "BIDDING":
        return
    if abs(t - m.bidding_deadline) <= MARGIN:
        out.doubtful = True
    if t >= m.bidding_deadline:
        m.close(m.bidding_deadline)


# --------------------------------------------------------------------------------------------
# The chain, shared by all examples and reset with snapshots
# --------------------------------------------------------------------------------------------

_WORLD: dict[str, Any] = {}
AHEAD_OF_WALL_CLOCK = 20 * 365 * 86_400


def world() -> dict[str, Any]:
    if not _WORLD:
        from eth_account import Account

        chain = Chain.embedded()
        # py-evm stamps a block max(parent + 1, wall clock): far ahead of the wall clock, every
        # block is exactly parent + 1, so examples replay identically and the model knows the
        # second each transaction runs at.
        chain.advance_time(AHEAD_OF_WALL_CLOCK)
        accounts = chain.accounts
        factory = Factory.deploy(chain, accounts[0], cid("ontology"))
        members = [accounts[0], accounts[8], accounts[9]]
        committee, _gas = Committee.deploy(chain, accounts[0], members, 2, 0)
        sybils = [Account.from_key((77_000 + n).to_bytes(32, "big")) for n in range(SYBILS)]
        for sybil in sybils:
            chain.w3.eth.send_transaction(
                {"from": accounts[9], "to": sybil.address, "value": 10**18}
            )
        _WORLD.update(
            sybils=sybils,
            chain=chain,
            factory=factory,
            deployer=accounts[0],
            clients=accounts[1:3],
            providers=accounts[3:8],
            outsider=accounts[8],
            committee=committee,
            members=members,
            snapshot=chain.snapshot(),
        )
    return _WORLD


class MoneyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        w = world()
        self.chain: Chain = w["chain"]
        self.chain.revert(w["snapshot"])
        w["snapshot"] = self.chain.snapshot()  # a snapshot may be spent by reverting to it
        self.factory: Factory = w["factory"]
        self.clients: list[str] = list(w["clients"])
        self.providers: list[str] = list(w["providers"])
        self.outsider: str = w["outsider"]
        self.committee: Committee = w["committee"]
        self.members: list[str] = list(w["members"])
        self.signers = {a.address: a for a in w["sybils"]}
        self.sybils: list[str] = list(self.signers)
        self.everyone = [*self.clients, *self.providers, self.outsider, *self.sybils]
        self.auctions: list[tuple[Auction, AuctionModel]] = []
        self.steps = 0
        # Views cost ~30 ms each on py-evm: after a step, only the auctions it may have changed
        # are read back (all of them after a time jump, which can settle any).
        self.touched: set[int] = set()

    # ---- helpers ----------------------------------------------------------------------------

    def t_next(self) -> int:
        """The timestamp the next transaction runs at: eth-tester mines one block per tx."""
        return self.chain.now() + 1

    def sender(self, address: str) -> Any:
        """What the clients sign with: the node's key, or a sybil's local key."""
        return self.signers.get(address, address)

    def pick(self, index: int) -> tuple[Auction, AuctionModel]:
        self.touched.add(index % len(self.auctions))
        return self.auctions[index % len(self.auctions)]

    def attempt(self, what: str, call: Any, out: Outcome) -> Any:
        """Run one transaction and check that it reverted exactly when the model said so."""
        self.steps += 1
        label = what.split("(")[0]
        try:
            result = call()
        except ContractError as error:
            event(f"{label}: {error.name}")
            if not out.broken and not out.doubtful:
                raise AssertionError(
                    f"{what}: the rules allow it, the chain refused: {error}"
                ) from error
            if out.broken and error.name not in out.names:
                raise AssertionError(
                    f"{what}: reverted with {error.name}, expected one of {sorted(out.names)} "
                    f"(broken rules: {out.broken})"
                ) from error
            return None
        if out.broken and not out.doubtful:
            raise AssertionError(
                f"{what}: the chain accepted it, the rules forbid it: {out.broken}"
            )
        event(f"{label}: ok")
        return result

    def commit(self, index: int, trial: AuctionModel, result: Any) -> None:
        if result is not None:
            self.auctions[index % len(self.auctions)] = (self.pick(index)[0], trial)

    # ---- rules ------------------------------------------------------------------------------

    @initialize(
        client=st.integers(0, 1),
        max_prices=st.tuples(*[st.integers(1, 200)] * 3),
        extra=st.sampled_from([0, 1, 500]),
        windows=st.tuples(*[st.sampled_from(WINDOWS)] * 3),
        bidders=st.lists(st.integers(0, 4), min_size=3, max_size=3),
        prices=st.lists(st.integers(1, 100).map(lambda pct: ("pct", pct)), min_size=3, max_size=3),
        bid_now=st.booleans(),
        bonds=st.tuples(*[st.sampled_from([0, 1, 5, 50])] * 3),
        arbitrated=st.booleans(),
    )
    def start(
        self,
        client: int,
        max_prices: tuple[int, int, int],
        extra: int,
        windows: tuple[int, int, int],
        bidders: list[int],
        prices: list[Any],
        bid_now: bool,
        bonds: tuple[int, int, int],
        arbitrated: bool,
    ) -> None:
        """Every run starts with one open auction, often with a bid in each category, so that
        the steps are spent on the later phases rather than on getting there."""
        assert self.chain.balance(self.factory.address) == 0
        self.create(client, max_prices, extra, False, *windows, 0, bonds, arbitrated)
        assert len(self.auctions) == 1
        if bid_now:
            self.bid_each_category(0, bidders, prices)

    @precondition(lambda self: len(self.auctions) < MAX_AUCTIONS)
    @rule(
        client=st.integers(0, 1),
        max_prices=st.tuples(*[st.integers(1, 200)] * 3),
        extra=st.sampled_from([0, 0, 1, 37, 500]),
        underfund=st.booleans(),
        bidding=st.sampled_from(WINDOWS),
        delivery=st.sampled_from(WINDOWS),
        ack=st.sampled_from(WINDOWS),
        min_refs=st.sampled_from([0, 0, 0, 1]),
        bonds=st.tuples(*[st.sampled_from([0, 1, 5, 50])] * 3),
        arbitrated=st.booleans(),
    )
    def create(
        self,
        client: int,
        max_prices: tuple[int, int, int],
        extra: int,
        underfund: bool,
        bidding: int,
        delivery: int,
        ack: int,
        min_refs: int,
        bonds: tuple[int, int, int] = (0, 0, 0),
        arbitrated: bool = False,
    ) -> None:
        sender = self.clients[client]
        bonds = tuple(min(b, m) for b, m in zip(bonds, max_prices, strict=True))  # type: ignore[assignment]
        reserve = sum(max_prices) + extra - (1 if underfund and extra == 0 else 0)
        out = Outcome()
        out.require(reserve >= sum(max_prices), "reserve")
        t = self.t_next()
        made = self.attempt(
            f"create(reserve={reserve}, max={max_prices})",
            lambda: self.factory.create_auction(
                sender,
                requirements_cid=cid(f"req-{self.steps}"),
                max_prices=max_prices,
                reserve=reserve,
                bidding_seconds=bidding,
                delivery_seconds=delivery,
                acknowledgment_seconds=ack,
                min_references=min_refs,
                bonds=bonds,
                **(
                    {"arbitrator": self.committee.address, "confirmation_seconds": CONFIRM,
                     "appeal_seconds": ack}
                    if arbitrated else {}
                ),
            ),
            out,
        )
        if made is None:
            return
        auction, _tx = made
        info = auction.info()
        assert info.bidding_deadline == t + bidding, (info.bidding_deadline, t, bidding)
        model = AuctionModel(
            address=auction.address,
            client=sender,
            max_prices=max_prices,
            reserve=reserve,
            bidding_deadline=info.bidding_deadline,
            delivery_seconds=delivery,
            ack_seconds=ack,
            min_refs=min_refs,
            balance=reserve,
            bonds=bonds,
            arbitrated=arbitrated,
            appeal_seconds=ack if arbitrated else 0,
        )
        assert self.factory.is_auction(auction.address)
        self.auctions.append((auction, model))
        self.touched.add(len(self.auctions) - 1)

    @precondition(lambda self: self.auctions)
    @rule(
        index=st.integers(0, MAX_AUCTIONS - 1),
        who=st.integers(0, 6 + SYBILS),  # 5: the client, 6: its second address, 7+: sybils
        cat=st.sampled_from(CATS),
        price=PRICES,
        refs=REFS,
    )
    def bid(self, index: int, who: int, cat: Category, price: Any, refs: list[int]) -> None:
        self._bid(index, who, cat, price, refs)

    @precondition(lambda self: self.auctions)
    @rule(
        index=st.integers(0, MAX_AUCTIONS - 1),
        who=st.lists(st.integers(0, 4), min_size=3, max_size=3),
        prices=st.lists(st.integers(1, 100).map(lambda pct: ("pct", pct)), min_size=3, max_size=3),
    )
    def bid_each_category(self, index: int, who: list[int], prices: list[Any]) -> None:
        """Three valid-looking bids at once, so that random runs reach the SLA and payouts."""
        for cat, provider, price in zip(CATS, who, prices, strict=True):
            self._bid(index, provider, cat, price, [])

    @precondition(lambda self: self.auctions)
    @rule(
        index=st.integers(0, MAX_AUCTIONS - 1),
        cat=st.sampled_from(CATS),
        top=st.integers(30, 100),
        second_address=st.booleans(),
    )
    def sybil_swarm(self, index: int, cat: Category, top: int, second_address: bool) -> None:
        """Throw-away accounts (and the client's second address) fill a category with bids."""
        for k in range(SYBILS):
            self._bid(index, 7 + k, cat, ("pct", top - 5 * k), [])
        if second_address:
            self._bid(index, 6, cat, ("pct", top - 5 * SYBILS), [])

    def bidder(self, who: int, model: AuctionModel) -> str:
        if who == 5:
            return model.client
        if who == 6:  # the client's second address: another account of the same person
            return next(c for c in self.clients if c != model.client)
        if who > 6:
            return self.sybils[(who - 7) % len(self.sybils)]
        return self.providers[who]

    def _bid(self, index: int, who: int, cat: Category, price: Any, refs: list[int]) -> None:
        auction, model = self.pick(index)
        sender = self.bidder(who, model)
        previous = model.bids[cat].get(sender)
        top = model.max_prices[cat]
        if price == "same":
            price = previous.price if previous else top
        elif price == "lower":
            price = max((previous.price if previous else top) - 1, 0)
        elif price == "max":
            price = top
        elif price == "over":
            price = top + 1
        elif isinstance(price, tuple):
            price = max(1, top * price[1] // 100)
        # A reference is another auction of this factory (or the outsider: not an auction).
        ref_addrs = [
            self.outsider if r >= len(self.auctions) else self.auctions[r][0].address for r in refs
        ]
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        # A bid never settles: if it is late it reverts, and the revert undoes any settlement.
        out.require(trial.state == "BIDDING", "closed")
        if trial.state == "BIDDING":
            out.before(t, trial.bidding_deadline - 1, "closed")
        out.require(sender != trial.client, "client_bid")
        out.require(0 < price <= trial.max_prices[cat], "price")
        if previous is not None:
            out.require(not previous.disqualified, "disq_rebid")
            out.require(price < previous.price, "not_lower")
        # The layer sends each reference once (sorted): duplicates count once.
        out.require(len(set(ref_addrs)) >= trial.min_refs, "refs")
        for addr in set(ref_addrs):
            ref = next((m for a, m in self.auctions if a.address == addr), None)
            ok = (
                ref is not None
                and ref.state == "COMPLETED"
                and ref.winners.get(int(cat), ("", 0))[0] == sender
                and ref.client not in (sender, trial.client)  # not self-dealt
            )
            out.require(ok, "refs")  # "completed (acknowledged)": a claimed auction is no reference
        trial.seq += 1
        trial.bids[cat][sender] = BidModel(price=price, seq=trial.seq)
        if previous is None:
            trial.balance += trial.bonds[cat]  # the first bid locks the bond
        result = self.attempt(
            f"bid({cat.name}, {price}, refs={len(ref_addrs)}) by {sender[:8]} on #{index}",
            lambda: auction.bid(
                self.sender(sender), cat, price, cid(f"asset-{sender}-{cat}"), ref_addrs
            ),
            out,
        )
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(
        index=st.integers(0, MAX_AUCTIONS - 1),
        by_client=st.booleans(),
        cat=st.sampled_from(CATS),
        bidder=st.integers(0, 4),
    )
    def disqualify(self, index: int, by_client: bool, cat: Category, bidder: int) -> None:
        auction, model = self.pick(index)
        sender = model.client if by_client else self.providers[bidder]
        target = self.providers[bidder]
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        out.require(trial.state == "BIDDING", "closed")
        if trial.state == "BIDDING":
            out.before(t, trial.bidding_deadline - 1, "closed")
        out.require(sender == trial.client, "not_client")
        existing = trial.bids[cat].get(target)
        out.require(existing is not None, "no_bid")
        if existing is not None:
            out.require(not existing.disqualified, "already_disq")
            was_best = trial.best(cat) == target
            existing.disqualified = True
            if was_best:  # the others get at least NOTICE to react
                trial.bidding_deadline = max(trial.bidding_deadline, t + NOTICE)
        result = self.attempt(
            f"disqualify({cat.name}, {target[:8]}) by {sender[:8]} on #{index}",
            lambda: auction.disqualify(self.sender(sender), cat, target, cid(f"reason-{target}")),
            out,
        )
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), by_client=st.booleans(), who=st.integers(0, 4))
    def adjudicate(self, index: int, by_client: bool, who: int) -> None:
        auction, model = self.pick(index)
        sender = model.client if by_client else self.providers[who]
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        was_open = trial.state == "BIDDING"
        out.require(sender == trial.client, "not_client")
        out.require(was_open, "state")
        edge = was_open and abs(t - trial.bidding_deadline) <= MARGIN
        if was_open:
            out.doubtful = out.doubtful or edge
            if t >= trial.bidding_deadline:
                # Late, the client's adjudication is the automatic one: the window starts at the
                # close, as if anyone had settled.
                trial.close(trial.bidding_deadline)
            else:
                # Early: bidding goes on for NOTICE (a bid in flight still lands).
                trial.bidding_deadline = min(trial.bidding_deadline, t + NOTICE)
        result = self.attempt(
            f"adjudicate() by {sender[:8]} on #{index}",
            lambda: auction.adjudicate(self.sender(sender)),
            out,
        )
        if result is not None and edge:
            # At the edge, follow the chain: it settled, or the close stays where it was.
            trial = copy.deepcopy(model)
            settled = any(type(e).__name__ == "AuctionSettled" for e in result.events)
            if settled:
                trial.close(trial.bidding_deadline)
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), who=st.integers(0, 7))
    def settle(self, index: int, who: int) -> None:
        auction, model = self.pick(index)
        sender = self.everyone[who]
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        out.require(trial.state == "BIDDING", "state")
        if trial.state == "BIDDING":
            out.after(t, trial.bidding_deadline, "not_closed")
            trial.close(trial.bidding_deadline)
        result = self.attempt(
            f"settle() by {sender[:8]} on #{index}",
            lambda: auction.settle(self.sender(sender)),
            out,
        )
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(
        index=st.integers(0, MAX_AUCTIONS - 1),
        as_winner=st.sampled_from([True, True, True, False]),
        who=st.integers(0, 7),
    )
    def deliver(self, index: int, as_winner: bool, who: int) -> None:
        auction, model = self.pick(index)
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        auto_close(trial, t, out)
        infra = trial.winners.get(int(Category.INFRASTRUCTURE), ("", 0))[0]
        sender = infra if as_winner and infra else self.everyone[who]
        out.require(trial.state == "ADJUDICATED", "state")
        out.require(sender == infra, "not_infra")
        if trial.state == "ADJUDICATED":
            out.before(t, trial.delivery_deadline - 1, "delivery_late")
            trial.state = "DELIVERED"
            trial.ack_deadline = t + trial.ack_seconds
            trial.confirmed = True  # a delivery confirms the inputs
        result = self.attempt(
            f"deliver() by {sender[:8]} on #{index}",
            lambda: auction.deliver(self.sender(sender), cid(f"model-{index}-{t}")),
            out,
        )
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), by_client=st.booleans(), who=st.integers(0, 7))
    def acknowledge(self, index: int, by_client: bool, who: int) -> None:
        auction, model = self.pick(index)
        sender = model.client if by_client else self.everyone[who]
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        auto_close(trial, t, out)
        out.require(trial.state == "DELIVERED", "state")
        out.require(sender == trial.client, "not_client")
        if trial.state == "DELIVERED":
            # Also past the window, until a winner claims: the money is the same either way.
            trial.pay_out("COMPLETED")
        result = self.attempt(
            f"acknowledge() by {sender[:8]} on #{index}",
            lambda: auction.acknowledge(self.sender(sender)),
            out,
        )
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), by_client=st.booleans(), who=st.integers(0, 7))
    def cancel(self, index: int, by_client: bool, who: int) -> None:
        auction, model = self.pick(index)
        sender = model.client if by_client else self.everyone[who]
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        auto_close(trial, t, out)
        out.require(sender == trial.client, "not_client")
        if trial.state == "ADJUDICATED":
            out.after(t, trial.delivery_deadline, "delivery_open")
            out.require(not trial.disputes, "pending")
            if trial.confirmed:  # the inputs were handed over: the infrastructure bond is forfeited
                trial.forfeit()
            else:
                # The reserve and the infrastructure winner's bond to the client, the other
                # winners' bonds back to them.
                trial.credit_client(trial.reserve + trial.bonds[Category.INFRASTRUCTURE])
                for c, (who, _price) in trial.winners.items():
                    if c != Category.INFRASTRUCTURE:
                        trial.credit(who, trial.bonds[c])
                        trial.promise(who, trial.bonds[c])
                trial.state = "CANCELLED"
        else:
            out.require(trial.state == "FAILED", "state")  # FAILED already owes the reserve
            trial.state = "CANCELLED"
        result = self.attempt(
            f"cancel() by {sender[:8]} on #{index}",
            lambda: auction.cancel(self.sender(sender)),
            out,
        )
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(
        index=st.integers(0, MAX_AUCTIONS - 1), as_winner=st.integers(0, 3), who=st.integers(0, 7)
    )
    def claim(self, index: int, as_winner: int, who: int) -> None:
        auction, model = self.pick(index)
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        auto_close(trial, t, out)
        winners = [w for w, _ in trial.winners.values()]
        sender = winners[as_winner] if as_winner < len(winners) else self.everyone[who]
        out.require(trial.state == "DELIVERED", "state")
        out.require(sender in winners, "not_winner")
        if trial.state == "DELIVERED":
            out.after(t, trial.ack_deadline, "ack_open")
            trial.pay_out("CLAIMED")
        result = self.attempt(
            f"claim() by {sender[:8]} on #{index}", lambda: auction.claim(self.sender(sender)), out
        )
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), who=st.integers(0, 7 + SYBILS))
    def withdraw(self, index: int, who: int) -> None:
        self._withdraw(index, self.everyone[who])

    def _withdraw(self, index: int, sender: str) -> None:
        auction, model = self.pick(index)
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        auto_close(trial, t, out)
        amount = trial.owed_to(sender, t)
        edge = sender == trial.client and trial.near_appeal_end(t)
        out.doubtful = out.doubtful or edge
        out.require(amount > 0, "nothing")
        before_contract = self.chain.balance(auction.address)
        before_sender = self.chain.balance(sender)
        result = self.attempt(
            f"withdraw() by {sender[:8]} on #{index} (model owes {amount})",
            lambda: auction.withdraw(self.sender(sender)),
            out,
        )
        if result is None:
            return
        paid = before_contract - self.chain.balance(auction.address)
        if edge:  # at the end of the appeal window, follow the chain
            amount = paid
        assert paid == amount, f"withdraw paid {paid}, the model owed {amount}"
        fee = result.gas_used * gas_price(self.chain, result.tx_hash)
        assert self.chain.balance(sender) - before_sender == amount - fee
        left = trial.owed.get(sender, 0) - amount
        if left:
            trial.owed[sender] = left
        else:
            trial.owed.pop(sender, None)
        trial.balance -= amount
        trial.paid[sender] = trial.paid.get(sender, 0) + amount
        self.commit(index, trial, result)

    # ---- restitution (issue 11) ----------------------------------------------------------

    def _opened(self, result: Any) -> int:
        (opened,) = [e for e in result.events if isinstance(e, DisputeOpened)]
        return int(opened.dispute_id)

    @precondition(lambda self: self.auctions)
    @rule(
        index=st.integers(0, MAX_AUCTIONS - 1),
        as_winner=st.sampled_from([True, True, True, False]),
        who=st.integers(0, 7),
    )
    def confirm(self, index: int, as_winner: bool, who: int) -> None:
        auction, model = self.pick(index)
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        auto_close(trial, t, out)
        infra = trial.winners.get(int(Category.INFRASTRUCTURE), ("", 0))[0]
        sender = infra if as_winner and infra else self.everyone[who]
        out.require(trial.state == "ADJUDICATED", "state")
        out.require(sender == infra, "not_infra")
        if trial.state == "ADJUDICATED":
            out.require(not trial.confirmed, "confirmed")
            out.before(t, trial.delivery_deadline - 1, "delivery_late")
            trial.confirmed = True
        result = self.attempt(
            f"confirmInputs() by {sender[:8]} on #{index}",
            lambda: auction.confirm_inputs(self.sender(sender), cid("data"), cid("algorithm")),
            out,
        )
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), by_client=st.booleans(), who=st.integers(0, 7))
    def reject(self, index: int, by_client: bool, who: int) -> None:
        auction, model = self.pick(index)
        sender = model.client if by_client else self.everyone[who]
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        auto_close(trial, t, out)
        out.require(trial.arbitrated, "no_arbitrator")
        out.require(sender == trial.client, "not_client")
        out.require(trial.state == "DELIVERED", "state")
        if trial.state == "DELIVERED":
            out.before(t, trial.ack_deadline - 1, "ack_closed")
            trial.state = "REJECTED"
        result = self.attempt(
            f"reject() by {sender[:8]} on #{index}",
            lambda: auction.reject(self.sender(sender), cid(f"report-{t}"), fee=0),
            out,
        )
        if result is not None:
            trial.disputes[self._opened(result)] = ("rejection", sender, 2)
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), cat=st.sampled_from(CATS),
          who=st.integers(0, 4))
    def appeal(self, index: int, cat: Category, who: int) -> None:
        auction, model = self.pick(index)
        sender = self.providers[who]
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        auto_close(trial, t, out)
        out.require(trial.arbitrated, "no_arbitrator")
        out.require(trial.state != "BIDDING", "state")
        if trial.state != "BIDDING":
            out.before(t, trial.closed_at + trial.appeal_seconds - 1, "appeal_closed")
        bid = trial.bids[cat].get(sender)
        out.require(bid is not None and bid.disqualified, "not_disq")
        out.require((int(cat), sender) not in trial.appealed, "appealed")
        trial.appealed.add((int(cat), sender))
        result = self.attempt(
            f"appeal({cat.name}) by {sender[:8]} on #{index}",
            lambda: auction.appeal(self.sender(sender), cat, cid(f"appeal-{t}"), fee=0),
            out,
        )
        if result is not None:
            trial.disputes[self._opened(result)] = ("appeal", sender, int(cat))
        self.commit(index, trial, result)

    @precondition(lambda self: self.auctions)
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), winner=st.integers(0, 2),
          who=st.integers(0, 7))
    def dispute_confirmation(self, index: int, winner: int, who: int) -> None:
        auction, model = self.pick(index)
        t = self.t_next()
        trial = copy.deepcopy(model)
        out = Outcome()
        auto_close(trial, t, out)
        inputs = [trial.winners[c][0] for c in (0, 1) if c in trial.winners]
        sender = inputs[winner] if winner < len(inputs) else self.everyone[who]
        out.require(trial.arbitrated, "no_arbitrator")
        out.require(trial.state == "ADJUDICATED", "state")
        out.require(sender in inputs, "not_input_winner")
        if trial.state == "ADJUDICATED":
            out.require(not trial.confirmed, "confirmed")
            out.require(not trial.confirmation_disputed, "disputed")
            out.after(t, trial.closed_at + CONFIRM, "confirm_open")
            out.before(t, trial.delivery_deadline - 1, "delivery_late")
            trial.confirmation_disputed = True
        result = self.attempt(
            f"disputeConfirmation() by {sender[:8]} on #{index}",
            lambda: auction.dispute_confirmation(self.sender(sender), cid(f"sent-{t}"), fee=0),
            out,
        )
        if result is not None:
            cat = 0 if sender == inputs[0] else 1
            trial.disputes[self._opened(result)] = ("confirmation", sender, cat)
        self.commit(index, trial, result)

    @precondition(lambda self: any(m.disputes for _, m in self.auctions))
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), choice=st.integers(0, 3),
          ruling=st.sampled_from([0, 1, 1, 2]))
    def rule_dispute(self, index: int, choice: int, ruling: int) -> None:
        """Two of the committee's three members vote `ruling`: the second vote rules."""
        with_disputes = [i for i, (_, m) in enumerate(self.auctions) if m.disputes]
        index = with_disputes[index % len(with_disputes)]
        self._rule(index, sorted(self.auctions[index][1].disputes)[choice % 10 % len(
            self.auctions[index][1].disputes)], ruling)

    def _rule(self, index: int, dispute_id: int, ruling: int) -> None:
        auction, model = self.pick(index)
        kind, party, cat = model.disputes[dispute_id]
        self.attempt(f"vote({dispute_id}) by member 0", lambda: self.committee.vote(
            self.members[0], dispute_id, ruling), Outcome())
        trial = copy.deepcopy(model)
        del trial.disputes[dispute_id]
        if kind == "rejection":
            if ruling == 1:
                trial.forfeit()
            else:
                trial.pay_out("COMPLETED" if ruling == 2 else "CLAIMED")
        elif kind == "appeal" and ruling == 1:
            amount = min(trial.bids[cat][party].price, trial.floor() - trial.compensated)
            trial.compensated += amount
            trial.credit(party, amount)
            trial.promise(party, amount)
            if trial.client_credited:
                trial.credit(trial.client, -amount)
        elif kind == "confirmation" and ruling == 1:
            trial.confirmed = True
        result = self.attempt(
            f"vote({dispute_id}, {ruling}) on {kind} of #{index}: the ruling",
            lambda: self.committee.vote(self.members[1], dispute_id, ruling),
            Outcome(),
        )
        self.commit(index, trial, result)

    @precondition(lambda self: any(m.arbitrated for _, m in self.auctions))
    @rule(kind=st.sampled_from(["reject", "appeal", "confirmation"]),
          ruling=st.sampled_from([0, 1, 1, 2]), cat=st.sampled_from(CATS))
    def dispute_story(self, kind: str, ruling: int, cat: Category) -> None:
        """An arbitrated auction driven through one kind of dispute to its ruling (random runs
        rarely line up the states and windows a dispute needs; this step does)."""
        index = next(i for i, (_, m) in enumerate(self.auctions) if m.arbitrated)
        model = self.auctions[index][1]
        if model.state == "BIDDING":
            if kind == "appeal":
                self._bid(index, 4, cat, ("pct", 10), [])
                self.disqualify(index, True, cat, 4)
            for c in CATS:
                if not any(not b.disqualified for b in self.auctions[index][1].bids[c].values()):
                    self._bid(index, int(c), c, ("pct", 60), [])
            wait = self.auctions[index][1].bidding_deadline + MARGIN + 1 - self.t_next()
            if wait > 0:
                self.chain.advance_time(wait)
                self.touched.update(range(len(self.auctions)))
            self.settle(index, 0)
        model = self.auctions[index][1]
        if kind == "reject" and model.state == "ADJUDICATED":
            self.deliver(index, True, 0)
            self.reject(index, True, 0)
        elif kind == "confirmation" and model.state == "ADJUDICATED" and not model.confirmed:
            wait = model.closed_at + CONFIRM + MARGIN + 1 - self.t_next()
            if wait > 0:
                self.chain.advance_time(wait)
                self.touched.update(range(len(self.auctions)))
            self.dispute_confirmation(index, 0, 0)
        elif kind == "appeal":
            for c in CATS:
                for who, b in list(model.bids[c].items()):
                    if b.disqualified and who in self.providers:
                        self.appeal(index, c, self.providers.index(who))
        for dispute_id in sorted(self.auctions[index][1].disputes):
            self._rule(index, dispute_id, ruling)

    @precondition(lambda self: self.auctions)
    @rule(index=st.integers(0, MAX_AUCTIONS - 1), choice=st.integers(0, 4))
    def progress(self, index: int, choice: int) -> None:
        """The natural next step of one auction, so that random runs reach the later phases
        (the other rules add the wrong senders, wrong times and wrong states)."""
        _auction, model = self.pick(index)
        model = model.effective(self.t_next())
        unappealed = [
            (c, who) for c in CATS for who, b in model.bids[c].items()
            if b.disqualified and who in self.providers and (int(c), who) not in model.appealed
        ]
        if model.disputes:  # the arbitrator rules (restitution, issue 11)
            self.rule_dispute(index, choice, choice % 3)
            return
        if model.state == "BIDDING":
            valid = [c for c in CATS if any(not b.disqualified for b in model.bids[c].values())]
            missing = [c for c in CATS if c not in valid]
            if missing:
                cat = missing[choice % len(missing)]
                self._bid(index, choice, cat, ("pct", 50 + 10 * choice), [])
            elif model.arbitrated and choice == 1:  # something to appeal later
                cat = CATS[self.steps % 3]
                target = next((w for w, b in model.bids[cat].items()
                               if w in self.providers and not b.disqualified), None)
                if target is not None:
                    self.disqualify(index, True, cat, self.providers.index(target))
            else:
                self.adjudicate(index, True, 0)
        elif model.arbitrated and unappealed and choice == 1:
            cat, who = unappealed[0]
            self.appeal(index, cat, self.providers.index(who))
        elif model.state == "ADJUDICATED":
            if model.arbitrated and choice == 3 and not model.confirmed:
                wait = model.closed_at + CONFIRM + MARGIN + 1 - self.t_next()
                if wait > 0:
                    self.chain.advance_time(wait)
                    self.touched.update(range(len(self.auctions)))
                self.dispute_confirmation(index, choice % 2, 0)
            elif choice == 4 and not model.confirmed:
                self.confirm(index, True, 0)
            else:
                self.deliver(index, True, 0)
        elif model.state == "DELIVERED":
            if model.arbitrated and choice == 2:
                self.reject(index, True, 0)
            elif choice < 3:
                self.acknowledge(index, True, 0)
            else:
                self.chain.advance_time(model.ack_seconds)
                self.touched.update(range(len(self.auctions)))
                self.claim(index, choice % 3, 0)
        elif model.owed:
            self._withdraw(index, sorted(model.owed)[choice % len(model.owed)])

    @rule(seconds=st.sampled_from(JUMPS))
    def jump(self, seconds: int) -> None:
        self.chain.advance_time(seconds)
        self.touched.update(range(len(self.auctions)))

    # ---- invariants -------------------------------------------------------------------------

    @invariant()
    def books_balance(self) -> None:
        touched, self.touched = self.touched, set()
        self.check_books(sorted(touched), everyone=False)

    def check_books(self, indexes: list[int], everyone: bool) -> None:
        now = self.chain.now()
        for index in indexes:
            auction, recorded = self.auctions[index]
            if recorded.state == "BIDDING" and abs(now - recorded.bidding_deadline) <= MARGIN:
                continue  # views may read either side of the deadline
            model = recorded.effective(now)
            held = self.chain.balance(auction.address)
            assert held == model.balance, f"{auction.address} holds {held}, model {model.balance}"
            owed_total = 0
            # Between steps: who the model says may be owed; at the end: every provider too.
            winners = {who for who, _ in model.winners.values()}
            parties = {model.client, *model.owed, *winners}
            if everyone:
                parties.update(self.providers)
                parties.update(self.sybils)
            for who in sorted(parties):
                owed = auction.owed(who)
                if who == model.client and model.near_appeal_end(now):
                    owed_total += owed
                    continue  # either side of the end of the appeal window
                assert owed == model.owed_to(who, now), (
                    f"owed({who[:8]}) on {model.state} auction: chain {owed}, "
                    f"model {model.owed_to(who, now)}"
                )
                owed_total += owed
            assert owed_total <= held, f"owes {owed_total} but holds {held}"
            # the contract holds exactly what it owes (the client's share included, held back
            # or not) once nothing is left to decide
            settled = ("COMPLETED", "CLAIMED", "CANCELLED", "FAILED", "FORFEITED")
            if model.state in settled and not model.disputes:
                assert sum(model.owed.values()) == held, (
                    f"settled yet holds {held} for {sum(model.owed.values())} owed"
                )
                if model.client_free(now) and not model.near_appeal_end(now):
                    assert owed_total == held, f"settled yet holds {held} for {owed_total} owed"

    # ---- the end ------------------------------------------------------------------------------

    def teardown(self) -> None:
        if not self.auctions:
            return
        # Past every deadline, every party must be able to get out what it is owed.
        self.chain.advance_time(3 * max(WINDOWS) + 10)
        for index, (_auction, model) in enumerate(list(self.auctions)):
            if model.state == "BIDDING":
                self.settle(index, len(self.everyone) - 1)
            _, model = self.auctions[index]
            for dispute_id in sorted(model.disputes):  # the arbitrator rules what is still open
                self._rule(index, dispute_id, dispute_id % 3)
            _, model = self.auctions[index]
            if model.state == "ADJUDICATED":
                self.cancel(index, True, 0)
            _, model = self.auctions[index]
            if model.state == "DELIVERED":
                self.claim(index, 0, 0)
            _, model = self.auctions[index]
            assert model.state in ("COMPLETED", "CLAIMED", "CANCELLED", "FAILED", "FORFEITED"), (
                model.state
            )
            for who in list(model.owed):
                self._withdraw(index, who)
            auction, model = self.auctions[index]
            assert model.balance == 0
            assert self.chain.balance(auction.address) == 0
            # Every honest party got at least what the rules promise it.
            for who, due in model.promised.items():
                assert model.paid.get(who, 0) >= due, f"{who[:8]} got {model.paid.get(who)} < {due}"
            # Every bond came back, but a cancelled SLA's infrastructure winner's (the client's).
            forfeited = model.state == "FORFEITED" or (
                model.state == "CANCELLED" and len(model.winners) == len(CATS)
            )
            for c in CATS:
                for who in model.bids[c]:
                    kept = (
                        forfeited
                        and c == Category.INFRASTRUCTURE
                        and (model.winners[int(c)][0] == who)
                    )
                    returned = auction._c.functions.bidOf(int(c), who).call()[4]
                    if model.bonds[c] and not kept:
                        assert returned, f"{who[:8]} never got its bond back in {c.name}"
        self.check_books(list(range(len(self.auctions))), everyone=True)


def gas_price(chain: Chain, tx_hash: str) -> int:
    receipt = chain.w3.eth.get_transaction_receipt(tx_hash)
    return int(receipt["effectiveGasPrice"])


TestMoneyProperties = MoneyMachine.TestCase
TestMoneyProperties.settings = settings(
    max_examples=300 if _THOROUGH else 20,
    stateful_step_count=50 if _THOROUGH else 25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    database=None if os.environ.get("CI") else settings.default.database,
)
