"""`auction cancel` on a failed auction whose reserve was already withdrawn (issue 15 point 7):
withdraw settles a failed auction itself, so a later cancel would change nothing but cost gas and
point to a withdraw that owes nothing. It is refused with nothing sent."""

from __future__ import annotations

ETHER = 10**18


def _failed_auction(cli, market, request_file) -> str:
    created = cli("auction", "create", request_file, "--duration", "1h", "--json")
    assert created.exit_code == 0, created.stderr
    market.advance(3601)  # no bid: the auction has failed
    return str(created.json()["address"])


def test_cancel_after_withdraw_on_a_failed_auction_sends_nothing(cli, market, request_file):
    auction = _failed_auction(cli, market, request_file)
    back = cli("auction", "withdraw", auction, "--json")
    assert back.exit_code == 0, back.stderr
    assert int(back.json()["amount_wei"]) == ETHER
    client = market.accounts()[0]
    nonce, balance = market.nonce(client), market.balance(client)
    refused = cli("auction", "cancel", auction)
    assert refused.exit_code == 4, refused.stderr
    assert "already withdrawn" in refused.stderr and "nothing sent" in refused.stderr
    assert "saiaas auction withdraw" not in refused.stderr
    lines = refused.stderr.strip().splitlines()  # who acts, then the one error line
    assert lines[0].startswith(f"acting as {client}") and len(lines) == 2
    as_json = cli("auction", "cancel", auction, "--json")
    assert as_json.exit_code == 4 and "already withdrawn" in as_json.json()["error"]["message"]
    assert market.nonce(client) == nonce and market.balance(client) == balance


def test_cancel_before_withdraw_points_to_withdraw_with_the_amount(cli, market, request_file):
    auction = _failed_auction(cli, market, request_file)
    cancelled = cli("auction", "cancel", auction)
    assert cancelled.exit_code == 0, cancelled.stderr
    said = cancelled.stdout + cancelled.stderr
    assert "CANCELLED" in said and "withdraw 1 ETH with `saiaas auction withdraw`" in said
    assert cli("auction", "withdraw", auction).exit_code == 0
