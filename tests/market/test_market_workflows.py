"""A client's and providers' whole auction through `saiaas.market` alone: no typer, no rich.

The same flow runs on the embedded chain and on a real anvil: the client creates the auction
from the hospital's requirement file, providers scan with their catalogs and bid only after a
match, the auction settles, the infrastructure winner delivers, the client acknowledges and
everyone withdraws what it is owed until the auction holds nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from saiaas.contracts import Chain, Factory
from saiaas.market import Marketplace, Settings, client, provider
from saiaas.market.provider import load_catalogs
from saiaas.market.requirements import parse_request_bytes
from saiaas.market.scenario import REQUEST_FILE, ether_wei
from saiaas.ontologies import example_path, ontology_bytes
from saiaas.storage import LocalStore

#: One fitting provider per category, and the price it bids.
OFFERS = [
    ("data-chest-imaging-lab.ttl", "chest-xray-60k", "0.30"),
    ("algo-densenet-chexnet.ttl", "densenet121-chexnet", "0.20"),
    ("infra-sev-gpu-hosting.ttl", "a100-sevsnp", "0.35"),
]


def test_importing_the_market_loads_neither_typer_nor_rich() -> None:
    code = (
        "import sys, saiaas.market, saiaas.market.client, saiaas.market.provider, "
        "saiaas.market.hospital, saiaas.market.scenario, saiaas.market.views\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'click')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def _catalog(name: str) -> Any:
    path = example_path(name)
    return load_catalogs([(name, path.read_bytes())])


def whole_auction(market: Marketplace) -> None:
    """Create, scan, bid, settle, deliver, acknowledge, withdraw; check the money at each end."""
    chain = market.chain
    hospital = market.acting_as(chain.accounts[1])
    providers = [market.acting_as(a) for a in chain.accounts[2:5]]

    created = client.create_auction(hospital, example_path(REQUEST_FILE).read_bytes(),
                                    REQUEST_FILE)
    auction = created.auction
    assert auction.balance() == created.terms.reserve
    assert created.terms.delivery_seconds == client.DEFAULT_DELIVERY_SECONDS

    for party, (catalog_name, asset, price) in zip(providers, OFFERS, strict=True):
        catalog = _catalog(catalog_name)
        scanned, rows, skipped = provider.scan(party, catalog)
        assert scanned >= 1 and skipped == []
        assert any(r["auction"] == auction.address and r["asset"].endswith(asset) for r in rows)
        placed = provider.bid(party, auction, catalog, asset, ether_wei(price))
        assert placed.best_bidder == party.caller and placed.tx.gas_used > 0

    with pytest.raises(provider.NotEligible) as refused:  # the misfit never reaches the chain
        before = chain.w3.eth.block_number
        provider.bid(market.acting_as(chain.accounts[5]), auction,
                     _catalog("infra-plain-gpu.ttl"), "l4-node", ether_wei("0.1"))
    assert refused.value.decision is not None and not refused.value.decision.eligible
    assert chain.w3.eth.block_number == before

    chain.advance_time(created.terms.bidding_seconds + 1)
    client.settle(hospital, auction)
    sla = auction.sla()
    assert sla is not None
    assert [sla.winners[i].bidder for i in range(3)] == [p.caller for p in providers]  # type: ignore[index]

    provider.deliver(providers[2], auction, b"sealed model manifest")
    client.acknowledge(hospital, auction)
    paid = {}
    for party in [*providers, hospital]:
        owed, _ = client.withdraw(party, auction)
        paid[party.caller] = owed
    assert paid[hospital.caller] == created.terms.reserve - sla.total_price
    # the reserve comes back whole (prices + unspent rest), and each winner's bond with its pay
    assert sum(paid.values()) == created.terms.reserve + sum(created.terms.bonds)
    assert auction.balance() == 0
    with pytest.raises(client.Refused, match="owes nothing"):
        client.withdraw(hospital, auction)


def test_a_whole_auction_on_the_embedded_chain(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    market = Marketplace(Settings(store=tmp_path / "store"), Chain.embedded(), store)
    whole_auction(market)


@pytest.mark.anvil
def test_a_whole_auction_on_anvil(anvil_url: str, tmp_path: Path) -> None:
    chain = Chain.connect(anvil_url)
    store = LocalStore(tmp_path / "store")
    factory = Factory.deploy(chain, chain.accounts[0], store.put(ontology_bytes()))
    settings = Settings(rpc_url=anvil_url, store=tmp_path / "store")
    whole_auction(Marketplace(settings, chain, store, factory=factory))


def test_an_invalid_requirement_file_stores_and_sends_nothing(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "store")
    market = Marketplace(Settings(store=tmp_path / "store"), Chain.embedded(), store)
    market = market.acting_as(market.chain.accounts[1])
    factory = market.factory
    broken = example_path(REQUEST_FILE).read_bytes().replace(b"saiaas:maxPrice", b"saiaas:maxPrize")
    block = market.chain.w3.eth.block_number
    with pytest.raises(client.InvalidRequirements) as invalid:
        client.create_auction(market, broken, "broken.ttl")
    assert invalid.value.report.errors and "broken.ttl" in str(invalid.value)
    assert market.chain.w3.eth.block_number == block
    assert factory.auctions() == []
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == [
        store.put(ontology_bytes())  # only the ontology the Factory was deployed under
    ]


def _fresh(tmp_path: Path) -> Marketplace:
    store = LocalStore(tmp_path / "store")
    return Marketplace(Settings(store=tmp_path / "store"), Chain.embedded(), store)


def test_the_audit_flags_a_bid_with_another_providers_asset(tmp_path: Path) -> None:
    market = _fresh(tmp_path)
    accounts = market.chain.accounts
    hospital, owner, borrower = (market.acting_as(a) for a in accounts[1:4])
    created = client.create_auction(hospital, example_path(REQUEST_FILE).read_bytes(),
                                    REQUEST_FILE)
    catalog_name, asset, price = OFFERS[0]
    placed = provider.bid(owner, created.auction, _catalog(catalog_name), asset, ether_wei(price))
    # the borrower bids lower with the very description the owner published (same CID)
    created.auction.bid(borrower.caller, 0, ether_wei("0.29"), placed.asset_cid)
    _, rows = client.audit(hospital, created.auction)
    verdicts = {r["bidder"]: r for r in rows}
    assert verdicts[owner.caller]["eligible"] is True
    borrowed = verdicts[borrower.caller]
    assert borrowed["eligible"] is False
    assert [r["code"] for r in borrowed["reasons"]][-1] == "borrowed-asset"
    assert owner.caller in borrowed["reasons"][-1]["message"]
    # the client disqualifies it on the audit's report, and the owner's bid is best again
    reason_cid, _ = client.disqualify(hospital, created.auction, 0, borrower.caller, None)
    assert created.auction.best_bid(0).bidder == owner.caller  # type: ignore[union-attr]
    assert b"borrowed-asset" in market.store.get(reason_cid)


def test_a_bid_is_refused_when_the_terms_on_chain_disagree_with_the_file(tmp_path: Path) -> None:
    market = _fresh(tmp_path)
    accounts = market.chain.accounts
    hospital, seller = market.acting_as(accounts[1]), market.acting_as(accounts[2])
    data = example_path(REQUEST_FILE).read_bytes()
    terms = client.auction_terms(
        parse_request_bytes(data, REQUEST_FILE), market.store.put(data)
    )
    # the same requirement file, but bonds of nearly the whole max price
    bonds = tuple(p for p in terms.max_prices)
    auction, _ = market.factory.create_auction(
        hospital.caller, **{**terms.as_kwargs(), "bonds": bonds}
    )
    block = market.chain.w3.eth.block_number
    catalog_name, asset, price = OFFERS[0]
    with pytest.raises(client.Refused, match="bonds: on chain") as refused:
        provider.bid(seller, auction, _catalog(catalog_name), asset, ether_wei(price))
    assert "nothing sent" in str(refused.value)
    assert market.chain.w3.eth.block_number == block
