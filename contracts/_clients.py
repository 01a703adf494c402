"""Factory and Auction clients: Python calls in, typed results out, CIDs as strings both ways."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _types as t
from ._artifacts import abi, artifact
from ._chain import Chain, Sender
from ._cid import decode_cid, encode_cid
from ._errors import ChainError
from ._events import decode_logs

_ZERO = "0x" + "00" * 20


def _category(category: int) -> t.Category:
    try:
        return t.Category(category)
    except ValueError:
        raise ChainError(
            f"unknown category {category!r}: use 0 data, 1 algorithm, 2 infrastructure"
        ) from None


class Factory:
    """The marketplace's Factory: the ontology CID and the auctions it creates."""

    def __init__(self, chain: Chain, address: str, deploy_receipt: t.TxResult | None = None):
        self.chain = chain
        self.address = chain.w3.to_checksum_address(address)
        self.deploy_receipt = deploy_receipt
        self._c = chain.w3.eth.contract(address=self.address, abi=abi("Factory"))

    @classmethod
    def deploy(cls, chain: Chain, sender: Sender, ontology_cid: str) -> Factory:
        """Deploy a Factory (and its Auction implementation) under `ontology_cid`."""
        digest, kind = encode_cid(ontology_cid)
        art = artifact("Factory")
        contract = chain.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        receipt = chain.transact(contract.constructor(digest, kind), sender)
        return cls(chain, str(receipt.contract_address), receipt)

    @classmethod
    def at(cls, chain: Chain, address: str) -> Factory:
        """A client for an existing Factory; refuses an address without the Factory's code."""
        _require_address(chain, address)
        code = bytes(chain.w3.eth.get_code(chain.w3.to_checksum_address(address)))
        expected = bytes.fromhex(artifact("Factory")["deployedBytecode"][2:])
        # The deployed code embeds the implementation address (an immutable): compare the length
        # and the code around it rather than byte for byte.
        if len(code) != len(expected) or code[:64] != expected[:64]:
            raise ChainError(f"no saiaas Factory at {address}")
        return cls(chain, address)

    # ---------------------------------------------------------------- calls

    def ontology_cid(self) -> str:
        digest, kind, _version = self.chain.call(self._c.functions.ontology())
        return decode_cid(digest, kind)

    def ontology_version(self) -> int:
        return int(self.chain.call(self._c.functions.ontology())[2])

    def ontology_at(self, version: int) -> str:
        digest, kind = self.chain.call(self._c.functions.ontologyAt(version))
        return decode_cid(digest, kind)

    def owner(self) -> str:
        return self.chain.call(self._c.functions.owner())

    def implementation(self) -> str:
        return self.chain.call(self._c.functions.implementation())

    def auction_count(self) -> int:
        return int(self.chain.call(self._c.functions.auctionCount()))

    def publish_ontology(self, sender: Sender, cid: str) -> t.TxResult:
        digest, kind = encode_cid(cid)
        return self.chain.transact(self._c.functions.publishOntology(digest, kind), sender)

    def create_auction(
        self,
        sender: Sender,
        *,
        requirements_cid: str,
        max_prices: tuple[int, int, int],
        reserve: int,
        bidding_seconds: int,
        delivery_seconds: int,
        acknowledgment_seconds: int,
        min_references: int = 0,
    ) -> tuple[Auction, t.TxResult]:
        """Open an auction escrowing `reserve` wei; returns its client and the receipt."""
        digest, kind = encode_cid(requirements_cid)
        if len(max_prices) != 3:
            raise ChainError(f"max_prices needs one price per category (3), got {len(max_prices)}")
        call = self._c.functions.createAuction(
            digest,
            kind,
            [int(p) for p in max_prices],
            int(bidding_seconds),
            int(delivery_seconds),
            int(acknowledgment_seconds),
            int(min_references),
        )
        receipt = self.chain.transact(call, sender, value=int(reserve))
        created = [e for e in receipt.events if isinstance(e, t.AuctionCreated)]
        return Auction(self.chain, created[0].auction, factory=self), receipt

    def is_auction(self, address: str) -> bool:
        _require_address(self.chain, address)
        return bool(
            self.chain.call(self._c.functions.isAuction(self.chain.w3.to_checksum_address(address)))
        )

    def auctions(self, from_block: int = 0) -> list[t.AuctionCreated]:
        """Every auction this Factory created since `from_block`, oldest first."""
        events = decode_logs(self.chain.logs(self.address, from_block), self.address)
        return [e for e in events if isinstance(e, t.AuctionCreated)]

    def events(self, from_block: int = 0) -> list[Any]:
        return decode_logs(self.chain.logs(self.address, from_block), self.address)


