"""The marketplace one party talks to: chain, Factory, content store, matchers and its account.

`Marketplace.open(settings)` decides the embedded defaults in one place: the embedded chain is a
py-evm chain kept on disk between processes (its Factory is deployed on first use, under the
packaged ontology's CID), the embedded store a folder. Which Factory serves which chain is
recorded in <data dir>/deployments.json, so `saiaas devnet` and the embedded chain need no
Factory address. Handles open lazily: a read that needs no store never touches one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saiaas.contracts import ChainError
from saiaas.market.accounts import AccountError, checksum, keystore_address, keystore_file, unlock
from saiaas.market.config import DEV_CHAIN_IDS, Settings, config_path, data_dir
from saiaas.ontologies.errors import InvalidError, UsageError

if TYPE_CHECKING:
    from saiaas.contracts import Auction, Chain, Factory, TxResult
    from saiaas.matcher import Matcher
    from saiaas.storage import Store

__all__ = [
    "Marketplace",
    "NoFactoryError",
    "EMBEDDED",
    "record_factory",
    "recorded_factory",
    "recorded_chain_id",
    "AccountRequired",
    "WrongChain",
    "deploy_factory",
    "known_factory",
    "write_state",
    "read_state",
    "DamagedRecord",
    "remove_leftovers",
]

EMBEDDED = "embedded"


class NoFactoryError(ChainError):
    """No Factory is known (or usable) for the chain the party talks to."""


class WrongChain(ChainError):
    """The node answers another chain id than the network profile or the Factory record says."""


class AccountRequired(UsageError):
    """A transaction on a chain that is not a dev chain, with no account named."""


#: The key under which a state file written by `write_state` keeps the SHA-256 of the rest.
CHECKSUM_KEY = "_sha256"


class DamagedRecord(NoFactoryError):
    """A state file of the data folder does not hold what was written (its checksum fails)."""


def _deployments_file() -> Path:
    return data_dir() / "deployments.json"


def _digest(entries: dict[str, Any]) -> str:
    body = {k: v for k, v in entries.items() if k != CHECKSUM_KEY}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def read_state(path: Path) -> dict[str, Any] | None:
    """A JSON object written by `write_state`, its checksum verified (None when the file does not
    exist). A damaged file is copied aside and refused by name, never read as another state;
    files written before checksums existed (no checksum key) are read as they are."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise DamagedRecord(f"{path} is unreadable ({error}); {_restore_hint(path)}") from None
    try:
        entries = json.loads(text)
        if not isinstance(entries, dict):
            raise ValueError("not a JSON object")
        stated = entries.pop(CHECKSUM_KEY, None)
        if stated is not None and stated != _digest(entries):
            raise ValueError("its checksum does not match its content")
    except ValueError as why:
        kept = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        with contextlib.suppress(OSError):
            shutil.copy2(path, kept)
        raise DamagedRecord(
            f"{path} is damaged ({why}); refused; a copy is kept as {kept}; {_restore_hint(path)}"
        ) from None
    return dict(entries)


def _restore_hint(path: Path) -> str:
    backup = path.with_name(path.name + ".bak")
    if backup.exists():
        return f"its previous version is {backup}: `cp {backup} {path}` restores it"
    return "repair it, or pass the value by option (e.g. --factory)"


def _deployments() -> dict[str, Any]:
    """chain key -> the Factory's address, or {"address", "chain_id"} (the chain id the node
    answered when the Factory was deployed; records written before it are bare addresses)."""
    path = _deployments_file()
    entries = read_state(path)
    if entries is None:
        return {}
    if not all(
        isinstance(v, str)
        or (isinstance(v, dict) and isinstance(v.get("address"), str)
            and isinstance(v.get("chain_id", 0), int))
        for v in entries.values()
    ):
        raise DamagedRecord(f"{path} is not a map of chains to Factory addresses; "
                            f"{_restore_hint(path)}")
    return dict(entries)


def recorded_factory(chain_key: str) -> str | None:
    """The Factory recorded for a chain (an RPC URL, or EMBEDDED), if any."""
    entry = _deployments().get(chain_key)
    return entry["address"] if isinstance(entry, dict) else entry


def recorded_chain_id(chain_key: str) -> int | None:
    """The chain id the Factory recorded for a chain was deployed on, if recorded."""
    entry = _deployments().get(chain_key)
    return entry.get("chain_id") if isinstance(entry, dict) else None


