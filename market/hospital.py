"""The paper's scenario with the hospital use case, end to end, as one function.

It runs every party's workflow through the same functions the command line uses
(`saiaas.market.client`, `saiaas.market.provider`) on an in-process chain and a content store in
a folder, then the learning phase for real (saiaas.learning): the content winners seal their
assets to the infrastructure winner, which checks each against the saiaas:contentCID of the
winning bid's description (fetched by the CID on chain), trains in the isolated worker, and
delivers a signed manifest whose CID goes on chain; the client checks the signature against the
SLA's infrastructure winner, evaluates on its own 100 images and labels a 101st. Every figure in
the result is read back from the chain: gas from receipts, balances from the node. The result is
data only; `saiaas demo` tells it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from saiaas.contracts import ChainError
from saiaas.market.scenario import (
    ACKNOWLEDGE,
    BID_ORDER,
    DELIVER,
    PROVIDERS,
    REFUSALS,
    REQUEST_FILE,
    WITHDRAW,
    WITHDRAW_BOND,
    Provider,
    bid_operation,
    costs,
    ether_text,
    ether_wei,
)
from saiaas.market.views import CATEGORY_NAMES, per_category, tx_json, wei
from saiaas.ontologies.errors import InvalidError

if TYPE_CHECKING:
    from saiaas.contracts import Chain
    from saiaas.market.marketplace import Marketplace

__all__ = [
    "HospitalRunError",
    "run_hospital",
    "hospital_assets",
    "provider_content",
    "provider_catalog",
    "dev_key",
    "DATA_SLICES",
    "ALGORITHM_DEFAULTS",
    "TRAINING_LIMITS",
    "CLIENT_KEY_FILE",
    "IMAGE_101_FILE",
]

#: What the content providers sell, in PROVIDERS order per category: the two data providers
#: disjoint slices of the digits (1,500 and 196 images), the two algorithm providers the same
#: classifier script with different default params (so different bytes and CIDs).
DATA_SLICES = (1500, 196)
ALGORITHM_DEFAULTS: tuple[dict[str, Any] | None, ...] = (None, {"epochs": 200, "l2": 0.01})
#: The worker's walls in the demo (the hospital case trains in ~1-2 s here).
TRAINING_LIMITS = {"wall_seconds": 120.0, "cpu_seconds": 120, "memory_mib": 2048}
CLIENT_KEY_FILE, IMAGE_101_FILE = "client-x25519.key", "image-101.npy"
_CATEGORIES = CATEGORY_NAMES


class HospitalRunError(ChainError):
    """A step of the scenario did not give the result it requires."""


class FailedCheck(InvalidError):
    """The scenario ran, but one of its checks failed; `.result` holds the whole run."""

    def __init__(self, message: str, result: dict[str, Any]):
        super().__init__(message)
        self.result = result


def hospital_assets() -> Any:
    """Every party's content (seeded: the same bytes, hence CIDs, on every run)."""
    from saiaas.learning import build_hospital_assets

    return build_hospital_assets(provider_images=DATA_SLICES, algorithm_defaults=ALGORITHM_DEFAULTS)


def provider_content(provider: Provider, assets: Any) -> bytes | None:
    """The content a provider sells (None for infrastructure: it sells a service)."""
    same = [p for p in PROVIDERS if p.category == provider.category]
    if provider not in same or provider.category == "infrastructure":
        return None
    pool = assets.datasets if provider.category == "data" else assets.algorithms
    return bytes(pool[same.index(provider)])


def _offered_asset(catalog: Any, name: str) -> str:
    """The IRI of the one asset a shipped catalog offers (each offers exactly one)."""
    from rdflib import URIRef
    from saiaas.ontologies import SAIAAS

    offered = sorted({str(s) for s in catalog.subjects(URIRef(SAIAAS + "offeredBy"), None)})
    if len(offered) != 1:
        raise HospitalRunError(f"{name}: expected one offered asset, found {len(offered)}")
    return offered[0]


def provider_catalog(provider: Provider, assets: Any = None) -> bytes:
    """The provider's catalog as it bids (Turtle): the shipped file plus, for data and algorithm
    providers, the saiaas:contentCID of what they sell. A scenario run elsewhere (separate CLI
    processes) bids from these bytes to reach the same description CIDs."""
    content = provider_content(provider, assets if assets is not None else hospital_assets())
    return _catalog_bytes(provider, content)


