"""The demo's scenarios: the paper's run and four restitution stories, each told with its payouts.

`paper` is the hospital use case end to end (saiaas.market.hospital). The others run the
restitution phase on the same terms (the hospital's requirement file, an arbitration committee
named in the terms) without the matcher or the training, which are not their point:

- `non-delivery`: the infrastructure winner confirms the inputs, then never delivers; the data
  and algorithm winners are paid, from its forfeited bond first, the client gets the rest;
- `bad-model`: the delivered model misses minAccuracy; the client rejects it with its evaluation
  report; the committee rules for the client; the infrastructure winner forfeits pay and bond;
- `unfair-disqualification`: the client disqualifies the two cheapest honest data bids so that
  its friend wins; both appeal; the committee upholds them; the client pays them their price;
- `lock-out`: issue 10's attack, throw-away bidders filling a category: the honest lower bid
  still lands and wins, each spammer only gets its bond back.

Each returns `scenario`, `story` (lines: who got what and why), `payouts` (per party: address,
role, received_wei), `disputes`, `total_gas` (the total of its transactions) and `transactions`
(one row per transaction: operation, label, tx_hash, gas_used, block_number), as the paper's
run does. No typer, no rich.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from saiaas.market.scenario import PROVIDERS, ether_text, ether_wei, paper_terms
from saiaas.market.views import tx_json, wei

if TYPE_CHECKING:
    from saiaas.contracts import Auction, Committee, TxResult
    from saiaas.market.marketplace import Marketplace

__all__ = ["SCENARIOS", "run_scenario", "ScenarioError"]

SCENARIOS = ("paper", "non-delivery", "bad-model", "unfair-disqualification", "lock-out")
#: The committee's terms in every restitution scenario: 2 of 3 members, this fee per dispute.
COMMITTEE_FEE = 10**15  # 0.001 ETH
CONFIRMATION_SECONDS = 86400
APPEAL_SECONDS = 2 * 86400
LOCK_OUT_SPAMMERS = 10


class ScenarioError(Exception):
    """A scenario's own check failed (the contracts did not do what the story says)."""


def _cid(tag: str) -> str:
    from saiaas.contracts import decode_cid

    return decode_cid(hashlib.sha256(tag.encode()).digest(), 0)