def known_factory(settings: Settings) -> str | None:
    """The Factory configured or recorded for the settings' chain, deploying none."""
    return settings.factory or recorded_factory(settings.rpc_url or EMBEDDED)


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.part")


def write_state(path: Path, text: str) -> None:
    """Replace a state file under the data dir atomically, so a crash never leaves half of it.

    A JSON object gets a checksum (CHECKSUM_KEY) that `read_state` verifies, and the previous
    version of the file stays as `<file>.bak`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict):
        value.pop(CHECKSUM_KEY, None)
        text = json.dumps({**value, CHECKSUM_KEY: _digest(value)}, indent=2) + "\n"
    temp = _temp_name(path)
    temp.write_text(text, encoding="utf-8")
    if path.exists():
        with contextlib.suppress(OSError):
            shutil.copy2(path, path.with_name(path.name + ".bak.part"))
            os.replace(path.with_name(path.name + ".bak.part"), path.with_name(path.name + ".bak"))
    os.replace(temp, path)


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete temporary files that killed processes left in the data folder (state files and the
    embedded store): those of processes that no longer run, or older than an hour."""
    removed = []
    candidates = [*folder.glob(".*.part"), *folder.glob("*.part")]
    store = folder / "store"
    if store.is_dir():
        candidates += list(store.glob(".put-*.part"))
    for path in candidates:
        if path.name.startswith(".chain-"):
            continue  # removed under the chain's lock
        if _owner_alive(path) and time.time() - _mtime(path) < 3600:
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _owner_alive(path: Path) -> bool:
    """Whether the process whose pid the temporary file's name carries still runs (unknown: a
    name without a pid is treated as alive, so only age removes it)."""
    import re

    found = re.search(r"^\.put-p(\d+)-|\.(\d+)\.part$", path.name)
    if found is None:
        return True
    pid = int(found.group(1) or found.group(2))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _created_address(deployer: str, nonce: int) -> str:
    """Where a CREATE from `deployer` at `nonce` puts its contract."""
    import rlp  # type: ignore[import-untyped]
    from eth_utils import keccak, to_checksum_address

    encoded = rlp.encode([bytes.fromhex(deployer[2:]), nonce])
    return str(to_checksum_address(keccak(encoded)[12:]))


def record_factory(chain_key: str, address: str, chain_id: int | None = None) -> None:
    """Remember which Factory serves a chain (and the chain id it was deployed on)."""
    entry: Any = address if chain_id is None else {"address": address, "chain_id": chain_id}
    entries = _deployments() | {chain_key: entry}
    write_state(_deployments_file(), json.dumps(entries, indent=2) + "\n")


def _no_prompt(prompt: str) -> str:
    raise AccountError("a keystore password is needed: pass --password-file or set SAIAAS_PASSWORD")


