"""The restitution scenarios' key steps as separate `saiaas` processes against a real anvil.

Each party is its own `python -m saiaas.cli` process sharing only the node URL, the Factory
address and the content store's folder (SAIAAS_* variables): the committee is deployed with
`arbitrator deploy`, the client creates an auction naming it from a requirement file, and the
steps each scenario turns on run as commands: `provider confirm-inputs` then `auction cancel`
(non-delivery: FORFEITED), `auction reject` then `arbitrator rule` twice (bad-model),
`auction disqualify` then `provider appeal` and the rulings (unfair-disqualification), and the
honest lower bid that throw-away bidders cannot lock out, read back with `auction status`
(lock-out). Bids and time jumps go through the chain API: the matcher is not the point here
(tests/integration/test_cli_processes.py runs the paper's bids as processes).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from saiaas.contracts import Auction, Chain, Factory, decode_cid
from saiaas.market.scenario import REQUEST_FILE
from saiaas.ontologies import example_path, ontology_bytes
from saiaas.storage import LocalStore

pytestmark = pytest.mark.anvil

ROOT = Path(__file__).resolve().parents[2]
ETHER = 10**18


def cid(tag: str) -> str:
    return decode_cid(hashlib.sha256(tag.encode()).digest(), 0)


class Cli:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __call__(self, *args: Any, expect: int = 0) -> str:
        argv = [sys.executable, "-m", "saiaas.cli", *(str(a) for a in args)]
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=120,
                              cwd=ROOT)
        assert done.returncode == expect, (
            f"saiaas {' '.join(map(str, args))} exited {done.returncode}, expected {expect}\n"
            f"stdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-2000:]}"
        )
        return done.stdout + done.stderr


def test_restitution_scenarios_as_processes_on_anvil(anvil_url: str, tmp_path: Path) -> None:
    chain = Chain.connect(anvil_url)
    acc = chain.accounts
    client, providers, members = acc[1], acc[2:7], acc[7:10]
    home = tmp_path / "home"
    store = LocalStore(home / "store")
    factory = Factory.deploy(chain, acc[0], store.put(ontology_bytes()))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAIAAS_")}
    env |= {"SAIAAS_HOME": str(home), "SAIAAS_CONFIG": str(home / "none.toml"),
            "SAIAAS_RPC_URL": anvil_url, "SAIAAS_FACTORY": factory.address,
            "SAIAAS_STORE": str(home / "store"), "COLUMNS": "200"}
    cli = Cli(env)
    committee = json.loads(cli("arbitrator", "deploy", "--member", members[0], "--member",
                               members[1], "--member", members[2], "--threshold", 2, "--fee",
                               "0.001ether", "--json"))["arbitrator"]
    request = tmp_path / "request.ttl"
    request.write_text(example_path(REQUEST_FILE).read_text().replace(
        "    saiaas:referencesRequired 0 ;\n",
        f'    saiaas:referencesRequired 0 ;\n    saiaas:arbitrator "{committee}" ;\n'))

    def open_sla(extra_bids: Any = None) -> Auction:
        created = json.loads(cli("auction", "create", request, "--account", client, "--json"))
        auction = Auction(chain, created["address"], factory)
        assert created["arbitrator"] == committee
        assert created["confirmation_window_seconds"] == 86400
        if extra_bids:
            extra_bids(auction)
        for c, price in enumerate((ETHER // 5, ETHER // 10, ETHER // 4)):
            auction.bid(providers[c], c, price, cid(f"asset {c}"))
        chain.advance_time(auction.closes_at() - chain.now() + 1)
        cli("auction", "settle", auction.address, "--account", client)
        return auction

    def rule(dispute_id: int) -> None:
        cli("arbitrator", "rule", committee, dispute_id, "for", "--account", members[0])
        ruled = json.loads(cli("arbitrator", "rule", committee, dispute_id, "for", "--account",
                               members[1], "--json"))
        assert ruled["solved"] and ruled["final_ruling"] == 1

    # non-delivery: confirmed, never delivered, cancelled: the bond is forfeited
    auction = open_sla()
    cli("provider", "confirm-inputs", auction.address, "--account", providers[2])
    chain.advance_time(7 * 86400 + 1)
    cancelled = json.loads(cli("auction", "cancel", auction.address, "--account", client,
                               "--json"))
    assert cancelled["state"] == "FORFEITED"
    assert auction.owed(providers[2]) == 0 and auction.owed(providers[0]) > ETHER // 5
    paid = json.loads(cli("provider", "withdraw", auction.address, "--account", providers[0],
                          "--json"))
    assert paid["amount_wei"] == str(ETHER // 5 + auction.bonds()[0])

    # bad-model: delivered, rejected with the evaluation report, ruled for the client
    auction = open_sla()
    # a bad model delivered through the chain API: `provider deliver` refuses a file that is not
    # a verifiable manifest (tests/cli/test_learning_commands.py), and the dispute is the point
    auction.deliver(providers[2], store.put(b"32 bytes of garbage, not a model"))
    report = tmp_path / "evaluation.json"
    report.write_text('{"accuracy": 0.11, "required": 0.9}\n')
    rejected = json.loads(cli("auction", "reject", auction.address, "--reason-file", report,
                              "--account", client, "--json"))
    assert rejected["state"] == "REJECTED"
    status = json.loads(cli("auction", "status", auction.address, "--json"))
    (dispute,) = status["restitution"]["disputes"]
    rule(dispute["dispute_id"])
    assert auction.state().name == "FORFEITED"

    # unfair-disqualification: the honest cheapest bid disqualified, appealed, upheld
    honest = providers[3]

    def honest_bid(a: Auction) -> None:
        a.bid(honest, 0, ETHER // 10, cid("honest data"))

    auction = Auction(chain, json.loads(cli("auction", "create", request, "--account", client,
                                            "--json"))["address"], factory)
    honest_bid(auction)
    reason = tmp_path / "invented.txt"
    reason.write_text("an invented reason\n")
    cli("auction", "disqualify", auction.address, "--category", "data", "--bidder", honest,
        "--reason-file", reason, "--account", client)
    for c, price in enumerate((ETHER // 4, ETHER // 10, ETHER // 4)):
        auction.bid(providers[c], c, price, cid(f"asset {c}"))
    chain.advance_time(auction.closes_at() - chain.now() + 1)
    cli("auction", "settle", auction.address)
    appealed = json.loads(cli("provider", "appeal", auction.address, "data", "--account", honest,
                              "--json"))
    assert appealed["gas_used"] > 0
    (dispute,) = auction.disputes()
    rule(dispute.dispute_id)
    assert auction.owed(honest) == ETHER // 10 + auction.bonds()[0]

    # lock-out: throw-away bidders fill data, the honest lower bid still lands and wins
    from eth_account import Account

    auction = Auction(chain, json.loads(cli("auction", "create", request, "--account", client,
                                            "--json"))["address"], factory)
    bond = auction.bonds()[0]
    for i in range(5):
        spam = Account.from_key(hashlib.sha256(f"spam {i}".encode()).digest())
        chain.w3.eth.send_transaction({"from": providers[4], "to": spam.address,
                                       "value": bond + ETHER})
        auction.bid(spam, 0, ETHER * 35 // 100 - i, cid(f"junk {i}"), bond=bond)
    auction.bid(providers[0], 0, ETHER // 5, cid("honest"))
    status = json.loads(cli("auction", "status", auction.address, "--json"))
    data = next(c for c in status["categories"] if c["category"] == "data")
    assert data["best"]["bidder"] == providers[0] and len(data["bids"]) == 6