class _Run:
    """One scenario's chain, parties, gas rows and story."""

    def __init__(self, market: Marketplace, name: str):
        self.market = market
        self.name = name
        self.chain = market.chain
        accounts = self.chain.accounts
        self.client = accounts[1]
        self.providers = accounts[2:7]
        self.members = accounts[7:10]
        self.gas: list[dict[str, Any]] = []
        self.story: list[str] = []
        self.roles: dict[str, str] = {self.client: "client"}
        self.received: dict[str, int] = {}
        self.committee: Committee | None = None

    def tx(self, operation: str, label: str, tx: TxResult) -> TxResult:
        self.gas.append({"operation": operation, "label": label, **tx_json(tx)})
        return tx

    def say(self, line: str) -> None:
        self.story.append(line)

    def as_(self, account: str) -> Marketplace:
        return self.market.acting_as(account)

    def deploy_committee(self) -> Committee:
        from saiaas.market import arbitration

        committee, _gas = arbitration.deploy_committee(
            self.as_(self.members[0]), list(self.members), 2, COMMITTEE_FEE
        )
        assert committee.deployment is not None
        self.tx("Committee deployment", "2-of-3 committee", committee.deployment)
        for m in self.members:
            self.roles[m] = "committee member"
        self.committee = committee
        return committee

    def open(self, **restitution: Any) -> Auction:
        terms = paper_terms().as_kwargs()
        if self.committee is not None:
            restitution = {"arbitrator": self.committee.address,
                           "confirmation_seconds": CONFIRMATION_SECONDS,
                           "appeal_seconds": APPEAL_SECONDS, **restitution}
        terms.update(restitution)
        auction, tx = self.market.factory.create_auction(self.client, **terms)
        self.tx("Auction creation", "client creates the auction", tx)
        self.terms = terms
        return auction

    def bid(self, auction: Auction, who: str, category: int, price: int, role: str) -> None:
        tx = auction.bid(who, category, price, _cid(f"{self.name} {who} {category}"))
        self.tx("Bid", f"{role} bids {ether_text(price)} ETH", tx)
        self.roles.setdefault(who, role)

    def paper_bids(self, auction: Auction) -> list[str]:
        """The winning bids of the paper's providers A (their last prices)."""
        names = ("data winner", "algorithm winner", "infrastructure winner")
        for c in range(3):
            self.bid(auction, self.providers[c], c, ether_wei(PROVIDERS[c].prices[-1]), names[c])
        return list(self.providers[:3])

    def settle(self, auction: Auction) -> None:
        self.chain.advance_time(max(0, auction.closes_at() - self.chain.now()))
        self.tx("Adjudication", "settle after the deadline (SLA)",
                auction.settle(self.client))

    def rule(self, dispute_id: int, ruling: int) -> None:
        from saiaas.market import arbitration

        assert self.committee is not None
        for member in self.members[:2]:
            tx = arbitration.rule(self.as_(member), self.committee.address, dispute_id, ruling)
            self.tx("Rule (committee vote)", f"member {member[:8]} votes {ruling}", tx)

    def pay_out(self, auction: Auction) -> None:
        """Everyone owed withdraws; the contract must end empty."""
        from saiaas.market import client as client_flow

        sla = auction.sla()
        if self.committee is not None and sla is not None:  # the client's share waits for it
            self.chain.advance_time(max(0, sla.adjudicated_at + APPEAL_SECONDS - self.chain.now()))
        parties = list(dict.fromkeys([*self.roles, *self.providers]))
        owed = {p: auction.owed(p) for p in parties}
        if sum(owed.values()) != auction.balance():
            raise ScenarioError(f"owed {sum(owed.values())} != held {auction.balance()} wei")
        for party, amount in owed.items():
            if amount:
                _, tx = client_flow.withdraw(self.as_(party), auction)
                self.tx("Withdraw", f"{self.roles.get(party, 'bidder')} withdraws", tx)
                self.received[party] = self.received.get(party, 0) + amount
        if auction.balance() != 0:
            raise ScenarioError(f"{auction.address} still holds {auction.balance()} wei")
        if self.committee is not None:
            for member in self.members:
                fees = self.committee.fees_owed(member)
                if fees:
                    tx = self.committee.withdraw_fees(member)
                    self.tx("Withdraw fees", "committee member takes its fee share", tx)
                    self.received[member] = self.received.get(member, 0) + fees

    def result(self, auction: Auction | None) -> dict[str, Any]:
        from saiaas.market.arbitration import disputes_json

        payouts = [
            {"address": a, "role": self.roles.get(a, "bidder"),
             "received_wei": wei(self.received.get(a, 0)),
             "ether": ether_text(self.received.get(a, 0))}
            for a in dict.fromkeys([*self.roles, *self.received])
        ]
        return {
            "scenario": self.name,
            "auction": auction.address if auction is not None else None,
            "state": auction.state().name if auction is not None else None,
            "arbitrator": self.committee.address if self.committee is not None else None,
            "story": self.story,
            "payouts": payouts,
            "disputes": disputes_json(auction) if auction is not None else [],
            "total_gas": sum(row["gas_used"] for row in self.gas),
            "transactions": self.gas,
        }


