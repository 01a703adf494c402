"""The paper's scenario, stated once: its terms, its providers and the order of their bids.

`saiaas demo` runs it with the hospital use case end to end (saiaas.market.hospital),
`saiaas bench gas` runs its transactions alone for their gas, and the tests check both; all of
them read the terms and the bids from here, so the figures they print describe the same run.

The scenario (as the paper's): the Factory is deployed; the client creates the auction from the
hospital's requirement file; six providers, two per category; provider A of each category bids
first, provider B outbids it, A lowers its bid and wins (9 bids); the auction ends and is settled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from saiaas.contracts import Chain
    from saiaas.market.client import AuctionTerms

__all__ = [
    "PAPER",
    "REQUEST_FILE",
    "Provider",
    "PROVIDERS",
    "REFUSED",
    "REFUSED_DATA",
    "REFUSALS",
    "BID_ORDER",
    "DELIVER",
    "ACKNOWLEDGE",
    "WITHDRAW",
    "WITHDRAW_BOND",
    "EARLY_ADJUDICATION",
    "CONFIRM_INPUTS",
    "REJECT",
    "DISPUTE",
    "APPEAL",
    "RULE",
    "FORFEIT",
    "RESTITUTION_OPERATIONS",
    "paper_terms",
    "bid_operation",
    "gas_scenario",
    "costs",
    "ether_text",
    "ether_wei",
]

#: The paper's Table 1 (gas).
PAPER = {
    "Factory deployment": 2_344_498,
    "Auction creation": 1_760_105,
    "First bid of contract": 237_518,
    "First bid of user": 207_829,
    "Modify existing bid": 94_747,
    "Adjudication": 198_295,
    "Scenario total": 3_180_058,
}
# Operations outside the paper's Table 1.
DELIVER, ACKNOWLEDGE, WITHDRAW = "Deliver model", "Acknowledge", "Withdraw"
WITHDRAW_BOND = "Withdraw bond (loser)"
EARLY_ADJUDICATION = "Adjudication (client, early)"
# Restitution (issue 11), also outside the total.
COMMITTEE_DEPLOYMENT = "Committee deployment"
CREATION_WITH_ARBITRATOR = "Auction creation (arbitrator named)"
CONFIRM_INPUTS = "Confirm inputs"
REJECT = "Reject delivery"
DISPUTE = "Dispute confirmation"
APPEAL = "Appeal disqualification"
RULE = "Rule (committee vote)"
FORFEIT = "Cancel (bond forfeited)"
RESTITUTION_OPERATIONS = (COMMITTEE_DEPLOYMENT, CREATION_WITH_ARBITRATOR, CONFIRM_INPUTS, REJECT,
                          DISPUTE, APPEAL, RULE, FORFEIT)

REQUEST_FILE = "hospital-request.ttl"
WEI_PER_ETHER = 10**18
GWEI = 10**9


@dataclass(frozen=True)
class Provider:
    """One provider of the scenario: its catalog, and the prices (ether) it bids, in order."""

    catalog: str
    category: str  # "data" | "algorithm" | "infrastructure"
    prices: tuple[str, ...]


# Prices stay within the request's max prices (0.35 / 0.25 / 0.40 ETH) and above each catalog's
# own saiaas:minimumPrice.
PROVIDERS: tuple[Provider, ...] = (
    Provider("data-chest-imaging-lab.ttl", "data", ("0.30", "0.20")),
    Provider("algo-densenet-chexnet.ttl", "algorithm", ("0.22", "0.15")),
    Provider("infra-sev-gpu-hosting.ttl", "infrastructure", ("0.36", "0.28")),
    Provider("data-radiology-archive.ttl", "data", ("0.25",)),
    Provider("algo-vit-medical.ttl", "algorithm", ("0.18",)),
    Provider("infra-confidential-gpu-cloud.ttl", "infrastructure", ("0.32",)),
)
#: The seventh provider: a GPU node without a TEE, in the US. The matcher refuses it.
REFUSED = Provider("infra-plain-gpu.ttl", "infrastructure", ("0.10",))
#: The eighth: chest X-rays consented for COVID-19 research only (DUO DS), while the hospital
#: studies pneumonia. The matcher refuses it for its data-use conditions.
REFUSED_DATA = Provider("data-covid-xray-registry.ttl", "data", ("0.15",))
#: Every provider the matcher refuses, in the order the demo shows them; none sends anything.
REFUSALS: tuple[Provider, ...] = (REFUSED, REFUSED_DATA)

#: The paper's order of the 9 bids: (index in PROVIDERS, index of the price in its prices).
BID_ORDER: tuple[tuple[int, int], ...] = (
    (0, 0), (1, 0), (2, 0),  # provider A of each category bids first
    (3, 0), (4, 0), (5, 0),  # provider B outbids it
    (0, 1), (1, 1), (2, 1),  # A lowers its bid below B's and wins
)


def ether_text(wei: int) -> str:
    """Exact ether text of a wei amount ("0.2", "1", "-0.000123")."""
    text = format(Decimal(wei) / WEI_PER_ETHER, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def ether_wei(ether: str) -> int:
    from saiaas.ontologies.requests import ether_to_wei

    return ether_to_wei(ether, "scenario price")


def paper_terms(requirements_cid: str | None = None) -> AuctionTerms:
    """The auction's terms, read from the hospital's requirement file as the client would."""
    from saiaas.market.client import auction_terms
    from saiaas.market.requirements import parse_request_bytes
    from saiaas.ontologies import example_path
    from saiaas.storage import cid_of

    data = example_path(REQUEST_FILE).read_bytes()
    request = parse_request_bytes(data, REQUEST_FILE)
    return auction_terms(request, requirements_cid or cid_of(data))


def bid_operation(n: int, first_of_bidder: bool) -> str:
    """The paper's name for the n-th bid (0-based) of the auction."""
    if n == 0:
        return "First bid of contract"
    return "First bid of user" if first_of_bidder else "Modify existing bid"


