"""Refusals of the learning phase on a real (embedded) chain: each stops before any payment.

An auction is created and settled on py-evm with bids whose descriptions commit content CIDs
(saiaas:contentCID); then the learning phase runs through saiaas.learning's functions, with one
thing wrong each time, and the chain is read to show what the refusal left owed to whom.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from eth_account import Account
from saiaas.contracts import AuctionState, Category, Chain, ContractError, Factory
from saiaas.learning import (
    AssetMismatch,
    AttestationSignerMismatch,
    CommitmentError,
    DecryptionError,
    KeyPair,
    Limits,
    add_content_cid,
    build_hospital_assets,
    committed_content_cid,
    evaluate_and_label,
    send_to_infrastructure,
    train_and_deliver,
)
from saiaas.storage import LocalStore, cid_of

FAST = Limits(wall_seconds=60, cpu_seconds=60, memory_mib=2048)
PARAMS = {"epochs": 60}
CATALOGS = ("data-chest-imaging-lab.ttl", "algo-densenet-chexnet.ttl", "infra-sev-gpu-hosting.ttl")
ETHER = 10**18
DAY = 86400


def _dev_key(chain: Chain, address: str) -> bytes:
    keys = chain.w3.provider.ethereum_tester.backend.account_keys
    return next(bytes(k.to_bytes()) for k in keys
                if k.public_key.to_checksum_address() == address)


def _description(catalog_name: str, content: bytes | None) -> bytes:
    from rdflib import Graph, URIRef
    from saiaas.ontologies import SAIAAS, example_path
    from saiaas.ontologies.descriptions import asset_description

    catalog = Graph().parse(example_path(catalog_name), format="turtle")
    (iri,) = {str(s) for s in catalog.subjects(URIRef(SAIAAS + "offeredBy"), None)}
    if content is not None:
        add_content_cid(catalog, iri, content)
    return asset_description(catalog, iri)


@pytest.fixture
def market(tmp_path) -> SimpleNamespace:
    """A settled auction: winners per category, their committed contents, a store, the client."""
    assets = build_hospital_assets(client_images=100, provider_images=(300,))
    data, code = assets.datasets[0], assets.algorithms[0]
    chain = Chain.embedded()
    store = LocalStore(tmp_path / "store")
    operator, client, *providers = chain.accounts
    factory = Factory.deploy(chain, operator, store.put(b"ontology"))
    reserve = 1 * ETHER
    auction, _ = factory.create_auction(
        client, requirements_cid=store.put(b"request"), max_prices=(ETHER // 4,) * 3,
        reserve=reserve, bidding_seconds=DAY, delivery_seconds=7 * DAY,
        acknowledgment_seconds=2 * DAY)
    contents = (data, code, None)
    for category, catalog, content, bidder in zip(Category, CATALOGS, contents, providers,
                                                  strict=False):
        auction.bid(bidder, category, ETHER // 10, store.put(_description(catalog, content)))
    chain.advance_time(DAY + 1)
    auction.settle(client)
    sla = auction.sla()
    assert sla is not None
    winners = {c: sla.winners[c].bidder for c in Category}
    return SimpleNamespace(chain=chain, store=store, auction=auction, sla=sla, client=client,
                           winners=winners, reserve=reserve, data=data, code=code,
                           images=assets.client)


def _infrastructure(m: SimpleNamespace, data: bytes, client_public_key: Any,
                    signer_key: Any = None) -> Any:
    """The content winners send, the infrastructure winner checks against the SLA's bids."""
    keys = KeyPair.generate()
    data_blob = send_to_infrastructure(m.store, "data asset", data, keys.public_key)
    code_blob = send_to_infrastructure(m.store, "algorithm asset", m.code, keys.public_key)
    infra = m.winners[Category.INFRASTRUCTURE]
    return train_and_deliver(
        m.store, keys=keys, data_blob_cid=data_blob, algorithm_blob_cid=code_blob,
        data_cid=committed_content_cid(m.store, m.sla.winners[Category.DATA].asset_cid),
        algorithm_cid=committed_content_cid(m.store, m.sla.winners[Category.ALGORITHM].asset_cid),
        client_public_key=client_public_key,
        signer_key=signer_key if signer_key is not None else _dev_key(m.chain, infra),
        params=PARAMS, limits=FAST, auction=m.auction.address)


def _nobody_paid(m: SimpleNamespace) -> None:
    for category in Category:
        assert m.auction.owed(m.winners[category]) == 0, category.name