def _non_delivery(run: _Run) -> Auction:
    from saiaas.market import arbitration
    from saiaas.market import client as client_flow

    run.deploy_committee()
    auction = run.open()
    data, algorithm, infra = run.paper_bids(auction)
    run.settle(auction)
    sla = auction.sla()
    assert sla is not None
    _, _, tx = arbitration.confirm_inputs(run.as_(infra), auction)
    run.tx("Confirm inputs", "infrastructure winner confirms the sealed inputs", tx)
    run.say(f"The infrastructure winner {infra} confirmed on chain that it received the sealed "
            "data and algorithm: from then on their winners are owed their price.")
    run.chain.advance_time(sla.delivery_deadline - run.chain.now())
    tx = client_flow.cancel(run.as_(run.client), auction)
    run.tx("Cancel", "client cancels after the delivery deadline", tx)
    bond = auction.bonds()[2]
    run.say(f"It never delivered. After the delivery deadline the client cancelled: the "
            f"auction is {auction.state().name}; the infrastructure winner forfeits its bond "
            f"({ether_text(bond)} ETH), which pays the data and algorithm winners first.")
    prices = [sla.winners[c].price for c in sla.winners]  # type: ignore[index]
    run.say(f"Data and algorithm winners get their price and bond back "
            f"({ether_text(prices[0])} and {ether_text(prices[1])} ETH); the infrastructure "
            "winner gets nothing; the client gets the reserve plus the forfeited bond minus "
            "those two prices.")
    run.pay_out(auction)
    return auction


def _bad_model(run: _Run) -> Auction:
    from saiaas.market import arbitration
    from saiaas.market import provider as provider_flow

    committee = run.deploy_committee()
    auction = run.open()
    data, algorithm, infra = run.paper_bids(auction)
    run.settle(auction)
    _, tx = provider_flow.deliver(run.as_(infra), auction, b"32 bytes of garbage, not a model")
    run.tx("Deliver model", "infrastructure winner delivers a useless model", tx)
    required = 0.85
    measured = 0.11
    run.say(f"The infrastructure winner delivered a model; the client's evaluation measures an "
            f"accuracy of {measured} against the {required} its request requires (this scenario "
            "states the evaluation instead of training: `paper` runs the real one).")
    answer = arbitration.answer_delivery(run.as_(run.client), auction, measured, required,
                                         f"accuracy {measured} < required {required}")
    assert answer["tx"] is not None
    run.tx("Reject", "client rejects with its evaluation report", answer["tx"])
    run.say(f"So the client rejected it within the acknowledgment window, citing its report "
            f"{answer['reason_cid']} and advancing the committee's fee "
            f"({ether_text(committee.fee())} ETH); nobody can claim meanwhile.")
    (dispute,) = auction.disputes()
    run.rule(dispute.dispute_id, 1)
    run.say(f"The committee ruled for the client (2 of 3 votes): the auction is "
            f"{auction.state().name}. The data and algorithm winners are still paid (their "
            "inputs were used); the infrastructure winner gets neither its price nor its bond; "
            "the client gets the reserve plus that bond minus the two prices.")
    run.pay_out(auction)
    return auction


def _unfair_disqualification(run: _Run) -> Auction:
    from saiaas.market import arbitration

    run.deploy_committee()
    auction = run.open()
    honest, second, friend = run.providers[0], run.providers[3], run.providers[4]
    prices = (ether_wei("0.10"), ether_wei("0.12"), ether_wei("0.25"))
    run.bid(auction, honest, 0, prices[0], "honest data provider")
    run.bid(auction, second, 0, prices[1], "second honest data provider")
    run.bid(auction, friend, 0, prices[2], "client's friend")
    run.bid(auction, run.providers[1], 1, ether_wei("0.15"), "algorithm winner")
    run.bid(auction, run.providers[2], 2, ether_wei("0.28"), "infrastructure winner")
    for who in (honest, second):
        tx = auction.disqualify(run.client, 0, who, _cid("an invented reason"))
        run.tx("Disqualify", "client disqualifies an honest bid", tx)
    run.say("The client disqualified the two cheapest honest data bids (0.10 and 0.12 ETH) "
            "with an invented reason, so that its friend wins data at 0.25 ETH.")
    run.settle(auction)
    for who in (honest, second):
        _, tx = arbitration.appeal(run.as_(who), auction, 0, None)
        run.tx("Appeal", "disqualified bidder appeals", tx)
    run.say("Both appealed within the appeal window (each advancing the committee's fee).")
    for dispute in auction.disputes():
        run.rule(dispute.dispute_id, 1)
    run.say("The committee upheld both appeals: each is owed its bid price out of the "
            "client's share, and its disqualification is marked overturned.")
    tx = auction.deliver(run.providers[2], _cid("model"))
    run.tx("Deliver model", "infrastructure winner delivers", tx)
    run.tx("Acknowledge", "client acknowledges", auction.acknowledge(run.client))
    run.chain.advance_time(APPEAL_SECONDS)
    run.say("The friend is still paid its 0.25 ETH (it won the SLA): the cheat cost the client "
            "0.25 + 0.10 + 0.12 = 0.47 ETH for data instead of 0.10 ETH.")
    run.pay_out(auction)
    return auction


