"""The marketplace one party talks to: chain, Factory, content store, matchers and its account.

`Marketplace.open(settings)` decides the embedded defaults in one place: the embedded chain is a
py-evm chain kept on disk between processes (its Factory is deployed on first use, under the
packaged ontology's CID), the embedded store a folder. Which Factory serves which chain is
recorded in <data dir>/deployments.json, so `saiaas devnet` and the embedded chain need no
Factory address. Handles open lazily: a read that needs no store never touches one.
"""

from __future__ import annotations

import json
import os
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
]

EMBEDDED = "embedded"


class NoFactoryError(ChainError):
    """No Factory is known (or usable) for the chain the party talks to."""


def _deployments_file() -> Path:
    return data_dir() / "deployments.json"


def _deployments() -> dict[str, str]:
    path = _deployments_file()
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise NoFactoryError(
            f"{path} is unreadable ({error}); repair it or pass --factory"
        ) from None
    if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
        raise NoFactoryError(f"{path} is not a map of chains to Factory addresses; repair it")
    return dict(entries)


def recorded_factory(chain_key: str) -> str | None:
    """The Factory recorded for a chain (an RPC URL, or EMBEDDED), if any."""
    return _deployments().get(chain_key)


def known_factory(settings: Settings) -> str | None:
    """The Factory configured or recorded for the settings' chain, deploying none."""
    return settings.factory or recorded_factory(settings.rpc_url or EMBEDDED)


def write_state(path: Path, text: str) -> None:
    """Replace a state file under the data dir atomically, so a crash never leaves half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".part")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


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
        )

    @classmethod
    @contextmanager
    def open(
        cls, settings: Settings | None = None, password: Callable[[str], str] = _no_prompt
    ) -> Iterator[Marketplace]:
        """A Marketplace whose embedded chain (if any) is loaded, locked and saved around the
        block; `password(prompt)` is asked when a keystore must be unlocked and neither the
        password file nor $SAIAAS_PASSWORD gives one."""
        settings = settings or Settings()
        with ExitStack() as stack:
            chain = None
            if settings.embedded_chain:
                from saiaas.contracts._persistent import persistent_embedded_chain

                chain = stack.enter_context(persistent_embedded_chain(data_dir() / "chain.bin"))
            yield cls(settings, chain, password=password, persistent=True)

    # ------------------------------------------------------------------ handles

    @property
    def chain_key(self) -> str:
        return self.settings.rpc_url or EMBEDDED

    @property
    def chain(self) -> Chain:
        if self._chain is None:
            from saiaas.contracts import Chain

            assert self.settings.rpc_url  # the embedded chain is opened by Marketplace.open
            self._chain = Chain.connect(self.settings.rpc_url)
        return self._chain

    @cached_property
    def store(self) -> Store:
        from saiaas.storage import open_store

        return open_store(ipfs_api=self.settings.ipfs_api, root=self.settings.store_dir)

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
        from saiaas.ontologies import ontology_bytes

        ontology_cid = self.store.put(ontology_bytes())
        factory = Factory.deploy(self.chain, self.chain.accounts[0], ontology_cid)
        if self._persistent:
            record_factory(EMBEDDED, factory.address)
        return factory

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
            return checksum(wanted, "account")
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
            return self.chain.w3.to_checksum_address(wanted)
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