class Auction:
    """One auction (a clone): bids, adjudication, restitution and payouts."""

    def __init__(self, chain: Chain, address: str, factory: Factory | None = None):
        self.chain = chain
        self.address = chain.w3.to_checksum_address(address)
        self._c = chain.w3.eth.contract(address=self.address, abi=abi("Auction"))
        self._factory = factory

    @classmethod
    def at(cls, chain: Chain, address: str) -> Auction:
        """A client for an existing auction; refuses an address no Factory vouches for."""
        _require_address(chain, address)
        address = chain.w3.to_checksum_address(address)
        code = bytes(chain.w3.eth.get_code(address))
        if len(code) != 0x2D + 118 or code[:10] != bytes.fromhex("363d3d373d3d3d363d73"):
            raise ChainError(f"no saiaas auction at {address}")
        implementation = chain.w3.to_checksum_address(code[10:30])
        impl = chain.w3.eth.contract(address=implementation, abi=abi("Auction"))
        try:
            factory = Factory(chain, impl.functions.factory().call())
            ok = factory.is_auction(address)
        except Exception:
            ok = False
        if not ok:
            raise ChainError(f"no saiaas auction at {address}")
        return cls(chain, address, factory)

    @property
    def factory(self) -> Factory:
        if self._factory is None:
            self._factory = Factory(self.chain, self.chain.call(self._c.functions.factory()))
        return self._factory

    # ---------------------------------------------------------------- transactions

    def bid(
        self,
        sender: Sender,
        category: int,
        price: int,
        asset_cid: str,
        references: Sequence[str] = (),
    ) -> t.TxResult:
        """Bid `price` wei for `category` with the asset described at `asset_cid`.

        References are sorted here (the contract wants them ascending and distinct).
        """
        digest, kind = encode_cid(asset_cid)
        refs = sorted(
            {self.chain.w3.to_checksum_address(r) for r in references}, key=lambda a: int(a, 16)
        )
        call = self._c.functions.bid(int(category), int(price), digest, kind, refs)
        return self.chain.transact(call, sender)

    def disqualify(self, sender: Sender, category: int, bidder: str, reason_cid: str) -> t.TxResult:
        """Disqualify `bidder`'s bid in `category`, citing `reason_cid` (the matcher's report).

        When it is the best bid, the contract needs the category's bidders and the asset digest of
        the bid that takes its place; both are read from the bid events here and checked on-chain.
        """
        digest, kind = encode_cid(reason_cid)
        cat = int(category)
        bidder = self.chain.w3.to_checksum_address(bidder)
        bidders: list[str] = []
        next_asset = b"\x00" * 32
        best = self.chain.call(self._c.functions.bestBid(cat)) if 0 <= cat < 3 else None
        if best is not None and best[0] == bidder:
            latest = self._latest_assets(t.Category(cat))
            bidders = sorted(latest, key=lambda a: int(a, 16))
            standing = [self._standing(t.Category(cat), a, latest) for a in bidders if a != bidder]
            valid = [b for b in standing if b is not None and not b.disqualified]
            if valid:
                fallback = min(valid, key=lambda b: (b.price, b.seq))
                next_asset = encode_cid(fallback.asset_cid)[0]
        call = self._c.functions.disqualify(cat, bidder, digest, kind, bidders, next_asset)
        return self.chain.transact(call, sender)

    def adjudicate(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.adjudicate(), sender)

    def settle(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.settle(), sender)

    def deliver(self, sender: Sender, model_cid: str) -> t.TxResult:
        digest, kind = encode_cid(model_cid)
        return self.chain.transact(self._c.functions.deliver(digest, kind), sender)

    def acknowledge(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.acknowledge(), sender)

    def cancel(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.cancel(), sender)

    def claim(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.claim(), sender)

    def withdraw(self, sender: Sender) -> t.TxResult:
        return self.chain.transact(self._c.functions.withdraw(), sender)

    # ---------------------------------------------------------------- views

    def info(self) -> t.AuctionInfo:
        (client, req, req_kind, version, max_prices, reserve, deadline, delivery, ack, min_refs) = (
            self.chain.call(self._c.functions.terms())
        )
        digest, kind = self.chain.call(self._c.functions.ontology())
        return t.AuctionInfo(
            address=self.address,
            client=client,
            factory=self.factory.address,
            requirements_cid=decode_cid(req, req_kind),
            ontology_cid=decode_cid(digest, kind),
            ontology_version=int(version),
            max_prices=(int(max_prices[0]), int(max_prices[1]), int(max_prices[2])),
            reserve=int(reserve),
            bidding_deadline=int(deadline),
            delivery_window=int(delivery),
            acknowledgment_window=int(ack),
            min_references=int(min_refs),
        )

    def state(self) -> t.AuctionState:
        return t.AuctionState(self.chain.call(self._c.functions.state()))

    def bid_of(self, category: int, bidder: str) -> t.Bid | None:
        """`bidder`'s standing bid in `category`, None if it never bid there."""
        cat = _category(category)
        bidder = self.chain.w3.to_checksum_address(bidder)
        return self._standing(cat, bidder, self._latest_assets(cat))

    def bids(self, category: int) -> list[t.Bid]:
        """Standing bids of `category` (one per bidder, its latest), lowest price first."""
        cat = _category(category)
        latest = self._latest_assets(cat)
        found = [b for b in (self._standing(cat, a, latest) for a in latest) if b is not None]
        return sorted(found, key=lambda b: (b.price, b.seq))

    def best_bid(self, category: int) -> t.Bid | None:
        """The lowest valid bid (ties: the earlier), None when the category has no valid bid."""
        cat = _category(category)
        bidder, price, asset, kind, _n, _s = self.chain.call(self._c.functions.bestBid(int(cat)))
        if int(bidder, 16) == 0:
            return None
        _price, seq, disqualified, _commitment, _kind = self.chain.call(
            self._c.functions.bidOf(int(cat), bidder)
        )
        return t.Bid(bidder, cat, int(price), decode_cid(asset, kind), bool(disqualified), int(seq))

    def _latest_assets(self, cat: t.Category) -> dict[str, str]:
        """Each bidder's latest asset CID in `cat`, from its BidPlaced events (storage: a hash)."""
        latest: dict[str, str] = {}
        for event in self.events():
            if isinstance(event, t.BidPlaced) and event.category == cat:
                latest[event.bidder] = event.asset_cid
        return latest

    def _standing(self, cat: t.Category, bidder: str, latest: dict[str, str]) -> t.Bid | None:
        from eth_utils import keccak

        price, seq, disqualified, commitment, _kind = self.chain.call(
            self._c.functions.bidOf(int(cat), bidder)
        )
        if price == 0:
            return None
        asset = latest.get(bidder)
        if asset is None or keccak(encode_cid(asset)[0])[:20] != bytes(commitment):
            raise ChainError(f"the bid events of {bidder} in {self.address} do not match its bid")
        return t.Bid(bidder, cat, int(price), asset, bool(disqualified), int(seq))

    def sla(self) -> t.SLA | None:
        """The adjudicated SLA, None while bidding or when the auction failed."""
        state = self.state()
        if state in (t.AuctionState.BIDDING, t.AuctionState.FAILED):
            return None
        winners: dict[t.Category, t.Winner] = {}
        for cat in t.Category:
            bidder, price, asset, kind, _n, _s = self.chain.call(
                self._c.functions.bestBid(int(cat))
            )
            if int(bidder, 16) != 0:
                winners[cat] = t.Winner(bidder, int(price), decode_cid(asset, kind))
        if len(winners) != 3:  # a failed auction later cancelled
            return None
        adjudicated, delivery_deadline, delivered, ack_deadline, model, model_kind = (
            self.chain.call(self._c.functions.restitution())
        )
        return t.SLA(
            winners=winners,
            adjudicated_at=int(adjudicated),
            delivery_deadline=int(delivery_deadline),
            model_cid=decode_cid(model, model_kind) if delivered else None,
            delivered_at=int(delivered) or None,
            acknowledgment_deadline=int(ack_deadline) or None,
        )

    def owed(self, address: str) -> int:
        return int(
            self.chain.call(self._c.functions.owed(self.chain.w3.to_checksum_address(address)))
        )

    def time_left(self) -> int:
        return int(self.chain.call(self._c.functions.timeLeft()))

    def won_completed(self, bidder: str, category: int) -> bool:
        return bool(
            self.chain.call(
                self._c.functions.wonCompleted(
                    self.chain.w3.to_checksum_address(bidder), int(category)
                )
            )
        )

    def balance(self) -> int:
        return self.chain.balance(self.address)

    def events(self, from_block: int = 0) -> list[Any]:
        return decode_logs(self.chain.logs(self.address, from_block), self.address)


def _require_address(chain: Chain, address: str) -> None:
    if not isinstance(address, str) or not chain.w3.is_address(address):
        raise ChainError(f"{address!r} is not an EVM address")
