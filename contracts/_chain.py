"""A connection to an EVM chain: the embedded py-evm one or any HTTP JSON-RPC node.

Everything backend-specific (time travel, snapshots, how reverts surface) lives here, so the
Factory and Auction clients read the same on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from ._errors import ChainError, ContractError, translate
from ._events import decode_logs
from ._types import TxResult

if TYPE_CHECKING:
    from web3 import HTTPProvider, Web3

Sender = Any  # an address string the node holds the key of, or an eth_account LocalAccount

#: Seconds one JSON-RPC request may take, whole answer included (a node that drips bytes is cut
#: at this deadline, not at each byte).
DEFAULT_TIMEOUT = 10.0
#: Seconds to wait for a sent transaction's receipt.
DEFAULT_RECEIPT_TIMEOUT = 120.0
#: Attempts of an idempotent read against a node that failed (connection reset, timeout), with
#: exponential backoff from RETRY_BACKOFF seconds. Sends are never retried here: a retried send
#: is a second transaction, or a nonce error hiding that the first one landed.
READ_ATTEMPTS = 3
RETRY_BACKOFF = 0.25
#: Never retried: they change state.
_NOT_IDEMPOTENT = ("evm", "testing", "admin", "eth_sendRawTransaction", "eth_sendTransaction",
                   "eth_sign", "eth_signTypedData")


class NodeUnreachable(ChainError):
    """The JSON-RPC node did not answer, answered too slowly, or answered garbage."""


class OutcomeUnknown(ChainError):
    """A transaction was (or may have been) sent, and the node failed before its receipt: it may
    be on chain. The journal of sent transactions lets the next command find out."""

    def __init__(self, message: str, tx_hash: str | None = None):
        super().__init__(message)
        self.tx_hash = tx_hash


class Journal(Protocol):
    """Where a chain records the transactions it sends (see saiaas.market's journal), so that an
    outcome lost to a failing node is found by the next command."""

    def sending(self, sender: str, nonce: int, to: str | None, what: str) -> str: ...

    def sent(self, key: str, tx_hash: str) -> None: ...

    def settled(self, key: str, status: int) -> None: ...


def _guarded_provider(url: str, timeout: float) -> HTTPProvider:
    """An HTTPProvider whose reads are retried with backoff, whose answers are bounded by a
    total deadline, and whose every transport failure is a NodeUnreachable naming the node."""
    import requests
    from web3 import HTTPProvider
    from web3.providers.rpc.utils import REQUEST_RETRY_ALLOWLIST, ExceptionRetryConfiguration

    reads = [m for m in REQUEST_RETRY_ALLOWLIST if m not in _NOT_IDEMPOTENT]

    class Guarded(HTTPProvider):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            manager = self._request_session_manager

            def bounded_post(endpoint_uri: Any, data: Any, **options: Any) -> bytes:
                """The answer, read as it arrives, cut at `timeout` seconds in all (web3's own
                streaming reads byte by byte into a growing bytes object: quadratic)."""
                import time

                options["stream"] = True
                start = time.monotonic()
                with manager.get_response_from_post_request(
                    endpoint_uri, data=data, **options
                ) as response:
                    response.raise_for_status()
                    chunks: list[bytes] = []
                    while True:
                        chunk = response.raw.read1(65536, decode_content=True)
                        if not chunk:
                            return b"".join(chunks)
                        chunks.append(chunk)
                        if time.monotonic() - start > timeout:
                            raise TimeoutError(f"no complete answer within {timeout:g} s")

            manager.make_post_request = bounded_post  # type: ignore[method-assign]

        def make_request(self, method: Any, params: Any) -> Any:
            try:
                return super().make_request(method, params)
            except ChainError:
                raise
            except Exception as error:  # requests', urllib3's, web3's and json's, all alike
                raise NodeUnreachable(
                    f"the JSON-RPC node at {url} failed on {method}: {_short_reason(error)}"
                ) from None

    retry = ExceptionRetryConfiguration(
        errors=(requests.ConnectionError, requests.Timeout, requests.HTTPError, TimeoutError),
        retries=READ_ATTEMPTS,
        backoff_factor=RETRY_BACKOFF,
        method_allowlist=reads,
    )
    return Guarded(url, request_kwargs={"timeout": timeout},
                   exception_retry_configuration=retry)


class Chain:
    """A web3 connection plus the few node controls tests and benchmarks need."""

    def __init__(self, w3: Web3, *, embedded: bool,
                 receipt_timeout: float = DEFAULT_RECEIPT_TIMEOUT):
        self.w3 = w3
        self.is_embedded = embedded
        self.receipt_timeout = receipt_timeout
        #: Records each transaction sent to a node (set by the marketplace; None: not recorded).
        self.journal: Journal | None = None
        #: EIP-1559 fee fields every transaction sent to a node carries (maxFeePerGas,
        #: maxPriorityFeePerGas; the network profile's), else the node's suggestion.
        self.fees: dict[str, int] = {}
        #: Blocks mined on top of a transaction's block before `transact` reports it.
        self.confirmations = 0
        #: The SHA-256 (hex) of the embedded chain file's state: as loaded, then as saved (set by
        #: contracts._persistent; None otherwise). Answers of reads are kept under it.
        self.file_digest: str | None = None
        self._logs_head: bytes | None = None
        self._logs_seen: dict[tuple[str, int], list[Any]] = {}
        self._call_from: str | None = None
        self._answers: dict[tuple[str, str, str], Any] | None = None
        if embedded:
            # web3's validation middleware asks the chain id twice per request; eth-tester's
            # own middleware asks for the accounts three times per call (to guess `from`). The
            # embedded chain's id never changes and only its own code builds transactions: a
            # read of ~45 calls made ~220 such requests on top.
            from contextlib import suppress

            with suppress(ValueError):
                w3.middleware_onion.remove("validation")

    @classmethod
    def embedded(cls) -> Chain:
        """An in-process py-evm chain (Prague rules) with ten funded accounts."""
        from web3 import EthereumTesterProvider, Web3

        return cls(Web3(EthereumTesterProvider()), embedded=True)

    @classmethod
    def connect(cls, url: str, timeout: float = DEFAULT_TIMEOUT,
                receipt_timeout: float = DEFAULT_RECEIPT_TIMEOUT) -> Chain:
        """Any HTTP JSON-RPC node (anvil locally; a testnet or an L2 beyond). Every request has
        `timeout` seconds in all; reads are retried READ_ATTEMPTS times with backoff."""
        from web3 import Web3

        w3 = Web3(_guarded_provider(url, timeout))
        try:
            w3.eth.chain_id  # noqa: B018 (fails fast when nothing listens there)
        except Exception as error:
            raise NodeUnreachable(
                f"no JSON-RPC node answers at {url}: {_short_reason(error)}"
            ) from None
        return cls(w3, embedded=False, receipt_timeout=receipt_timeout)

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
        self._forget()
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
        self._logs_head, self._logs_seen = None, {}
        self._forget()
        if self.is_embedded:
            self.w3.provider.ethereum_tester.revert_to_snapshot(snapshot)  # type: ignore[attr-defined]
        else:
            reply = self.w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
            if not reply.get("result"):
                raise ChainError(f"the node refused to revert to snapshot {snapshot}")

    # ------------------------------------------------------------------ transactions

    def _forget(self) -> None:
        """The state changes: answers kept by `reading` no longer hold."""
        if self._answers is not None:
            self._answers.clear()

    def transact(self, call: Any, sender: Sender, value: int = 0) -> TxResult:
        """Send a contract call (or constructor) from `sender`; gas comes from the receipt.

        The call is first estimated, which is where both backends surface the revert data; a
        revert becomes a ContractError named after the contract's custom error.
        """
        try:
            return self._transact(call, sender, value)
        finally:
            self._forget()

    def _transact(self, call: Any, sender: Sender, value: int = 0) -> TxResult:
        address = sender if isinstance(sender, str) else sender.address
        tx: dict[str, Any] = {"from": self.w3.to_checksum_address(address), "value": value}
        try:
            # The dry run sees the block the transaction will be mined in ("pending": its
            # timestamp, not the last block's), so a rule that depends on time (BiddingClosed,
            # a passed delivery deadline) refuses here and nothing is sent.
            if self.is_embedded and hasattr(call, "call"):
                # py-evm estimates by binary search (~15 executions); one dry run surfaces the
                # same revert data, and gasUsed in the receipt does not depend on the limit.
                # Its pending header carries the exact timestamp the next block is mined with.
                call.call(tx, block_identifier="pending")
                tx["gas"] = self._gas_cap()
            else:
                # (eth-tester cannot estimate on "pending"; there only a constructor gets here)
                estimate = call.estimate_gas(
                    tx, block_identifier="latest" if self.is_embedded else "pending"
                )
                tx["gas"] = min(int(estimate * 1.25) + 20_000, self._gas_cap())
        except Exception as error:
            found = self._translated(error)
            if isinstance(found, ContractError):
                found.sent = False
            raise found from None
        if not self.is_embedded:
            tx.update(self.fees)  # type 2 with the profile's fee cap and tip
        journal = None if self.is_embedded else self.journal
        key = None
        sent_hash: str | None = None
        try:
            if journal is not None or not isinstance(sender, str):
                tx["nonce"] = self.w3.eth.get_transaction_count(tx["from"], "pending")
            if journal is not None:
                key = journal.sending(tx["from"], int(tx["nonce"]), _target(call), _what(call))
            if isinstance(sender, str):
                tx_hash = call.transact(tx)
            else:
                tx["chainId"] = self.w3.eth.chain_id
                built = call.build_transaction(tx)
                signed = sender.sign_transaction(built)
                sent_hash = "0x" + bytes(signed.hash).hex()
                if journal is not None and key is not None:
                    journal.sent(key, sent_hash)
                tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        except NodeUnreachable as error:
            if key is None and sent_hash is None:
                raise  # failed before anything was sent
            if "connection refused" in str(error):  # nothing reached the node
                if journal is not None and key is not None:
                    journal.settled(key, -1)
                raise
            raise OutcomeUnknown(
                f"{error}; the transaction may have reached the node ("
                + (f"hash {sent_hash}" if sent_hash else f"from {tx['from']}, nonce {tx['nonce']}")
                + "): the next saiaas command on this node reports whether it was mined "
                "(`saiaas account journal --rpc-url URL` shows it; or ask the node: "
                "eth_getTransactionReceipt / eth_getTransactionCount)",
                sent_hash,
            ) from None
        except Exception as error:
            raise self._translated(error) from None
        hash_text = "0x" + bytes(tx_hash).hex()
        if journal is not None and key is not None and hash_text != sent_hash:
            journal.sent(key, hash_text)
        try:
            receipt = self.w3.eth.wait_for_transaction_receipt(
                tx_hash, timeout=self.receipt_timeout, poll_latency=0.1
            )
        except Exception as error:
            why = _short_reason(error) if not isinstance(error, ChainError) else str(error)
            raise OutcomeUnknown(
                f"transaction {hash_text} was sent, but its receipt could not be read ({why}): "
                "it may be on chain; the next saiaas command on this node reports its outcome "
                "(`saiaas account journal --rpc-url URL` shows it; or ask the node: "
                f"eth_getTransactionReceipt {hash_text})",
                hash_text,
            ) from None
        if self.confirmations and not self.is_embedded:
            receipt = self._confirmed(hash_text, receipt)
        if journal is not None and key is not None:
            journal.settled(key, int(receipt["status"]))
        if receipt["status"] != 1:
            reverted = self._replayed(call, tx, int(receipt["blockNumber"]))
            reverted.tx_hash = hash_text
            reverted.sent = True
            raise reverted
        return TxResult(
            tx_hash="0x" + bytes(tx_hash).hex(),
            gas_used=int(receipt["gasUsed"]),
            block_number=int(receipt["blockNumber"]),
            events=decode_logs(receipt["logs"]),
            contract_address=receipt.get("contractAddress"),
        )

    def _confirmed(self, tx_hash: str, receipt: Any) -> Any:
        """The receipt once `confirmations` blocks are mined on top of its block, read again
        then (a reorganisation may have moved it); OutcomeUnknown if that takes longer than the
        receipt timeout or the transaction left the chain."""
        import time

        deadline = time.monotonic() + self.receipt_timeout
        while True:
            if int(self.w3.eth.block_number) - int(receipt["blockNumber"]) >= self.confirmations:
                try:
                    again = self.w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
                except Exception:
                    again = None
                if again is not None and again["blockHash"] == receipt["blockHash"]:
                    return again
                if again is None:
                    raise OutcomeUnknown(
                        f"transaction {tx_hash} was mined in block {receipt['blockNumber']} but "
                        f"is no longer on chain (a reorganisation) while waiting for "
                        f"{self.confirmations} confirmations; the next saiaas command on this "
                        "node reports its outcome", tx_hash)
                receipt = again  # moved to another block: count again from there
            if time.monotonic() > deadline:
                raise OutcomeUnknown(
                    f"transaction {tx_hash} was mined in block {receipt['blockNumber']}, but "
                    f"{self.confirmations} confirmations did not come within "
                    f"{self.receipt_timeout:g} s (SAIAAS_RECEIPT_TIMEOUT)", tx_hash)
            time.sleep(0.2)

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Within the block, identical view calls are answered once: for one read of many values
        (an auction's status asks the same terms, best bids and states several times) during
        which nothing is sent."""
        outer = self._answers
        self._answers = {} if outer is None else outer
        try:
            yield
        finally:
            self._answers = outer

    def call(self, call: Any) -> Any:
        """A view call; reverts become ContractError too."""
        answers = self._answers
        if answers is not None:
            key = (str(getattr(call, "address", "")), _what(call), repr(getattr(call, "args", ())))
            if key not in answers:
                answers[key] = self._call(call)
            return answers[key]
        return self._call(call)

    def _call(self, call: Any) -> Any:
        try:
            if self.is_embedded:  # the `from` eth-tester would guess, asked for once
                if self._call_from is None:
                    accounts = self.w3.eth.accounts
                    self._call_from = accounts[0] if accounts else None
                if self._call_from is not None:
                    return call.call({"from": self._call_from})
            return call.call()
        except Exception as error:
            raise self._translated(error) from None

    def logs(self, address: str, from_block: int = 0) -> list[Any]:
        """The contract's logs from `from_block` to the head. One read asks for the same logs
        many times (each category's bids, the history): they are kept until the head moves."""
        block = self.w3.eth.get_block("latest")
        head, head_hash = int(block["number"]), bytes(block["hash"])  # a revert reuses numbers
        key = (str(address).lower(), int(from_block))
        if self._logs_head != head_hash:
            self._logs_head, self._logs_seen = head_hash, {}
        if key not in self._logs_seen:
            self._logs_seen[key] = list(
                self.w3.eth.get_logs(
                    {
                        "address": self.w3.to_checksum_address(address),
                        "fromBlock": from_block,
                        "toBlock": head,
                    }
                )
            )
        return list(self._logs_seen[key])

    def _replayed(self, call: Any, tx: dict[str, Any], block_number: int) -> ContractError:
        """The custom error of a transaction that was mined and reverted: the same call replayed
        on the block it was mined in (its timestamp; its state, which the revert left as it was
        for this call). A replay that passes (a transaction earlier in that block changed what
        it saw) keeps the bare TransactionReverted."""
        replay = {k: v for k, v in tx.items() if k in ("from", "value", "gas")}
        try:
            call.call(replay, block_identifier=block_number)
        except Exception as error:
            found = translate(error)
            if found is not None:
                return found
        return ContractError("TransactionReverted")

    def _gas_cap(self) -> int:
        return int(self.w3.eth.get_block("latest")["gasLimit"])

    @staticmethod
    def _translated(error: Exception) -> Exception:
        found = translate(error)
        return found if found is not None else error


def _target(call: Any) -> str | None:
    address = getattr(call, "address", None)
    return str(address) if address else None


def _what(call: Any) -> str:
    return str(getattr(call, "fn_name", None) or type(call).__name__)


def _short_reason(error: Exception) -> str:
    """One readable clause instead of urllib3's nested retry message."""
    text = str(error)
    for needle, said in (("Connection refused", "connection refused"),
                         ("timed out", "timed out"),
                         ("Name or service not known", "unknown host"),
                         ("No connection adapters", "not an http(s) URL"),
                         ("RemoteDisconnected", "the node closed the connection"),
                         ("Connection aborted", "the node closed the connection"),
                         ("Connection reset", "the node reset the connection"),
                         ("Expecting value", "the node answered something that is not JSON"),
                         ("TimeExhausted", "no complete answer in time"),
                         ("no complete answer", "no complete answer in time")):
        if needle in text:
            return said
    if type(error).__name__ in ("TimeExhausted", "ReadTimeout", "ConnectTimeout", "Timeout"):
        return "no complete answer in time"
    return text.splitlines()[-1][:160] if text else type(error).__name__
