"""Safe inputs: addresses must pass their EIP-55 checksum, amounts need a unit, and every command
that sends says which account acts (issue 15, points 3 and 4)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from saiaas.cli.errors import EXIT_CHAIN, EXIT_USAGE

MODEL = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


def _mistyped(address: str) -> str:
    """`address` with the case of one letter flipped: a wrong EIP-55 checksum."""
    at = next(i for i, c in enumerate(address[2:], 2) if c.isalpha())
    return address[:at] + address[at].swapcase() + address[at + 1:]


def _third(market: Any) -> str:
    """A dev account whose address has letters of both cases (most do)."""
    return next(a for a in market.accounts()[1:] if a[2:] not in (a[2:].lower(), a[2:].upper()))


def test_a_wrong_checksum_is_refused_by_name_and_sends_nothing(cli, market) -> None:  # type: ignore[no-untyped-def]
    target = _third(market)
    wrong = _mistyped(target)
    source = market.accounts()[0]
    before = (market.balance(target), market.nonce(source))
    result = cli("account", "fund", wrong, "1ether")
    assert result.exit_code == EXIT_USAGE
    assert wrong in result.stderr and "EIP-55" in result.stderr
    assert target not in result.stderr  # no "did you mean": the digits may be the typo
    assert (market.balance(target), market.nonce(source)) == before


@pytest.mark.parametrize("case", [str.lower, str.upper])
def test_all_lower_and_all_upper_addresses_carry_no_checksum(cli, market, case) -> None:  # type: ignore[no-untyped-def]
    target = _third(market)
    before = market.balance(target)
    result = cli("account", "fund", "0x" + case(target[2:]), "1ether", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["to"] == target
    assert market.balance(target) == before + 10**18


def test_every_address_option_checks_the_checksum(cli, market, request_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    accounts = market.accounts()
    wrong = _mistyped(_third(market))
    created = cli("auction", "create", request_file, "--json")
    assert created.exit_code == 0, created.stderr
    auction = created.json()["address"]
    nonce = market.nonce(accounts[0])
    assert cli("auction", "status", auction).exit_code == 0  # its answer is now kept
    runs = {
        "--bidder": cli("auction", "disqualify", auction, "--category", "data",
                        "--bidder", wrong),
        "--member": cli("arbitrator", "deploy", "--member", wrong, "--threshold", "1"),
        "--account": cli("auction", "settle", auction, "--account", wrong),
        "auction": cli("auction", "status", _mistyped(auction)),
        "--signer": cli("client", "label", MODEL, tmp_path / "x.csv", "--key", tmp_path / "key",
                        "--signer", wrong),
    }
    for option, result in runs.items():
        assert result.exit_code == EXIT_USAGE, (option, result.stderr)
        assert "EIP-55" in result.stderr and result.stderr[-1] == "\n", (option, result.stderr)
    assert market.nonce(accounts[0]) == nonce  # nothing was sent


def test_bidder_takes_a_keystore_name_like_account(cli, market, request_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    password = tmp_path / "password"
    password.write_text("pw\n")
    made = cli("account", "new", "--name", "mallory", "--password-file", password, "--json")
    assert made.exit_code == 0, made.stderr
    created = cli("auction", "create", request_file, "--json").json()["address"]
    result = cli("auction", "disqualify", created, "--category", "data", "--bidder", "mallory")
    # mallory has no bid: refused by the market (exit 4), so the name was read as her address
    assert result.exit_code == EXIT_CHAIN and made.json()["address"] in result.stderr
    unknown = cli("auction", "disqualify", created, "--category", "data", "--bidder", "nobody")
    assert unknown.exit_code == EXIT_USAGE and "neither an address" in unknown.stderr


@pytest.mark.parametrize(
    ("args", "flag", "number"),
    [
        (["account", "fund", "0x" + "ab" * 20, "2"], "AMOUNT", "2"),
        (["auction", "create", "{request}", "--reserve", "1"], "--reserve", "1"),
        (["arbitrator", "deploy", "--member", "0x" + "ab" * 20, "--threshold", "1", "--fee",
          "0.5"], "--fee", "0.5"),
    ],
)
def test_a_bare_amount_is_refused_with_both_readings(cli, market, request_file, args, flag,  # type: ignore[no-untyped-def]
                                                     number) -> None:
    nonce = market.nonce(market.accounts()[0])
    result = cli(*[str(request_file) if a == "{request}" else a for a in args])
    assert result.exit_code == EXIT_USAGE
    assert f"{flag} {number}: an amount needs a unit: write {number}wei or {number}ether" in (
        result.stderr)
    assert market.nonce(market.accounts()[0]) == nonce


def test_provider_bid_refuses_a_bare_price(cli, market, request_file) -> None:  # type: ignore[no-untyped-def]
    from saiaas.ontologies import example_path

    auction = cli("auction", "create", request_file, "--json").json()["address"]
    catalog, asset = market.fitting[0][0]
    result = cli("provider", "bid", auction, "--asset", asset, "--price", "300000000000000000",
                 "--catalog", example_path(catalog), "--json")
    assert result.exit_code == EXIT_USAGE
    message = result.json()["error"]["message"]
    assert message == ("--price 300000000000000000: an amount needs a unit: write "
                       "300000000000000000wei or 300000000000000000ether")


def test_a_command_that_sends_says_who_acts(cli, market, request_file, tmp_path) -> None:  # type: ignore[no-untyped-def]
    password = tmp_path / "password"
    password.write_text("pw\n")
    alice = cli("account", "new", "--name", "alice", "--password-file", password,
                "--json").json()["address"]
    assert cli("account", "fund", "alice", "3ether").exit_code == 0
    text = cli("auction", "create", request_file, "--account", "alice", "--password-file",
               password)
    assert text.exit_code == 0, text.stderr
    assert f"acting as {alice} (alice)" in text.stderr
    default = cli("auction", "create", request_file, "--json")
    assert default.exit_code == 0, default.stderr
    assert default.json()["account"] == market.accounts()[0]
    assert "acting as" not in default.stderr  # JSON says it in "account"
    first = cli("auction", "create", request_file)
    assert f"acting as {market.accounts()[0]} (the node's first account" in first.stderr
    reads = cli("auction", "list")
    assert "acting as" not in reads.stderr  # a read acts as nobody
    assert json.loads(cli("auction", "list", "--json").stdout)[0]["client"] == alice
