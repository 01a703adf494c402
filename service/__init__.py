"""`saiaas serve`: the reasoning service, the marketplace's read model and its dashboard.

An ASGI application (FastAPI) over `saiaas.market`: validate, match and judge triplets (Turtle
in, the CLI's `--json` out, the CLI's exit codes as HTTP statuses), and auctions, bids, SLAs,
restitution, payouts and costs read from the chain index that a background thread keeps in sync.
It holds no key and has no endpoint that signs or sends a transaction.

    from saiaas.service import create_app
    app = create_app()            # the embedded defaults; uvicorn.run(app, host="127.0.0.1")
"""

from __future__ import annotations

from saiaas.service.app import MAX_BODY_BYTES, Service, create_app

__all__ = ["create_app", "Service", "MAX_BODY_BYTES"]