def _catalog_bytes(provider: Provider, content: bytes | None) -> bytes:
    from rdflib import Graph
    from saiaas.learning import add_content_cid
    from saiaas.ontologies import example_path

    catalog = Graph().parse(example_path(provider.catalog), format="turtle")
    if content is not None:
        add_content_cid(catalog, _offered_asset(catalog, provider.catalog), content)
    return catalog.serialize(format="turtle").encode("utf-8")


def dev_key(chain: Chain, address: str) -> bytes:
    """The private key of one of the embedded chain's funded dev accounts (eth-tester's
    defaults): the infrastructure winner signs its attestation with the key of the address that
    won."""
    try:
        keys = chain.w3.provider.ethereum_tester.backend.account_keys  # type: ignore[union-attr]
    except AttributeError:
        raise HospitalRunError("the scenario signs with the embedded chain's dev keys; this chain "
                               "has none it can read") from None
    for key in keys:
        if key.public_key.to_checksum_address().lower() == address.lower():
            return bytes(key.to_bytes())
    raise HospitalRunError(f"{address} is not one of the embedded chain's dev accounts")


def _label(graph: Any, iri: str) -> str:
    from rdflib import RDFS, URIRef

    value = graph.value(URIRef(iri), RDFS.label)
    return str(value) if value is not None else iri


class _Party:
    """One provider: its catalog (with the content it commits), its asset and its account."""

    def __init__(self, provider: Provider, market: Marketplace, content: bytes | None) -> None:
        from rdflib import URIRef
        from saiaas.market.provider import load_catalogs

        self.provider, self.market, self.content = provider, market, content
        self.account = market.caller
        data = _catalog_bytes(provider, content)
        self.catalog = load_catalogs([(provider.catalog, data)])
        graph = self.catalog.graph
        self.asset_iri = _offered_asset(graph, provider.catalog)
        self.content_cid = None
        if content is not None:
            from saiaas.storage import cid_of

            self.content_cid = cid_of(content)
        by = graph.value(URIRef(self.asset_iri), URIRef("https://w3id.org/saiaas#offeredBy"))
        self.name = _label(graph, str(by)) if by is not None else self.asset_iri
        self.category = _CATEGORIES.index(provider.category)


