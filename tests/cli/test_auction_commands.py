"""The client's commands on the embedded chain: what they send, what they refuse before sending."""

from __future__ import annotations

import json
import time

ETHER = 10**18


def _create(cli, request_file, *extra: str) -> dict:
    result = cli("auction", "create", request_file, "--json", *extra)
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_create_stores_the_exact_file_and_escrows_the_reserve(cli, market, request_file):
    created = _create(cli, request_file, "--duration", "2h")
    from saiaas.storage import cid_of

    data = request_file.read_bytes()
    assert created["requirements_cid"] == cid_of(data)
    assert created["reserve_wei"] == str(ETHER)  # the file's reservePrice
    assert created["max_prices_wei"] == {"data": str(35 * 10**16), "algorithm": str(25 * 10**16),
                                         "infrastructure": str(40 * 10**16)}
    assert created["delivery_window_seconds"] == 7 * 86400
    assert created["acknowledgment_window_seconds"] == 2 * 86400
    assert created["gas_used"] > 0
    with market.session() as s:
        assert s.store.get(created["requirements_cid"]) == data
        assert created["ontology_cid"] == s.factory.ontology_cid()
        auction = s.auction(created["address"])
        assert auction.balance() == ETHER
        assert auction.info().bidding_deadline - s.chain.now() <= 2 * 3600
        assert auction.info().bidding_deadline - s.chain.now() > 2 * 3600 - 60
    listed = cli("auction", "list", "--json")
    assert [row["address"] for row in listed.json()] == [created["address"]]
    assert listed.json()[0]["state"] == "BIDDING"
    # Without --json only the address goes to stdout, so it composes in shell scripts.
    plain = cli("auction", "create", request_file, "--reserve", "1.5ether")
    assert plain.exit_code == 0, plain.stderr
    assert plain.stdout.strip() in market.auctions()
    with market.session() as s:
        assert s.auction(plain.stdout.strip()).info().reserve == 15 * 10**17


def test_an_invalid_requirement_file_sends_and_stores_nothing(cli, market, tmp_path, request_file):
    assert market.auctions() == []  # deploys the Factory first: its gas is not the command's
    client = market.accounts()[0]
    before_balance, before_nonce = market.balance(client), market.nonce(client)
    bad = tmp_path / "bad-request.ttl"
    bad.write_text(request_file.read_text().replace("saiaas:GPUNode", "saiaas:GPUNodez"))
    result = cli("auction", "create", bad)
    assert result.exit_code == 1
    assert "GPUNodez" in result.stderr and "no auction created" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    as_json = cli("auction", "create", bad, "--json")
    assert as_json.exit_code == 1
    assert as_json.json()["error"]["exit_code"] == 1 and as_json.json()["violations"]
    assert market.auctions() == []
    assert market.balance(client) == before_balance and market.nonce(client) == before_nonce
    from saiaas.storage import cid_of

    with market.session() as s:
        assert not s.store.has(cid_of(bad.read_bytes()))


def test_a_reserve_below_the_max_prices_is_refused_before_any_transaction(
        cli, market, request_file):
    client = market.accounts()[0]
    assert market.auctions() == []  # the embedded Factory is deployed on first use, before this
    nonce = market.nonce(client)
    result = cli("auction", "create", request_file, "--reserve", "0.99ether")
    assert result.exit_code == 4
    assert "below the sum of the max prices 1 ETH" in result.stderr
    assert market.nonce(client) == nonce and market.auctions() == []


def test_bad_amounts_durations_and_files_are_usage_errors(cli, request_file, tmp_path):
    assert cli("auction", "create", request_file, "--duration", "soon").exit_code == 2
    assert cli("auction", "create", request_file, "--reserve", "3 dollars").exit_code == 2
    missing = cli("auction", "create", tmp_path / "nope.ttl")
    assert missing.exit_code == 3 and "does not exist" in missing.stderr  # as the help says


def test_a_requirement_file_that_no_longer_resolves_is_one_line(cli, market, home, request_file):
    import shutil

    auction = _create(cli, request_file)["address"]
    with market.session() as s:
        cid = s.auction(auction).info().requirements_cid
    shutil.rmtree(home / "store")
    result = cli("auction", "audit", auction)
    assert result.exit_code == 5, result.stderr
    assert cid in result.stderr and len(result.stderr.strip().splitlines()) <= 2


