"""The restitution commands: parsing, output and exit codes, and one client/committee flow on the
embedded chain (confirm inputs, reject with a report, status, the committee's votes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from saiaas.cli.errors import EXIT_CHAIN, EXIT_USAGE

SCENARIOS = ("non-delivery", "bad-model", "unfair-disqualification", "lock-out")


def _request(request_file: Path, tmp_path: Path, arbitrator: str | None) -> Path:
    text = request_file.read_text()
    if arbitrator:
        text = text.replace(
            "    saiaas:referencesRequired 0 ;\n",
            f'    saiaas:referencesRequired 0 ;\n    saiaas:arbitrator "{arbitrator}" ;\n',
        )
    path = tmp_path / "request.ttl"
    path.write_text(text)
    return path


def _winning_bids(market, auction: str) -> list[str]:  # type: ignore[no-untyped-def]
    offers = [(2 + c, c, 10**17, *market.fitting[c][0]) for c in range(3)]
    market.bids(auction, offers)
    return [market.accounts()[2 + c] for c in range(3)]


def test_reject_and_rule_through_the_commands(cli, market, request_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    acc = market.accounts()
    deployed = cli("arbitrator", "deploy", "--member", acc[6], "--member", acc[7], "--member",
                   acc[8], "--threshold", "2", "--fee", "0.001ether", "--json")
    assert deployed.exit_code == 0, deployed.stderr
    arbitrator = json.loads(deployed.stdout)["arbitrator"]
    created = cli("auction", "create", _request(request_file, tmp_path, arbitrator),
                  "--account", acc[1], "--json")
    assert created.exit_code == 0, created.stderr
    auction = json.loads(created.stdout)["address"]
    winners = _winning_bids(market, auction)
    market.advance(3 * 86400 + 1)
    assert cli("auction", "settle", auction).exit_code == 0
    confirmed = cli("provider", "confirm-inputs", auction, "--account", winners[2], "--json")
    assert confirmed.exit_code == 0, confirmed.stderr
    assert json.loads(confirmed.stdout)["gas_used"] > 0
    again = cli("provider", "confirm-inputs", auction, "--account", winners[2])
    assert again.exit_code == EXIT_CHAIN and "AlreadyConfirmed" in again.stderr
    assert "nothing sent" in again.stderr
    with market.session() as s:
        s.auction(auction).deliver(winners[2], s.store.put(b"a useless model"))
    report = tmp_path / "evaluation.json"
    report.write_text('{"accuracy": 0.4, "required": 0.9}\n')
    stranger = cli("auction", "reject", auction, "--reason-file", report, "--account", acc[5])
    assert stranger.exit_code == EXIT_CHAIN and "NotClient" in stranger.stderr
    rejected = cli("auction", "reject", auction, "--reason-file", report, "--account", acc[1],
                   "--json")
    assert rejected.exit_code == 0, rejected.stderr
    assert json.loads(rejected.stdout)["state"] == "REJECTED"
    status = json.loads(cli("auction", "status", auction, "--json").stdout)
    assert status["arbitrator"] == arbitrator and status["arbitration_fee_wei"] == str(10**15)
    (dispute,) = status["restitution"]["disputes"]
    assert dispute["kind"] == "rejection" and dispute["open"]
    first = cli("arbitrator", "rule", arbitrator, dispute["dispute_id"], "for", "--account",
                acc[6])
    assert first.exit_code == 0 and "waiting for more votes" in first.stdout
    twice = cli("arbitrator", "rule", arbitrator, dispute["dispute_id"], "for", "--account",
                acc[6])
    assert twice.exit_code == EXIT_CHAIN and "AlreadyVoted" in twice.stderr
    second = cli("arbitrator", "rule", arbitrator, dispute["dispute_id"], "for", "--account",
                 acc[7], "--json")
    assert json.loads(second.stdout)["final_ruling"] == 1
    shown = json.loads(cli("arbitrator", "show", arbitrator, dispute["dispute_id"],
                           "--json").stdout)
    assert shown["solved"] and shown["votes"] == [0, 2, 0]
    status = json.loads(cli("auction", "status", auction, "--json").stdout)
    assert status["state"] == "FORFEITED"
    assert status["restitution"]["winners_records"]["infrastructure"]["disputes_lost"] == 1
    text = cli("auction", "status", auction).stdout
    assert "dispute 0: rejection" in text and "ruled for the party" in text


def test_without_an_arbitrator_every_dispute_command_says_so(cli, market, request_file,
                                                             tmp_path) -> None:  # type: ignore[no-untyped-def]
    acc = market.accounts()
    created = cli("auction", "create", _request(request_file, tmp_path, None), "--account",
                  acc[1], "--json")
    auction = json.loads(created.stdout)["address"]
    report = tmp_path / "r.json"
    report.write_text("{}")
    for args in (("auction", "reject", auction, "--reason-file", report, "--account", acc[1]),
                 ("provider", "appeal", auction, "data", "--account", acc[2]),
                 ("provider", "dispute", auction, "--account", acc[2])):
        out = cli(*args)
        assert out.exit_code == EXIT_CHAIN, args
        assert "no arbitrator is named" in out.stderr and "nothing sent" in out.stderr
    status = json.loads(cli("auction", "status", auction, "--json").stdout)
    assert status["dispute_resolution"].startswith("none: no arbitrator")
    assert "no arbitrator is named" in cli("auction", "status", auction).stdout


def test_bad_arguments_are_usage_errors(cli) -> None:  # type: ignore[no-untyped-def]
    ruled = cli("arbitrator", "rule", "0x" + "11" * 20, "0", "maybe")
    assert ruled.exit_code == EXIT_USAGE and "use for, against or refuse" in ruled.stderr
    assert cli("demo", "--scenario", "nope").exit_code == EXIT_USAGE
    assert cli("auction", "reject", "0x" + "11" * 20).exit_code == EXIT_USAGE  # --reason needed


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_demo_scenarios_print_payouts_disputes_and_gas(cli, scenario: str) -> None:  # type: ignore[no-untyped-def]
    out = cli("demo", "--scenario", scenario, "--json")
    assert out.exit_code == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["scenario"] == scenario
    assert {"payouts", "disputes", "total_gas", "transactions", "story"} <= set(result)
    for payout in result["payouts"]:
        assert {"address", "role", "received_wei"} <= set(payout)
    roles = {p["role"]: int(p["received_wei"]) for p in result["payouts"]}
    if scenario == "non-delivery":
        assert result["state"] == "FORFEITED" and roles["infrastructure winner"] == 0
        assert roles["data winner"] > 0 and roles["algorithm winner"] > 0
    if scenario == "bad-model":
        assert result["disputes"][0]["kind"] == "rejection"
        assert roles["infrastructure winner"] == 0
    if scenario == "unfair-disqualification":
        assert [d["ruling"] for d in result["disputes"]] == [1, 1]
        assert roles["honest data provider"] > 10**17  # its price and its bond
    if scenario == "lock-out":
        assert roles["data winner"] > 0 and result["disputes"] == []
    if scenario == "bad-model":  # the text output, once
        text = cli("demo", "--scenario", scenario)
        assert text.exit_code == 0 and "Who got what" in text.stdout
        assert "ruled for the party" in text.stdout