def run_hospital(
    market: Marketplace,
    gas_price_gwei: float = 124,
    eth_usd: float = 1683,
    keys_dir: Path | None = None,
) -> dict[str, Any]:
    """Run the whole scenario on `market` (an in-process chain whose first accounts are the
    operator, the client and the providers) and return its figures; FailedCheck (with the
    result) when one of the run's own checks fails."""
    from saiaas.contracts import Factory
    from saiaas.market import client as client_flow
    from saiaas.market import provider as provider_flow
    from saiaas.ontologies import example_path, ontology_bytes

    started = time.perf_counter()
    chain, store = market.chain, market.store
    accounts = chain.accounts
    needed = 2 + len(PROVIDERS) + len(REFUSALS)
    if len(accounts) < needed:
        raise HospitalRunError(
            f"the chain holds {len(accounts)} accounts; the scenario needs {needed}"
        )
    operator, client_address = accounts[0], accounts[1]
    transactions: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []

    def record(operation: str, label: str, tx: Any, in_scenario: bool) -> int:
        transactions.append({"operation": operation, "label": label, **tx_json(tx),
                             "in_scenario": in_scenario})
        return int(tx.gas_used)

    def check(what: str, ok: bool, detail: str) -> None:
        checks.append({"check": what, "ok": ok, "detail": detail})

    # 1. the vocabulary
    ontology_cid = store.put(ontology_bytes())
    factory = Factory.deploy(chain, operator, ontology_cid)
    assert factory.deploy_receipt is not None
    record("Factory deployment", "operator deploys the Factory under the ontology CID",
           factory.deploy_receipt, False)
    market = market.__class__(market.settings, chain, store, factory=factory)

    # 2. the client
    client = market.acting_as(client_address)
    created = client_flow.create_auction(
        client, example_path(REQUEST_FILE).read_bytes(), REQUEST_FILE
    )
    auction, terms = created.auction, created.terms
    record("Auction creation", "client creates the auction", created.tx, True)
    info = auction.info()

    # 3. the providers: each fetches the request by CID, matches and bids
    matcher = market.matcher(info.ontology_cid)
    hospital = hospital_assets()
    parties = [
        _Party(p, market.acting_as(a), provider_content(p, hospital))
        for p, a in zip(PROVIDERS, accounts[2 : 2 + len(PROVIDERS)], strict=True)
    ]
    misfits = [
        _Party(p, market.acting_as(a), None)
        for p, a in zip(REFUSALS, accounts[2 + len(PROVIDERS) : needed], strict=True)
    ]
    bids: list[dict[str, Any]] = []
    seen: set[int] = set()
    for n, (who, price_index) in enumerate(BID_ORDER):
        party = parties[who]
        price_text = party.provider.prices[price_index]
        placed = provider_flow.bid(
            party.market, auction, party.catalog, party.asset_iri, ether_wei(price_text),
            transfer_key=False,  # this process makes the infrastructure winner's key below
        )
        operation = bid_operation(n, who not in seen)
        seen.add(who)
        record(operation, f"{party.name} bids {price_text} ETH ({party.provider.category})",
               placed.tx, True)
        bids.append({"n": n + 1, "provider": party.account, "provider_name": party.name,
                     "category": party.provider.category, "asset_cid": placed.asset_cid,
                     "asset_iri": party.asset_iri, "degree": placed.degree,
                     "price_wei": wei(placed.price_wei), "price_ether": price_text,
                     "operation": operation, **tx_json(placed.tx)})
    degrees = {b["provider"]: b["degree"] for b in bids}

    # the refused providers (a node without a TEE, a dataset whose data-use conditions do not
    # permit the hospital's purpose): the matcher refuses them, so nothing is sent
    block_before = chain.w3.eth.block_number
    refused: list[dict[str, Any]] = []
    refusals: dict[str, Any] = {}
    for misfit in misfits:
        try:
            provider_flow.bid(misfit.market, auction, misfit.catalog, misfit.asset_iri,
                              ether_wei(misfit.provider.prices[0]), transfer_key=False)
        except provider_flow.NotEligible as refusal:
            decision = refusal.decision
        else:
            raise HospitalRunError(
                f"the matcher accepted {misfit.asset_iri}, which should not fit")
        assert decision is not None
        refusals[misfit.account] = decision
        reasons = [r.message for r in decision.reasons if r.code.endswith("unmet")] or [
            f"degree {decision.degree}"]
        refused.append({"provider": misfit.account, "provider_name": misfit.name,
                        "category": misfit.provider.category, "asset_iri": misfit.asset_iri,
                        "degree": decision.degree, "price_ether": misfit.provider.prices[0],
                        "reasons": reasons})
    check("no transaction for the refused bid", chain.w3.eth.block_number == block_before,
          f"block number still {block_before}")

    # 4. the end of the auction
    chain.advance_time(max(0, info.bidding_deadline - chain.now()))
    tx = client_flow.settle(client, auction)
    record("Adjudication", "client settles after the deadline (SLA)", tx, True)
    sla = auction.sla()
    if sla is None or len(sla.winners) != 3:
        raise HospitalRunError(f"{auction.address} was not adjudicated with three winners "
                               f"(state {auction.state().name})")
    by_account = {p.account.lower(): p for p in parties}
    from saiaas.market.requirements import Requirements

    requirements = Requirements(market, info)
    sla_rows: list[dict[str, Any]] = []
    winning_assets = {}
    for index, name in enumerate(_CATEGORIES):
        winner = sla.winners[index]  # type: ignore[index]
        party = by_account[winner.bidder.lower()]
        sla_rows.append({"category": name, "provider": winner.bidder,
                         "provider_name": party.name, "price_wei": wei(winner.price),
                         "price_ether": ether_text(winner.price), "asset_cid": winner.asset_cid,
                         "asset_iri": party.asset_iri})
        # the verdict is computed on what the chain names: the description fetched by CID
        winning_assets[name] = requirements.described_asset(winner.asset_cid)
    verdict = matcher.triplet(winning_assets["data"], winning_assets["algorithm"],
                              winning_assets["infrastructure"])
    expected = [p.account.lower() for p in parties[:3]]
    check("winners are the providers that bid first and then lowered",
          [sla.winners[i].bidder.lower() for i in range(3)] == expected,  # type: ignore[index]
          ", ".join(p.name for p in parties[:3]))

    # 5. learning
    learned = _learning(market, auction, sla, by_account, hospital, client_address, terms,
                        requirements, record, check, keys_dir)

    # 6. withdrawals
    withdrawals: list[dict[str, Any]] = []
    payees = [(f"{by_account[sla.winners[i].bidder.lower()].name} ({name})",  # type: ignore[index]
               sla.winners[i].bidder) for i, name in enumerate(_CATEGORIES)]  # type: ignore[index]
    payees.append(("client (unspent reserve)", client_address))
    payees += [(f"{p.name} ({p.provider.category}, bond back)", p.account) for p in parties[3:]]
    acknowledged = learned["acknowledged"]
    if not acknowledged:  # nothing is owed yet: no withdrawal is attempted
        payees = []
    for who, address in payees:
        before = chain.balance(address)
        owed, tx = client_flow.withdraw(market.acting_as(address), auction)
        loser = address.lower() not in {sla.winners[i].bidder.lower() for i in range(3)}  # type: ignore[index]
        record(WITHDRAW_BOND if loser and address != client_address else WITHDRAW,
               f"{who} withdraws", tx, False)
        receipt = chain.w3.eth.get_transaction_receipt(tx.tx_hash)
        fee = int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])
        change = chain.balance(address) - before
        withdrawals.append({"who": who, "address": address, "owed_wei": wei(owed),
                            "fee_wei": wei(fee), "balance_change_wei": wei(change),
                            "ok": change == owed - fee, **tx_json(tx)})
    refund = next((int(w["owed_wei"]) for w in withdrawals if w["address"] == client_address), 0)
    check("each payee's balance rose by what it was owed minus its gas",
          all(w["ok"] for w in withdrawals), f"{len(withdrawals)} withdrawals")
    check("the client got the unspent reserve back",
          refund == info.reserve - sla.total_price or not acknowledged,
          f"{ether_text(info.reserve)} - {ether_text(sla.total_price)} = {ether_text(refund)} ETH")
    final_balance = auction.balance()
    check("the auction ends with balance 0", final_balance == 0, f"{ether_text(final_balance)} ETH")

    table = costs([{**t, "gas": t["gas_used"]} for t in transactions], gas_price_gwei, eth_usd)
    result = {
        "auction": auction.address,
        "factory": factory.address,
        "ontology_cid": ontology_cid,
        "requirements_cid": info.requirements_cid,
        "state": auction.state().name,
        "reserve_wei": wei(info.reserve),
        "terms": {"max_prices_wei": per_category(info.max_prices),
                  "bonds_wei": per_category(info.bonds),
                  "bidding_seconds": terms.bidding_seconds,
                  "delivery_window_seconds": info.delivery_window,
                  "acknowledgment_window_seconds": info.acknowledgment_window},
        "providers": [
            {"provider": p.account, "provider_name": p.name, "category": p.provider.category,
             "asset_iri": p.asset_iri,
             "degree": degrees.get(p.account) or refusals[p.account].degree,
             "eligible": p not in misfits, "content_cid": p.content_cid,
             "content_bytes": len(p.content or b"")}
            for p in [*parties, *misfits]
        ],
        "sla": sla_rows,
        "triplet": verdict.as_dict(),
        "bids": bids,
        "refused_bids": refused,
        "model": learned["model"],
        "withdrawals": withdrawals,
        "auction_balance_wei": wei(final_balance),
        "total_gas": table["scenario_total"],
        "costs": {k: v for k, v in table.items() if k != "operations"},
        "operations": table["operations"],
        "transactions": transactions,
        "matcher": {"from_cache": matcher.from_cache,
                    "classification_seconds": round(matcher.classification_seconds, 3)},
        "checks": checks,
        "wall_seconds": round(time.perf_counter() - started, 2),
    }
    failed = [c for c in checks if not c["ok"]]
    if failed:
        raise FailedCheck(f"demo check failed: {failed[0]['check']} ({failed[0]['detail']})",
                          result)
    return result