def test_unknown_and_foreign_auctions_are_refused_by_name(cli, market, request_file):
    stranger = "0x" + "ab" * 20
    for command in ("status", "withdraw"):
        result = cli("auction", command, stranger)
        assert result.exit_code == 4, (command, result.stderr)
        assert "not an auction of Factory" in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2
    assert cli("auction", "status", "0x1234").exit_code == 2
    down = cli("auction", "status", stranger, "--rpc-url", "http://127.0.0.1:9")
    assert down.exit_code == 4 and "no JSON-RPC node answers at http://127.0.0.1:9" in down.stderr
    # An auction of another Factory on the same chain.
    from saiaas.contracts import Factory

    with market.session() as s:
        other = Factory.deploy(s.chain, s.chain.accounts[0], s.factory.ontology_cid())
        foreign, _ = other.create_auction(
            s.chain.accounts[0], requirements_cid=s.factory.ontology_cid(),
            max_prices=(1, 1, 1), reserve=3, bidding_seconds=3600, delivery_seconds=60,
            acknowledgment_seconds=60)
    result = cli("auction", "status", foreign.address)
    assert result.exit_code == 4 and "another Factory" in result.stderr


def test_status_shows_best_bids_with_degree_and_audit_flags_the_misfit(
        cli, market, request_file, tmp_path):
    auction = _create(cli, request_file)["address"]
    market.bid_all(auction)
    misfit_bidder = market.accounts()[7]
    market.bid(auction, 7, 0, 5 * 10**16, *market.misfit_data)  # cheapest data bid, but too small
    report = cli("auction", "status", auction, "--json")
    assert report.exit_code == 0, report.stderr
    status = report.json()
    assert status["state"] == "BIDDING" and status["time_left_seconds"] > 0
    data, algorithm, infra = status["categories"]
    assert data["best"]["bidder"] == misfit_bidder and data["best"]["eligible"] is False
    assert any("sampleCount" in r["message"] for r in data["best"]["reasons"])
    assert len(data["bids"]) == 3
    for cat in (algorithm, infra):
        assert cat["best"]["eligible"] is True and cat["best"]["degree"] in ("exact", "plugin")
        assert cat["best"]["price_wei"] == str(9 * 10**16)
    assert status["owed_wei"] == "0" and status["sla"] is None
    assert [e["event"] for e in status["history"]] == ["BidPlaced"] * 7
    human = cli("auction", "status", auction)
    assert human.exit_code == 0 and "not eligible" in human.stdout

    audit = cli("auction", "audit", auction, "--json")
    assert audit.exit_code == 1  # a standing bid does not match
    rows = audit.json()["bids"]
    assert len(rows) == 7
    bad = [r for r in rows if not r["eligible"]]
    assert [(r["category"], r["bidder"]) for r in bad] == [("data", misfit_bidder)]

    # Disqualify it without a reason file: the audit's report is stored as the reason.
    done = cli("auction", "disqualify", auction, "--category", "data", "--bidder", misfit_bidder,
               "--json")
    assert done.exit_code == 0, done.stderr
    with market.session() as s:
        reason = json.loads(s.store.get(done.json()["reason_cid"]))
        assert reason["eligible"] is False and reason["bidder"] == misfit_bidder
        assert s.auction(auction).bid_of(0, misfit_bidder).disqualified
    again = cli("auction", "disqualify", auction, "--category", "data", "--bidder", misfit_bidder)
    assert again.exit_code == 4 and "already disqualified" in again.stderr
    # An eligible bid is not disqualified on the audit's word.
    fitting = market.accounts()[1]
    kept = cli("auction", "disqualify", auction, "--category", "data", "--bidder", fitting)
    assert kept.exit_code == 4 and "eligible" in kept.stderr
    assert cli("auction", "audit", auction).exit_code == 0  # the misfit is already out

    # With a reason file, its exact bytes are the stored reason; the usual refusals hold.
    reason = tmp_path / "reason.txt"
    reason.write_text("licence withdrawn by the data owner\n")
    stranger = cli("auction", "disqualify", auction, "--category", "data", "--bidder", fitting,
                   "--reason-file", reason, "--account", market.accounts()[5])
    assert stranger.exit_code == 4 and "only the auction's client" in stranger.stderr
    nobody = cli("auction", "disqualify", auction, "--category", "algorithm",
                 "--bidder", market.accounts()[9], "--reason-file", reason)
    assert nobody.exit_code == 4 and "has no bid" in nobody.stderr
    wrong = cli("auction", "disqualify", auction, "--category", "hardware", "--bidder", fitting)
    assert wrong.exit_code == 2
    ok = cli("auction", "disqualify", auction, "--category", "data", "--bidder", fitting,
             "--reason-file", reason, "--json")
    assert ok.exit_code == 0, ok.stderr
    with market.session() as s:
        assert s.store.get(ok.json()["reason_cid"]) == reason.read_bytes()


