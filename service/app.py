"""The ASGI application of `saiaas serve`: the reasoning API, the read model, the dashboard.

FastAPI (on Starlette) because the issue asks for OpenAPI docs and typed request bodies, which
it derives from the same signatures that serve the requests; the pages are Jinja2 templates
rendered on the server, and the only static file is a stylesheet (no JavaScript, no build).

Nothing here signs or sends a transaction: there is no key in the service. Reads come from the
chain index (`saiaas.market.indexer`), which a background thread keeps in sync; on the embedded
chain it opens the chain file per pass (only when the file changed) and releases its lock, so
the command line keeps working while the service runs.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from saiaas.market.config import Settings
from saiaas.market.indexer import Index, SyncReport, index_path
from saiaas.ontologies.errors import SaiaasError, UsageError
from saiaas.service import readmodel, reasoning
from saiaas.service.errors import TooLarge, UnknownAuction, error_body
from saiaas.service.plot import COLOURS, bid_plot
from starlette.concurrency import run_in_threadpool

__all__ = ["create_app", "Service", "MAX_BODY_BYTES", "MAX_TURTLE_BYTES"]

#: A whole request body, and one Turtle text in it (the CLI refuses files over 1 MB too).
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_TURTLE_BYTES = 1024 * 1024


# ------------------------------------------------------------------------------ indexing


class Service:
    """The service's state: settings, the index it reads, the thread that keeps it in sync."""

    def __init__(self, settings: Settings, index_file: Path | None = None, poll: float = 2.0,
                 catalogs: dict[str, str] | None = None):
        self.settings = settings
        self.index_file = index_file
        self.poll = poll
        self.catalogs = dict(catalogs or {})
        self.last_report: SyncReport | None = None
        self.last_error: str | None = None
        self._seen: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._local = threading.local()
        self._chain: Any = None
        self._market: Any = None
        self._triplets: dict[str, Any] = {}
        self._sync_lock = threading.Lock()
        self.pool: Any = None  # the reasoning worker processes, while the app runs
        self._cache: dict[Any, tuple[Any, Any]] = {}
        self._computing: dict[Any, threading.Lock] = {}
        self._refreshing: set[Any] = set()
        self._cache_lock = threading.Lock()

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A read computed once per index version and second (time left moves with the clock).
        A computation is shared by the readers that wait for it; when only the second changed,
        readers get the last value at once while one background thread refreshes it (time left
        stale by one computation at most); when the index changed, they wait for the new one."""
        index = self.index()
        version = (index.version() if index is not None else None, int(time.time()))
        with self._cache_lock:
            entry = self._cache.get(key)
            if entry is not None and entry[0] == version:
                return entry[1]
            if entry is not None and entry[0][0] != version[0]:
                entry = None  # the index changed: nobody gets the old data again
            if entry is not None and key in self._refreshing:
                return entry[1]
            if entry is not None:
                self._refreshing.add(key)
            lock = self._computing.setdefault(key, threading.Lock())
        if entry is not None:
            def refresh() -> None:
                try:
                    value = compute()
                    with self._cache_lock:
                        self._store(key, version, value)
                finally:
                    with self._cache_lock:
                        self._refreshing.discard(key)

            threading.Thread(target=refresh, daemon=True).start()
            return entry[1]
        with lock:  # one thread computes, the others wait for it
            with self._cache_lock:
                entry = self._cache.get(key)
            if entry is not None and entry[0][0] == version[0]:
                return entry[1]
            value = compute()
            with self._cache_lock:
                self._store(key, version, value)
        return value

    def _store(self, key: Any, version: Any, value: Any) -> None:
        if len(self._cache) > 1024:
            self._cache.clear()
        self._cache[key] = (version, value)

    @property
    def chain_name(self) -> str:
        return self.settings.rpc_url or "embedded chain (<data dir>/chain.bin)"

    @property
    def market(self) -> Any:
        """A chainless Marketplace: the content store and the matchers, nothing that signs."""
        if self._market is None:
            from saiaas.market import Marketplace

            self._market = Marketplace(self.settings)
        return self._market

    def index(self) -> Index | None:
        """This thread's read handle on the index (None until the first sync made one)."""
        if self.index_file is None or not self.index_file.exists():
            return None
        held = getattr(self._local, "index", None)
        if held is None or held.path != self.index_file:
            held = Index(self.index_file)
            self._local.index = held
        return held

    def sync_once(self, max_seconds: float | None = None) -> SyncReport | None:
        """One indexing pass; on the embedded chain only when its file changed, holding the
        chain's lock for the pass only."""
        from saiaas.market.marketplace import known_factory

        with self._sync_lock:
            factory = known_factory(self.settings)
            if factory is None:
                self.last_error = ("no Factory known for this chain yet (create an auction, or "
                                   "`saiaas devnet`, or pass --factory)")
                return None
            try:
                report = (self._sync_embedded(factory, max_seconds) if self.settings.embedded_chain
                          else self._sync_rpc(factory, max_seconds))
            except SaiaasError as error:
                self.last_error = str(error)
                return None
            if report is not None:
                self.last_report, self.last_error = report, None
            return report

    def _sync_embedded(self, factory: str, max_seconds: float | None) -> SyncReport | None:
        from saiaas.market import Marketplace, data_dir

        chain_file = data_dir() / "chain.bin"
        if not chain_file.exists():
            self.last_error = f"no embedded chain yet in {chain_file}"
            return None
        if chain_file.stat().st_mtime_ns == self._seen:
            return None  # nothing changed: its time cannot move without a new block either
        with Marketplace.open(self.settings) as market:
            chain = market.chain
            path = self.index_file or index_path(int(chain.w3.eth.chain_id), factory)
            with Index(path) as index:
                report = index.sync(chain, factory, max_seconds=max_seconds)
        self.index_file = path
        self._seen = chain_file.stat().st_mtime_ns  # after the lock's own save of the file
        return report

    def _sync_rpc(self, factory: str, max_seconds: float | None) -> SyncReport:
        from saiaas.contracts import Chain

        if self._chain is None:
            assert self.settings.rpc_url
            self._chain = Chain.connect(self.settings.rpc_url)
        chain = self._chain
        path = self.index_file or index_path(int(chain.w3.eth.chain_id), factory)
        with Index(path) as index:
            report = index.sync(chain, factory, max_seconds=max_seconds)
        self.index_file = path
        return report

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.is_set():
                self.sync_once(max_seconds=30)
                self._stop.wait(self.poll)

        self._thread = threading.Thread(target=loop, name="saiaas-indexer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
            self._thread = None

    def status(self) -> dict[str, Any]:
        index = self.index()
        state = index.status() if index is not None else None
        return {
            "chain": self.settings.rpc_url or "embedded",
            "index": state,
            "indexed": state is not None,
            "behind": state["behind"] if state else None,
            "last_sync": self.last_report.as_dict() if self.last_report else None,
            "last_error": self.last_error,
        }

    def triplet(self, detail: dict[str, Any]) -> dict[str, Any] | None:
        """The SLA's triplet as the matcher judges it (from the stored descriptions), cached."""
        sla = detail.get("sla")
        if not sla:
            return None
        if detail["address"] in self._triplets:
            return dict(self._triplets[detail["address"]])
        from saiaas.contracts import AuctionInfo
        from saiaas.market.requirements import Requirements

        info = AuctionInfo(
            address=detail["address"], client=detail["client"], factory=detail["factory"],
            requirements_cid=detail["requirements_cid"], ontology_cid=detail["ontology_cid"],
            ontology_version=detail["ontology_version"],
            max_prices=tuple(int(v) for v in detail["max_prices_wei"].values()),  # type: ignore[arg-type]
            reserve=int(detail["reserve_wei"]), bidding_deadline=detail["deadline_at"],
            delivery_window=detail["delivery_window_seconds"],
            acknowledgment_window=detail["acknowledgment_window_seconds"],
            min_references=detail["min_references"],
        )
        winners = {w["category"]: w["asset_cid"] for w in sla["winners"]}
        try:
            with reasoning._LOCK:
                requirements = Requirements(self.market, info)
                assets = [requirements.described_asset(winners[c])
                          for c in ("data", "algorithm", "infrastructure")]
                verdict = requirements.matcher.triplet(*assets).as_dict()
                verdict["labels"] = {c: a.label for c, a in zip(
                    ("data", "algorithm", "infrastructure"), assets, strict=True)}
        except SaiaasError as error:
            verdict = {"compatible": None, "reasons": [], "error": str(error)}
            return verdict
        self._triplets[detail["address"]] = verdict
        return dict(verdict)


# ------------------------------------------------------------------------------ bodies


class MatchBody(BaseModel):
    """A requirement file and catalogs, as Turtle texts (`saiaas match REQUEST CATALOG...`)."""

    request: str = Field(description="The requirement file (Turtle).")
    catalogs: list[str] = Field(description="Catalogs (Turtle).", max_length=32)
    request_name: str = Field("request", description="Name used in error messages.")
    catalog_names: list[str] | None = Field(None, description="Names used in error messages.")
    all: bool = Field(False, description="Also list assets of other categories (--all).")


class TripletBody(MatchBody):
    """`saiaas match REQUEST --triplet DATA ALGORITHM INFRASTRUCTURE --catalog ...`."""

    triplet: tuple[str, str, str] = Field(
        description="DATA ALGORITHM INFRASTRUCTURE assets (IRI, prefix:local or local name).")


class ProviderBody(BaseModel):
    """A provider's catalogs (`saiaas provider match CATALOG...`)."""

    catalogs: list[str] = Field(description="Catalogs (Turtle).", max_length=32)
    catalog_names: list[str] | None = None
    all: bool = Field(False, description="Also list the assets that do not fit (--all).")


def _sized(text: str, name: str) -> tuple[str, str]:
    size = len(text.encode("utf-8"))
    if size > MAX_TURTLE_BYTES:
        raise TooLarge(f"{name}: {size} bytes, over the 1 MB limit; refused before parsing")
    return name, text


def _catalogs(texts: list[str], names: list[str] | None) -> list[tuple[str, str]]:
    names = list(names or [])
    return [_sized(t, names[i] if i < len(names) else f"catalog-{i + 1}")
            for i, t in enumerate(texts)]


def _checked_address(address: str) -> str:
    from eth_utils import is_address, to_checksum_address

    if not is_address(address):
        raise UsageError(f"{address!r} is not an EVM address")
    return str(to_checksum_address(address))


# ------------------------------------------------------------------------------ the app


def create_app(
    settings: Settings | None = None,
    *,
    index_file: Path | None = None,
    indexing: bool = True,
    poll: float = 2.0,
    catalogs: dict[str, str] | None = None,
    reasoning_workers: int = 1,
) -> FastAPI:
    """The service over `settings`' chain and store; `indexing` runs the background indexer
    while the app is up; `catalogs` (name -> Turtle) are offered on the provider page next to
    the packaged examples; `reasoning_workers` processes run validate/match/triplet (0: threads
    of this process)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    service = Service(settings or Settings(), index_file, poll, catalogs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if reasoning_workers:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            service.pool = ProcessPoolExecutor(reasoning_workers,
                                               mp_context=multiprocessing.get_context("spawn"))
            service.pool.submit(reasoning.warm)
        if indexing:
            service.start()
        try:
            yield
        finally:
            service.stop()
            if service.pool is not None:
                service.pool.shutdown(wait=True, cancel_futures=True)
                service.pool = None

    app = FastAPI(
        title="saiaas",
        summary="SAIaaS: ontology-driven matchmaking and the marketplace's read model",
        description="Validate and match Turtle files the way `saiaas validate|match` do, and "
        "read auctions, bids, SLAs, restitution and payouts from the chain index. Nothing here "
        "signs or sends a transaction: keys stay in the command line's keystores.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.service = service
    templates = Environment(loader=PackageLoader("saiaas.service", "templates"),
                            autoescape=select_autoescape(["html"]))
    templates.filters["ether"] = lambda wei: "-" if wei is None else readmodel.ether(int(wei))
    templates.filters["short"] = lambda text: (
        text if not text or len(text) <= 18 else f"{text[:8]}…{text[-6:]}")
    templates.filters["clock"] = _clock
    templates.filters["duration"] = _duration
    templates.filters["tail"] = lambda iri: (
        iri.rsplit("#", 1)[-1] if iri and "#" in iri else (iri or "").rsplit("/", 1)[-1])
    app.mount("/static", StaticFiles(directory=str(resources.files("saiaas.service") / "static")),
              name="static")

    app.add_middleware(_SizeLimit)

    @app.exception_handler(SaiaasError)
    async def saiaas_error(request: Request, error: SaiaasError) -> Response:
        return _error(error)

    def index_or_empty() -> Index | None:
        return service.index()

    def detail_of(address: str, gas_price_gwei: float, eth_usd: float) -> dict[str, Any]:
        address = _checked_address(address)
        index = index_or_empty()
        detail = service.cached(
            ("detail", address, gas_price_gwei, eth_usd),
            lambda: readmodel.auction_detail(index, address, gas_price_gwei=gas_price_gwei,
                                             eth_usd=eth_usd) if index else None)
        if detail is None:
            where = (f"index {index.status()['behind']} blocks behind its head" if index
                     else "nothing indexed yet")
            raise UnknownAuction(f"{address} is not an auction of the indexed Factory ({where})")
        return detail

    # ---------------------------------------------------------------- API: read model

    @app.get("/api/status", tags=["read model"])
    def api_status() -> dict[str, Any]:
        """Which chain, how far the index is behind its head, the last sync."""
        return service.status()

    def rows_now() -> list[dict[str, Any]]:
        index = index_or_empty()
        return list(service.cached(("rows",), lambda: readmodel.auction_rows(index)
                                   if index else []))

    @app.get("/api/auctions", tags=["read model"], response_model=None)
    def api_auctions(
        state: str = Query("all", pattern="^(all|open|past)$"),
        limit: int = Query(100, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ) -> Response:
        """The Factory's auctions, oldest first, with `auction list --json`'s keys:
        {"auctions": [...], "total", "index": where the index stands}."""

        def answer() -> bytes:
            index = index_or_empty()
            rows = rows_now()
            if state != "all":
                rows = [r for r in rows if r["open"] == (state == "open")]
            return json.dumps({"auctions": rows[offset:offset + limit], "total": len(rows),
                               "index": index.status() if index else None}).encode()

        return Response(service.cached(("list", state, limit, offset), answer),
                        media_type="application/json")

    @app.get("/api/auctions/{address}", tags=["read model"], response_model=None)
    def api_auction(
        address: str,
        gas_price_gwei: float = Query(readmodel.PAPER_GAS_PRICE_GWEI, ge=0),
        eth_usd: float = Query(readmodel.PAPER_ETH_USD, ge=0),
    ) -> Response:
        """Terms, state, bids per category, SLA, restitution timeline, disputes, payouts and
        costs (gas from receipts; ether and USD at the given prices, the paper's by default)."""
        body = service.cached(("detail-json", address, gas_price_gwei, eth_usd),
                              lambda: json.dumps(detail_of(address, gas_price_gwei,
                                                           eth_usd)).encode())
        return Response(body, media_type="application/json")

    @app.get("/api/auctions/{address}/sla", tags=["read model"])
    def api_sla(address: str) -> dict[str, Any]:
        """The SLA and the matcher's verdict on its triplet, with reasons."""
        detail = detail_of(address, readmodel.PAPER_GAS_PRICE_GWEI, readmodel.PAPER_ETH_USD)
        return {"address": detail["address"], "state": detail["state"], "sla": detail["sla"],
                "triplet": service.triplet(detail)}

    # ---------------------------------------------------------------- API: reasoning

    async def reason(name: str, *args: Any) -> JSONResponse:
        """Run a reasoning call in the worker process (or a thread when there is none)."""
        if service.pool is None:
            status, body = await run_in_threadpool(reasoning.run, name, *args)
        else:
            loop = asyncio.get_running_loop()
            status, body = await loop.run_in_executor(service.pool, reasoning.run, name, *args)
        return JSONResponse(body, status_code=status)

    @app.post("/api/validate", tags=["reasoning"], response_model=None,
              responses={422: {"description": "invalid: the violations"}})
    async def api_validate(
        request: Request,
        kind: str | None = Query(None, description="'request' or 'catalog' (default: detected)"),
        name: str = Query("request.ttl", description="File name used in the violations."),
    ) -> JSONResponse:
        """`saiaas validate --json`: the Turtle body's violations; 200 valid, 422 invalid."""
        data = await request.body()
        _sized(data.decode("utf-8", errors="replace"), name)
        return await reason("validate", data, kind, name)

    @app.post("/api/match", tags=["reasoning"], response_model=None)
    async def api_match(body: MatchBody) -> JSONResponse:
        """`saiaas match REQUEST CATALOG... --json`: degree, eligibility and reasons."""
        return await reason("match", _sized(body.request, body.request_name),
                            _catalogs(body.catalogs, body.catalog_names), body.all)

    @app.post("/api/triplet", tags=["reasoning"], response_model=None)
    async def api_triplet(body: TripletBody) -> JSONResponse:
        """`saiaas match REQUEST --triplet D A I --json`: compatibility with reasons."""
        return await reason("triplet", _sized(body.request, body.request_name),
                            _catalogs(body.catalogs, body.catalog_names), body.triplet)

    @app.post("/api/provider/matches", tags=["reasoning"])
    def api_provider(body: ProviderBody) -> dict[str, Any]:
        """`saiaas provider match --json` over the indexed open auctions."""
        index = index_or_empty()
        if index is None:
            return {"factory": None, "matches": [], "skipped": []}
        return reasoning.provider_matches(service.market, index,
                                          _catalogs(body.catalogs, body.catalog_names), body.all)

    # ---------------------------------------------------------------- pages

    def page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
        html = templates.get_template(name).render(status=service.status(), colours=COLOURS,
                                                   now=int(time.time()), **values)
        return HTMLResponse(html, status_code=status)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> HTMLResponse:
        rows = rows_now()
        return page("index.html", open_rows=[r for r in rows if r["open"]][::-1],
                    past_rows=[r for r in rows if not r["open"]][::-1],
                    summaries=_summaries(service, rows))

    @app.get("/auctions/{address}", response_class=HTMLResponse, include_in_schema=False)
    def auction_page(address: str) -> HTMLResponse:
        try:
            detail = detail_of(address, readmodel.PAPER_GAS_PRICE_GWEI, readmodel.PAPER_ETH_USD)
        except SaiaasError as error:
            status, body = error_body(error)
            return page("error.html", status, error=body["error"])
        index = index_or_empty()
        assert index is not None
        series = readmodel.bid_series(index.events(detail["address"], ["BidPlaced"]))
        creation = index.creation(detail["address"])
        plot = bid_plot(series, detail.get("max_prices_wei"),
                        creation.get("timestamp") if creation else None, detail["deadline_at"])
        return page("auction.html", a=detail, plot=plot, triplet=service.triplet(detail),
                    summary=_summaries(service, [detail]).get(detail["address"]))

    @app.get("/provider", response_class=HTMLResponse, include_in_schema=False)
    def provider_page(catalog: str | None = None) -> HTMLResponse:
        return _provider_view(catalog, None)

    @app.post("/provider", response_class=HTMLResponse, include_in_schema=False)
    async def provider_post(request: Request) -> HTMLResponse:
        form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
        return _provider_view(None, (form.get("turtle") or [""])[0])

    def _provider_view(chosen: str | None, pasted: str | None) -> HTMLResponse:
        offered = _offered(service)
        result: dict[str, Any] | None = None
        error: str | None = None
        text: str | None = None
        if chosen is not None:
            text = offered.get(chosen)
            if text is None:
                error = f"no catalog named {chosen!r}"
        elif pasted:
            chosen, text = "pasted catalog", pasted
        if text is not None:
            index = index_or_empty()
            try:
                if index is None:
                    result = {"factory": None, "matches": [], "skipped": []}
                else:
                    result = reasoning.provider_matches(
                        service.market, index, [_sized(text, chosen or "catalog")])
            except SaiaasError as failure:
                error = str(failure)
        return page("provider.html", offered=sorted(offered), chosen=chosen, result=result,
                    error=error, pasted=pasted or "")

    return app


class _SizeLimit:
    """Refuse request bodies over MAX_BODY_BYTES: by their Content-Length before reading, and
    while reading a body sent without one (the error handler answers 413)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_BODY_BYTES // 1024 // 1024
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > MAX_BODY_BYTES:
            response = _error(TooLarge(f"request body of {int(length)} bytes is over the "
                                       f"{limit} MB limit"))
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > MAX_BODY_BYTES:
                    raise TooLarge(f"request body over the {limit} MB limit")
            return message

        await self.app(scope, counted, send)


def _error(error: SaiaasError) -> JSONResponse:
    status, body = error_body(error)
    return JSONResponse(body, status_code=status)


def _offered(service: Service) -> dict[str, str]:
    """Catalogs the provider page offers: the packaged examples, then those given to serve."""
    from saiaas.ontologies import example_path

    folder = example_path("hospital-request.ttl").parent
    found = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.ttl"))
             if not p.stem.endswith("request")}
    return {**found, **service.catalogs}


def _summaries(service: Service, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each auction's requirement summary (title, requested class per category), read from the
    store by CID once per file; a file that cannot be read says why."""
    out: dict[str, dict[str, Any]] = {}
    cache: dict[str, dict[str, Any]] = service.__dict__.setdefault("_summaries", {})
    for row in rows[:200]:
        cid = row["requirements_cid"]
        if cid not in cache:
            cache[cid] = _summary(service, cid)
        out[row["address"]] = cache[cid]
    return out


def _summary(service: Service, cid: str) -> dict[str, Any]:
    from saiaas.market.requirements import parse_request_bytes
    from saiaas.ontologies.requests import local_name

    try:
        request = parse_request_bytes(service.market.store.get(cid), f"requirement file {cid}")
    except SaiaasError as error:
        return {"title": None, "specs": [], "error": str(error)}
    specs = []
    for category, spec in request.specs.items():
        specs.append({"category": category.value, "class": local_name(spec.requested_class),
                      "constraints": [c.describe() for c in spec.constraints]})
    accuracy = str(request.min_accuracy) if request.min_accuracy is not None else None
    return {"title": local_name(request.iri), "specs": specs, "min_accuracy": accuracy,
            "error": None}


def _clock(t: int | None) -> str:
    if not t:
        return "-"
    import datetime as dt

    return dt.datetime.fromtimestamp(int(t), dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _duration(seconds: int | None) -> str:
    if not seconds:
        return "ended"
    seconds = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            rest = seconds % size
            sub = {"d": ("h", 3600), "h": ("m", 60), "m": ("s", 1)}[unit]
            return f"{seconds // size}{unit}" + (f" {rest // sub[1]}{sub[0]}" if rest // sub[1]
                                                 else "")
    return f"{seconds}s"
