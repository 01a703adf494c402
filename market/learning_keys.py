"""Each party's own X25519 keys for the learning phase, kept on disk like the account keystores.

The client's key (one per name, made by `saiaas client generate-key`) and an infrastructure
provider's key per auction (made when it bids) must outlive the process that made them: the
model is sealed to the client days later, the assets to the provider once the auction closes.
So each private half is written, before its public half is published anywhere, to a file of its
own (mode 0600, never overwritten) under the party's password (argon2id); this module is the one
place that knows that file format and where the files live.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saiaas.market.accounts import AccountError
from saiaas.market.config import data_dir
from saiaas.ontologies.errors import InputError, UsageError

if TYPE_CHECKING:
    from saiaas.learning import KeyPair
    from saiaas.market.marketplace import Marketplace

__all__ = [
    "KeyFileError",
    "client_keys_dir",
    "client_key_file",
    "generate_client_key",
    "key_from_file_or_name",
    "client_public_key",
    "client_key_named_for",
    "open_client_key",
    "transfer_keys_dir",
    "new_transfer_key",
    "open_transfer_key",
]

KEY_KIND = "saiaas-x25519-key"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class KeyFileError(InputError):
    """An X25519 key file is missing, damaged, or does not open with the password."""


# ------------------------------------------------------------------------------ key files


def _encrypt(private: bytes, password: str | None) -> dict[str, Any]:
    """The private key under a password (argon2id + XSalsa20-Poly1305), or in clear when the
    party has no password at all (a node-held account: its data folder is its only secret)."""
    if password is None:
        return {"kdf": "none", "private_key": private.hex()}
    from nacl import pwhash, secret, utils

    salt = utils.random(pwhash.argon2id.SALTBYTES)
    ops, mem = pwhash.argon2id.OPSLIMIT_INTERACTIVE, pwhash.argon2id.MEMLIMIT_INTERACTIVE
    key = pwhash.argon2id.kdf(secret.SecretBox.KEY_SIZE, password.encode("utf-8"), salt,
                              opslimit=ops, memlimit=mem)
    box = secret.SecretBox(key).encrypt(private)
    return {"kdf": "argon2id", "opslimit": ops, "memlimit": mem, "salt": salt.hex(),
            "ciphertext": bytes(box).hex()}


def _decrypt(entry: dict[str, Any], password: Any, what: str, path: Path) -> bytes:
    if entry.get("kdf") == "none":
        return bytes.fromhex(str(entry["private_key"]))
    from nacl import pwhash, secret
    from nacl.exceptions import CryptoError

    try:
        key = pwhash.argon2id.kdf(
            secret.SecretBox.KEY_SIZE, password(what).encode("utf-8"),
            bytes.fromhex(entry["salt"]), opslimit=int(entry["opslimit"]),
            memlimit=int(entry["memlimit"]))
        return bytes(secret.SecretBox(key).decrypt(bytes.fromhex(entry["ciphertext"])))
    except CryptoError:
        raise AccountError(f"wrong password for {what} ({path})") from None
    except (KeyError, ValueError, TypeError) as error:
        raise KeyFileError(f"{path}: not a saiaas key file ({error})") from None


def _write_key(path: Path, keys: KeyPair, password: str | None, **extra: Any) -> None:
    """Write a key file (mode 0600, never replacing one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"kind": KEY_KIND, "version": 1, "public_key": keys.public_hex, **extra,
             "created_at": int(time.time()), **_encrypt(keys.private_key, password)}
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(f"{path} exists already; a key is never overwritten") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, indent=2) + "\n")


def _read_key(path: Path) -> dict[str, Any]:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyFileError(f"no key file {path}") from None
    except (OSError, ValueError) as error:
        raise KeyFileError(f"{path}: not a saiaas key file ({error})") from None
    if not isinstance(entry, dict) or entry.get("kind") != KEY_KIND \
            or not isinstance(entry.get("public_key"), str):
        raise KeyFileError(f"{path}: not a saiaas key file (kind {KEY_KIND!r} expected)")
    return entry


def _open_key(path: Path, password: Any, what: str) -> KeyPair:
    from saiaas.learning import KeyPair

    entry = _read_key(path)
    keys = KeyPair.from_private(_decrypt(entry, password, what, path))
    if keys.public_hex != entry["public_key"].lower():
        raise KeyFileError(f"{path}: its private key does not give the public key it names")
    return keys


