"""`saiaas serve`: the reasoning service, the read model and the dashboard, on 127.0.0.1.

Glue only: the app is `saiaas.service.create_app`; this command resolves the connection options,
optionally runs the paper's demo into the data folder's embedded chain first (so the dashboard
has something to show), and runs uvicorn. The service holds no key; the embedded chain is opened
per indexing pass and released, so other commands keep working while it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from saiaas.cli.options import READ, connection
from saiaas.cli.output import console, err_console, reports_errors
from saiaas.market.config import Settings
from saiaas.ontologies.errors import UsageError

__all__ = ["serve", "demo_into_data_folder"]


def demo_into_data_folder(settings: Settings) -> str:
    """Run the hospital scenario on the data folder's embedded chain and store, and record its
    Factory for that chain; refused when the chain already has one (it would be replaced)."""
    from saiaas.market import Marketplace, data_dir
    from saiaas.market.hospital import run_hospital
    from saiaas.market.marketplace import EMBEDDED, known_factory, record_factory

    if not settings.embedded_chain:
        raise UsageError("--demo runs on the embedded chain only; drop --rpc-url")
    if known_factory(settings) is not None:
        raise UsageError(
            f"the chain in {data_dir()} already has a Factory; run --demo with a fresh "
            "SAIAAS_HOME (or without --demo to serve what is there)"
        )
    with Marketplace.open(settings) as market:
        result = run_hospital(market, keys_dir=data_dir() / "demo-keys")
    record_factory(EMBEDDED, result["factory"])
    return str(result["auction"])


@reports_errors
@connection(*READ)
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8000,
    poll: Annotated[
        float, typer.Option("--poll", min=0.2, help="Seconds between two indexing passes.")
    ] = 2.0,
    catalog: Annotated[
        list[Path] | None,
        typer.Option("--catalog", help="A catalog (Turtle) to offer on the provider page "
                                       "(repeatable); the packaged examples are always offered."),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="First run the paper's demo into this data folder's "
                                          "embedded chain (a fresh SAIAAS_HOME), then serve it.")
    ] = False,
    settings: Settings = None,  # type: ignore[assignment]
) -> None:
    """Serve the reasoning API, the marketplace's read model and the dashboard (default
    http://127.0.0.1:8000; API docs at /docs). Nothing it serves signs a transaction."""
    import uvicorn
    from saiaas.service import create_app

    if host not in ("127.0.0.1", "localhost", "::1"):
        err_console.print(f"[yellow]warning:[/] listening on {host}: the service has no "
                          "authentication; put it behind a proxy you trust", highlight=False)
    offered = {}
    for path in catalog or []:
        try:
            offered[path.stem] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"{path}: cannot read ({error})") from None
    if demo:
        with err_console.status("running the demo into the data folder...", spinner="dots"):
            auction = demo_into_data_folder(settings)
        console.print(f"demo auction {auction} is on the data folder's chain", highlight=False)
    app = create_app(settings, poll=poll, catalogs=offered)
    shown = f"[{host}]" if ":" in host else host
    console.print(f"saiaas serve: http://{shown}:{port}/  (API docs: /docs; Ctrl-C stops)",
                  highlight=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
