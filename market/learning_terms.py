"""What an auction fixed for its learning phase, read the same way by every party's step.

The winners, and the public keys that content is sealed to, are not chosen by whoever runs a
step: the client's key is the one its request publishes (saiaas:clientPublicKey, stored by CID
with the auction), an infrastructure winner's is the one its winning description publishes
(saiaas:transferPublicKey). Every step reads them here, so each refuses alike (LearningRefused)
before anything is stored for another party or sent on chain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from saiaas.market.learning_keys import (
    KeyFileError,
    client_key_named_for,
    client_keys_dir,
    client_public_key,
    open_client_key,
)
from saiaas.ontologies.descriptions import TRANSFER_PUBLIC_KEY
from saiaas.ontologies.errors import InvalidError, UsageError

if TYPE_CHECKING:
    from saiaas.contracts import SLA, Auction
    from saiaas.market.marketplace import Marketplace
    from saiaas.storage import Store

__all__ = [
    "CLIENT_PUBLIC_KEY",
    "LearningRefused",
    "publish_client_key",
    "published_client_key",
    "required_client_key",
    "load_client_key",
    "winning_sla",
    "categories_won",
    "infrastructure_transfer_key",
]

CLIENT_PUBLIC_KEY = "https://w3id.org/saiaas#clientPublicKey"


class LearningRefused(InvalidError):
    """A party's learning step is refused (wrong account, wrong content, a delivery that does not
    check out, ...): nothing is stored for anyone else and nothing is sent."""


# ------------------------------------------------------------------------------ the client's key


def publish_client_key(data: bytes, where: str, public_hex: str) -> bytes:
    """The requirement file with the client's public key stated on its request
    (saiaas:clientPublicKey), appended as one triple so the person's file keeps its lines; a
    file that already states another key is refused."""
    from saiaas.market.requirements import parse_request_bytes
    from saiaas.ontologies.errors import SaiaasError

    try:
        request = parse_request_bytes(data, where)
    except SaiaasError:
        return data  # not a request: `auction create` validates it and says why
    stated = _request_values(data, CLIENT_PUBLIC_KEY)
    if stated and stated != [public_hex]:
        raise UsageError(f"{where} already states saiaas:clientPublicKey {stated[0][:16]}...; "
                         "remove it or leave out --client-key")
    if stated:
        return data
    line = f'\n<{request.iri}> <{CLIENT_PUBLIC_KEY}> "{public_hex}" .\n'
    return data.rstrip(b"\n") + b"\n" + line.encode("ascii")


def _request_values(data: bytes, predicate: str) -> list[str]:
    from rdflib import Graph, URIRef

    graph = Graph()
    try:
        graph.parse(data=data, format="turtle")
    except Exception:  # noqa: BLE001 - rdflib raises several parser types
        return []
    return sorted({str(o).lower() for o in graph.objects(None, URIRef(predicate))})


def published_client_key(market: Marketplace, auction: Auction) -> str | None:
    """The client's public key as the auction's stored request publishes it (fetched by CID)."""
    data = market.store.get(auction.info().requirements_cid)
    values = _request_values(data, CLIENT_PUBLIC_KEY)
    if len(values) > 1:
        raise LearningRefused(f"auction {auction.address}: its request publishes "
                              f"{len(values)} client keys; which one the model goes to is unclear")
    return values[0] if values else None


def required_client_key(market: Marketplace, auction: Auction, consequence: str) -> str:
    """The client key the request publishes, or refused, `consequence` ending the message: a
    model sealed to no key could be read by no one."""
    published = published_client_key(market, auction)
    if published is None:
        raise LearningRefused(f"auction {auction.address}: its request publishes no "
                              f"saiaas:clientPublicKey{consequence}")
    return published


def load_client_key(market: Marketplace, auction: Auction, name: str | None) -> tuple[str, Any]:
    """(name, KeyPair) of the client key for this auction: `name`, or by default the local key
    whose public half the auction's request publishes; refused when it is not the published one."""
    published = required_client_key(market, auction, " (create the auction with --client-key NAME)")
    if name is None:
        name = client_key_named_for(published)
        if name is None:
            raise KeyFileError(
                f"no client key in {client_keys_dir()} has the public key {published[:16]}... "
                f"that auction {auction.address} publishes; pass --key NAME")
    public = client_public_key(name)
    if public != published:
        raise LearningRefused(
            f"client key {name!r} ({public[:16]}...) is not the key auction {auction.address} "
            f"publishes ({published[:16]}...): the model is sealed to that one")
    return name, open_client_key(name, market.password)


# ------------------------------------------------------------------------------ the winners


def winning_sla(auction: Auction) -> SLA:
    """The auction's SLA, or refused: before adjudication no one has won anything to hand over."""
    sla = auction.sla()
    if sla is None:
        state = auction.state().name
        then = (": the client settles it once bidding ends (`saiaas auction status` shows when)"
                if state == "BIDDING" else "")
        raise LearningRefused(f"auction {auction.address} has no SLA (state {state}): no "
                              f"winners yet{then}")
    return sla


def _description_values(store: Store, cid: str, predicate: str) -> list[str]:
    from rdflib import Graph, URIRef

    data = store.get(cid)
    graph = Graph()
    try:
        graph.parse(data=data, format="nt")
    except Exception as error:  # noqa: BLE001 - rdflib raises several parser types
        raise LearningRefused(f"the asset description {cid} is not N-Triples ({error})") from None
    return sorted({str(o) for o in graph.objects(None, URIRef(predicate))})


def infrastructure_transfer_key(market: Marketplace, sla: SLA, auction: str) -> str:
    """The key the data and algorithm are sealed to: the one the infrastructure winner's
    description published when it bid (hex), refused unless it states exactly one."""
    from saiaas.contracts import Category
    from saiaas.learning import public_key_from_hex

    winner = sla.winners[Category.INFRASTRUCTURE]
    values = _description_values(market.store, winner.asset_cid, TRANSFER_PUBLIC_KEY)
    if len(values) != 1:
        raise LearningRefused(
            f"auction {auction}: the infrastructure winner's description {winner.asset_cid} "
            f"states {len(values)} saiaas:transferPublicKey (one expected); nothing to seal to")
    return public_key_from_hex(values[0]).hex()


def categories_won(sla: SLA, account: str) -> list[int]:
    """The category indexes (0 data, 1 algorithm, 2 infrastructure) `account` won."""
    return [i for i in range(3) if sla.winners[i].bidder.lower() == account.lower()]  # type: ignore[index]