class Marketplace:
    """Lazily opened marketplace handles for one party; use through `Marketplace.open`."""

    def __init__(
        self,
        settings: Settings,
        chain: Chain | None = None,
        store: Store | None = None,
        password: Callable[[str], str] = _no_prompt,
        factory: Factory | None = None,
        matchers: dict[str, Matcher] | None = None,
        persistent: bool = False,
        notify: Callable[[str], None] | None = None,
    ):
        """`persistent`: the chain is the one this data folder's deployments record describes
        (as `open` gives); a chain handed in otherwise (an in-process chain of a demo or a test)
        never reads or writes that record."""
        self.settings = settings
        self._chain = chain
        self._persistent = persistent
        self._password = password
        if store is not None:
            self.__dict__["store"] = store
        if factory is not None:
            self.__dict__["factory"] = factory
        self._matchers: dict[str, Matcher] = {} if matchers is None else matchers
        self._notify = notify or (lambda line: None)
        self._unlocked: Any = None  # a keystore account unlocked before the chain was opened
        self._sends = False  # the party is about to send: a non-dev chain needs a named account
        self._chain_id: int | None = None

    def acting_as(self, account: str) -> Marketplace:
        """The same marketplace (chain, store, Factory, matchers) seen by another party: what a
        process holding several dev accounts (the demo, a test) uses for each role."""
        from dataclasses import replace

        return Marketplace(
            replace(self.settings, account=account),
            self.chain,
            self.store,
            self._password,
            self.factory,
            self._matchers,
            self._persistent,
            self._notify,
        )

    @classmethod
    @contextmanager
    def open(
        cls,
        settings: Settings | None = None,
        password: Callable[[str], str] = _no_prompt,
        notify: Callable[[str], None] | None = None,
        unlock_early: bool = False,
        acts: bool = False,
    ) -> Iterator[Marketplace]:
        """A Marketplace whose embedded chain (if any) is loaded, locked and saved around the
        block; `password(prompt)` is asked when a keystore must be unlocked and neither the
        password file nor $SAIAAS_PASSWORD gives one. `unlock_early` (a party about to send)
        unlocks the settings' keystore account before the embedded chain's lock is taken, so a
        person at a prompt never holds up other commands. `notify(line)` hears about earlier
        transactions whose outcome this command found out. `acts` (a party that sends as its
        account): on a chain that is not a dev chain, no named account is refused as soon as the
        node's chain id is known, before anything is read or stored."""
        settings = settings or Settings()
        market = cls(settings, password=password, persistent=True, notify=notify)
        remove_leftovers(data_dir())
        market._sends = acts
        if unlock_early:
            market._unlock_early()
        with ExitStack() as stack:
            if settings.embedded_chain:
                from saiaas.contracts._persistent import persistent_embedded_chain

                market._chain = stack.enter_context(
                    persistent_embedded_chain(data_dir() / "chain.bin")
                )
            yield market

    def _unlock_early(self) -> None:
        """Unlock the keystore the settings name, if they name one (a prompt, if any, is
        answered before any lock is held)."""
        wanted = self.settings.account
        if wanted is None:
            return
        try:
            keystore_file(self.settings, wanted)
        except AccountError:
            return  # a node-held address, or an unknown name reported when it is used
        self._unlocked = unlock(self.settings, wanted, self._password)

    # ------------------------------------------------------------------ handles

    @property
    def chain_key(self) -> str:
        return self.settings.rpc_url or EMBEDDED

    @property
    def chain(self) -> Chain:
        if self._chain is None:
            from saiaas.contracts import Chain
            from saiaas.market.config import rpc_timeouts
            from saiaas.market.journal import TxJournal

            assert self.settings.rpc_url  # the embedded chain is opened by Marketplace.open
            timeout, receipt_timeout = rpc_timeouts()
            chain = Chain.connect(self.settings.rpc_url, timeout, receipt_timeout)
            self._check_chain_id(chain)
            fees = (("maxFeePerGas", self.settings.max_fee),
                    ("maxPriorityFeePerGas", self.settings.max_priority_fee))
            chain.fees = {k: v for k, v in fees if v is not None}
            chain.confirmations = self.settings.confirmations
            if self._sends and self.settings.account is None and not self.is_dev_chain:
                raise self._account_required()
            if self._persistent:
                journal = TxJournal(data_dir() / "journal.json", self.settings.rpc_url)
                for line in journal.reconcile(chain):
                    self._notify(line)
                chain.journal = journal
            self._chain = chain
        return self._chain

    def _check_chain_id(self, chain: Chain) -> None:
        """The node must answer the chain id the network profile names and the one the recorded
        Factory was deployed on: a URL pointing at another chain is refused before anything is
        read or sent there."""
        url = self.settings.rpc_url
        node = self._chain_id = int(chain.w3.eth.chain_id)
        wanted = self.settings.chain_id
        if wanted is not None and wanted != node:
            source = self.settings.sources.get("network", "")
            chosen = " (the file's default `network`)" if source == "config" else ""
            profile = (f"network profile {self.settings.network!r}{chosen} in {config_path()}"
                       if self.settings.network else "the settings")
            raise WrongChain(
                f"the node at {url} answers chain id {node}, but {profile} expects chain id "
                f"{wanted}: refused (a wrong RPC URL or profile?)"
            )
        if not (self._persistent and url):
            return
        address = recorded_factory(url)
        given = self.settings.factory
        if given is not None and (address is None or given.lower() != address.lower()):
            return  # the record is not used: the Factory is named
        recorded = recorded_chain_id(url)
        if recorded is not None and recorded != node:
            raise WrongChain(
                f"the Factory recorded for {url} ({address}) was deployed on chain id "
                f"{recorded}, but the node there now answers chain id {node}: refused (another "
                f"node on that URL? name this chain's Factory with --factory, or remove the "
                f"entry from {_deployments_file()})"
            )

    @property
    def chain_id(self) -> int:
        """The chain id of the node (the embedded chain's too)."""
        if self._chain_id is None:
            self._chain_id = int(self.chain.w3.eth.chain_id)
        return self._chain_id

    @property
    def is_dev_chain(self) -> bool:
        """The embedded chain; else what the profile's `dev` says; else chain id 31337 or 1337.
        On a dev chain the node's first account acts when none is named."""
        if self.settings.embedded_chain:
            return True
        if self.settings.dev is not None:
            return self.settings.dev
        return self.chain_id in DEV_CHAIN_IDS

    def _account_required(self) -> AccountRequired:
        where = (f" or `account = \"NAME\"` in [networks.{self.settings.network}] of "
                 f"{config_path()}" if self.settings.network else "")
        return AccountRequired(
            f"chain id {self.chain_id} at {self.settings.rpc_url} is not a dev chain: name the "
            f"account to act as with --account NAME (a keystore name or address), "
            f"SAIAAS_ACCOUNT{where}; nothing sent"
        )

    @cached_property
    def store(self) -> Store:
        from saiaas.market.config import ipfs_timeout
        from saiaas.storage import open_store

        return open_store(ipfs_api=self.settings.ipfs_api, root=self.settings.store_dir,
                          timeout=ipfs_timeout())

    @cached_property
    def factory(self) -> Factory:
        """The configured Factory; on the embedded chain one is deployed on first use."""
        from saiaas.contracts import Factory

        chain = self.chain  # connect first: a dead node is reported as such, not as "no Factory"
        address = known_factory(self.settings) if self._persistent else self.settings.factory
        if address:
            return Factory.at(chain, checksum(address, "Factory"))
        if not self.settings.embedded_chain:
            raise NoFactoryError(
                f"no Factory known for {self.settings.rpc_url}: pass --factory or SAIAAS_FACTORY "
                "(`saiaas devnet` records one for the node it starts)"
            )
        if self._persistent:
            self._refuse_second_factory(chain)
        from saiaas.ontologies import ontology_bytes

        ontology_cid = self.store.put(ontology_bytes())
        factory = Factory.deploy(self.chain, self.chain.accounts[0], ontology_cid)
        if self._persistent:
            record_factory(EMBEDDED, factory.address)
        return factory

    def _refuse_second_factory(self, chain: Chain) -> None:
        """The embedded Factory is deployed by the chain's first account; if that account already
        deployed one, the record of it was lost: a new Factory would hide the old one's auctions
        and the ether they hold, so refuse and name the old one."""
        from saiaas.contracts import Factory

        deployer = chain.accounts[0]
        sent = int(chain.w3.eth.get_transaction_count(deployer))
        for nonce in range(min(sent, 1000)):
            address = _created_address(deployer, nonce)
            if not chain.w3.eth.get_code(address):
                continue
            try:
                Factory.at(chain, address)
            except ChainError:
                continue
            raise NoFactoryError(
                f"{_deployments_file()} records no Factory for the embedded chain, but the chain "
                f"holds one at {address} (the record was lost or emptied?): refused rather than "
                f"deploying a second Factory that would hide its auctions; pass --factory "
                f"{address} (or set SAIAAS_FACTORY), or restore the record"
            )
        if sent > 1000:
            raise NoFactoryError(
                f"{_deployments_file()} records no Factory for the embedded chain, whose first "
                f"account has sent {sent} transactions: refused rather than deploying a second "
                "Factory; pass --factory"
            )

    def auction(self, address: str) -> Auction:
        """An auction of this marketplace's Factory; anything else is refused by name."""
        from saiaas.contracts import Auction

        checked = checksum(address, "auction")
        factory = self.factory  # a missing Factory or dead node is named before the address
        try:
            auction = Auction.at(self.chain, checked)
        except ChainError as error:
            raise ChainError(
                f"{checked} is not an auction of Factory {factory.address} "
                f"({error}; see `saiaas auction list`)"
            ) from None
        if auction.info().factory.lower() != factory.address.lower():
            raise NoFactoryError(
                f"{checked} is an auction of another Factory, not {factory.address}"
            )
        auction._factory = factory  # type: ignore[attr-defined]
        return auction

    def matcher(self, ontology_cid: str) -> Matcher:
        """The matcher of an ontology version (auctions keep the CID they were created under):
        the packaged ontology needs no fetch; another is fetched by CID (and re-hashed)."""
        if ontology_cid not in self._matchers:
            from saiaas.matcher import Matcher
            from saiaas.ontologies import ontology_bytes
            from saiaas.storage import cid_of, same_cid

            if same_cid(ontology_cid, cid_of(ontology_bytes())):
                self._matchers[ontology_cid] = Matcher.for_ontology(None, cid=ontology_cid)
            else:
                data = self.store.get(ontology_cid)
                self._matchers[ontology_cid] = Matcher.for_ontology(data, cid=ontology_cid)
        return self._matchers[ontology_cid]

    # ------------------------------------------------------------------ who acts

    @property
    def caller(self) -> str:
        """Who this party acts as, without unlocking a keystore (views need no key)."""
        wanted = self.settings.account
        if wanted is None:
            accounts = self.chain.accounts
            if not accounts:
                raise AccountError("the node holds no account: pass --account with a keystore name")
            return str(accounts[0])
        if wanted.startswith("0x") and len(wanted) == 42:
            return checksum(wanted, "--account")
        return keystore_address(keystore_file(self.settings, wanted))

    @cached_property
    def sender(self) -> Any:
        """The account to send with: a node-held address, or a keystore account unlocked here."""
        wanted = self.settings.account
        if wanted is None and not self.is_dev_chain:
            raise self._account_required()
        accounts = self.chain.accounts
        if wanted is None:
            if not accounts:
                raise AccountError("the node holds no account: pass --account with a keystore name")
            return accounts[0]
        if wanted.startswith("0x") and wanted.lower() in {a.lower() for a in accounts}:
            return checksum(wanted, "--account")  # a wrong EIP-55 checksum is refused
        if self._unlocked is not None:
            return self._unlocked
        return unlock(self.settings, wanted, self._password)

    def password(self, what: str) -> str:
        """A password for one of this party's local secrets (a keystore, an X25519 key file):
        the password file, else $SAIAAS_PASSWORD, else the caller's prompt (which may refuse)."""
        from saiaas.market.accounts import password_from_settings

        given = password_from_settings(self.settings)
        return given if given is not None else self._password(f"Password of {what}")

    @property
    def sender_address(self) -> str:
        sender = self.sender
        return sender if isinstance(sender, str) else str(sender.address)

    def now(self) -> int:
        """When the next block will be mined, near enough: the embedded chain mines no idle
        blocks, so its last block's time lags behind the clock between commands."""
        pinned = self.__dict__.get("_pinned_now")
        if pinned is not None:
            return int(pinned)
        return max(self.chain.now(), int(time.time())) if self.settings.embedded_chain else (
            self.chain.now()
        )

    def pin_now(self) -> tuple[int, int]:
        """Fix `now()` for the rest of this marketplace's reads (one answer, one instant: what a
        kept answer's time left is recomputed from); returns (now, the last block's time)."""
        chain_now = self.chain.now()
        now = max(chain_now, int(time.time())) if self.settings.embedded_chain else chain_now
        self.__dict__["_pinned_now"] = now
        return now, chain_now