def test_the_honest_run_is_what_the_refusals_differ_from(market) -> None:
    m = market
    client_keys = KeyPair.generate()
    trained = _infrastructure(m, m.data, client_keys.public_key)
    infra = m.winners[Category.INFRASTRUCTURE]
    m.auction.deliver(infra, trained.delivery.manifest_cid)
    evaluated = evaluate_and_label(m.store, m.auction.sla().model_cid, client_keys, infra,
                                   m.images, None, limits=FAST)
    assert evaluated.received.attestation.signer == infra
    assert evaluated.verdict.total == 100 and isinstance(evaluated.predicted, int)
    assert trained.delivery.attestation.report["inputs"]["data"] == cid_of(m.data)


def test_data_that_is_not_the_committed_content_is_refused_and_the_client_recovers_all(market):
    """The data winner sends other images than the ones its bid committed: the infrastructure
    winner refuses, nothing is delivered, and after the delivery deadline the client cancels and
    gets its whole reserve back; the winners are owed nothing, and cannot withdraw."""
    m = market
    other = build_hospital_assets(client_images=100, provider_images=(300,), seed=8).datasets[0]
    assert cid_of(other) != cid_of(m.data)
    stored_before = set((m.store.root).iterdir())
    with pytest.raises(AssetMismatch, match="data asset: the received bytes have CID .* not the "
                                            "CID .* committed in the bid; refused"):
        _infrastructure(m, other, KeyPair.generate().public_key)
    added = set(m.store.root.iterdir()) - stored_before
    assert len(added) == 2  # the two sealed boxes only: no model, no manifest was stored
    assert m.auction.state() == AuctionState.ADJUDICATED
    assert m.auction.sla().model_cid is None
    _nobody_paid(m)
    with pytest.raises(ContractError) as early:  # the delivery window is still open
        m.auction.cancel(m.client)
    assert early.value.name == "DeliveryWindowOpen"

    m.chain.advance_time(m.sla.delivery_deadline - m.chain.now() + 1)
    m.auction.cancel(m.client)
    assert m.auction.state() == AuctionState.CANCELLED
    assert m.auction.owed(m.client) == m.reserve
    _nobody_paid(m)
    before = m.chain.balance(m.client)
    tx = m.auction.withdraw(m.client)
    receipt = m.chain.w3.eth.get_transaction_receipt(tx.tx_hash)
    fee = receipt["gasUsed"] * receipt["effectiveGasPrice"]
    assert m.chain.balance(m.client) - before == m.reserve - fee
    assert m.auction.balance() == 0
    for category in Category:
        with pytest.raises(ContractError) as refused:
            m.auction.withdraw(m.winners[category])
        assert refused.value.name == "NothingOwed"


def test_a_description_without_a_content_cid_commits_nothing_to_check(market):
    m = market
    infra_description = m.sla.winners[Category.INFRASTRUCTURE].asset_cid
    with pytest.raises(CommitmentError, match="must name exactly one saiaas:contentCID, found "
                                              "none"):
        committed_content_cid(m.store, infra_description, "infrastructure asset")


def test_a_model_that_does_not_decrypt_with_the_client_key_is_not_acknowledged(market):
    m = market
    client_keys = KeyPair.generate()
    trained = _infrastructure(m, m.data, KeyPair.generate().public_key)  # sealed to another key
    infra = m.winners[Category.INFRASTRUCTURE]
    m.auction.deliver(infra, trained.delivery.manifest_cid)
    with pytest.raises(DecryptionError, match="does not decrypt with the key"):
        evaluate_and_label(m.store, m.auction.sla().model_cid, client_keys, infra, m.images,
                           None, limits=FAST)
    assert m.auction.state() == AuctionState.DELIVERED  # the client did not acknowledge
    _nobody_paid(m)
    assert m.auction.owed(m.client) == 0


def test_a_report_signed_by_someone_other_than_the_winner_is_not_acknowledged(market):
    m = market
    client_keys = KeyPair.generate()
    impostor = Account.create()
    trained = _infrastructure(m, m.data, client_keys.public_key, signer_key=impostor.key)
    infra = m.winners[Category.INFRASTRUCTURE]
    m.auction.deliver(infra, trained.delivery.manifest_cid)
    with pytest.raises(AttestationSignerMismatch,
                       match=f"signed by {impostor.address}, not by the infrastructure winner "
                             f"{infra}; refused"):
        evaluate_and_label(m.store, m.auction.sla().model_cid, client_keys, infra, m.images,
                           None, limits=FAST)
    assert m.auction.state() == AuctionState.DELIVERED
    _nobody_paid(m)
    with pytest.raises(ContractError) as early:  # and no winner can claim inside the window
        m.auction.claim(infra)
    assert early.value.name == "AcknowledgmentWindowOpen"
