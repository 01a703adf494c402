"""The accounts a party acts with: addresses a node holds, or encrypted JSON keystores.

A key is decrypted inside this process only, when a transaction needs it; reading an address
never needs the password. Asking a person for a password is the caller's business (the command
line prompts), so `unlock` takes the password as a function.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from saiaas.market.config import Settings
from saiaas.ontologies.errors import InputError, UsageError

__all__ = [
    "AccountError",
    "keystores",
    "damaged_keystores",
    "keystore_file",
    "keystore_address",
    "password_from_settings",
    "unlock",
    "checksum",
]


_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class AccountError(InputError):
    """The account to act as cannot be found or unlocked."""


def checksum(text: str, what: str) -> str:
    """The EIP-55 form of an address given by a person, or a UsageError naming `what`.

    An address in mixed case carries an EIP-55 checksum, and it must hold: a mistyped digit
    then names another account, which would take the money. All-lower and all-upper addresses
    carry none and are accepted, as web3 does. A wrong checksum is refused without suggesting
    the checksummed form: the digits themselves may be the typo."""
    from eth_utils import is_checksum_address, to_checksum_address

    if not isinstance(text, str) or not _HEX_ADDRESS.fullmatch(text):
        raise UsageError(f"{what} {text!r} is not an EVM address (0x and 40 hex digits)")
    digits = text[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(text):
        raise UsageError(
            f"{what} {text}: the mixed-case letters do not match its EIP-55 checksum, so a "
            "character is probably mistyped; copy the address again from its source"
        )
    return str(to_checksum_address(text))


def keystores(folder: Path) -> list[tuple[str, str, Path]]:
    """(name, checksummed address, file) of every readable keystore in the folder."""
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            address = keystore_address(path)
        except AccountError:
            continue
        found.append((path.stem, address, path))
    return found


def damaged_keystores(folder: Path) -> list[tuple[str, Path, str]]:
    """(name, file, what is wrong) of every keystore file in the folder that cannot be read: a
    truncated or damaged keystore is shown as such, never silently left out."""
    damaged = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            keystore_address(path)
        except AccountError as error:
            damaged.append((path.stem, path, str(error).split(": ", 1)[-1]))
    return damaged


def keystore_address(path: Path) -> str:
    """The checksummed address a keystore file names (no password needed)."""
    from eth_utils import is_address, to_checksum_address

    try:
        raw = str(json.loads(path.read_text(encoding="utf-8"))["address"]).lower()
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AccountError(f"{path}: not a keystore file ({error})") from None
    address = raw if raw.startswith("0x") else "0x" + raw
    if not is_address(address):
        raise AccountError(f"{path}: not a keystore file (address {raw!r})")
    return str(to_checksum_address(address))


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


def password_from_settings(settings: Settings) -> str | None:
    """The password from the settings' password file or $SAIAAS_PASSWORD; None if neither."""
    if settings.password_file is not None:
        try:
            return settings.password_file.read_text(encoding="utf-8").rstrip("\n")
        except OSError as error:
            raise AccountError(
                f"{settings.password_file}: cannot read the password ({error.strerror})"
            ) from None
    return os.environ.get("SAIAAS_PASSWORD")


def unlock(settings: Settings, name: str, password: Callable[[str], str]) -> Any:
    """Decrypt a keystore into a LocalAccount; `password(prompt)` is asked only if neither the
    password file nor $SAIAAS_PASSWORD gives one."""
    from eth_account import Account

    path = keystore_file(settings, name)
    try:
        encrypted = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise AccountError(f"{path}: not a keystore file ({error})") from None
    secret = password_from_settings(settings)
    if secret is None:
        secret = password(f"Password of account {name!r}")
    try:
        key = Account.decrypt(encrypted, secret)
    except (ValueError, KeyError, TypeError):
        raise AccountError(f"wrong password for account {name!r} ({path})") from None
    return Account.from_key(key)
