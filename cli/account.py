"""`saiaas account new|list|import|fund`: the keys people act with, kept as encrypted keystores.

A key exists in plain form only inside this process: it is read from a file or a hidden prompt
(never from argv, which other users can see in the process list), encrypted at once into a
keystore v3 file readable by its owner only, and never printed. `fund` moves ether from a dev
chain's prefunded account so that keystore accounts can act on the embedded chain or anvil.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from saiaas.cli.options import JsonOption, connection
from saiaas.cli.output import console, err_console, print_json, reports_errors
from saiaas.cli.units import format_amount, parse_address, parse_amount
from saiaas.contracts import ChainError
from saiaas.market.accounts import keystores
from saiaas.market.config import Settings
from saiaas.ontologies.errors import InputError, SaiaasError, UsageError

__all__ = ["account_app", "new", "list_accounts", "import_account", "fund"]

account_app = typer.Typer(
    help="Accounts: encrypted JSON keystores (a key is never printed).", no_args_is_help=True
)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


AccountInputError = InputError
AccountUsageError = UsageError
NotADevChain = ChainError


NameOption = Annotated[
    str | None,
    typer.Option(
        "--name", help="Name of the keystore file (default: account-N).", show_default=False
    ),
]


def _new_password(settings: Settings) -> str:
    """From --password-file or $SAIAAS_PASSWORD, else asked twice on the terminal."""
    from saiaas.market.accounts import password_from_settings

    given = password_from_settings(settings)
    if given is not None:
        password = given
    else:
        if not sys.stdin.isatty():
            raise AccountUsageError(
                "a password is needed to encrypt the key: "
                "pass --password-file or set SAIAAS_PASSWORD"
            )
        import getpass

        password = getpass.getpass("New keystore password: ")
        if getpass.getpass("Repeat it: ") != password:
            raise AccountUsageError("the two passwords differ; nothing was written")
    if not password:
        raise AccountUsageError("refusing an empty keystore password")
    return password


def _target_name(folder: Path, name: str | None, address: str) -> str:
    existing = keystores(folder)
    for other, other_address, path in existing:
        if other_address.lower() == address.lower():
            raise AccountInputError(f"{address} is already in the keystore as {other!r} ({path})")
    if name is None:
        taken = {p.stem for p in folder.glob("*.json")} if folder.is_dir() else set()
        n = 1
        while f"account-{n}" in taken:
            n += 1
        return f"account-{n}"
    if not _NAME.match(name):
        raise AccountUsageError(
            f"account name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)"
        )
    if (folder / f"{name}.json").exists():
        raise AccountInputError(f"an account named {name!r} exists already in {folder}")
    return name


def _write_keystore(folder: Path, name: str, keystore: dict[str, Any]) -> Path:
    """Atomic and private (0600): a half-written or world-readable keystore never exists."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{name}.json"
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".part")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(keystore, out)
        os.link(temp, path)  # fails if the name was taken meanwhile
    except FileExistsError:
        raise AccountInputError(f"an account named {name!r} exists already in {folder}") from None
    finally:
        os.unlink(temp)
    return path


def _report(json_output: bool, name: str, address: str, path: Path) -> None:
    if json_output:
        print_json({"name": name, "address": address, "file": str(path)})
    else:
        console.print(address, highlight=False)
        err_console.print(f"[dim]saved as {name!r} in {path}[/]", highlight=False, soft_wrap=True)


