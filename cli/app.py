"""The root typer application: it imports its command modules and mounts them.

One module per command group, named after the group (`saiaas auction` is cli/auction.py); the
modules know nothing of this one, so registration runs one way. Modules import heavy libraries
inside the command functions only, so `saiaas --help` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer
from saiaas.cli import (
    account,
    arbitrator,
    auction,
    bench,
    client,
    config,
    demo,
    devnet,
    example,
    factory,
    match,
    ontology,
    output,
    provider,
    serve,
    store,
    validate,
)

app = typer.Typer(
    name="saiaas",
    help="SAIaaS marketplace: validate, match, auction, bid, deliver, acknowledge, withdraw.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # -h as --help, on every command (a subcommand's context inherits the setting)
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _flags_show_no_type() -> None:
    """typer shows a `<bool>` type beside every flag, as if `--json true` were how to write
    it (it is refused): a flag shows no type, as in click."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich

    def display_type_rich(self: TyperOption, ctx: typer.Context) -> str | None:
        if self.is_flag and self.metavar is None:
            return None
        return shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign,assignment]


_flags_show_no_type()


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("saiaas")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "unknown (not installed)"
        typer.echo(f"saiaas {number}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[
        bool,
        typer.Option("--debug", help="On an error, show the traceback instead of one line.",
                     envvar="SAIAAS_DEBUG"),
    ] = False,
    show_version: Annotated[
        bool,
        typer.Option("--version", help="Print the version of saiaas and exit.",
                     callback=_version, is_eager=True),
    ] = False,
) -> None:
    """SAIaaS marketplace: validate, match, auction, bid, deliver, acknowledge, withdraw."""
    output.DEBUG = debug


app.command("validate")(validate.validate_files)
app.command("match")(match.match)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.add_typer(store.store_app, name="store")
app.add_typer(ontology.ontology_app, name="ontology")
app.add_typer(account.account_app, name="account")
app.add_typer(devnet.devnet_app, name="devnet")
app.add_typer(auction.auction_app, name="auction")
app.add_typer(provider.provider_app, name="provider")
app.add_typer(client.client_app, name="client")
app.add_typer(arbitrator.arbitrator_app, name="arbitrator")
app.add_typer(bench.bench_app, name="bench")
app.add_typer(config.config_app, name="config")
app.add_typer(factory.factory_app, name="factory")
app.add_typer(example.example_app, name="example")