def _fake_cid(n: int) -> str:
    """A distinct raw CID per asset (only the size of a CID matters to gas, not its content)."""
    from saiaas.contracts import decode_cid

    return decode_cid(hashlib.sha256(f"asset-{n}".encode()).digest(), 0)


def gas_scenario(chain: Chain | None = None) -> list[dict[str, Any]]:
    """The scenario's transactions alone (no matcher, no store): one row per transaction with
    its operation, label and receipt gas. deliver/acknowledge/withdraw and an early
    adjudication are extra rows, outside the scenario total."""
    from saiaas.contracts import Category, Chain, Factory
    from saiaas.ontologies import ontology_bytes
    from saiaas.ontologies.requests import Category as RequestCategory
    from saiaas.storage import cid_of

    chain = chain or Chain.embedded()
    owner, client, *providers = chain.accounts[:8]
    rows: list[dict[str, Any]] = []

    def row(operation: str, label: str, gas: int, scenario: bool = True) -> None:
        rows.append({"operation": operation, "label": label, "gas": gas, "in_scenario": scenario})

    factory = Factory.deploy(chain, owner, cid_of(ontology_bytes()))
    assert factory.deploy_receipt is not None
    row("Factory deployment", "deploy Factory (+ Auction implementation)",
        factory.deploy_receipt.gas_used, False)
    from saiaas.market.client import packaged_ontology_version

    # the terms the client's workflow gives: the file's, pinned to the vocabulary it was
    # validated against
    terms = {**paper_terms().as_kwargs(), "ontology_version": packaged_ontology_version(factory)}
    auction, tx = factory.create_auction(client, **terms)
    row("Auction creation", "client creates the auction", tx.gas_used)
    seen: set[int] = set()
    for n, (who, price_index) in enumerate(BID_ORDER):
        provider = PROVIDERS[who]
        category = Category(RequestCategory(provider.category).order)
        price = ether_wei(provider.prices[price_index])
        tx = auction.bid(providers[who], category, price, _fake_cid(who))
        side = "A" if who < 3 else "B"
        what = ("bids first" if n < 3 else "outbids") if who not in seen else "lowers its bid"
        row(bid_operation(n, who not in seen), f"{provider.category} provider {side} {what}",
            tx.gas_used)
        seen.add(who)
    chain.advance_time(terms["bidding_seconds"])
    tx = auction.settle(client)
    row("Adjudication", "settle after the deadline (SLA)", tx.gas_used)
    winners, losers = providers[:3], providers[3:6]
    tx = auction.deliver(winners[2], _fake_cid(99))
    row(DELIVER, "infrastructure winner delivers", tx.gas_used, False)
    tx = auction.acknowledge(client)
    row(ACKNOWLEDGE, "client acknowledges", tx.gas_used, False)
    for i, who in enumerate([*winners, client]):
        tx = auction.withdraw(who)
        label = "client withdraws unspent reserve" if who == client else f"winner {i} withdraws"
        row(WITHDRAW, label, tx.gas_used, False)  # a winner's pay and its bond, together
    for i, who in enumerate(losers):
        tx = auction.withdraw(who)
        row(WITHDRAW_BOND, f"{PROVIDERS[3 + i].category} provider B takes its bond back",
            tx.gas_used, False)
    # The client may also close early: it announces the close (bidding goes on for the notice
    # period, so a bid in flight still lands), then anyone settles at the announced close.
    early, _ = factory.create_auction(client, **terms)
    for who in range(3):
        provider = PROVIDERS[who]
        early.bid(winners[who], Category(who), ether_wei(provider.prices[-1]), _fake_cid(who))
    tx = early.adjudicate(client)
    row(EARLY_ADJUDICATION, "client announces an early close", tx.gas_used, False)
    chain.advance_time(early.notice_seconds())
    tx = early.settle(client)
    row(EARLY_ADJUDICATION, "settle at the announced close", tx.gas_used, False)
    _restitution_rows(chain, factory, terms, client, providers, row)
    return rows


