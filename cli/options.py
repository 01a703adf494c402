"""The options every command shares, declared once, and the decorator that adds them.

A command that talks to the marketplace declares one parameter, `settings: Settings`, and is
decorated with `@connection(...)`: the decorator adds the connection options (each with its
environment variable) to the command's signature as typer reads it, resolves them with the config
file and the embedded defaults, and hands the command the `Settings`. This is what ApeWorX's
`ape/cli/options.py` does with click decorators, written for typer's signature reading.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

__all__ = ["connection", "open_market", "parse_category", "JsonOption", "CONNECTION_OPTIONS"]

F = TypeVar("F", bound=Callable[..., Any])

#: Whether the running command takes a password (it sends transactions): such a command unlocks
#: its keystore before the embedded chain is locked, so a prompt never holds other commands up.
_SENDS: ContextVar[bool] = ContextVar("saiaas_sends", default=False)
#: Whether the running command acts as an account (it takes --account and a password): off dev
#: chains it must name one, and is refused as soon as the chain is known if it does not.
_ACTS: ContextVar[bool] = ContextVar("saiaas_acts", default=False)

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

#: name -> (type, flag, environment variable, help)
CONNECTION_OPTIONS: dict[str, tuple[Any, str, str, str]] = {
    "rpc_url": (str | None, "--rpc-url", "SAIAAS_RPC_URL",
                "JSON-RPC URL of an EVM node (e.g. anvil); default: the embedded chain."),
    "ipfs_api": (str | None, "--ipfs-api", "SAIAAS_IPFS_API",
                 "Kubo RPC URL of an IPFS node; default: the embedded store."),
    "factory": (str | None, "--factory", "SAIAAS_FACTORY",
                "Address of the marketplace Factory; default: the one recorded for this chain."),
    "store": (Path | None, "--store", "SAIAAS_STORE",
              "Folder of the embedded content store; default: <data dir>/store."),
    "keystore": (Path | None, "--keystore", "SAIAAS_KEYSTORE",
                 "Folder of encrypted JSON keystores; default: <data dir>/keystore."),
    "account": (str | None, "--account", "SAIAAS_ACCOUNT",
                "Keystore name or address to act as; default: the node's first account (dev "
                "chains only: elsewhere an account must be named)."),
    "password_file": (Path | None, "--password-file", "SAIAAS_PASSWORD_FILE",
                      "File holding the keystore password (else $SAIAAS_PASSWORD, else a prompt)."),
    "network": (str | None, "--network", "SAIAAS_NETWORK",
                "Network profile of config.toml (its networks.NAME table: RPC URL, chain id, "
                "Factory, account, fees, confirmations); see `saiaas config show`."),
}
#: The options of commands that only read (no account to act as).
READ = ("rpc_url", "ipfs_api", "factory", "store", "network")
#: The options of commands that send transactions.
ACT = tuple(CONNECTION_OPTIONS)
#: The options of commands that only read or write content.
STORE = ("ipfs_api", "store")


def _parameter(name: str) -> inspect.Parameter:
    kind, flag, envvar, text = CONNECTION_OPTIONS[name]
    option = typer.Option(flag, envvar=envvar, show_default=False, help=text)
    annotation = Annotated[kind, option]  # type: ignore[valid-type]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=annotation)


def connection(*names: str) -> Callable[[F], F]:
    """Add the named connection options (default: those of a command that acts) to a command
    whose body takes `settings`; the body receives the resolved Settings instead."""
    wanted = names or ACT
    if "network" not in wanted and ("rpc_url" in wanted or "ipfs_api" in wanted):
        wanted = (*wanted, "network")  # a profile gives the URLs: wherever they are taken

    def decorate(command: F) -> F:
        signature = inspect.signature(command)
        scope = command.__globals__  # type: ignore[attr-defined]
        own = [
            p.replace(annotation=eval(p.annotation, scope) if isinstance(p.annotation, str)
                      else p.annotation)
            for p in signature.parameters.values()
            if p.name != "settings"
        ]
        added = [_parameter(n) for n in wanted]

        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            from saiaas.market.config import resolve

            given = {n: kwargs.pop(n, None) for n in wanted}
            _SENDS.set("password_file" in wanted)  # a command that may need a key's password
            _ACTS.set("password_file" in wanted and "account" in wanted)
            return command(*args, settings=resolve(origins=origins(given), **given), **kwargs)

        parameters = sorted([*own, *added], key=lambda p: p.kind)
        wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
        del wrapper.__wrapped__  # typer must read the new signature, not the body's
        return wrapper  # type: ignore[return-value]

    return decorate


def origins(given: dict[str, Any]) -> dict[str, str]:
    """Where each given connection value came from: its environment variable, else a flag."""
    import os

    found = {}
    for name, value in given.items():
        if value is not None:
            variable = CONNECTION_OPTIONS[name][2]
            found[name] = f"env {variable}" if os.environ.get(variable) == str(value) else "flag"
    return found


def option(name: str) -> Any:
    """The Annotated type of one connection option, for a command that takes it by hand (a
    callback with a typer.Context, which the decorator does not wrap)."""
    return _parameter(name).annotation


def open_market(settings: Any) -> Any:
    """The marketplace a command acts on, asking a person for a keystore password (on a terminal
    only) before the embedded chain is locked, and telling what became of transactions that an
    earlier command sent but could not confirm."""
    from saiaas.cli.output import err_console, prompt_password
    from saiaas.market import Marketplace

    def notify(line: str) -> None:  # outcomes of earlier transactions, found in the journal
        from rich.markup import escape

        err_console.print(f"[yellow]note:[/] {escape(line)}", highlight=False, soft_wrap=True)

    opened = Marketplace.open(settings, password=prompt_password, notify=notify,
                              unlock_early=_SENDS.get(), acts=_ACTS.get())
    return _announcing(opened) if _ACTS.get() else opened


@contextmanager
def _announcing(opened: Any) -> Iterator[Any]:
    """The marketplace of a command that sends: it says first which account acts."""
    from saiaas.cli.output import announce_account

    with opened as market:
        announce_account(market.caller, account_label(market.settings))
        yield market


def account_label(settings: Any) -> str:
    """How a person knows the acting account: its keystore name, or where it comes from."""
    wanted = settings.account
    if wanted is None:
        return "the node's first account; choose another with --account"
    if not (wanted.startswith("0x") and len(wanted) == 42):
        return str(wanted)
    from saiaas.market.accounts import keystores

    names = [n for n, a, _ in keystores(settings.keystore_dir) if a.lower() == wanted.lower()]
    return names[0] if names else "an account of the node"


def parse_category(text: str) -> int:
    """The contract's category index of what a person typed: data, algorithm, infrastructure
    (or infra, or the index itself); a UsageError otherwise."""
    from saiaas.ontologies.errors import UsageError
    from saiaas.ontologies.requests import Category

    wanted = text.strip().lower()
    names = [c.value for c in Category]
    aliases = {"infra": 2, "0": 0, "1": 1, "2": 2}
    if wanted in names:
        return names.index(wanted)
    if wanted in aliases:
        return aliases[wanted]
    raise UsageError(f"unknown category {text!r}: use data, algorithm or infrastructure")
