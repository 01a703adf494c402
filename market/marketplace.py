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
from saiaas.market.config import Settings, data_dir

if TYPE_CHECKING:
    from saiaas.contracts import Auction, Chain, Factory
    from saiaas.matcher import Matcher
    from saiaas.storage import Store

__all__ = [
    "Marketplace",
    "NoFactoryError",
    "EMBEDDED",
    "record_factory",
    "recorded_factory",
    "known_factory",
    "write_state",
    "read_state",
    "DamagedRecord",
    "remove_leftovers",
]

EMBEDDED = "embedded"


class NoFactoryError(ChainError):
    """No Factory is known (or usable) for the chain the party talks to."""


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


def _deployments() -> dict[str, str]:
    path = _deployments_file()
    entries = read_state(path)
    if entries is None:
        return {}
    if not all(isinstance(v, str) for v in entries.values()):
        raise DamagedRecord(f"{path} is not a map of chains to Factory addresses; "
                            f"{_restore_hint(path)}")
    return dict(entries)


def recorded_factory(chain_key: str) -> str | None:
    """The Factory recorded for a chain (an RPC URL, or EMBEDDED), if any."""
    return _deployments().get(chain_key)


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


def record_factory(chain_key: str, address: str) -> None:
    """Remember which Factory serves a chain."""
    entries = _deployments() | {chain_key: address}
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
    ) -> Iterator[Marketplace]:
        """A Marketplace whose embedded chain (if any) is loaded, locked and saved around the
        block; `password(prompt)` is asked when a keystore must be unlocked and neither the
        password file nor $SAIAAS_PASSWORD gives one. `unlock_early` (a party about to send)
        unlocks the settings' keystore account before the embedded chain's lock is taken, so a
        person at a prompt never holds up other commands. `notify(line)` hears about earlier
        transactions whose outcome this command found out."""
        settings = settings or Settings()
        market = cls(settings, password=password, persistent=True, notify=notify)
        remove_leftovers(data_dir())
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
            if self._persistent:
                journal = TxJournal(data_dir() / "journal.json", self.settings.rpc_url)
                for line in journal.reconcile(chain):
                    self._notify(line)
                chain.journal = journal
            self._chain = chain
        return self._chain

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

    @property
    def sender_address(self) -> str:
        sender = self.sender
        return sender if isinstance(sender, str) else str(sender.address)

    def now(self) -> int:
        """When the next block will be mined, near enough: the embedded chain mines no idle
        blocks, so its last block's time lags behind the clock between commands."""
        return max(self.chain.now(), int(time.time())) if self.settings.embedded_chain else (
            self.chain.now()
        )
