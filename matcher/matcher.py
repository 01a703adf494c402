"""The Matcher: one classified ontology version plus the decisions made on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from saiaas.matcher._assets import Asset, extract_assets, infer
from saiaas.matcher._cache import default_cache_dir, load_or_classify, ontology_key
from saiaas.matcher._catalog import Catalog, build_catalog
from saiaas.matcher._decide import Decision, check_spec, decide
from saiaas.matcher._errors import OntologyError, UnknownTermError
from saiaas.matcher._index import AssetIndex
from saiaas.matcher._model import OntologyModel
from saiaas.matcher._parse import CatalogError, read_request
from saiaas.matcher._triplet import TripletVerdict, triplet
from saiaas.ontologies.requests import AssetSpecification, Request


class Matcher:
    """Decisions on one ontology version. Build it with `Matcher.for_ontology`; the HermiT
    classification runs only when the cache has no model for these exact bytes."""

    def __init__(
        self,
        model: OntologyModel,
        key: str,
        classification_seconds: float = 0.0,
        from_cache: bool = False,
        cid: str | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.model = model
        #: where the classification and the catalog indexes are cached (None: platform default)
        self.cache_dir = cache_dir
        self.key = key
        self.cid = cid
        self.classification_seconds = classification_seconds
        self.from_cache = from_cache

    @classmethod
    def for_ontology(
        cls,
        ontology: bytes | str | Path | Any = None,
        cache_dir: str | Path | None = None,
        cid: str | None = None,
    ) -> Matcher:
        """`ontology`: Turtle bytes, a path to a Turtle file, an rdflib Graph, or None for the
        packaged ontology. A Graph is keyed by its sorted N-Triples, bytes by themselves."""
        data, factory = _ontology_source(ontology)
        model, seconds, cached = load_or_classify(
            data, factory, Path(cache_dir) if cache_dir else None, cid
        )
        return cls(
            OntologyModel(model),
            ontology_key(data),
            seconds,
            cached,
            cid,
            Path(cache_dir) if cache_dir else None,
        )

    # ------------------------------------------------------------------ the fast path
    def catalog(
        self, data: bytes | str | Path, name: str | None = None, cache: bool = True
    ) -> Catalog:
        """A catalog's assets and index, parsed and inferred once: `data` is the catalog's
        Turtle bytes or a path to it. The index is cached on disk by the sha256 of the bytes
        and of the ontology (next to the classification), so the next call with the same bytes
        loads it. Raises CatalogError (not Turtle), UnknownTermError, AssetContradictionError."""
        if isinstance(data, str | Path):
            path = Path(data)
            try:
                raw = path.read_bytes()
            except OSError as error:
                raise CatalogError(f"{path}: cannot read ({error.strerror})") from None
            name = name or str(path)
        else:
            raw = data
        folder = self.cache_dir if self.cache_dir is not None else default_cache_dir()
        return build_catalog(self, raw, name or "the catalog", folder, cache)

    def read_request(self, data: bytes | str | Path, name: str | None = None) -> Request:
        """The request of a requirement file (Turtle bytes or a path), checked against the
        ontology; read with the fast parser (see `_parse`)."""
        if isinstance(data, str | Path):
            path = Path(data)
            try:
                raw = path.read_bytes()
            except OSError as error:
                raise CatalogError(f"{path}: cannot read ({error.strerror})") from None
            name = name or str(path)
        else:
            raw = data
        request = read_request(raw, name or "the requirement file")
        self.check(request)
        return request

    # ------------------------------------------------------------------ assets
    def assets(self, graph: Any) -> list[Asset]:
        return extract_assets(self.model, graph)

    def asset(self, iri: str, types: set[str], facts: dict[str, set[Any]]) -> Asset:
        """An asset from plain Python facts (IRIs as str, literals as int/Decimal/bool/str)."""
        return infer(self.model, iri, types, facts)

    # ------------------------------------------------------------------ decisions
    def check(self, spec_or_request: AssetSpecification | Request) -> None:
        specs = (
            spec_or_request.specs.values()
            if isinstance(spec_or_request, Request)
            else [spec_or_request]
        )
        for spec in specs:
            check_spec(self.model, spec)

    def match(self, spec: AssetSpecification, asset: Asset) -> Decision:
        check_spec(self.model, spec)
        return decide(self.model, spec, asset)

    def match_request(self, request: Request, assets: list[Asset]) -> list[Decision]:
        """Every asset against the spec of its own category (an asset of no category, against
        every spec), in the request's category order then asset order."""
        self.check(request)
        out = []
        for category, spec in request.specs.items():
            for asset in assets:
                if asset.category in (None, category.value):
                    out.append(decide(self.model, spec, asset))
        return out

    def triplet(self, data: Asset, algorithm: Asset, infrastructure: Asset) -> TripletVerdict:
        return triplet(self.model, data, algorithm, infrastructure)

    def index(self, assets: list[Asset]) -> AssetIndex:
        return AssetIndex(self.model, assets)

    def find(self, assets: list[Asset], name: str) -> Asset:
        """An asset by IRI, by local name, or by `prefix:local` suffix; a clear error otherwise."""
        local = name.split(":", 1)[1] if ":" in name and "://" not in name else name
        hits = [a for a in assets if a.iri == name] or [
            a for a in assets if a.iri.endswith(("#" + local, "/" + local))
        ]
        if len(hits) != 1:
            why = "no asset" if not hits else f"{len(hits)} assets"
            raise UnknownTermError(f"{why} named {name!r} in the catalogs given")
        return hits[0]


def _ontology_source(ontology: Any) -> tuple[bytes, Any]:
    from saiaas.ontologies import ontology_path

    if ontology is None:
        ontology = ontology_path()
    if isinstance(ontology, str | Path):
        path = Path(ontology)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise OntologyError(
                f"ontology bytes missing: cannot read {path} ({error.strerror})"
            ) from None
        return data, lambda: _parse(data, str(path))
    if isinstance(ontology, bytes):
        return ontology, lambda: _parse(ontology, "the ontology bytes")
    # an rdflib Graph: key it by a canonical serialization
    lines = sorted(ontology.serialize(format="nt").splitlines())
    data = "\n".join(line for line in lines if line.strip()).encode()
    return data, lambda: ontology


def _parse(data: bytes, where: str) -> Any:
    from rdflib import Graph

    graph = Graph()
    try:
        graph.parse(data=data, format="turtle")
    except Exception as error:  # rdflib raises many parser types
        raise OntologyError(
            f"{where} is not valid Turtle: {str(error).splitlines()[0][:200]}"
        ) from None
    return graph
