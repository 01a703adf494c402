"""`saiaas provider bid` after the bidding deadline but before anyone settled (issue 15 point 2).

Between commands the embedded chain mines no block, so its last block is from before the
deadline while the wall clock (the time the next block will carry) is past it. The bid used to
pass its dry run, be sent, revert and cost gas, printed as `TransactionReverted(): the
transaction reverted without a reason`; now the dry run sees the next block's time and the
contract's own BiddingClosed refuses it with nothing sent. The clock is moved by replacing
py-evm's notion of now (what it stamps the next block with).
"""

from __future__ import annotations

import json
import time

from saiaas.cli.app import app
from saiaas.ontologies import example_path
from typer.testing import CliRunner

RADIOLOGY = "https://example.org/radiology-archive#chest-xray-5k"


def test_a_bid_after_the_deadline_is_refused_with_bidding_closed_and_nothing_sent(
        opened, monkeypatch) -> None:
    import eth._utils.headers as headers

    runner = CliRunner()
    provider = opened.account(1)
    with opened.session() as s:
        deadline = s.auction(opened.auction).info().bidding_deadline
        assert s.chain.now() < deadline
    before = opened.nonce_and_balance(provider)
    monkeypatch.setattr(headers, "eth_now", lambda: deadline + 60)
    args = ["provider", "bid", opened.auction, "--asset", RADIOLOGY, "--price", "0.3ether",
            "--catalog", str(example_path("data-radiology-archive.ttl")), "--account", provider]
    result = runner.invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 4, result.stdout + result.stderr
    line = [x for x in result.stderr.splitlines() if x.startswith("error: ")]
    assert line and "BiddingClosed: bidding on this auction ended at" in line[0], result.stderr
    assert "nothing sent" in line[0] and "TransactionReverted" not in result.stderr
    as_json = runner.invoke(app, [*args, "--json"], catch_exceptions=False)
    assert as_json.exit_code == 4
    assert "BiddingClosed" in json.loads(as_json.stdout)["error"]["message"]
    assert opened.nonce_and_balance(provider) == before
    with opened.session() as s:
        assert s.chain.now() < deadline  # nothing was mined
        assert s.auction(opened.auction).bids(0) == []
    assert time.time() < deadline  # only py-evm's clock was moved
