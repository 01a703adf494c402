"""The description of one asset: the bytes a provider stores (by CID) and names in its bid.

Anyone must be able to fetch those bytes, re-hash them against the on-chain CID and re-run the
matcher on them (the client's audit), so the description has to be self-contained (the asset's
triples plus the blank nodes below it, i.e. its concise bounded description) and deterministic:
the same asset always gives the same bytes, hence the same CID. Blank nodes are relabelled
canonically (RDFC/RGDA1 via rdflib) and the N-Triples lines sorted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from saiaas.ontologies.errors import InputError

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["UnknownAssetError", "asset_description", "description_graph"]


class UnknownAssetError(InputError):
    """The catalog has no triples about the asset named."""


def description_graph(catalog: Graph, asset_iri: str) -> Graph:
    """The asset's concise bounded description, plus the provider node it is offered by."""
    from rdflib import Graph, URIRef

    subject = URIRef(asset_iri)
    if (subject, None, None) not in catalog:
        raise UnknownAssetError(f"the catalog says nothing about {asset_iri}")
    out = Graph()
    out += catalog.cbd(subject)
    offered_by = URIRef("https://w3id.org/saiaas#offeredBy")
    for provider in catalog.objects(subject, offered_by):
        out += catalog.cbd(provider)
    for prefix, namespace in catalog.namespaces():
        out.bind(prefix, namespace)
    return out


PROVIDER_ACCOUNT = "https://w3id.org/saiaas#providerAccount"
#: The infrastructure provider's per-auction X25519 public key (hex), written at bid time.
TRANSFER_PUBLIC_KEY = "https://w3id.org/saiaas#transferPublicKey"


def asset_description(
    catalog: Graph, asset_iri: str, provider_account: str | None = None,
    transfer_public_key: str | None = None,
) -> bytes:
    """Canonical, sorted N-Triples of the asset's description (stable bytes, stable CID).

    `provider_account`: the address that will bid with it, stated in the description
    (saiaas:providerAccount) so that a bid by any other account with these bytes is seen as a
    borrowed asset. `transfer_public_key`: an infrastructure provider's per-auction X25519 key
    (saiaas:transferPublicKey), to which the content winners seal their assets."""
    from rdflib import Literal, URIRef
    from rdflib.compare import to_canonical_graph

    described = description_graph(catalog, asset_iri)
    if provider_account is not None:
        account = URIRef(PROVIDER_ACCOUNT)
        described.remove((URIRef(asset_iri), account, None))
        described.add((URIRef(asset_iri), account, Literal(provider_account)))
    if transfer_public_key is not None:
        key = URIRef(TRANSFER_PUBLIC_KEY)
        described.remove((URIRef(asset_iri), key, None))
        described.add((URIRef(asset_iri), key, Literal(transfer_public_key)))
    canonical = to_canonical_graph(described)
    lines = canonical.serialize(format="nt").splitlines()
    return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
