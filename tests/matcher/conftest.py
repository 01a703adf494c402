"""Fixtures of the matcher tests: the fixture ontology classified once per session (HermiT runs
here, once, into a temporary cache), and helpers to write catalogs and specs."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.ttl"
S = "https://w3id.org/saiaas#"
EX = "https://example.org/c#"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("matcher-cache")


@pytest.fixture(scope="session")
def mini(cache_dir: Path):  # noqa: ANN201
    from saiaas.matcher import Matcher

    return Matcher.for_ontology(MINI, cache_dir=cache_dir)


@pytest.fixture(scope="session")
def make_catalog():  # noqa: ANN201
    """catalog(matcher, turtle_body) -> {local name: Asset}, with the saiaas, : and xsd prefixes."""
    return catalog


def catalog(matcher, body: str):  # noqa: ANN001, ANN201
    from rdflib import Graph

    text = (
        "@prefix saiaas: <https://w3id.org/saiaas#> .\n@prefix : <https://example.org/c#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n" + body
    )
    return {a.iri[len(EX) :]: a for a in matcher.assets(Graph().parse(data=text, format="turtle"))}
