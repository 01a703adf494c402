"""Pull payments against hostile recipients: a refused payment keeps the claim, a re-entering
recipient gets what it is owed once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _helpers import reverts  # noqa: E402
from conftest import BIDDING, MAX_PRICES, RESERVE  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(__file__).parent / "helpers" / "Receiver.sol"

_COMPILE = """
const solc = require(process.argv[1] + '/node_modules/solc');
const fs = require('fs');
const source = fs.readFileSync(process.argv[2], 'utf8');
const input = {language: 'Solidity', sources: {'Receiver.sol': {content: source}},
  settings: {evmVersion: 'prague', outputSelection: {'*': {'*': ['abi', 'evm.bytecode.object']}}}};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
const c = out.contracts['Receiver.sol'].Receiver;
process.stdout.write(JSON.stringify({abi: c.abi, bytecode: '0x' + c.evm.bytecode.object}));
"""


@pytest.fixture(scope="module")
def receiver_artifact() -> dict:
    if not (ROOT / "node_modules" / "solc").is_dir():
        pytest.skip("node_modules/solc is absent: run `npm ci` (the helper contract is compiled)")
    node = shutil.which("node")
    assert node, "node is needed to compile the helper contract"
    out = subprocess.run(
        [node, "-e", _COMPILE, str(ROOT), str(SOURCE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.fixture
def failed_auction_of_a_contract(world, receiver_artifact):
    """A failed auction (no bids) whose client is the Receiver contract."""
    w3 = world.chain.w3
    factory = w3.eth.contract(abi=receiver_artifact["abi"], bytecode=receiver_artifact["bytecode"])
    deployed = world.chain.transact(factory.constructor(), world.owner)
    receiver = w3.eth.contract(address=deployed.contract_address, abi=receiver_artifact["abi"])
    data = world.factory._c.encode_abi(
        "createAuction", args=[b"\x01" * 32, 0, list(MAX_PRICES), [0, 0, 0], BIDDING, 60, 60, 0, 0]
    )
    tx = world.chain.transact(
        receiver.functions.forward(world.factory.address, data), world.owner, value=RESERVE
    )
    from saiaas.contracts import Auction, AuctionCreated

    created = [e for e in tx.events if isinstance(e, AuctionCreated)][0]
    assert created.client == receiver.address
    world.chain.advance_time(BIDDING)
    return receiver, Auction(world.chain, created.auction)


def test_a_refused_payment_reverts_and_keeps_the_claim(world, failed_auction_of_a_contract):
    receiver, auction = failed_auction_of_a_contract
    withdraw = auction._c.encode_abi("withdraw", args=[])
    world.chain.transact(receiver.functions.setMode(False, False), world.owner)
    with reverts("TransferFailed") as info:
        world.chain.transact(receiver.functions.forward(auction.address, withdraw), world.owner)
    assert info.value.args == (receiver.address, RESERVE)
    assert auction.owed(receiver.address) == RESERVE
    assert auction.balance() == RESERVE


def test_a_reentering_recipient_is_paid_once(world, failed_auction_of_a_contract):
    receiver, auction = failed_auction_of_a_contract
    withdraw = auction._c.encode_abi("withdraw", args=[])
    world.chain.transact(receiver.functions.setMode(True, True), world.owner)
    world.chain.transact(receiver.functions.forward(auction.address, withdraw), world.owner)
    assert receiver.functions.reentryFailures().call() == 1  # the nested withdraw was refused
    assert world.chain.balance(receiver.address) == RESERVE
    assert auction.balance() == 0 and auction.owed(receiver.address) == 0
    with reverts("NothingOwed"):
        world.chain.transact(receiver.functions.forward(auction.address, withdraw), world.owner)