@account_app.command("new")
@reports_errors
@connection("keystore", "password_file")
def new(
    name: NameOption = None,
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Create a key, store it encrypted (keystore v3, scrypt) and print its address."""
    from eth_account import Account

    folder = settings.keystore_dir
    if name is not None:
        _target_name(folder, name, "0x" + "00" * 20)  # refuse a bad name before the password
    password = _new_password(settings)
    account = Account.create()
    target = _target_name(folder, name, account.address)
    path = _write_keystore(folder, target, Account.encrypt(account.key, password))
    _report(json_output, target, account.address, path)


@account_app.command("import")
@reports_errors
@connection("keystore", "password_file")
def import_account(
    name: NameOption = None,
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", help="File holding the hex private key.", show_default=False),
    ] = None,
    keystore_file: Annotated[
        Path | None,
        typer.Option(
            "--keystore-file",
            help="An existing keystore v3 JSON file to copy in.",
            show_default=False,
        ),
    ] = None,
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Import a private key (from --key-file or a hidden prompt, never argv) or a keystore file.

    A keystore file is checked by decrypting it with its password before it is copied in.
    """
    from eth_account import Account

    if key_file is not None and keystore_file is not None:
        raise AccountUsageError("give --key-file or --keystore-file, not both")
    folder = settings.keystore_dir
    if keystore_file is not None:
        try:
            encrypted = json.loads(keystore_file.read_text(encoding="utf-8"))
            if not isinstance(encrypted, dict) or "address" not in encrypted:
                raise ValueError("no address field")
        except (OSError, ValueError) as error:
            raise AccountInputError(f"{keystore_file}: not a keystore v3 file ({error})") from None
        from saiaas.cli.output import prompt_password
        from saiaas.market.accounts import password_from_settings

        secret = password_from_settings(settings)
        if secret is None:
            secret = prompt_password("Keystore password")
        try:
            key = Account.decrypt(encrypted, secret)
        except ValueError:
            raise AccountInputError(f"wrong password for keystore file {keystore_file}") from None
        address = Account.from_key(key).address
        target = _target_name(folder, name, address)
        path = _write_keystore(folder, target, encrypted)
        _report(json_output, target, address, path)
        return
    if key_file is not None:
        try:
            text = key_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise AccountInputError(f"{key_file}: cannot read the key ({error})") from None
    else:
        if not sys.stdin.isatty():
            raise AccountUsageError("pass --key-file or --keystore-file (no terminal to ask on)")
        import getpass

        text = getpass.getpass("Private key (hex): ")
    key_hex = text.strip().removeprefix("0x")
    if not re.fullmatch(r"[0-9a-fA-F]{64}", key_hex) or int(key_hex, 16) == 0:
        where = str(key_file) if key_file is not None else "the key typed"
        raise AccountInputError(f"{where}: not a private key (64 hex digits)")
    try:
        account = Account.from_key(bytes.fromhex(key_hex))
    except ValueError:
        raise AccountInputError("the key is outside the secp256k1 range") from None
    target = _target_name(folder, name, account.address)
    password = _new_password(settings)
    path = _write_keystore(folder, target, Account.encrypt(account.key, password))
    _report(json_output, target, account.address, path)


@account_app.command("list")
@reports_errors
@connection("keystore", "rpc_url")
def list_accounts(
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Keystore accounts: name, address and balance on the configured chain (if reachable)."""
    rows: list[dict[str, Any]] = [
        {"name": name, "address": address, "file": str(path), "balance_wei": None}
        for name, address, path in keystores(settings.keystore_dir)
    ]
    from saiaas.market.accounts import damaged_keystores

    damaged = [
        {"name": name, "address": None, "file": str(path), "balance_wei": None, "damaged": why}
        for name, path, why in damaged_keystores(settings.keystore_dir)
    ]
    for row in damaged:
        err_console.print(f"[yellow]warning:[/] keystore {escape(row['file'])} is damaged "
                          f"({escape(row['damaged'])}): it cannot be used", highlight=False,
                          soft_wrap=True)
    note = None
    if rows:
        try:
            from saiaas.market import Marketplace

            with Marketplace.open(settings) as market:
                for row in rows:
                    row["balance_wei"] = market.chain.balance(row["address"])
        except SaiaasError as error:
            note = f"balances unavailable: {error}"
    rows += damaged
    if json_output:
        print_json(rows)
        return
    if note:
        err_console.print(f"[yellow]{note}[/]", highlight=False, soft_wrap=True)
    if not rows:
        console.print(
            f"no accounts in {settings.keystore_dir} (create one: saiaas account new)",
            highlight=False,
        )
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for column in ("name", "address", "balance"):
        table.add_column(column)
    for row in rows:
        balance = "?" if row["balance_wei"] is None else format_amount(row["balance_wei"])
        if row.get("damaged"):
            table.add_row(row["name"], "[red]damaged[/]", "-")
            continue
        table.add_row(row["name"], row["address"], balance)
    console.print(table)


@account_app.command("fund")
@reports_errors
@connection("keystore", "rpc_url")
def fund(
    address: Annotated[
        str, typer.Argument(help="Address or keystore name to fund.", show_default=False)
    ],
    amount: Annotated[
        str, typer.Argument(help="Amount with its unit, e.g. 10ether or 500gwei.",
                            show_default=False)
    ],
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Send ether from the dev chain's first account (embedded chain or anvil only)."""
    from saiaas.cli.output import announce_account
    from saiaas.market.views import tx_json

    wei = parse_amount(amount, "AMOUNT")
    if wei == 0:
        raise AccountUsageError(f"amount {amount!r} must be above zero")
    if address.strip()[:2].lower() == "0x":
        target = parse_address(address, "ADDRESS")  # a wrong EIP-55 checksum is refused
    else:
        from saiaas.market.accounts import keystore_file

        keystore_file(settings, address)  # a clear error when there is no such account
        matches = [a for n, a, _ in keystores(settings.keystore_dir) if n == address]
        if not matches:
            raise AccountInputError(f"{address!r} is neither an address nor a keystore account")
        target = matches[0]
    from saiaas.market import Marketplace

    with Marketplace.open(settings) as market:
        chain = market.chain
        if not chain.is_embedded:
            version = str(chain.w3.client_version)
            if not version.lower().startswith("anvil"):
                raise NotADevChain(
                    f"{settings.rpc_url} runs {version!r}: fund works on dev chains only "
                    "(the embedded chain or anvil)"
                )
        source = chain.accounts[0] if chain.accounts else None
        if source is None:
            raise NotADevChain("the node holds no prefunded account to fund from")
        if chain.balance(source) < wei:
            raise NotADevChain(f"the dev account {source} holds less than {format_amount(wei)}")
        announce_account(str(source), "the dev chain's first account")
        tx_hash = chain.w3.eth.send_transaction({"from": source, "to": target, "value": wei})
        receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash)
        balance = chain.balance(target)
    from saiaas.contracts import TxResult

    payload = {
        "to": target,
        "amount_wei": wei,
        "balance_wei": balance,
        **tx_json(TxResult("0x" + bytes(tx_hash).hex(), int(receipt["gasUsed"]),
                           int(receipt["blockNumber"]))),
    }
    if json_output:
        print_json(payload)
    else:
        console.print(
            f"sent {format_amount(wei)} to {target}; it now holds {format_amount(balance)}",
            highlight=False,
        )


@account_app.command("journal")
@reports_errors
@connection("rpc_url")
def journal(
    json_output: JsonOption = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Transactions sent to a node (--rpc-url) and what became of them: an outcome a failing
    node hid is looked up now (the next command on that node does the same)."""
    from saiaas.market.config import data_dir
    from saiaas.market.journal import TxJournal

    if settings.rpc_url is None:
        raise UsageError("give the node with --rpc-url (the embedded chain sends nothing over a "
                         "network, so it journals nothing)")
    record = TxJournal(data_dir() / "journal.json", settings.rpc_url)
    if record.open_entries():
        from saiaas.market import Marketplace

        with Marketplace.open(settings, notify=lambda line: err_console.print(
                f"[yellow]note:[/] {escape(line)}", highlight=False, soft_wrap=True)) as market:
            market.chain  # noqa: B018 (connecting looks up every open entry)
    rows = [{"what": e.get("what"), "from": e.get("from"), "nonce": e.get("nonce"),
             "tx_hash": e.get("hash"), "status": e.get("status"), "sent_at": e.get("at")}
            for e in record.entries()]
    if json_output:
        print_json(rows)
        return
    if not rows:
        console.print(f"no transactions journaled for {settings.rpc_url}", highlight=False)
        return
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for column in ("what", "from", "nonce", "hash", "status"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(escape(str(row[c] if row[c] is not None else "-"))
                        for c in ("what", "from", "nonce", "tx_hash", "status")))
    console.print(table)