def _lock_out(run: _Run) -> Auction:
    from eth_account import Account
    from eth_utils import keccak

    auction = run.open()
    bond = auction.bonds()[0]
    spammers = [Account.from_key(keccak(text=f"lock-out-{i}")) for i in range(LOCK_OUT_SPAMMERS)]
    for i, spammer in enumerate(spammers):
        run.chain.w3.eth.send_transaction(
            {"from": run.providers[4], "to": spammer.address, "value": bond + 10**17}
        )
        tx = auction.bid(spammer, 0, ether_wei("0.35") - i, _cid(f"junk {i}"), bond=bond)
        run.tx("Bid", "throw-away bidder fills the data category", tx)
        run.roles[spammer.address] = "throw-away bidder"
    run.say(f"{LOCK_OUT_SPAMMERS} throw-away bidders filled the data category, each locking a "
            f"{ether_text(bond)} ETH bond (issue 10's lock-out: a bidder cap used to shut out "
            "honest bids).")
    run.paper_bids(auction)
    best = auction.best_bid(0)
    assert best is not None and best.bidder == run.providers[0]
    run.say("The honest lower bid still landed and is the best: there is no cap to fill.")
    run.settle(auction)
    tx = auction.deliver(run.providers[2], _cid("model"))
    run.tx("Deliver model", "infrastructure winner delivers", tx)
    run.tx("Acknowledge", "client acknowledges", auction.acknowledge(run.client))
    for spammer in spammers:
        run.tx("Withdraw", "throw-away bidder takes its bond back", auction.withdraw(spammer))
        run.received[spammer.address] = bond
    run.say("The honest winners are paid; each throw-away bidder only gets its bond back, "
            "having paid gas for nothing (no arbitrator is named here: the timeouts decide).")
    run.pay_out(auction)
    return auction


_RUNS = {
    "non-delivery": _non_delivery,
    "bad-model": _bad_model,
    "unfair-disqualification": _unfair_disqualification,
    "lock-out": _lock_out,
}


def run_scenario(
    market: Marketplace, name: str = "paper", gas_price_gwei: float = 124,
    eth_usd: float = 1683, keys_dir: Any = None,
) -> dict[str, Any]:
    """Run scenario `name` on `market` (an in-process chain with at least 10 accounts)."""
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}: choose one of {', '.join(SCENARIOS)}")
    if name == "paper":
        from saiaas.market.hospital import run_hospital

        out = run_hospital(market, gas_price_gwei, eth_usd, keys_dir)
        return {**out, **paper_summary(out)}
    run = _Run(market, name)
    auction = _RUNS[name](run)
    return run.result(auction)


def paper_summary(out: dict[str, Any]) -> dict[str, Any]:
    """The paper run's keys in the scenarios' shape (scenario, payouts, disputes; its
    `total_gas` is already the scenario's total and `transactions` its rows)."""
    return {
        "scenario": "paper",
        "payouts": [{"address": w["address"], "role": w["who"], "received_wei": w["owed_wei"],
                     "ether": ether_text(int(w["owed_wei"]))} for w in out.get("withdrawals", [])],
        "disputes": [],
    }
