"""The Factory's rules: escrow covering the max prices, ontology versions, knowing its auctions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from saiaas.contracts import (
    Auction,
    AuctionCreated,
    AuctionState,
    ChainError,
    Factory,
    OntologyPublished,
    UnsupportedCidError,
)

sys.path.insert(0, str(Path(__file__).parent))
from _helpers import reverts  # noqa: E402
from conftest import MAX_PRICES, ONTOLOGY, REQUIREMENTS, RESERVE, cid  # noqa: E402


def test_deploy_records_ontology_and_owner(world):
    assert world.factory.ontology_cid() == ONTOLOGY
    assert world.factory.ontology_version() == 1
    assert world.factory.owner() == world.owner
    assert world.factory.deploy_receipt.gas_used > 0


def test_create_escrows_the_reserve_and_records_terms(world):
    before = world.chain.now()
    auction, tx = world.factory.create_auction(
        world.client,
        requirements_cid=REQUIREMENTS,
        max_prices=MAX_PRICES,
        reserve=RESERVE,
        bidding_seconds=3600,
        delivery_seconds=7200,
        acknowledgment_seconds=1800,
        min_references=2,
    )
    assert world.chain.balance(auction.address) == RESERVE
    info = auction.info()
    assert info.client == world.client
    assert info.factory == world.factory.address
    assert info.requirements_cid == REQUIREMENTS  # dag-pb CID round-trips
    assert info.ontology_cid == ONTOLOGY
    assert info.max_prices == MAX_PRICES
    assert info.reserve == RESERVE
    assert before < info.bidding_deadline <= world.chain.now() + 3600
    assert (info.delivery_window, info.acknowledgment_window, info.min_references) == (
        7200,
        1800,
        2,
    )
    assert auction.state() == AuctionState.BIDDING
    assert 0 < auction.time_left() <= 3600
    created = [e for e in tx.events if isinstance(e, AuctionCreated)]
    assert created and created[0].auction == auction.address and created[0].client == world.client


def test_reserve_must_cover_the_sum_of_max_prices(world):
    with reverts("ReserveBelowMaxPrices") as info:
        world.create(reserve=sum(MAX_PRICES) - 1)
    assert info.value.args == (sum(MAX_PRICES) - 1, sum(MAX_PRICES))
    assert world.chain.balance(world.create(reserve=sum(MAX_PRICES)).address) == sum(MAX_PRICES)


@pytest.mark.parametrize("prices", [(0, 1, 1), (1, 2**72, 1)])
def test_max_prices_must_be_positive_and_fit(world, prices):
    with reverts("InvalidMaxPrice"):
        world.create(max_prices=prices, reserve=sum(prices))


DAY = 86_400
#: The Factory's caps (issue 10: the review's auction took an acknowledgment window of 2**32-1 s,
#: 49,708 days, while its requirement file said P2D).
CAPS = {
    "bidding_seconds": 90 * DAY,
    "delivery_seconds": 365 * DAY,
    "acknowledgment_seconds": 90 * DAY,
}


@pytest.mark.parametrize(
    "field,which", [("bidding_seconds", 0), ("delivery_seconds", 1), ("acknowledgment_seconds", 2)]
)
def test_zero_short_and_absurd_windows_are_refused(world, field, which):
    for value in (0, 59, CAPS[field] + 1, 2**32 - 1, 2**32):
        with reverts("InvalidWindow") as info:
            world.create(**{field: value})
        assert info.value.args == (which, value)
    for value in (60, CAPS[field]):
        auction = world.create(**{field: value})
        info = auction.info()
        shown = {
            "bidding_seconds": info.bidding_deadline - world.chain.now(),
            "delivery_seconds": info.delivery_window,
            "acknowledgment_seconds": info.acknowledgment_window,
        }[field]
        assert shown == value


def test_the_caps_are_readable(world):
    assert world.factory.limits() == {
        "min_window": 60,
        "max_bidding": 90 * DAY,
        "max_delivery": 365 * DAY,
        "max_acknowledgment": 90 * DAY,
        "max_references": 16,
        "max_price": 2**72 - 1,
    }


def test_bonds_are_terms_at_most_the_max_price(world):
    with reverts("InvalidBond") as info:
        world.create(bonds=(0, MAX_PRICES[1] + 1, 0))
    assert info.value.args == (1, MAX_PRICES[1] + 1)
    auction = world.create(bonds=(1, 2, MAX_PRICES[2]))
    info = auction.info()
    assert info.bonds == (1, 2, MAX_PRICES[2])
    assert info.closes_at == info.bidding_deadline and info.notice_seconds == 600
    assert info.arbitrator is None


def test_the_client_pins_the_ontology_version(world):
    world.factory.publish_ontology(world.owner, cid("ontology v2"))
    pinned = world.create(ontology_version=1)
    latest = world.create()
    assert (pinned.info().ontology_version, pinned.info().ontology_cid) == (1, ONTOLOGY)
    assert (latest.info().ontology_version, latest.info().ontology_cid) == (2, cid("ontology v2"))
    created = world.factory.auctions()
    assert [e.ontology_version for e in created[-2:]] == [1, 2]
    with reverts("UnknownOntologyVersion") as info:
        world.create(ontology_version=3)
    assert info.value.args == (3,)


def test_ownership_moves_in_two_steps(world):
    f = world.factory
    new = world.providers[0]
    with reverts("OwnableUnauthorizedAccount"):
        f.transfer_ownership(world.client, new)
    f.transfer_ownership(world.owner, new)
    assert f.owner() == world.owner and f.pending_owner() == new  # nothing moved yet
    with reverts("OwnableUnauthorizedAccount"):
        f.accept_ownership(world.client)
    f.accept_ownership(new)
    assert f.owner() == new and f.pending_owner() is None
    with reverts("OwnableUnauthorizedAccount"):
        f.publish_ontology(world.owner, cid("ontology v2"))
    f.publish_ontology(new, cid("ontology v2"))


def test_at_most_16_references_can_be_required(world):
    world.create(min_references=16)
    with reverts("TooManyReferencesRequired"):
        world.create(min_references=17)


def test_only_the_owner_publishes_ontologies_and_auctions_keep_theirs(world):
    old = world.create()
    with reverts("OwnableUnauthorizedAccount"):
        world.factory.publish_ontology(world.client, cid("ontology v2"))
    tx = world.factory.publish_ontology(world.owner, cid("ontology v2", 1))
    assert [e.version for e in tx.events if isinstance(e, OntologyPublished)] == [2]
    assert world.factory.ontology_cid() == cid("ontology v2", 1)
    assert world.factory.ontology_at(1) == ONTOLOGY
    new = world.create()
    assert old.info().ontology_cid == ONTOLOGY
    assert new.info().ontology_cid == cid("ontology v2", 1)
    with reverts("UnknownOntologyVersion"):
        world.factory.ontology_at(3)


def test_factory_knows_its_auctions(world):
    a, b = world.create(), world.create()
    assert world.factory.is_auction(a.address) and world.factory.is_auction(b.address)
    assert not world.factory.is_auction(world.client)
    assert not world.factory.is_auction(world.factory.address)
    assert not world.factory.is_auction(world.factory.implementation())
    assert [e.auction for e in world.factory.auctions()] == [a.address, b.address]
    assert world.factory.auction_count() == 2
    # An identical Factory's auctions are not this Factory's.
    other = Factory.deploy(world.chain, world.owner, ONTOLOGY)
    c, _ = other.create_auction(
        world.client,
        requirements_cid=REQUIREMENTS,
        max_prices=MAX_PRICES,
        reserve=RESERVE,
        bidding_seconds=60,
        delivery_seconds=60,
        acknowledgment_seconds=60,
    )
    assert other.is_auction(c.address) and not world.factory.is_auction(c.address)


def test_clients_refuse_addresses_without_the_contract(world):
    auction = world.create()
    assert Auction.at(world.chain, auction.address).info().client == world.client
    assert Factory.at(world.chain, world.factory.address).ontology_cid() == ONTOLOGY
    for wrong in (world.client, world.factory.address):
        with pytest.raises(ChainError, match="no saiaas auction"):
            Auction.at(world.chain, wrong)
    with pytest.raises(ChainError, match="no saiaas Factory"):
        Factory.at(world.chain, auction.address)
    with pytest.raises(ChainError, match="not an EVM address"):
        Auction.at(world.chain, "0x1234")


def test_cids_the_chain_cannot_store_are_refused_before_sending(world):
    from multiformats import CID, multihash

    sha3 = str(CID("base32", 1, "raw", multihash.digest(b"x", "sha3-256")))
    cbor = str(CID("base32", 1, "dag-cbor", multihash.digest(b"x", "sha2-256")))
    for bad in (sha3, cbor, "not-a-cid"):
        with pytest.raises(UnsupportedCidError):
            world.create(requirements_cid=bad)


def test_unsupported_cid_kind_reverts_on_chain(world):
    call = world.factory._c.functions.createAuction(
        b"\x01" * 32, 2, list(MAX_PRICES), [0, 0, 0], 60, 60, 60, 0, 0
    )
    with reverts("UnsupportedCid"):
        world.chain.transact(call, world.client, value=RESERVE)
    with reverts("UnsupportedCid"):
        world.chain.transact(
            world.factory._c.functions.publishOntology(b"\x01" * 32, 7), world.owner
        )


def test_importing_the_api_does_not_import_web3():
    """`saiaas --help` must stay fast: web3 loads only when a chain is used."""
    code = "import sys, saiaas.contracts; print('web3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_terms_name_their_differences_with_what_a_provider_expects(world):
    info = world.create(bonds=(1, 2, 3), acknowledgment_seconds=90 * DAY).info()
    assert info.differences(bonds=[1, 2, 3], max_prices=MAX_PRICES, ontology_version=1) == []
    assert info.differences(acknowledgment_window=2 * DAY, bonds=(1, 2, 4)) == [
        f"acknowledgment_window: on chain {90 * DAY}, expected {2 * DAY}",
        "bonds: on chain (1, 2, 3), expected (1, 2, 4)",
    ]
    with pytest.raises(ValueError, match="no term"):
        info.differences(colour="blue")
