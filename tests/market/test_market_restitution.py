"""Restitution through `saiaas.market` alone: terms from the requirement file, confirm inputs,
the client's answer to a delivery (acknowledge, or reject with its evaluation report), appeals,
disputes, the committee's ruling, and what `auction_status` shows of it."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from saiaas.contracts import AuctionState, Chain, decode_cid
from saiaas.market import Marketplace, Settings, arbitration, client
from saiaas.market.scenario import REQUEST_FILE, ether_wei
from saiaas.market.views import auction_status, terms_json
from saiaas.ontologies import example_path
from saiaas.storage import LocalStore


def cid(tag: str) -> str:
    return decode_cid(hashlib.sha256(tag.encode()).digest(), 0)


def test_importing_the_restitution_modules_loads_neither_typer_nor_rich() -> None:
    code = (
        "import sys, saiaas.market.arbitration, saiaas.market.demos\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'click')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


@pytest.fixture
def market(tmp_path: Path) -> Marketplace:
    chain = Chain.embedded()
    return Marketplace(Settings(store=tmp_path), chain, LocalStore(tmp_path))


def request_with(arbitrator: str | None, extra: str = "") -> bytes:
    text = example_path(REQUEST_FILE).read_text()
    lines = extra
    if arbitrator:
        lines += (f'    saiaas:arbitrator "{arbitrator}" ;\n'
                  '    saiaas:confirmationWindow "P1D"^^xsd:duration ;\n'
                  '    saiaas:appealWindow "P2D"^^xsd:duration ;\n')
    return text.replace("    saiaas:referencesRequired 0 ;\n",
                        "    saiaas:referencesRequired 0 ;\n" + lines).encode()


def open_with_committee(market: Marketplace, extra: str = "") -> tuple[Any, Any, list[str]]:
    chain = market.chain
    members = chain.accounts[7:10]
    committee, gas = arbitration.deploy_committee(market.acting_as(members[0]), members, 2,
                                                  10**15)
    assert gas > 0
    hospital = market.acting_as(chain.accounts[1])
    created = client.create_auction(hospital, request_with(committee.address, extra),
                                    REQUEST_FILE)
    return created, committee, members


def sla(market: Marketplace, auction: Any) -> list[str]:
    winners = market.chain.accounts[2:5]
    for category, (who, price) in enumerate(zip(winners, ("0.2", "0.15", "0.28"), strict=True)):
        auction.bid(who, category, ether_wei(price), cid(f"asset {category}"))
    market.chain.advance_time(auction.closes_at() - market.chain.now())
    client.settle(market.acting_as(winners[0]), auction)
    return winners


def test_terms_come_from_the_requirement_file_and_are_shown(market: Marketplace) -> None:
    extra = ('    saiaas:minReferenceValue "0.05"^^xsd:decimal ;\n'
             "    saiaas:maxDisputesLost 2 ;\n")
    created, committee, _ = open_with_committee(market, extra)
    info = created.auction.info()
    assert info.arbitrator == committee.address
    assert (info.confirmation_window, info.appeal_window) == (86400, 2 * 86400)
    assert info.arbitration_fee == 10**15
    assert info.min_reference_value == ether_wei("0.05")
    assert info.max_disputes_lost == 2 and info.min_record_completed == 0
    from saiaas.market.requirements import parse_request_bytes

    request = parse_request_bytes(request_with(committee.address, extra), REQUEST_FILE)
    assert info.differences(**client.expected_terms(request)) == []
    terms = terms_json(info)
    assert terms["dispute_resolution"] == "by the arbitrator named"
    assert terms["arbitration_fee_advanced_by"] == "the party that opens a dispute"
    assert terms["required_record"] == {"min_completed": 0, "max_disputes_lost": 2}


def test_a_model_that_misses_min_accuracy_is_rejected_and_ruled(market: Marketplace) -> None:
    created, committee, members = open_with_committee(market)
    auction = created.auction
    winners = sla(market, auction)
    data, algorithm, tx = arbitration.confirm_inputs(market.acting_as(winners[2]), auction)
    assert (data, algorithm) == (cid("asset 0"), cid("asset 1")) and tx.gas_used > 0
    auction.deliver(winners[2], cid("model"))
    hospital = market.acting_as(market.chain.accounts[1])
    answer = arbitration.answer_delivery(hospital, auction, 0.4, 0.9, "accuracy 0.4 < 0.9")
    assert answer["action"] == "rejected" and auction.state() == AuctionState.REJECTED
    report = market.store.get(answer["reason_cid"])
    assert b'"required_accuracy": 0.9' in report
    status = auction_status(hospital, auction, judge=False)
    (dispute,) = status["restitution"]["disputes"]
    assert dispute["kind"] == "rejection" and dispute["open"]
    assert dispute["evidence"] == [f"/ipfs/{answer['reason_cid']}"]
    for member in members[:2]:
        arbitration.rule(market.acting_as(member), committee.address, dispute["dispute_id"], 1)
    assert auction.state() == AuctionState.FORFEITED
    status = auction_status(hospital, auction, judge=False)
    assert status["restitution"]["disputes"][0]["ruling_text"] == "for the party"
    records = status["restitution"]["winners_records"]
    assert records["infrastructure"]["disputes_lost"] == 1
    assert arbitration.records_json(market, winners[2])["infrastructure"]["disputes_lost"] == 1


def test_a_good_model_is_acknowledged(market: Marketplace) -> None:
    created, _, _ = open_with_committee(market)
    winners = sla(market, created.auction)
    created.auction.deliver(winners[2], cid("model"))
    hospital = market.acting_as(market.chain.accounts[1])
    answer = arbitration.answer_delivery(hospital, created.auction, 0.95, 0.9, "ok")
    assert answer["action"] == "acknowledged"
    assert created.auction.state() == AuctionState.COMPLETED


def test_without_an_arbitrator_the_client_stays_silent_and_says_why(
    market: Marketplace,
) -> None:
    hospital = market.acting_as(market.chain.accounts[1])
    created = client.create_auction(hospital, request_with(None), REQUEST_FILE)
    winners = sla(market, created.auction)
    created.auction.deliver(winners[2], cid("model"))
    answer = arbitration.answer_delivery(hospital, created.auction, 0.4, 0.9, "too low")
    assert answer["action"] == "silent" and answer["tx"] is None
    assert arbitration.NO_ARBITRATOR in answer["note"]
    with pytest.raises(client.Refused, match="no arbitrator is named"):
        arbitration.reject(hospital, created.auction, b"report")
    assert terms_json(created.auction.info())["dispute_resolution"].startswith("none")


def test_appeal_and_missing_confirmation_through_the_market(market: Marketplace) -> None:
    created, committee, members = open_with_committee(market)
    auction = created.auction
    chain = market.chain
    honest = chain.accounts[5]
    auction.bid(honest, 0, ether_wei("0.1"), cid("honest"))
    auction.disqualify(chain.accounts[1], 0, honest, cid("invented"))
    winners = sla(market, auction)
    reason_cid, _ = arbitration.appeal(market.acting_as(honest), auction, 0, None)
    assert b"appeal of a disqualification" in market.store.get(reason_cid)
    chain.advance_time(86400)
    reason_cid, _ = arbitration.dispute_confirmation(market.acting_as(winners[0]), auction, None)
    assert cid("asset 0").encode() in market.store.get(reason_cid)
    disputes = arbitration.disputes_json(auction)
    assert [d["kind"] for d in disputes] == ["appeal", "confirmation"]
    for d in disputes:
        for member in members[:2]:
            arbitration.rule(market.acting_as(member), committee.address, d["dispute_id"], 1)
    assert auction.owed(honest) == ether_wei("0.1") + auction.bonds()[0]
    assert auction.confirmation().confirmed_at is not None
