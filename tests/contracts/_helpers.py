"""Assertions shared by the contract tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from saiaas.contracts import ContractError


@contextmanager
def reverts(name: str) -> Iterator[pytest.ExceptionInfo[ContractError]]:
    """The block must revert with the custom error `name` (decoded from the revert data)."""
    with pytest.raises(ContractError) as info:
        yield info
    assert info.value.name == name, f"expected {name}, got {info.value}"


def paid(chain, tx_hash: str) -> int:  # type: ignore[no-untyped-def]
    """Wei the sender spent on gas for a transaction (to check balances to the wei)."""
    receipt = chain.w3.eth.get_transaction_receipt(tx_hash)
    return int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])


#: Auction.NOTICE: an early close takes effect this long after the client announces it.
NOTICE = 600


def close_early(world, auction, sender=None):  # type: ignore[no-untyped-def]
    """The client announces an early close, the notice runs out, anyone settles: the SLA's tx."""
    auction.adjudicate(sender or world.client)
    world.chain.advance_time(NOTICE)
    return auction.settle(world.providers[-1])