# ------------------------------------------------------------------------------ client keys


def client_keys_dir() -> Path:
    """Beside the account keystores: the data folder is what a party backs up."""
    return data_dir() / "client-keys"


def client_key_file(name: str) -> Path:
    """The file of the client key `name`; a name is one plain word, so it never leaves the
    folder."""
    if not _NAME.match(name):
        raise UsageError(f"key name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return client_keys_dir() / f"{name}.json"


def generate_client_key(market_password: Any, name: str) -> tuple[Path, str]:
    """Make the client's X25519 key pair and keep it encrypted under `name` (refused if the name
    is taken); returns the file and the public key (hex). `market_password(what)` gives the
    password (it must: the client key is never kept in clear)."""
    from saiaas.learning import KeyPair

    path = client_key_file(name)
    if path.exists():
        raise UsageError(f"a client key named {name!r} exists already ({path}); choose another "
                         "--name")
    password = market_password(f"client key {name!r}")
    keys = KeyPair.generate()
    _write_key(path, keys, password, name=name, role="client")
    return path, keys.public_hex


def key_from_file_or_name(market_password: Any, text: str) -> Any:
    """A client KeyPair from a path (a hex key file, as `saiaas demo` writes, or a saiaas key
    file) or from the name of a key `generate-key` made."""
    from saiaas.learning import KeyPair

    path = Path(text)
    if path.is_file():
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return KeyPair.load(path)  # a hex key file
        if isinstance(entry, dict) and entry.get("kind") == KEY_KIND:
            return _open_key(path, market_password, f"key file {path}")
        return KeyPair.load(path)
    if _NAME.match(text) and client_key_file(text).exists():
        return open_client_key(text, market_password)
    raise KeyFileError(f"{text} is neither a key file nor the name of a client key in "
                       f"{client_keys_dir()} (see `saiaas client generate-key`)")


def client_public_key(name: str) -> str:
    """The public half of a client key (no password needed)."""
    return str(_read_key(client_key_file(name))["public_key"]).lower()


def client_key_named_for(public_hex: str) -> str | None:
    """The name of the local client key whose public half is `public_hex`."""
    folder = client_keys_dir()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            if str(_read_key(path)["public_key"]).lower() == public_hex.lower():
                return path.stem
        except KeyFileError:
            continue
    return None


def open_client_key(name: str, password: Any) -> KeyPair:
    """The client key `name`, opened with `password(what)`."""
    return _open_key(client_key_file(name), password, f"client key {name!r}")


# ------------------------------------------------------------------------------ transfer keys


def transfer_keys_dir(auction: str) -> Path:
    """One folder per auction, so that keys of finished auctions can be removed together."""
    return data_dir() / "transfer-keys" / auction.lower()


def new_transfer_key(market: Marketplace, auction: str) -> tuple[Any, str | None]:
    """An infrastructure provider's key pair for one auction, kept in the data folder before its
    public half is bid (encrypted with the party's password; in clear, with a warning returned,
    when the party has none: a node-held account without a password file)."""
    from saiaas.learning import KeyPair

    keys = KeyPair.generate()
    account = market.caller
    try:
        password: str | None = market.password(f"the transfer key for {auction}")
        warning = None
    except AccountError:
        password = None
        warning = ("the auction's transfer key is kept unencrypted (no password: pass "
                   "--password-file or set SAIAAS_PASSWORD to encrypt it)")
    path = transfer_keys_dir(auction) / f"{account.lower()}-{keys.public_hex[:16]}.json"
    _write_key(path, keys, password, role="transfer", auction=auction, account=account)
    return keys, warning


def open_transfer_key(market: Marketplace, auction: str, public_hex: str) -> Any:
    """The acting account's transfer key for `auction` whose public half is `public_hex` (the
    one its winning bid published), opened with the party's password."""
    folder = transfer_keys_dir(auction)
    account = market.caller.lower()
    for path in sorted(folder.glob(f"{account}-*.json")) if folder.is_dir() else []:
        entry = _read_key(path)
        if str(entry["public_key"]).lower() == public_hex.lower():
            return _open_key(path, market.password, f"the transfer key for {auction}")
    raise KeyFileError(
        f"no transfer key {public_hex[:16]}... for auction {auction} in {folder}: the winning "
        "bid was placed from another data folder (the key stays where `provider bid` ran)")

