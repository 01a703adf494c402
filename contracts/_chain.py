"""A connection to an EVM chain: the embedded py-evm one or any HTTP JSON-RPC node.

Everything backend-specific (time travel, snapshots, how reverts surface) lives here, so the
Factory and Auction clients read the same on both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import ChainError, ContractError, translate
from ._events import decode_logs
from ._types import TxResult

if TYPE_CHECKING:
    from web3 import Web3

Sender = Any  # an address string the node holds the key of, or an eth_account LocalAccount


class Chain:
    """A web3 connection plus the few node controls tests and benchmarks need."""

    def __init__(self, w3: Web3, *, embedded: bool):
        self.w3 = w3
        self.is_embedded = embedded

    @classmethod
    def embedded(cls) -> Chain:
        """An in-process py-evm chain (Prague rules) with ten funded accounts."""
        from web3 import EthereumTesterProvider, Web3

        return cls(Web3(EthereumTesterProvider()), embedded=True)

    @classmethod
    def connect(cls, url: str, timeout: float = 30.0) -> Chain:
        """Any HTTP JSON-RPC node (anvil locally; a testnet or an L2 beyond)."""
        from web3 import HTTPProvider, Web3

        w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
        try:
            w3.eth.chain_id  # noqa: B018 (fails fast when nothing listens there)
        except Exception as error:
            raise ChainError(f"no JSON-RPC node answers at {url}: {_short_reason(error)}") from None
        return cls(w3, embedded=False)

    # ------------------------------------------------------------------ accounts & time

    @property
    def accounts(self) -> list[str]:
        return list(self.w3.eth.accounts)

    def now(self) -> int:
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(self.w3.to_checksum_address(address)))

    def advance_time(self, seconds: int) -> None:
        """Mine one block `seconds` after the latest one."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        if self.is_embedded:
            tester = self.w3.provider.ethereum_tester  # type: ignore[attr-defined]
            target = self.now() + seconds
            pending = int(tester.get_block_by_number("pending")["timestamp"])
            if target > pending:
                tester.time_travel(target)
            tester.mine_blocks(1)
        else:
            self.w3.provider.make_request("evm_increaseTime", [int(seconds)])  # type: ignore[arg-type]
            self.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    def snapshot(self) -> Any:
        if self.is_embedded:
            return self.w3.provider.ethereum_tester.take_snapshot()  # type: ignore[attr-defined]
        return self.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]

    def revert(self, snapshot: Any) -> None:
        if self.is_embedded:
            self.w3.provider.ethereum_tester.revert_to_snapshot(snapshot)  # type: ignore[attr-defined]
        else:
            reply = self.w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
            if not reply.get("result"):
                raise ChainError(f"the node refused to revert to snapshot {snapshot}")

    # ------------------------------------------------------------------ transactions

    def transact(self, call: Any, sender: Sender, value: int = 0) -> TxResult:
        """Send a contract call (or constructor) from `sender`; gas comes from the receipt.

        The call is first estimated, which is where both backends surface the revert data; a
        revert becomes a ContractError named after the contract's custom error.
        """
        address = sender if isinstance(sender, str) else sender.address
        tx: dict[str, Any] = {"from": self.w3.to_checksum_address(address), "value": value}
        try:
            if self.is_embedded and hasattr(call, "call"):
                # py-evm estimates by binary search (~15 executions); one dry run surfaces the
                # same revert data, and gasUsed in the receipt does not depend on the limit.
                call.call(tx)
                tx["gas"] = self._gas_cap()
            else:
                estimate = call.estimate_gas(tx)
                tx["gas"] = min(int(estimate * 1.25) + 20_000, self._gas_cap())
        except Exception as error:
            found = self._translated(error)
            if isinstance(found, ContractError):
                found.sent = False
            raise found from None
        try:
            if isinstance(sender, str):
                tx_hash = call.transact(tx)
            else:
                tx["nonce"] = self.w3.eth.get_transaction_count(sender.address, "pending")
                tx["chainId"] = self.w3.eth.chain_id
                built = call.build_transaction(tx)
                signed = sender.sign_transaction(built)
                tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except Exception as error:
            raise self._translated(error) from None
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            reverted = ContractError("TransactionReverted")
            reverted.tx_hash = "0x" + bytes(tx_hash).hex()
            raise reverted
        return TxResult(
            tx_hash="0x" + bytes(tx_hash).hex(),
            gas_used=int(receipt["gasUsed"]),
            block_number=int(receipt["blockNumber"]),
            events=decode_logs(receipt["logs"]),
            contract_address=receipt.get("contractAddress"),
        )

    def call(self, call: Any) -> Any:
        """A view call; reverts become ContractError too."""
        try:
            return call.call()
        except Exception as error:
            raise self._translated(error) from None

    def logs(self, address: str, from_block: int = 0) -> list[Any]:
        return list(
            self.w3.eth.get_logs(
                {
                    "address": self.w3.to_checksum_address(address),
                    "fromBlock": from_block,
                    "toBlock": "latest",
                }
            )
        )

    def _gas_cap(self) -> int:
        return int(self.w3.eth.get_block("latest")["gasLimit"])

    @staticmethod
    def _translated(error: Exception) -> Exception:
        found = translate(error)
        return found if found is not None else error


def _short_reason(error: Exception) -> str:
    """One readable clause instead of urllib3's nested retry message."""
    text = str(error)
    for needle, said in (("Connection refused", "connection refused"),
                         ("timed out", "timed out"),
                         ("Name or service not known", "unknown host"),
                         ("No connection adapters", "not an http(s) URL")):
        if needle in text:
            return said
    return text.splitlines()[-1][:160] if text else type(error).__name__