def _restitution_rows(
    chain: Chain, factory: Any, terms: dict[str, Any], client: str, providers: list[str],
    row: Any,
) -> None:
    """The restitution operations of issue 11 on the same terms plus a 2-of-3 committee: confirm
    inputs, a rejection ruled, an appeal ruled, a missing confirmation disputed and ruled, and a
    confirmed non-delivery whose cancel forfeits the bond."""
    from saiaas.contracts import Category, Committee

    members = [chain.accounts[0], *chain.accounts[8:10]]
    committee, gas = Committee.deploy(chain, members[0], members, 2, 0)
    row(COMMITTEE_DEPLOYMENT, "deploy a 2-of-3 committee arbitrator", gas, False)
    named = {**terms, "arbitrator": committee.address, "confirmation_seconds": 86400,
             "appeal_seconds": 2 * 86400}
    winners = providers[:3]

    def sla(label: str) -> Any:
        auction, tx = factory.create_auction(client, **named)
        row(CREATION_WITH_ARBITRATOR, label, tx.gas_used, False)
        for who in range(3):
            auction.bid(winners[who], Category(who), ether_wei(PROVIDERS[who].prices[-1]),
                        _fake_cid(who))
        return auction

    def vote(dispute_id: int, label: str) -> None:
        committee.vote(members[0], dispute_id, 1)
        tx = committee.vote(members[1], dispute_id, 1)  # the second vote rules
        row(RULE, label, tx.gas_used, False)

    # a rejection: delivered, rejected with a report, ruled for the client
    rejected = sla("client creates an auction naming a committee")
    chain.advance_time(named["bidding_seconds"])
    rejected.settle(client)
    tx = rejected.confirm_inputs(winners[2], _fake_cid(0), _fake_cid(1))
    row(CONFIRM_INPUTS, "infrastructure winner confirms the sealed inputs", tx.gas_used, False)
    rejected.deliver(winners[2], _fake_cid(99))
    tx = rejected.reject(client, _fake_cid(98))
    row(REJECT, "client rejects the model with its evaluation report", tx.gas_used, False)
    vote(rejected.disputes()[0].dispute_id, "the vote that rules a rejection (bond forfeited)")
    # an appeal: an honest bid disqualified, appealed after the close, upheld
    appealed = sla("client creates an auction naming a committee")
    appealed.bid(providers[3], Category.DATA, ether_wei("0.10"), _fake_cid(3))
    appealed.disqualify(client, Category.DATA, providers[3], _fake_cid(97))
    chain.advance_time(named["bidding_seconds"])
    appealed.settle(client)
    tx = appealed.appeal(providers[3], Category.DATA, _fake_cid(96))
    row(APPEAL, "disqualified bidder appeals", tx.gas_used, False)
    vote(appealed.disputes()[0].dispute_id, "the vote that upholds an appeal (compensation)")
    # a missing confirmation: disputed by the data winner, upheld, then no delivery: forfeited
    silent = sla("client creates an auction naming a committee")
    chain.advance_time(named["bidding_seconds"])
    silent.settle(client)
    chain.advance_time(named["confirmation_seconds"])
    tx = silent.dispute_confirmation(winners[0], _fake_cid(95))
    row(DISPUTE, "data winner disputes the missing confirmation", tx.gas_used, False)
    vote(silent.disputes()[0].dispute_id, "the vote that finds the inputs were handed over")
    chain.advance_time(terms["delivery_seconds"])
    tx = silent.cancel(client)
    row(FORFEIT, "client cancels: the infrastructure bond is forfeited", tx.gas_used, False)


def costs(
    transactions: list[dict[str, Any]], gas_price_gwei: float, eth_usd: float
) -> dict[str, Any]:
    """Per operation (the costliest instance, with the range) and the scenario total, in gas,
    ether and USD: the layout of the paper's Table 1."""
    price = Decimal(str(gas_price_gwei)) * GWEI  # wei per gas
    usd = Decimal(str(eth_usd))

    def money(gas: int) -> tuple[str, float]:
        ether = Decimal(gas) * price / WEI_PER_ETHER
        return ether_text(int(Decimal(gas) * price)), float(round(ether * usd, 2))

    operations = []
    names = [*[n for n in PAPER if n != "Scenario total"], EARLY_ADJUDICATION, DELIVER,
             ACKNOWLEDGE, WITHDRAW, WITHDRAW_BOND, *RESTITUTION_OPERATIONS]
    for name in names:
        gases = [t["gas"] for t in transactions if t["operation"] == name]
        if not gases:
            continue
        ether, dollars = money(max(gases))
        operations.append({
            "operation": name, "gas": max(gases), "min_gas": min(gases), "count": len(gases),
            "paper_gas": PAPER.get(name),
            "ratio": round(max(gases) / PAPER[name], 4) if name in PAPER else None,
            "ether": ether, "usd": dollars,
        })
    total = sum(t["gas"] for t in transactions if t["in_scenario"])
    ether, dollars = money(total)
    return {
        "scenario_total": total,
        "scenario_transactions": sum(1 for t in transactions if t["in_scenario"]),
        "paper_scenario_total": PAPER["Scenario total"],
        "ratio": round(total / PAPER["Scenario total"], 4),
        "ether": ether,
        "usd": dollars,
        "gas_price_gwei": gas_price_gwei,
        "eth_usd": eth_usd,
        "operations": operations,
    }
