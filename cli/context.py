"""One command's connection to the marketplace: chain, Factory, content store and signer.

Commands open a `Session` from their resolved `Settings` and let it decide the embedded defaults
in one place: the embedded chain is a py-evm chain kept on disk between commands (its Factory is
deployed on first use, under the packaged ontology's CID), the embedded store a folder. Which
Factory serves which chain is recorded in <data dir>/deployments.json, so `saiaas devnet` and the
embedded chain need no `--factory` flag.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saiaas.cli.config import Settings, data_dir, resolve
from saiaas.ontologies.errors import EXIT_CHAIN, EXIT_INPUT, SaiaasError

if TYPE_CHECKING:
    from saiaas.contracts import Auction, Chain, Factory
    from saiaas.storage import Store

__all__ = [
    "Session",
    "open_session",
    "command_session",
    "NoFactoryError",
    "AccountError",
    "record_factory",
    "write_state",
    "recorded_factory",
    "known_factory",
    "keystores",
    "keystore_file",
]

EMBEDDED = "embedded"


class NoFactoryError(SaiaasError):
    """No Factory is known for the chain the command talks to."""

    exit_code = EXIT_CHAIN


class AccountError(SaiaasError):
    """The account to act as cannot be found or unlocked."""

    exit_code = EXIT_INPUT


def _deployments_file() -> Path:
    return data_dir() / "deployments.json"


def _deployments() -> dict[str, str]:
    path = _deployments_file()
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise NoFactoryError(
            f"{path} is unreadable ({error}); delete it or pass --factory"
        ) from None


def recorded_factory(chain_key: str) -> str | None:
    """The Factory recorded for a chain (an RPC URL, or EMBEDDED), if any."""
    return _deployments().get(chain_key)


def known_factory(settings: Settings) -> str | None:
    """The Factory configured (--factory) or recorded for the settings' chain, deploying none."""
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


class Session:
    """Lazily opened marketplace handles for one command; use through `open_session`."""

    def __init__(self, settings: Settings, chain: Chain | None):
        self.settings = settings
        self._chain = chain

    @property
    def chain_key(self) -> str:
        return self.settings.rpc_url or EMBEDDED

    @property
    def chain(self) -> Chain:
        if self._chain is None:
            from saiaas.contracts import Chain

            assert self.settings.rpc_url  # the embedded chain is opened by open_session
            self._chain = Chain.connect(self.settings.rpc_url)
        return self._chain

    @cached_property
    def store(self) -> Store:
        from saiaas.storage import open_store

        root = self.settings.store or data_dir() / "store"
        return open_store(ipfs_api=self.settings.ipfs_api, root=root)

    @cached_property
    def factory(self) -> Factory:
        """The configured Factory; on the embedded chain one is deployed on first use."""
        from saiaas.contracts import Factory

        chain = self.chain  # connect first: a dead node is reported as such, not as "no Factory"
        address = known_factory(self.settings)
        if address:
            return Factory.at(chain, address)
        if not self.settings.embedded_chain:
            raise NoFactoryError(
                f"no Factory known for {self.settings.rpc_url}: pass --factory or SAIAAS_FACTORY "
                "(`saiaas devnet` records one for the node it starts)"
            )
        from saiaas.ontologies import ontology_bytes

        ontology_cid = self.store.put(ontology_bytes())
        factory = Factory.deploy(self.chain, self.chain.accounts[0], ontology_cid)
        record_factory(EMBEDDED, factory.address)
        return factory

    def auction(self, address: str) -> Auction:
        """An auction of this session's Factory; anything else is refused by name."""
        from saiaas.contracts import Auction

        auction = Auction.at(self.chain, address)
        if auction.info().factory.lower() != self.factory.address.lower():
            raise NoFactoryError(
                f"{address} is an auction of another Factory, not {self.factory.address}"
            )
        return auction

    @cached_property
    def sender(self) -> Any:
        """The account to act as: a node-held address, or a keystore account unlocked locally."""
        wanted = self.settings.account
        accounts = self.chain.accounts
        if wanted is None:
            if not accounts:
                raise AccountError("the node holds no account: pass --account with a keystore name")
            return accounts[0]
        if wanted.startswith("0x") and wanted.lower() in {a.lower() for a in accounts}:
            return self.chain.w3.to_checksum_address(wanted)
        return unlock(self.settings, wanted)

    @property
    def sender_address(self) -> str:
        sender = self.sender
        return sender if isinstance(sender, str) else str(sender.address)


def keystores(folder: Path) -> list[tuple[str, str, Path]]:
    """(name, checksummed address, file) of every readable keystore in the folder."""
    from eth_utils import is_address, to_checksum_address

    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            raw = str(json.loads(path.read_text(encoding="utf-8"))["address"]).lower()
            address = raw if raw.startswith("0x") else "0x" + raw
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if is_address(address):
            found.append((path.stem, str(to_checksum_address(address)), path))
    return found


def keystore_file(settings: Settings, name: str) -> Path:
    """The keystore file of an account, by name or by address."""
    folder = settings.keystore_dir
    direct = folder / f"{name}.json"
    if direct.exists():
        return direct
    if name.startswith("0x"):
        for _, address, path in keystores(folder):
            if address.lower() == name.lower():
                return path
    raise AccountError(f"no account {name!r} in {folder} (see `saiaas account list`)")


def read_password(settings: Settings, prompt: str = "Keystore password") -> str:
    """The password from --password-file, $SAIAAS_PASSWORD, or a prompt on a terminal."""
    if settings.password_file is not None:
        try:
            return settings.password_file.read_text(encoding="utf-8").rstrip("\n")
        except OSError as error:
            raise AccountError(
                f"{settings.password_file}: cannot read the password ({error.strerror})"
            ) from None
    if (password := os.environ.get("SAIAAS_PASSWORD")) is not None:
        return password
    if not sys.stdin.isatty():
        raise AccountError(
            "a keystore password is needed: pass --password-file or set SAIAAS_PASSWORD"
        )
    import getpass

    return getpass.getpass(f"{prompt}: ")


def unlock(settings: Settings, name: str) -> Any:
    """Decrypt a keystore into a LocalAccount; the key never leaves this process."""
    from eth_account import Account

    path = keystore_file(settings, name)
    try:
        encrypted = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AccountError(f"{path}: not a keystore file ({error})") from None
    try:
        key = Account.decrypt(encrypted, read_password(settings))
    except ValueError:
        raise AccountError(f"wrong password for account {name!r} ({path})") from None
    return Account.from_key(key)


@contextmanager
def open_session(settings: Settings) -> Iterator[Session]:
    """A Session whose embedded chain (if any) is loaded, locked and saved around the command."""
    with ExitStack() as stack:
        chain = None
        if settings.embedded_chain:
            from saiaas.contracts._persistent import persistent_embedded_chain

            chain = stack.enter_context(persistent_embedded_chain(data_dir() / "chain.bin"))
        yield Session(settings, chain)


def command_session(**given: Any) -> AbstractContextManager[Session]:
    """The session of one command from its own flags (resolved as `resolve` does), so a command
    body names its options once and gets handles, not settings."""
    return open_session(resolve(**given))
