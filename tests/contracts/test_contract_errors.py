"""Reverts decode to one ContractError whichever backend raised them, and CIDs round-trip."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_tester.exceptions import TransactionFailed
from eth_utils import keccak
from saiaas.cli.errors import EXIT_CHAIN, exit_code_of
from saiaas.contracts import ContractError, UnsupportedCidError, decode_cid, encode_cid
from saiaas.contracts._errors import translate
from saiaas.ontologies.errors import SaiaasError
from web3.exceptions import ContractCustomError, ContractLogicError

ADDRESS = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"


def bid_not_lower(price: int, previous: int) -> bytes:
    return keccak(text="BidNotLower(uint256,uint256)")[:4] + encode(
        ["uint256", "uint256"], [price, previous]
    )


@pytest.mark.parametrize(
    "raised",
    [
        TransactionFailed(f"execution reverted: {bid_not_lower(5, 3)!r}"),
        ContractCustomError(
            "0x" + bid_not_lower(5, 3).hex(), data="0x" + bid_not_lower(5, 3).hex()
        ),
        ContractLogicError("execution reverted", data="0x" + bid_not_lower(5, 3).hex()),
    ],
    ids=["py-evm", "http-custom", "http-logic"],
)
def test_every_backend_gives_the_same_error(raised):
    error = translate(raised)
    assert isinstance(error, ContractError) and isinstance(error, SaiaasError)
    assert error.name == "BidNotLower" and error.args == (5, 3)
    assert exit_code_of(error) == EXIT_CHAIN
    assert str(error) == (
        "BidNotLower: the price 5 wei is not below your previous bid 3 wei in this category; "
        "a new bid must undercut your own"
    )


def test_a_refusal_from_the_dry_run_says_nothing_was_sent_and_amounts_read_in_ether():
    data = bid_not_lower(4 * 10**17, 3 * 10**17)
    error = translate(ContractLogicError("x", data="0x" + data.hex()))
    assert error is not None
    error.sent = False
    assert str(error) == (
        "BidNotLower: the price 0.4 ETH is not below your previous bid 0.3 ETH in this category; "
        "a new bid must undercut your own; nothing sent"
    )


def test_addresses_are_checksummed_and_states_named():
    data = keccak(text="ClientCannotBid(address)")[:4] + encode(["address"], [ADDRESS])
    assert translate(ContractLogicError("x", data="0x" + data.hex())).args == (ADDRESS,)
    data = keccak(text="WrongState(uint8)")[:4] + encode(["uint8"], [4])
    assert "the auction is COMPLETED" in str(translate(TransactionFailed(f"reverted: {data!r}")))


def test_unknown_and_empty_reverts_are_still_contract_errors():
    assert translate(TransactionFailed("execution reverted")).name == "TransactionReverted"
    unknown = translate(ContractLogicError("x", data="0xdeadbeef00"))
    assert unknown.name == "UnknownError" and unknown.args == ("0xdeadbeef00",)
    assert translate(ValueError("not a revert")) is None


@pytest.mark.parametrize("kind", [0, 1])
def test_cids_round_trip_through_the_onchain_encoding(kind):
    cid = decode_cid(bytes(range(32)), kind)
    assert cid.startswith("bafkrei" if kind == 0 else "bafybei")
    assert encode_cid(cid) == (bytes(range(32)), kind)


def test_cidv0_comes_back_as_its_v1():
    v1 = decode_cid(bytes(range(32)), 1)
    from multiformats import CID

    v0 = str(CID.decode(v1).set(version=0, base="base58btc"))
    assert v0.startswith("Qm") and decode_cid(*encode_cid(v0)) == v1


def test_bad_cids_are_input_errors():
    with pytest.raises(UnsupportedCidError, match="not a CID"):
        encode_cid("bafy-nonsense")


def test_every_custom_error_of_every_contract_has_a_sentence():
    from saiaas.contracts._artifacts import abi
    from saiaas.contracts._errors import _SENTENCES

    names = {
        i["name"]
        for n in ("Auction", "Factory", "CommitteeArbitrator")
        for i in abi(n)
        if i["type"] == "error"
    }
    assert names - set(_SENTENCES) == set()


def test_points_in_time_read_as_utc_dates_with_their_unix_seconds():
    data = keccak(text="BiddingStillOpen(uint256)")[:4] + encode(["uint256"], [1796034016])
    error = translate(ContractLogicError("x", data="0x" + data.hex()))
    assert error is not None
    assert str(error).startswith(
        "BiddingStillOpen: bidding is open until 2026-11-30 10:20:16 UTC (unix 1796034016); "
    )