def deploy_factory(market: Marketplace) -> tuple[Factory, TxResult]:
    """Deploy a Factory under the packaged ontology's CID from the acting account, and record it
    for the node's URL with its chain id: what a node other than `saiaas devnet`'s (a public
    testnet) needs once, before any auction. A Factory already known for the chain is refused
    (a second one would hide the first one's auctions from whoever uses the record)."""
    from saiaas.contracts import Factory
    from saiaas.ontologies import ontology_bytes

    settings = market.settings
    if settings.embedded_chain:
        raise UsageError("the embedded chain deploys its Factory on first use: name a node "
                         "(--rpc-url or --network) to deploy one there")
    existing = known_factory(settings)
    if existing:
        try:
            Factory.at(market.chain, checksum(existing, "Factory"))
        except ChainError:
            pass  # no Factory's code there (a node whose state was reset): deploy a new one
        else:
            where = settings.sources.get("factory", "the deployments record")
            raise InvalidError(
                f"a Factory is already known for {settings.rpc_url}: {existing} (from {where}); "
                "refused rather than deploying a second one"
            )
    sender = market.sender  # a named account off dev chains: refused before anything is stored
    cid = market.store.put(ontology_bytes())
    factory = Factory.deploy(market.chain, sender, cid)
    assert factory.deploy_receipt is not None
    record_factory(market.chain_key, factory.address, market.chain_id)
    return factory, factory.deploy_receipt
