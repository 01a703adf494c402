"""The saiaas vocabulary: the OWL ontology shipped with the package, and how to read it.

Everything above this package (shapes, matcher, storage, contracts, cli) reaches the ontology
through these functions, so the file's location and parsing live in one place.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rdflib costs ~100 ms to import: only callers that parse pay for it
    from rdflib import Graph

__all__ = [
    "SAIAAS",
    "ONTOLOGY_FILE",
    "ontology_path",
    "ontology_bytes",
    "ontology_graph",
    "ontology_ntriples",
    "example_path",
    "example_paths",
]

#: Namespace of every saiaas term (classes, properties, value individuals).
SAIAAS = "https://w3id.org/saiaas#"

#: File name of the ontology inside this package.
ONTOLOGY_FILE = "saiaas.ttl"


def ontology_path() -> Path:
    """Path of the packaged ontology (Turtle); a real file in both editable and wheel installs."""
    return Path(str(resources.files(__name__).joinpath(ONTOLOGY_FILE)))


def ontology_bytes() -> bytes:
    """The exact bytes that are published to storage, so the CID is reproducible."""
    return ontology_path().read_bytes()


def example_path(name: str) -> Path:
    """Path of a shipped example file (requirement files and catalogs) by file name."""
    return Path(str(resources.files(__name__).joinpath("examples", name)))


def example_paths() -> list[Path]:
    """Every shipped example file (the hospital request and the provider catalogs), sorted."""
    return sorted(example_path("hospital-request.ttl").parent.glob("*.ttl"))


@lru_cache(maxsize=1)
def ontology_ntriples() -> bytes:
    """The ontology as N-Triples, for owlready2 (which does not read Turtle); parsed once."""
    return ontology_graph().serialize(format="nt", encoding="utf-8")


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The packaged ontology parsed once per process; callers must not mutate it."""
    from rdflib import Graph

    graph = Graph()
    graph.parse(ontology_path(), format="turtle")
    return graph
