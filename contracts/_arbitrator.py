"""The committee arbitrator (ERC-792, m of n members): deploy it, vote, read its disputes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._artifacts import abi, artifact
from ._chain import Chain, Sender
from ._clients import _require_address
from ._errors import ChainError
from ._types import TxResult

__all__ = ["Committee", "CommitteeDispute"]


@dataclass(frozen=True)
class CommitteeDispute:
    """A dispute at the committee: the contract that opened it, its votes per ruling, the ruling."""

    dispute_id: int
    arbitrable: str
    choices: int
    solved: bool
    ruling: int | None
    votes: tuple[int, ...]  # votes[r]: members who voted ruling r


class Committee:
    """A CommitteeArbitrator: `threshold` of its members' votes for one ruling give the ruling."""

    def __init__(self, chain: Chain, address: str):
        self.chain = chain
        self.address = chain.w3.to_checksum_address(address)
        self._c = chain.w3.eth.contract(address=self.address, abi=abi("CommitteeArbitrator"))
        self.deployment: TxResult | None = None  # set by `deploy`

    @classmethod
    def deploy(
        cls, chain: Chain, sender: Sender, members: Sequence[str], threshold: int, fee: int = 0
    ) -> tuple[Committee, int]:
        """Deploy a committee; returns it and the deployment's gas."""
        art = artifact("CommitteeArbitrator")
        contract = chain.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        members = [chain.w3.to_checksum_address(m) for m in members]
        receipt = chain.transact(contract.constructor(members, int(threshold), int(fee)), sender)
        committee = cls(chain, str(receipt.contract_address))
        committee.deployment = receipt  # the transaction, for those who print it
        return committee, receipt.gas_used

    @classmethod
    def at(cls, chain: Chain, address: str) -> Committee:
        _require_address(chain, address)
        code = bytes(chain.w3.eth.get_code(chain.w3.to_checksum_address(address)))
        expected = bytes.fromhex(artifact("CommitteeArbitrator")["deployedBytecode"][2:])
        if len(code) != len(expected) or code[:64] != expected[:64]:
            raise ChainError(f"no saiaas committee arbitrator at {address}")
        return cls(chain, address)

    def members(self) -> list[str]:
        return list(self.chain.call(self._c.functions.members()))

    def threshold(self) -> int:
        return int(self.chain.call(self._c.functions.threshold()))

    def fee(self) -> int:
        return int(self.chain.call(self._c.functions.fee()))

    def vote(self, sender: Sender, dispute_id: int, ruling: int) -> TxResult:
        """A member votes; the threshold-th vote for one ruling gives it to the auction."""
        return self.chain.transact(self._c.functions.vote(int(dispute_id), int(ruling)), sender)

    def dispute(self, dispute_id: int) -> CommitteeDispute:
        arbitrable, choices, solved, ruling, votes = self.chain.call(
            self._c.functions.dispute(int(dispute_id))
        )
        return CommitteeDispute(
            int(dispute_id), arbitrable, int(choices), bool(solved),
            int(ruling) if solved else None, tuple(int(v) for v in votes),
        )

    def fees_owed(self, member: str) -> int:
        return int(
            self.chain.call(self._c.functions.feesOwed(self.chain.w3.to_checksum_address(member)))
        )

    def withdraw_fees(self, sender: Sender) -> TxResult:
        return self.chain.transact(self._c.functions.withdrawFees(), sender)
