"""The root typer application and its command groups; role modules attach their commands here.

Each role module (validate, store, ontology, match, bench, ...) imports the group it extends from
this module; the imports at the bottom register them. Modules import heavy libraries inside the
command functions only, so `saiaas --help` stays fast.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="saiaas",
    help="SAIaaS marketplace: validate, match, auction, bid, deliver, acknowledge, withdraw.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

store_app = typer.Typer(
    help="Content-addressed storage: put and get files by CID.", no_args_is_help=True
)
ontology_app = typer.Typer(
    help="The marketplace vocabulary: publish the ontology.", no_args_is_help=True
)
bench_app = typer.Typer(
    help="Benchmarks that print the figures the project reports.", no_args_is_help=True
)

app.add_typer(store_app, name="store")
app.add_typer(ontology_app, name="ontology")
app.add_typer(bench_app, name="bench")


@app.callback()
def _root() -> None:
    """SAIaaS marketplace: validate, match, auction, bid, deliver, acknowledge, withdraw."""


# Registration of the role modules' commands (they import the groups above).
from saiaas.cli import (  # noqa: E402,F401
    account,
    bench,
    client,
    demo,
    devnet,
    learn,
    match,
    ontology,
    provider,
    store,
    validate,
)