def _learning(  # noqa: PLR0913 (the phase needs the run's state)
    market: Marketplace, auction: Any, sla: Any, by_account: dict[str, _Party], hospital: Any,
    client_address: str, terms: Any, requirements: Any, record: Any, check: Any,
    keys_dir: Path | None,
) -> dict[str, Any]:
    """Sealed transfer, isolated training, delivery on chain, the client's evaluation and
    acknowledgment."""
    from saiaas.learning import (
        DATASET_NOTE,
        KeyPair,
        Limits,
        committed_content_cid,
        evaluate_and_label,
        send_to_infrastructure,
        train_and_deliver,
    )

    store, chain = market.store, market.chain
    infra_winner = sla.winners[2].bidder
    content_winners = {i: by_account[sla.winners[i].bidder.lower()] for i in (0, 1)}
    # the client publishes an X25519 key for the model, the infrastructure winner one for this
    # auction's transfers; only public halves are stored
    client_keys, infra_keys = KeyPair.generate(), KeyPair.generate()
    client_key_cid = store.put(client_keys.public_hex.encode("ascii"))
    transfer_key_cid = store.put(infra_keys.public_hex.encode("ascii"))
    blobs = {}
    for index, party in content_winners.items():
        if party.content is None:
            raise HospitalRunError(f"{party.name} won {_CATEGORIES[index]} but sells no content")
        blobs[index] = send_to_infrastructure(store, f"{_CATEGORIES[index]} asset",
                                              party.content, infra_keys.public_key)
    # what the infrastructure winner checks against: the contentCID of each description the SLA
    # names on chain, fetched by that CID (the store re-hashes it), not the bytes it received
    committed = {i: committed_content_cid(store, sla.winners[i].asset_cid,
                                          f"{_CATEGORIES[i]} asset") for i in (0, 1)}
    limits = Limits(**TRAINING_LIMITS)  # type: ignore[arg-type]
    trained = train_and_deliver(
        store, keys=infra_keys, data_blob_cid=blobs[0], algorithm_blob_cid=blobs[1],
        data_cid=committed[0], algorithm_cid=committed[1],
        client_public_key=client_keys.public_key, signer_key=dev_key(chain, infra_winner),
        limits=limits, auction=auction.address, chain_id=int(chain.w3.eth.chain_id))
    training, delivery = trained.training, trained.delivery
    from saiaas.market import provider as provider_flow

    _, tx = provider_flow.deliver(market.acting_as(infra_winner), auction,
                                  _manifest_bytes(store, delivery.manifest_cid))
    record(DELIVER, "infrastructure winner delivers the manifest CID", tx, False)

    on_chain = auction.sla()
    delivered_cid = on_chain.model_cid if on_chain is not None else None
    if delivered_cid is None:
        raise HospitalRunError(f"{auction.address} records no delivered model")
    request = requirements.request
    evaluated = evaluate_and_label(store, delivered_cid, client_keys, infra_winner,
                                   hospital.client, request.min_accuracy, limits=limits)
    model_verdict, attested = evaluated.verdict, evaluated.received.attestation
    label_command = None
    if keys_dir is not None:
        import numpy as np

        keys_dir.mkdir(parents=True, exist_ok=True)
        key_file, image_file = keys_dir / CLIENT_KEY_FILE, keys_dir / IMAGE_101_FILE
        client_keys.save(key_file)
        np.save(image_file, hospital.client.x_new.reshape(8, 8), allow_pickle=False)
        label_command = (f"saiaas client label {delivered_cid} {image_file} --key {key_file} "
                         f"--store {market.settings.store_dir} --signer {infra_winner}")
    # the client acknowledges a model that meets minAccuracy, and rejects one that misses it
    # (its evaluation report as the reason) when the terms name an arbitrator
    from saiaas.market.arbitration import answer_delivery

    answer = answer_delivery(market.acting_as(client_address), auction, model_verdict.accuracy,
                             model_verdict.required, model_verdict.reason)
    acknowledged = answer["action"] == "acknowledged"
    if answer["tx"] is not None:
        record(ACKNOWLEDGE if acknowledged else "Reject",
               f"client {answer['action']} the delivery", answer["tx"], False)
    check("the model meets the request's minimum accuracy on the client's images",
          acknowledged, model_verdict.reason)
    metrics = training.metrics
    model = {
        "model_cid": delivery.model_cid,
        "manifest_cid": delivery.manifest_cid,
        "delivered_cid": delivered_cid,
        "accuracy": model_verdict.accuracy,
        "correct": model_verdict.correct,
        "total": model_verdict.total,
        "required": model_verdict.required,
        "acknowledged": acknowledged,
        "answer": answer["action"],
        "answer_note": answer["note"],
        "verdict_reason": model_verdict.reason,
        "label_101": {"predicted": evaluated.predicted, "actual": evaluated.actual},
        "attestation": {**attested.to_json(), "report_sha256": delivery.attestation.sha256},
        "data_cid": committed[0],
        "algorithm_cid": committed[1],
        "sealed": {"data": blobs[0], "algorithm": blobs[1]},
        "client_public_key_cid": client_key_cid,
        "transfer_key_cid": transfer_key_cid,
        "transferred_bytes": {"data": trained.data_bytes, "algorithm": trained.algorithm_bytes},
        "training": {"metrics": metrics, "wall_seconds": training.wall_seconds,
                     "isolation": {"network": training.isolation.network,
                                   "user": training.isolation.user}},
        "dataset_note": DATASET_NOTE,
        "key_file": str(keys_dir / CLIENT_KEY_FILE) if keys_dir is not None else None,
        "label_command": label_command,
    }
    return {"acknowledged": acknowledged, "model": model}


def _manifest_bytes(store: Any, manifest_cid: str) -> bytes:
    """The delivery manifest as stored (delivering stores it again: same bytes, same CID)."""
    return bytes(store.get(manifest_cid))