def test_the_whole_client_life_cycle(cli, market, request_file):
    auction = _create(cli, request_file)["address"]
    client = market.accounts()[0]
    early = cli("auction", "adjudicate", auction)
    assert early.exit_code == 4
    assert "no valid bid in data, algorithm, infrastructure" in early.stderr
    market.bid_all(auction)
    other = market.accounts()[3]
    nonce = market.nonce(other)
    stranger = cli("auction", "adjudicate", auction, "--account", other)
    assert stranger.exit_code == 4
    assert "only the auction's client" in stranger.stderr and other in stranger.stderr
    assert market.nonce(other) == nonce  # nothing was sent
    assert cli("auction", "settle", auction).exit_code == 4  # bidding still open
    assert cli("auction", "acknowledge", auction).exit_code == 4  # nothing delivered
    assert cli("auction", "cancel", auction).exit_code == 4  # bidding still open
    nothing = cli("auction", "withdraw", auction)
    assert nothing.exit_code == 4 and "owes nothing" in nothing.stderr

    # The client closes early: announced now, bidding ends after the notice (bids in flight land)
    announced = cli("auction", "adjudicate", auction, "--json")
    assert announced.exit_code == 0, announced.stderr
    assert announced.json()["state"] == "BIDDING" and announced.json()["sla"] is None
    too_soon = cli("auction", "settle", auction)
    assert too_soon.exit_code == 4 and "nothing sent" in too_soon.stderr
    market.advance(600)
    adjudicated = cli("auction", "settle", auction, "--json")
    assert adjudicated.exit_code == 0, adjudicated.stderr
    sla = adjudicated.json()["sla"]
    assert adjudicated.json()["state"] == "ADJUDICATED"
    assert [w["category"] for w in sla["winners"]] == ["data", "algorithm", "infrastructure"]
    accounts = market.accounts()
    assert [w["provider"] for w in sla["winners"]] == [accounts[2], accounts[4], accounts[6]]
    assert sla["total_price_wei"] == str(3 * 9 * 10**16)
    assert cli("auction", "adjudicate", auction).exit_code == 4  # already settled
    assert cli("auction", "settle", auction).exit_code == 4
    assert cli("auction", "cancel", auction).exit_code == 4  # the delivery window is open

    market.deliver(auction, sla["winners"][0]["asset_cid"])
    stranger = cli("auction", "acknowledge", auction, "--account", accounts[6])
    assert stranger.exit_code == 4
    unchecked = cli("auction", "acknowledge", auction)  # no manifest a client could check
    assert unchecked.exit_code == 1 and "nothing sent" in unchecked.stderr
    acked = cli("auction", "acknowledge", auction, "--force", "--json")
    assert acked.exit_code == 0, acked.stderr
    assert acked.json()["forced"] is True
    before = market.balance(client)
    paid = cli("auction", "withdraw", auction, "--json")
    assert paid.exit_code == 0, paid.stderr
    assert paid.json()["amount_wei"] == str(ETHER - 27 * 10**16)  # the unspent reserve
    assert market.balance(client) > before
    assert cli("auction", "withdraw", auction).exit_code == 4
    status = cli("auction", "status", auction, "--json", "--no-match").json()
    assert status["state"] == "COMPLETED" and status["sla"]["model_cid"]


def test_settle_after_the_deadline_and_cancel_a_failed_auction(cli, market, request_file):
    settled = _create(cli, request_file, "--duration", "1h")["address"]
    failed = _create(cli, request_file, "--duration", "1h")["address"]
    market.bid_all(settled)
    market.advance(3601)
    assert cli("auction", "cancel", settled).exit_code == 4  # adjudicated: delivery window open
    result = cli("auction", "settle", settled, "--account", market.accounts()[8], "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["state"] == "ADJUDICATED"
    listed = {row["address"]: row for row in cli("auction", "list", "--json").json()}
    assert listed[failed]["state"] == "FAILED" and listed[failed]["time_left_seconds"] == 0
    assert cli("auction", "cancel", failed, "--account", market.accounts()[1]).exit_code == 4
    cancelled = cli("auction", "cancel", failed)
    assert cancelled.exit_code == 0, cancelled.stderr
    back = cli("auction", "withdraw", failed, "--json")
    assert back.exit_code == 0 and back.json()["amount_wei"] == str(ETHER)


def test_watch_prints_events_and_stops_when_bidding_ends(cli, market, request_file):
    auction = _create(cli, request_file, "--duration", "60s")["address"]
    catalog, asset = market.fitting[0][0]
    market.bid(auction, 1, 0, 10**17, catalog, asset)
    once = cli("auction", "watch", auction, "--once", "--json")
    assert once.exit_code == 0, once.stderr
    events = [json.loads(line) for line in once.stdout.splitlines()]
    assert [e["event"] for e in events] == ["BidPlaced"] and events[0]["category"] == "data"
    market.advance(61)  # the embedded chain's clock moves on; the watch sees bidding has ended
    started = time.monotonic()
    followed = cli("auction", "watch", auction, "--poll", "0.2")
    assert followed.exit_code == 0, followed.stderr
    assert time.monotonic() - started < 30
    assert "bid" in followed.stdout and "bidding has ended" in followed.stderr
    bounded = cli("auction", "watch", auction, "--max-seconds", "0")
    assert bounded.exit_code == 0
