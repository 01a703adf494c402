"""What a bid commits to: the asset's content CID (saiaas:contentCID) inside its description.

A bid names the CID of the asset's description; the description names the CID of the content
(the dataset file, the training code). So the chain commits the content through two hashes, and
the infrastructure winner checks what it receives against the contentCID of the description it
fetched *by the CID the SLA names*, never against a CID computed from the bytes being checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from saiaas.learning.errors import LearningError

if TYPE_CHECKING:
    from rdflib import Graph
    from saiaas.storage import Store

__all__ = ["CONTENT_CID", "CommitmentError", "add_content_cid", "committed_content_cid"]

#: The property of the vocabulary that carries an asset's content CID.
CONTENT_CID = "https://w3id.org/saiaas#contentCID"


class CommitmentError(LearningError):
    """A winning bid's description commits no content CID (or several): nothing to check against."""


def add_content_cid(catalog: Graph, asset_iri: str, content: bytes) -> str:
    """Put the CID of `content` into the asset's description in `catalog` (in place), replacing
    any earlier one; returns the CID. Done by the provider before it stores and bids."""
    from rdflib import Literal, URIRef
    from saiaas.storage import cid_of

    cid = cid_of(content)
    subject, predicate = URIRef(asset_iri), URIRef(CONTENT_CID)
    if (subject, None, None) not in catalog:
        raise CommitmentError(f"the catalog says nothing about {asset_iri}")
    catalog.remove((subject, predicate, None))
    catalog.add((subject, predicate, Literal(cid)))
    return cid


def committed_content_cid(store: Store, description_cid: str, what: str = "asset") -> str:
    """The contentCID named by the asset description stored at `description_cid` (the CID a
    winning bid put on chain). The store re-hashes the description on the way out."""
    from rdflib import Graph, URIRef
    from saiaas.storage import canonical_cid

    data = store.get(description_cid)
    graph = Graph()
    try:
        graph.parse(data=data, format="nt")
    except Exception as error:  # rdflib raises several parser types
        raise CommitmentError(
            f"{what}: the description {description_cid} is not N-Triples ({error})"
        ) from None
    values = sorted({str(o) for o in graph.objects(None, URIRef(CONTENT_CID))})
    if len(values) != 1:
        found = "none" if not values else f"{len(values)} ({', '.join(values)})"
        raise CommitmentError(
            f"{what}: the winning bid's description {description_cid} must name exactly one "
            f"saiaas:contentCID, found {found}; its content cannot be checked, so it is refused"
        )
    try:
        return str(canonical_cid(values[0]))
    except Exception:  # storage raises its own error type for a malformed CID
        raise CommitmentError(
            f"{what}: the description {description_cid} names contentCID {values[0]!r}, "
            "which is not a CID"
        ) from None
