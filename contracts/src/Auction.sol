// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IArbitrable} from "./IArbitrable.sol";
import {IArbitrator} from "./IArbitrator.sol";
import {IEvidence} from "./IEvidence.sol";
import {IFactory} from "./IFactory.sol";

/// @title Auction
/// @notice One client's request for a model: a descending-price auction per category, the escrowed
///         reserve, the resulting SLA and pull-based payouts.
/// @dev Deployed once as the implementation; each auction is an EIP-1167 clone whose terms are the
///      clone's immutable args (read from its own code, so creating an auction writes no storage).
///      CIDs are stored as their sha2-256 digest plus a kind: 0 = raw leaf (bafkrei...), 1 = dag-pb (bafybei...).
///      Bidding is safe for strangers: no cap on bidders (each pays a bond stated in the terms, returned by
///      pull once it lost), a disqualification of the best bid never reverts on what others sent meanwhile
///      (the client nominates the fallback, anyone can `promote` a lower standing bid), and bidding never
///      closes with less than NOTICE seconds of warning (an early close is announced, a late
///      disqualification of the best bid pushes the close to NOTICE after it), so no bid in flight is cut off.
///      Restitution protects every party: the infrastructure winner confirms it received the inputs (then the
///      data and algorithm winners are owed their price whatever happens to the model), a confirmed winner that
///      never delivers, or delivers a model an arbitrator rules unacceptable, forfeits its bond, and disputes
///      (a rejected delivery, an appealed disqualification, a missing confirmation) go to the ERC-792
///      arbitrator named in the terms. Without one, the timeouts decide, as before.
contract Auction is IArbitrable, IEvidence, ReentrancyGuardTransient {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Life cycle; Bidding past its deadline is settled by the first state-changing call.
    enum State {
        Bidding,
        Failed,
        Adjudicated,
        Delivered,
        Completed,
        Cancelled,
        Claimed,
        Rejected,
        Forfeited
    }

    /// @notice What a dispute is about (the ERC-1497 meta-evidence id of its Dispute event).
    enum DisputeKind {
        None,
        Rejection,
        Appeal,
        Confirmation
    }

    /// @dev Slot 0: state (8) | adjudicatedAt (40) | deliveredAt (40) | withdrawn (8) | modelKind (8) |
    ///      confirmedAt (40) | openDisputes (8) | confirmationDisputed (8) = 160 bits.
    ///      Untouched until something happens after bidding (its first write is the costly one), so
    ///      `state` here is only Delivered and later; Bidding/Failed/Adjudicated live in the Best slots.
    ///      adjudicatedAt is written only by an early adjudication (otherwise it is the deadline).
    ///      withdrawn: bit c = winner of category c has withdrawn, bit 3 = client has withdrawn.
    struct Status {
        State state;
        uint40 adjudicatedAt;
        uint40 deliveredAt;
        uint8 withdrawn;
        uint8 modelKind;
        uint40 confirmedAt;
        uint8 openDisputes;
        bool confirmationDisputed;
    }

    /// @dev One slot per category: bidder (160) | price (72) | spare (16) | meta (8) = 256 bits.
    ///      `bidder` is the lowest valid bid (the base price), zero when there is none (no bid yet, or
    ///      the best was disqualified without a valid fallback). No bid counter: nothing an attacker can fill.
    ///      meta: phase (2 bits: 0 Bidding, 1 Failed, 2 Adjudicated, 3 Closing = bidding ends at the stored
    ///      `_status.adjudicatedAt`, written into all three slots so a bid reads one slot; a settlement
    ///      writes its outcome only into slot 0) | best asset is dag-pb (1).
    struct Best {
        address bidder;
        uint72 price;
        uint16 spare;
        uint8 meta;
    }

    /// @dev One slot per (category, bidder): price (72) | spare (16) | flags (8) | asset (160) = 256 bits.
    ///      flags: bit 0 = disqualified, bit 1 = asset is dag-pb, bit 2 = bond returned, bit 3 = appealed,
    ///      bit 4 = the appeal was upheld (the disqualification overturned). A nonzero price
    ///      means the bidder's bond is held. `asset` commits to the bid's asset digest (first 20 bytes of
    ///      its keccak): the digest itself is in the BidPlaced event, and in storage only for the best bid,
    ///      so a fallback's digest is supplied and checked here.
    struct Node {
        uint72 price;
        uint16 spare;
        uint8 flags;
        bytes20 asset;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    error UnknownCategory(uint256 category);
    error UnsupportedCid(uint256 kind);
    error BiddingClosed(uint256 deadline);
    error BiddingStillOpen(uint256 deadline);
    error ClientCannotBid(address client);
    error PriceZero();
    error PriceAboveMax(uint256 price, uint256 maxPrice);
    error BidNotLower(uint256 price, uint256 previous);
    error BidderDisqualified(uint256 category, address bidder);
    error WrongBond(uint256 sent, uint256 required);
    error TooFewReferences(uint256 given, uint256 required);
    error ReferencesNotAscending(uint256 index);
    error ReferenceNotAuction(address ref);
    error ReferenceNotWon(address ref);
    error NotClient(address caller);
    error NoSuchBid(uint256 category, address bidder);
    error AlreadyDisqualified(uint256 category, address bidder);
    error AssetMismatch(address bidder, bytes32 asset);
    error NotBetter(uint256 price, uint256 best);
    error WrongState(State state);
    error NotInfrastructureWinner(address caller);
    error DeliveryDeadlinePassed(uint256 deadline);
    error DeliveryWindowOpen(uint256 deadline);
    error AcknowledgmentWindowOpen(uint256 deadline);
    error NotWinner(address caller);
    error NothingOwed(address caller);
    error TransferFailed(address to, uint256 amount);
    error ReferenceSelfDealt(address ref, address client);
    error ReferenceTooSmall(address ref, uint256 paid, uint256 minimum);
    error RecordTooShort(uint256 completed, uint256 required);
    error TooManyDisputesLost(uint256 lost, uint256 allowed);
    error NoArbitrator();
    error NotArbitrator(address caller);
    error AlreadyConfirmed(uint256 confirmedAt);
    error ConfirmationWindowOpen(uint256 until);
    error NotInputWinner(address caller);
    error ConfirmationAlreadyDisputed();
    error AcknowledgmentWindowClosed(uint256 deadline);
    error AppealWindowClosed(uint256 deadline);
    error NotDisqualified(uint256 category, address bidder);
    error AlreadyAppealed(uint256 category, address bidder);
    error DisputePending(uint256 open);
    error UnknownDispute(uint256 disputeId);
    error InvalidRuling(uint256 ruling);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Every bid, in full: the chain keeps only each bidder's last price and the best bid.
    /// @dev `bid` packs bidder (bits 0-159) | price (160-231) | category (232-239) | assetKind (240-247):
    ///      two unindexed words instead of two topics and three words (~1k gas a bid); the chain layer
    ///      reads logs by address and decodes them itself, it never filters on a topic.
    event BidPlaced(uint256 bid, bytes32 asset);
    /// @notice The client's public reason (a CID) for excluding a bid; `next` is the bid now best (zero: none).
    event BidDisqualified(
        uint8 indexed category, address indexed bidder, bytes32 reason, uint8 reasonKind, address next
    );
    /// @notice A standing bid lower than the best took its place (after a disqualification).
    event BidPromoted(uint8 indexed category, address indexed bidder, uint256 price);
    /// @notice Bidding now ends at `closesAt` (an early close announced, or a close pushed back).
    event CloseAnnounced(uint256 closesAt);
    /// @notice The SLA (or the failure): winners, prices and asset CIDs per category, in one event.
    /// @dev winners[c] packs winner (bits 0-159, zero: none) | price (160-231) | state (232-239, the
    ///      outcome, the same in all three) | assetKind (240-247); assets[c] is the asset's digest.
    event AuctionSettled(uint256[3] winners, bytes32[3] assets);
    event ModelDelivered(address indexed by, bytes32 model, uint8 modelKind);
    event DeliveryAcknowledged(address indexed client);
    event AuctionCancelled(address indexed client);
    event PaymentClaimed(address indexed by);
    event Withdrawn(address indexed to, uint256 amount);
    /// @notice The infrastructure winner received the sealed data and algorithm (digests; `kinds` bit 0: data
    ///         is dag-pb, bit 1: algorithm is): from now on their winners are owed their price.
    event InputsConfirmed(address indexed by, bytes32 data, bytes32 algorithm, uint8 kinds);
    /// @notice A dispute went to the arbitrator: `party` opened it about `category` (Rejection: the model;
    ///         Appeal: the party's disqualification; Confirmation: the inputs it handed over).
    event DisputeOpened(uint256 indexed disputeId, DisputeKind kind, uint8 category, address party);
    /// @notice The arbitrator ruled (1: for the party that opened it, 2: against, 0: refused) and what it moved:
    ///         `amount` is the compensation of an upheld appeal, or the bond forfeited by a rejected delivery.
    event DisputeRuled(uint256 indexed disputeId, DisputeKind kind, address party, uint256 ruling, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Least warning before bidding closes: an early close takes effect NOTICE after it is announced,
    ///         and a disqualification of the best bid leaves at least NOTICE for the others to react.
    uint256 public constant NOTICE = 10 minutes;
    uint256 internal constant CATEGORIES = 3;
    uint256 internal constant INFRASTRUCTURE = 2;
    uint8 internal constant DISQUALIFIED = 1;
    uint8 internal constant DAG_PB = 2;
    uint8 internal constant BOND_RETURNED = 4;
    uint8 internal constant APPEALED = 8;
    uint8 internal constant OVERTURNED = 16;
    /// @notice Rulings: 0 refuses to arbitrate (the situation before the dispute stands), 1 is for the party
    ///         that opened the dispute, 2 against it.
    uint256 internal constant FOR_OPENER = 1;
    uint256 internal constant AGAINST_OPENER = 2;
    uint8 internal constant RECORD_REQUIRED = 2; // bit 1 of the requirementsKind byte: bids need a record
    uint8 internal constant CLIENT_BIT = 8;
    uint8 internal constant PHASE = 3; // meta bits 0-1
    uint8 internal constant CLOSING = 3; // phase: bidding ends at _status.adjudicatedAt
    uint8 internal constant BEST_DAG_PB = 4; // meta bit 2
    uint256 internal constant BIDDER_PRICE = (1 << 232) - 1; // bidder | price of a raw Best word

    /// @dev Offsets of the immutable args inside the clone's code (after the 0x2d-byte EIP-1167 body).
    uint256 internal constant ARGS = 0x2d;
    uint256 internal constant A_CLIENT = 0; // address, 20
    uint256 internal constant A_DEADLINE = 20; // uint40, 5
    uint256 internal constant A_DELIVERY = 25; // uint32, 4
    uint256 internal constant A_ACK = 29; // uint32, 4
    uint256 internal constant A_MIN_REFS = 33; // uint8, 1
    uint256 internal constant A_REQ_KIND = 34; // uint8, 1
    uint256 internal constant A_ONTOLOGY = 35; // uint32, 4
    uint256 internal constant A_INDEX = 39; // uint64, 8
    uint256 internal constant A_RESERVE = 47; // uint96, 12
    uint256 internal constant A_MAX_PRICE = 59; // 3 x uint72, 9 each
    uint256 internal constant A_REQUIREMENTS = 86; // bytes32
    uint256 internal constant A_BONDS = 118; // 3 x uint72, 9 each
    uint256 internal constant ARGS_LENGTH = 145;
    /// @dev The restitution tail, only in clones whose terms name an arbitrator, a minimum reference value or a
    ///      required record: a shorter clone reads it as zeros (EXTCODECOPY pads), so the default costs nothing.
    uint256 internal constant A_ARBITRATOR = 145; // address, 20
    uint256 internal constant A_CONFIRM = 165; // uint32, 4: the infrastructure winner confirms within it
    uint256 internal constant A_APPEAL = 169; // uint32, 4: appeals within it after the close
    uint256 internal constant A_MIN_REF_VALUE = 173; // uint72, 9: least price a reference must have paid
    uint256 internal constant A_MIN_COMPLETED = 182; // uint8, 1: least completed auctions in the record
    uint256 internal constant A_LOST_LIMIT = 183; // uint8, 1: 0 no limit, n: fewer than n disputes lost

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice The Factory that deployed this implementation, hence every clone of it.
    address public immutable factory;

    Status internal _status;
    bytes32 internal _model;
    Best[3] internal _best;
    mapping(uint256 category => mapping(address bidder => Node)) internal _nodes;
    /// @dev The best bid's asset digest per category (the SLA's asset once settled).
    bytes32[3] internal _bestAsset;
    /// @dev Disputes by the arbitrator's id: party (160) | kind (8) | category (8) | open (8) | ruling (8).
    mapping(uint256 disputeId => uint256) internal _disputes;
    /// @dev Wei granted to upheld appeals, out of the client's share; and what each appellant has yet to take.
    uint256 internal _compensated;
    mapping(address appellant => uint256 amount) internal _compensation;

    constructor() {
        factory = msg.sender;
    }

    /*//////////////////////////////////////////////////////////////
                              BIDDING LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @notice Offer `asset` for `category` at `price`; a bidder's later bid must undercut its own earlier one.
    /// @dev A bidder's first bid in a category locks the category's bond (msg.value, exactly), later ones send
    ///      nothing. No cap on bidders or bids: a spammer pays a bond and a new slot per address, nobody else
    ///      pays anything for it. References are completed auctions of the same Factory in which the bidder
    ///      won this category, given in strictly ascending address order so none counts twice.
    function bid(uint8 category, uint256 price, bytes32 asset, uint8 assetKind, address[] calldata references)
        external
        payable
    {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        if (assetKind > 1) revert UnsupportedCid(assetKind);
        // Raw slot words (see Best and Node for the layouts): one SLOAD and one SSTORE each, no field copies.
        uint256 b;
        assembly ("memory-safe") {
            b := sload(add(_best.slot, category))
        }
        uint256 meta = b >> 248;
        _checkTerms(category, price, references.length, meta);
        if (references.length != 0) _checkReferences(category, references);

        // _nodes[category][msg.sender] and the asset commitment, hashed in the scratch space.
        uint256 slot;
        uint256 commitment;
        uint256 n;
        assembly ("memory-safe") {
            mstore(0x00, category)
            mstore(0x20, _nodes.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, caller())
            slot := keccak256(0x00, 0x40)
            n := sload(slot)
            mstore(0x00, asset)
            // = uint160(_commit(asset)) << 96: the hash's first 20 bytes where Node keeps `asset`
            commitment := and(keccak256(0x00, 0x20), not(0xffffffffffffffffffffffff))
        }
        uint256 previous = uint72(n);
        if (previous != 0) {
            if ((n >> 88) & DISQUALIFIED != 0) revert BidderDisqualified(category, msg.sender);
            if (price >= previous) revert BidNotLower(price, previous);
            if (msg.value != 0) revert WrongBond(msg.value, 0);
        } else {
            uint256 bond = _arg(A_BONDS + 9 * category, 72);
            if (msg.value != bond) revert WrongBond(msg.value, bond);
        }
        uint256 flags = assetKind == 1 ? DAG_PB : 0;
        n = price | flags << 88 | commitment;
        assembly ("memory-safe") {
            sstore(slot, n)
        }
        if (uint160(b) == 0 || price < uint72(b >> 160)) {
            // A new best (the best bidder lowering its own price lands here too: its asset may change).
            meta = assetKind == 1 ? meta | BEST_DAG_PB : meta & ~uint256(BEST_DAG_PB);
            b = uint256(uint160(msg.sender)) | price << 160 | meta << 248;
            assembly ("memory-safe") {
                sstore(add(_best.slot, category), b)
            }
            _bestAsset[category] = asset;
        }
        // price <= maxPrice < 2**72, category < 3 and assetKind <= 1 were checked above.
        emit BidPlaced(
            uint256(uint160(msg.sender)) | price << 160 | uint256(category) << 232 | uint256(assetKind) << 240, asset
        );
    }

    /// @notice The client excludes a bid whose asset does not match, citing a public reason (a CID: the matcher's report).
    /// @dev Never reverts because of what other bidders sent meanwhile: when the best bid is disqualified the
    ///      client nominates the fallback (`next`, with its asset digest, read from the events); if the nominee
    ///      no longer checks out (it re-bid, or was disqualified) the category is left without a best, and any
    ///      lower standing bid can be `promote`d, for which the close is pushed to at least NOTICE from now.
    ///      A disqualified bidder cannot bid again in that category: it protects the client from re-spam.
    function disqualify(
        uint8 category,
        address bidder,
        bytes32 reason,
        uint8 reasonKind,
        address next,
        bytes32 nextAsset
    ) external {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        if (reasonKind > 1) revert UnsupportedCid(reasonKind);
        if (msg.sender != _client()) revert NotClient(msg.sender);
        Best memory best = _best[category];
        uint256 closes = _requireOpen(best.meta);
        Node storage node = _nodes[category][bidder];
        if (node.price == 0) revert NoSuchBid(category, bidder);
        if (node.flags & DISQUALIFIED != 0) revert AlreadyDisqualified(category, bidder);
        node.flags |= DISQUALIFIED;
        address replacement = best.bidder;
        if (best.bidder == bidder) {
            (best.bidder, best.price) = (address(0), 0);
            replacement = address(0);
            if (next != address(0) && next != bidder) {
                Node memory other = _nodes[category][next];
                if (other.price != 0 && other.flags & DISQUALIFIED == 0 && _commit(nextAsset) == other.asset) {
                    (best.bidder, best.price) = (next, other.price);
                    best.meta = other.flags & DAG_PB != 0 ? best.meta | BEST_DAG_PB : best.meta & ~BEST_DAG_PB;
                    _bestAsset[category] = nextAsset;
                    replacement = next;
                }
            }
            _best[category] = best;
            if (closes < block.timestamp + NOTICE) _closeAt(block.timestamp + NOTICE);
        }
        emit BidDisqualified(category, bidder, reason, reasonKind, replacement);
    }

    /// @notice Makes `bidder`'s standing bid the best when it is lower than the best (or there is none):
    ///         the remedy when a disqualification left a worse bid, or none, in place. Anyone may call it.
    function promote(uint8 category, address bidder, bytes32 asset) external {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        Best memory best = _best[category];
        _requireOpen(best.meta);
        Node memory node = _nodes[category][bidder];
        if (node.price == 0) revert NoSuchBid(category, bidder);
        if (node.flags & DISQUALIFIED != 0) revert BidderDisqualified(category, bidder);
        if (_commit(asset) != node.asset) revert AssetMismatch(bidder, asset);
        if (best.bidder != address(0) && node.price >= best.price) revert NotBetter(node.price, best.price);
        (best.bidder, best.price) = (bidder, node.price);
        best.meta = node.flags & DAG_PB != 0 ? best.meta | BEST_DAG_PB : best.meta & ~BEST_DAG_PB;
        _best[category] = best;
        _bestAsset[category] = asset;
        emit BidPromoted(category, bidder, node.price);
    }

    /*//////////////////////////////////////////////////////////////
                            ADJUDICATION LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @notice The client closes bidding early: it ends NOTICE from now (or at the deadline if sooner), so a
    ///         bid already sent still lands; past the close it settles the SLA at once.
    function adjudicate() external {
        if (msg.sender != _client()) revert NotClient(msg.sender);
        (Status memory s, uint256 closes) = _requireBidding();
        if (block.timestamp >= closes) {
            _settle(s, closes);
            return;
        }
        uint256 when = block.timestamp + NOTICE;
        if (when < closes) _closeAt(when);
        else emit CloseAnnounced(closes); // the close is already less than NOTICE away: it stays
    }

    /// @notice Anyone settles the auction once bidding has ended (the paper's automatic adjudication).
    function settle() external {
        (Status memory s, uint256 closes) = _requireBidding();
        if (block.timestamp < closes) revert BiddingStillOpen(closes);
        _settle(s, closes);
    }

    /*//////////////////////////////////////////////////////////////
                            RESTITUTION LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @notice The infrastructure winner confirms it received the data and algorithm winners' sealed inputs
    ///         (their CIDs, checked off chain against the committed content): from now on those winners are
    ///         owed their price whatever happens to the model.
    function confirmInputs(bytes32 data, bytes32 algorithm, uint8 kinds) external {
        if (kinds > 3) revert UnsupportedCid(kinds);
        Status memory s = _current();
        if (s.state != State.Adjudicated) revert WrongState(s.state);
        if (msg.sender != _best[INFRASTRUCTURE].bidder) revert NotInfrastructureWinner(msg.sender);
        if (s.confirmedAt != 0) revert AlreadyConfirmed(s.confirmedAt);
        uint256 due = s.adjudicatedAt + _arg(A_DELIVERY, 32);
        if (block.timestamp >= due) revert DeliveryDeadlinePassed(due);
        s.confirmedAt = uint40(block.timestamp);
        _status = s;
        emit InputsConfirmed(msg.sender, data, algorithm, kinds);
    }

    /// @notice The infrastructure winner hands over the trained (encrypted) model before the delivery deadline.
    /// @dev A delivery confirms the inputs too (a model proves they arrived), so the honest path needs no extra call.
    function deliver(bytes32 model, uint8 modelKind) external {
        if (modelKind > 1) revert UnsupportedCid(modelKind);
        Status memory s = _current();
        if (s.state != State.Adjudicated) revert WrongState(s.state);
        if (msg.sender != _best[INFRASTRUCTURE].bidder) revert NotInfrastructureWinner(msg.sender);
        uint256 due = s.adjudicatedAt + _arg(A_DELIVERY, 32);
        if (block.timestamp >= due) revert DeliveryDeadlinePassed(due);
        s.state = State.Delivered;
        s.deliveredAt = uint40(block.timestamp);
        s.modelKind = modelKind;
        if (s.confirmedAt == 0) s.confirmedAt = uint40(block.timestamp);
        _status = s;
        _model = model;
        emit ModelDelivered(msg.sender, model, modelKind);
    }

    /// @notice The client accepts the model: winners' prices and the unspent reserve become withdrawable.
    /// @dev Allowed after the acknowledgment window too, as long as no winner has claimed yet.
    function acknowledge() external {
        if (msg.sender != _client()) revert NotClient(msg.sender);
        Status memory s = _effective();
        if (s.state != State.Delivered) revert WrongState(s.state);
        _status.state = State.Completed;
        emit DeliveryAcknowledged(msg.sender);
    }

    /// @notice The client recovers the reserve when nothing was delivered in time, or when the auction failed.
    /// @dev When the inputs were confirmed the infrastructure winner forfeits its bond (State.Forfeited): the data
    ///      and algorithm winners are paid, from that bond first, and the client gets the rest of the reserve.
    function cancel() external {
        if (msg.sender != _client()) revert NotClient(msg.sender);
        Status memory s = _current();
        if (s.state == State.Adjudicated) {
            uint256 due = s.adjudicatedAt + _arg(A_DELIVERY, 32);
            if (block.timestamp < due) revert DeliveryWindowOpen(due);
            if (s.openDisputes != 0) revert DisputePending(s.openDisputes);
        } else if (s.state != State.Failed) {
            revert WrongState(s.state);
        }
        _status.state = s.confirmedAt != 0 && s.state == State.Adjudicated ? State.Forfeited : State.Cancelled;
        emit AuctionCancelled(msg.sender);
    }

    /// @notice A winner gets paid when the client stays silent past the acknowledgment window.
    /// @dev Protects providers, who have no other recourse; the unspent reserve still returns to the client.
    function claim() external {
        Status memory s = _effective();
        if (s.state != State.Delivered) revert WrongState(s.state);
        if (!_isWinner(msg.sender)) revert NotWinner(msg.sender);
        uint256 due = s.deliveredAt + _arg(A_ACK, 32);
        if (block.timestamp < due) revert AcknowledgmentWindowOpen(due);
        _status.state = State.Claimed;
        emit PaymentClaimed(msg.sender);
    }

    /// @notice Pull payment of everything the caller is owed now: pay, the unspent reserve, returned bonds,
    ///         an upheld appeal's compensation (settles first when bidding has ended). A winner paid for a
    ///         completed auction has it written into its record at the Factory.
    function withdraw() external nonReentrant {
        Status memory s = _current();
        (uint256 amount, uint8 bits) = _owed(s, msg.sender);
        (uint256 bondsBack, uint256 returned) = _bondsOwed(s, msg.sender);
        amount += bondsBack;
        if (_arbitrator() != address(0)) {
            uint256 compensation = _compensation[msg.sender];
            if (compensation != 0) {
                _compensation[msg.sender] = 0;
                amount += compensation;
            }
        }
        if (amount == 0) revert NothingOwed(msg.sender);
        if (bits != 0) _status.withdrawn = s.withdrawn | bits;
        for (uint256 c; c < CATEGORIES; ++c) {
            if (returned & (1 << c) != 0) _nodes[c][msg.sender].flags |= BOND_RETURNED;
            if (s.state == State.Completed && bits & (1 << c) != 0) {
                IFactory(factory).recordCompletion(msg.sender, uint8(c), _best[c].price);
            }
        }
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
        emit Withdrawn(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                             DISPUTE LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @notice The client contests the delivered model within the acknowledgment window, citing `evidence` (an
    ///         ERC-1497 URI: its evaluation report). Nobody is paid until the arbitrator rules; the client
    ///         advances the arbitration fee (msg.value).
    function reject(string calldata evidence) external payable {
        IArbitrator arbitrator = _requireArbitrator();
        if (msg.sender != _client()) revert NotClient(msg.sender);
        Status memory s = _effective();
        if (s.state != State.Delivered) revert WrongState(s.state);
        uint256 due = s.deliveredAt + _arg(A_ACK, 32);
        if (block.timestamp >= due) revert AcknowledgmentWindowClosed(due);
        s.state = State.Rejected;
        s.openDisputes += 1;
        _status = s;
        _openDispute(arbitrator, DisputeKind.Rejection, INFRASTRUCTURE, evidence);
    }

    /// @notice A disqualified bidder contests its disqualification within the appeal window after the close
    ///         (advancing the fee); upheld, the client owes it its bid price out of the client's own share.
    function appeal(uint8 category, string calldata evidence) external payable {
        IArbitrator arbitrator = _requireArbitrator();
        if (category >= CATEGORIES) revert UnknownCategory(category);
        Status memory s = _current();
        if (s.state == State.Bidding) revert WrongState(s.state);
        uint256 due = s.adjudicatedAt + _arg(A_APPEAL, 32);
        if (block.timestamp >= due) revert AppealWindowClosed(due);
        Node storage node = _nodes[category][msg.sender];
        uint8 flags = node.flags;
        if (flags & DISQUALIFIED == 0) revert NotDisqualified(category, msg.sender);
        if (flags & APPEALED != 0) revert AlreadyAppealed(category, msg.sender);
        node.flags = flags | APPEALED;
        _status.openDisputes = s.openDisputes + 1;
        _openDispute(arbitrator, DisputeKind.Appeal, category, evidence);
    }

    /// @notice A data or algorithm winner whose inputs the infrastructure winner did not confirm within the
    ///         confirmation window asks the arbitrator to find that they were handed over (its proof of sending:
    ///         the sealed CIDs, in `evidence`); upheld, it counts as confirmed.
    function disputeConfirmation(string calldata evidence) external payable {
        IArbitrator arbitrator = _requireArbitrator();
        Status memory s = _current();
        if (s.state != State.Adjudicated) revert WrongState(s.state);
        uint256 category = msg.sender == _best[0].bidder ? 0 : msg.sender == _best[1].bidder ? 1 : CATEGORIES;
        if (category == CATEGORIES) revert NotInputWinner(msg.sender);
        if (s.confirmedAt != 0) revert AlreadyConfirmed(s.confirmedAt);
        if (s.confirmationDisputed) revert ConfirmationAlreadyDisputed();
        uint256 from = s.adjudicatedAt + _arg(A_CONFIRM, 32);
        if (block.timestamp < from) revert ConfirmationWindowOpen(from);
        uint256 due = s.adjudicatedAt + _arg(A_DELIVERY, 32);
        if (block.timestamp >= due) revert DeliveryDeadlinePassed(due);
        s.confirmationDisputed = true;
        s.openDisputes += 1;
        _status = s;
        _openDispute(arbitrator, DisputeKind.Confirmation, category, evidence);
    }

    /// @notice Anyone adds evidence (an ERC-1497 URI) to an open dispute of this auction.
    function submitEvidence(uint256 disputeId, string calldata evidence) external {
        uint256 d = _disputes[disputeId];
        if (uint8(d >> 176) != 1) revert UnknownDispute(disputeId);
        emit Evidence(IArbitrator(_arbitrator()), disputeId, msg.sender, evidence);
    }

    /// @inheritdoc IArbitrable
    /// @dev The ruling splits the escrow and the bonds: a rejection upheld forfeits the infrastructure bond (the
    ///      data and algorithm winners are still paid, the client gets the rest), refused it completes the
    ///      auction; an appeal upheld grants the appellant its bid price out of the client's share (capped by
    ///      what that share can always pay); a missing confirmation upheld counts as confirmed. The loser of a
    ///      ruling that is a provider gets a lost dispute in its record at the Factory.
    function rule(uint256 disputeId, uint256 ruling) external {
        address arbitrator = _arbitrator();
        if (msg.sender != arbitrator || arbitrator == address(0)) revert NotArbitrator(msg.sender);
        uint256 d = _disputes[disputeId];
        if (uint8(d >> 176) != 1) revert UnknownDispute(disputeId);
        if (ruling > AGAINST_OPENER) revert InvalidRuling(ruling);
        _disputes[disputeId] = (d & ~(uint256(0xffff) << 176)) | ruling << 184;
        address party = address(uint160(d));
        DisputeKind kind = DisputeKind(uint8(d >> 160));
        uint8 category = uint8(d >> 168);
        Status memory s = _load();
        s.openDisputes -= 1;
        uint256 amount;
        address infrastructure = _best[INFRASTRUCTURE].bidder;
        if (kind == DisputeKind.Rejection) {
            if (ruling == FOR_OPENER) {
                s.state = State.Forfeited;
                amount = _arg(A_BONDS + 9 * INFRASTRUCTURE, 72);
                IFactory(factory).recordDisputeLost(infrastructure, uint8(INFRASTRUCTURE));
            } else {
                s.state = ruling == AGAINST_OPENER ? State.Completed : State.Claimed;
            }
        } else if (kind == DisputeKind.Appeal) {
            if (ruling == FOR_OPENER) {
                amount = _nodes[category][party].price;
                uint256 available = _clientFloor() - _compensated;
                if (amount > available) amount = available;
                _compensated += amount;
                _compensation[party] += amount;
                _nodes[category][party].flags |= OVERTURNED;
            } else if (ruling == AGAINST_OPENER) {
                IFactory(factory).recordDisputeLost(party, category);
            }
        } else {
            if (ruling == FOR_OPENER) {
                if (s.confirmedAt == 0) s.confirmedAt = uint40(block.timestamp);
                IFactory(factory).recordDisputeLost(infrastructure, uint8(INFRASTRUCTURE));
            } else if (ruling == AGAINST_OPENER) {
                IFactory(factory).recordDisputeLost(party, category);
            }
        }
        _status = s;
        emit Ruling(IArbitrator(arbitrator), disputeId, ruling);
        emit DisputeRuled(disputeId, kind, party, ruling, amount);
    }

    /// @dev Registers a dispute at the arbitrator (forwarding the fee the caller sent) and emits the ERC-1497 events.
    function _openDispute(IArbitrator arbitrator, DisputeKind kind, uint256 category, string calldata evidence)
        internal
    {
        uint256 id = arbitrator.createDispute{value: msg.value}(2, "");
        if (_disputes[id] != 0) revert UnknownDispute(id);
        _disputes[id] = uint256(uint160(msg.sender)) | uint256(kind) << 160 | category << 168 | 1 << 176;
        emit DisputeOpened(id, kind, uint8(category), msg.sender);
        emit Dispute(arbitrator, id, uint256(kind), id);
        emit Evidence(arbitrator, id, msg.sender, evidence);
    }

    function _requireArbitrator() internal view returns (IArbitrator arbitrator) {
        arbitrator = IArbitrator(_arbitrator());
        if (address(arbitrator) == address(0)) revert NoArbitrator();
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The state as the next call would see it (Bidding past its close reads as settled).
    function state() external view returns (State) {
        return _effective().state;
    }

    /// @notice The auction's terms, decoded from the clone's immutable args (bonds: `bonds()`).
    function terms()
        external
        view
        returns (
            address client,
            bytes32 requirements,
            uint8 requirementsKind,
            uint32 ontologyVersion,
            uint256[3] memory maxPrices,
            uint256 reserve,
            uint256 biddingDeadline,
            uint256 deliveryWindow,
            uint256 acknowledgmentWindow,
            uint256 minReferences
        )
    {
        client = _client();
        requirements = bytes32(_arg(A_REQUIREMENTS, 256));
        requirementsKind = uint8(_arg(A_REQ_KIND, 8)) & 1;
        ontologyVersion = uint32(_arg(A_ONTOLOGY, 32));
        for (uint256 c; c < CATEGORIES; ++c) {
            maxPrices[c] = _arg(A_MAX_PRICE + 9 * c, 72);
        }
        reserve = _arg(A_RESERVE, 96);
        biddingDeadline = _arg(A_DEADLINE, 40);
        deliveryWindow = _arg(A_DELIVERY, 32);
        acknowledgmentWindow = _arg(A_ACK, 32);
        minReferences = _arg(A_MIN_REFS, 8);
    }

    /// @notice The restitution terms: the arbitrator (zero: none, the timeouts decide), the confirmation and
    ///         appeal windows (seconds), the least price a reference must have paid, and the record a bidder
    ///         needs at the Factory (completed auctions; lostLimit 0: any number of lost disputes, n: fewer than n).
    function restitutionTerms()
        external
        view
        returns (
            address arbitrator,
            uint256 confirmationWindow,
            uint256 appealWindow,
            uint256 minReferenceValue,
            uint256 minCompleted,
            uint256 lostLimit
        )
    {
        return (
            _arbitrator(),
            _arg(A_CONFIRM, 32),
            _arg(A_APPEAL, 32),
            _arg(A_MIN_REF_VALUE, 72),
            _arg(A_MIN_COMPLETED, 8),
            _arg(A_LOST_LIMIT, 8)
        );
    }

    /// @notice A dispute of this auction by the arbitrator's id: kind (None: unknown), the category, who opened
    ///         it, whether it is still open and the ruling once given.
    function disputeOf(uint256 disputeId)
        external
        view
        returns (DisputeKind kind, uint8 category, address party, bool open, uint256 ruling)
    {
        uint256 d = _disputes[disputeId];
        return (DisputeKind(uint8(d >> 160)), uint8(d >> 168), address(uint160(d)), uint8(d >> 176) == 1, uint8(d >> 184));
    }

    /// @notice When the infrastructure winner confirmed the inputs (0: not yet), and the disputes still open.
    function confirmation() external view returns (uint256 confirmedAt, uint256 openDisputes, bool disputed) {
        Status memory s = _status;
        return (s.confirmedAt, s.openDisputes, s.confirmationDisputed);
    }

    /// @notice The bond a bidder locks with its first bid in each category (wei).
    function bonds() external view returns (uint256[3] memory amounts) {
        for (uint256 c; c < CATEGORIES; ++c) {
            amounts[c] = _arg(A_BONDS + 9 * c, 72);
        }
    }

    /// @notice When bidding ends: the deadline, unless an early close was announced or a close pushed back.
    function closesAt() external view returns (uint256) {
        return _closesAt(_best[0].meta);
    }

    /// @notice The ontology CID the client pinned (or the current one when the auction was created).
    function ontology() external view returns (bytes32 digest, uint8 kind) {
        return IFactory(factory).ontologyAt(uint32(_arg(A_ONTOLOGY, 32)));
    }

    /// @notice A bidder's standing bid in a category (price 0: none; a nonzero price means its bond is held).
    function bidOf(uint8 category, address bidder)
        external
        view
        returns (uint256 price, bool disqualified, bytes20 assetCommitment, uint8 assetKind, bool bondReturned)
    {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        Node memory node = _nodes[category][bidder];
        return (
            node.price,
            node.flags & DISQUALIFIED != 0,
            node.asset,
            node.flags & DAG_PB != 0 ? 1 : 0,
            node.flags & BOND_RETURNED != 0
        );
    }

    /// @notice Whether `bidder` appealed its disqualification in `category`, and whether the appeal was upheld.
    function appealOf(uint8 category, address bidder) external view returns (bool appealed, bool upheld) {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        uint8 flags = _nodes[category][bidder].flags;
        return (flags & APPEALED != 0, flags & OVERTURNED != 0);
    }

    /// @notice The lowest valid bid of a category (after settlement: the SLA's winner), zero address if none.
    function bestBid(uint8 category) external view returns (address bidder, uint256 price, bytes32 asset, uint8 assetKind) {
        if (category >= CATEGORIES) revert UnknownCategory(category);
        Best memory best = _best[category];
        if (best.bidder == address(0)) return (address(0), 0, 0, 0);
        return (best.bidder, best.price, _bestAsset[category], best.meta & BEST_DAG_PB != 0 ? 1 : 0);
    }

    /// @notice Timestamps of the restitution phase and the delivered model (zero until they happen).
    function restitution()
        external
        view
        returns (
            uint256 adjudicatedAt,
            uint256 deliveryDeadline,
            uint256 deliveredAt,
            uint256 acknowledgmentDeadline,
            bytes32 model,
            uint8 modelKind
        )
    {
        Status memory s = _effective();
        if (s.state == State.Bidding) return (0, 0, 0, 0, 0, 0);
        adjudicatedAt = s.adjudicatedAt;
        if (s.state != State.Failed) deliveryDeadline = s.adjudicatedAt + _arg(A_DELIVERY, 32);
        deliveredAt = s.deliveredAt;
        if (s.deliveredAt != 0) acknowledgmentDeadline = s.deliveredAt + _arg(A_ACK, 32);
        model = _model;
        modelKind = s.modelKind;
    }

    /// @notice What `withdraw()` would pay `account` now.
    function owed(address account) external view returns (uint256 amount) {
        Status memory s = _effective();
        (amount,) = _owed(s, account);
        (uint256 bondsBack,) = _bondsOwed(s, account);
        amount += bondsBack + _compensation[account];
    }

    /// @notice Seconds until bidding closes (0 once closed).
    function timeLeft() external view returns (uint256) {
        uint256 meta = _best[0].meta;
        uint256 closes = _closesAt(meta);
        if (meta & PHASE == 1 || meta & PHASE == 2 || block.timestamp >= closes) return 0;
        return closes - block.timestamp;
    }

    /// @notice Whether `bidder` won `category` here and the client acknowledged: a valid reference elsewhere.
    function wonCompleted(address bidder, uint8 category) external view returns (bool) {
        return category < CATEGORIES && _status.state == State.Completed && _best[category].bidder == bidder;
    }

    /// @notice What a reference to this auction proves for `bidder` in `category`: whether it won and the auction
    ///         completed (acknowledged, or a rejection ruled for the provider), who the client was, what it paid.
    function referenceOf(address bidder, uint8 category)
        external
        view
        returns (bool completed, address client, uint256 paid)
    {
        if (category >= CATEGORIES) return (false, address(0), 0);
        Best memory best = _best[category];
        completed = _status.state == State.Completed && best.bidder == bidder;
        return (completed, _client(), completed ? best.price : 0);
    }

    /*//////////////////////////////////////////////////////////////
                             INTERNAL LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @dev The checks against the auction's terms, apart so that `bid` keeps its variables on the stack
    ///      (spilling them to memory would make every call of the contract pay for the reserved memory).
    function _checkTerms(uint256 category, uint256 price, uint256 refCount, uint256 meta) internal view {
        // The first 64 bytes of the args (client, deadline, windows, min references) in one EXTCODECOPY
        // into the scratch space, instead of one per field.
        uint256 w0;
        uint256 w1;
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, ARGS, 0x40)
            w0 := mload(0x00)
            w1 := mload(0x20)
        }
        uint256 closes = uint40(w0 >> (256 - 8 * A_DEADLINE - 40));
        uint256 phase = meta & PHASE;
        if (phase == CLOSING) closes = _status.adjudicatedAt;
        if ((phase != 0 && phase != CLOSING) || block.timestamp >= closes) revert BiddingClosed(closes);
        if (msg.sender == address(uint160(w0 >> 96))) revert ClientCannotBid(msg.sender);
        if (price == 0) revert PriceZero();
        uint256 maxPrice = _arg(A_MAX_PRICE + 9 * category, 72);
        if (price > maxPrice) revert PriceAboveMax(price, maxPrice);
        uint256 required = uint8(w1 >> (256 - 8 * (A_MIN_REFS - 32) - 8));
        if (refCount < required) revert TooFewReferences(refCount, required);
        if (uint8(w1 >> (256 - 8 * (A_REQ_KIND - 32) - 8)) & RECORD_REQUIRED != 0) _checkRecord(category);
    }

    /// @dev The bidder's record in the Factory must meet the terms (read only when the terms require one).
    function _checkRecord(uint256 category) internal view {
        (uint256 completed,, uint256 lost) = IFactory(factory).recordOf(msg.sender, uint8(category));
        uint256 minCompleted = _arg(A_MIN_COMPLETED, 8);
        if (completed < minCompleted) revert RecordTooShort(completed, minCompleted);
        uint256 limit = _arg(A_LOST_LIMIT, 8);
        if (limit != 0 && lost >= limit) revert TooManyDisputesLost(lost, limit - 1);
    }

    /// @dev A reference counts when it is a completed auction of this Factory that the bidder won in this
    ///      category, whose client is neither the bidder nor this auction's client, and that paid the bidder at
    ///      least the minimum of the terms (so a reference costs what it proves).
    function _checkReferences(uint8 category, address[] calldata references) internal view {
        IFactory f = IFactory(factory);
        uint256 minimum = _arg(A_MIN_REF_VALUE, 72);
        address client = _client();
        for (uint256 i; i < references.length; ++i) {
            address ref = references[i];
            if (i != 0 && ref <= references[i - 1]) revert ReferencesNotAscending(i);
            if (!f.isAuction(ref)) revert ReferenceNotAuction(ref);
            (bool completed, address refClient, uint256 paid) = Auction(ref).referenceOf(msg.sender, category);
            if (!completed) revert ReferenceNotWon(ref);
            if (refClient == msg.sender || refClient == client) revert ReferenceSelfDealt(ref, refClient);
            if (paid < minimum) revert ReferenceTooSmall(ref, paid, minimum);
        }
    }

    /// @dev When bidding ends, given the meta of a category's Best slot: the stored close while Closing.
    function _closesAt(uint256 meta) internal view returns (uint256) {
        return meta & PHASE == CLOSING ? _status.adjudicatedAt : _arg(A_DEADLINE, 40);
    }

    /// @dev Reverts unless bids and disqualifications are still accepted; returns when bidding ends.
    function _requireOpen(uint256 meta) internal view returns (uint256 closes) {
        closes = _closesAt(meta);
        uint256 phase = meta & PHASE;
        if ((phase != 0 && phase != CLOSING) || block.timestamp >= closes) revert BiddingClosed(closes);
    }

    /// @dev Bidding now ends at `when`: phase Closing in all three Best slots (a bid reads only its own), the
    ///      time in `_status.adjudicatedAt` (which becomes the adjudication time once settled).
    function _closeAt(uint256 when) internal {
        uint256 closing = uint256(CLOSING) << 248;
        assembly ("memory-safe") {
            let s := _best.slot
            sstore(s, or(sload(s), closing))
            sstore(add(s, 1), or(sload(add(s, 1)), closing))
            sstore(add(s, 2), or(sload(add(s, 2)), closing))
        }
        _status.adjudicatedAt = uint40(when);
        emit CloseAnnounced(when);
    }

    /// @dev Settles when bidding has ended, so that any later call acts on the SLA (automatic adjudication).
    function _current() internal returns (Status memory s) {
        s = _load();
        if (s.state == State.Bidding) {
            uint256 closes = _closesAt(_best[0].meta);
            if (block.timestamp >= closes) s = _settle(s, closes);
        }
    }

    /// @dev The stored state: Status once past adjudication, else the phase kept in the Best slots
    ///      (Closing is still Bidding). adjudicatedAt is stored only for a close other than the deadline.
    function _load() internal view returns (Status memory s) {
        s = _status;
        if (s.state == State.Bidding) {
            uint256 phase = _best[0].meta & PHASE;
            if (phase != CLOSING) s.state = State(phase);
        }
        if (s.adjudicatedAt == 0 && s.state != State.Bidding) s.adjudicatedAt = uint40(_arg(A_DEADLINE, 40));
    }

    /// @dev Reverts unless bidding is still the phase; returns the state and when bidding ends.
    function _requireBidding() internal view returns (Status memory s, uint256 closes) {
        uint256 phase = _best[0].meta & PHASE;
        if (phase != 0 && phase != CLOSING) {
            s = _load();
            revert WrongState(s.state);
        }
        // While bidding nothing but the close time is in `_status` (all zero unless Closing).
        if (phase == CLOSING) {
            s = _status;
            closes = s.adjudicatedAt;
        } else {
            closes = _arg(A_DEADLINE, 40);
        }
    }

    function _effective() internal view returns (Status memory s) {
        s = _load();
        if (s.state == State.Bidding) {
            uint256 closes = _closesAt(_best[0].meta);
            if (block.timestamp >= closes) {
                s.state = State.Adjudicated;
                for (uint256 c; c < CATEGORIES; ++c) {
                    if (_best[c].bidder == address(0)) s.state = State.Failed;
                }
                s.adjudicatedAt = uint40(closes);
            }
        }
    }

    /// @dev Works on the raw Best words (bidder | price | spare | meta, low bits first): the low 232 bits
    ///      are already the event's bidder | price, so a winner word is one mask and two ORs. Unrolled,
    ///      and the event written directly, because this runs once per auction on someone's dime. Only
    ///      slot 0 records the outcome: past the close no bid or disqualification can land in any slot.
    ///      A close other than the deadline is already in `_status.adjudicatedAt` (see `_closeAt`).
    function _settle(Status memory s, uint256 closedAt) internal returns (Status memory) {
        uint256 w0;
        uint256 w1;
        uint256 w2;
        assembly ("memory-safe") {
            w0 := sload(_best.slot)
            w1 := sload(add(_best.slot, 1))
            w2 := sload(add(_best.slot, 2))
        }
        uint256 outcome = uint160(w0) == 0 || uint160(w1) == 0 || uint160(w2) == 0
            ? uint256(State.Failed)
            : uint256(State.Adjudicated);
        bytes32 a0 = uint160(w0) != 0 ? _bestAsset[0] : bytes32(0);
        bytes32 a1 = uint160(w1) != 0 ? _bestAsset[1] : bytes32(0);
        bytes32 a2 = uint160(w2) != 0 ? _bestAsset[2] : bytes32(0);
        uint256 cleared = ~(uint256(PHASE) << 248);
        uint256 phase = outcome << 248;
        assembly ("memory-safe") {
            sstore(_best.slot, or(and(w0, cleared), phase))
        }
        s.state = State(outcome);
        s.adjudicatedAt = uint40(closedAt);
        // emit AuctionSettled([winner words], [a0, a1, a2]), ABI-encoded by hand (six static words).
        bytes32 topic = AuctionSettled.selector;
        uint256 tag = outcome << 232;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, or(or(and(w0, BIDDER_PRICE), tag), shl(240, and(shr(250, w0), 1))))
            mstore(add(p, 0x20), or(or(and(w1, BIDDER_PRICE), tag), shl(240, and(shr(250, w1), 1))))
            mstore(add(p, 0x40), or(or(and(w2, BIDDER_PRICE), tag), shl(240, and(shr(250, w2), 1))))
            mstore(add(p, 0x60), a0)
            mstore(add(p, 0x80), a1)
            mstore(add(p, 0xa0), a2)
            log1(p, 0xc0, topic)
        }
        return s;
    }

    function _isWinner(address account) internal view returns (bool) {
        for (uint256 c; c < CATEGORIES; ++c) {
            if (_best[c].bidder == account) return true;
        }
        return false;
    }

    /// @dev Whether an SLA was fixed (every category had a winner), as opposed to a failed auction.
    function _hasSla() internal view returns (bool) {
        return _best[0].bidder != address(0) && _best[1].bidder != address(0) && _best[2].bidder != address(0);
    }

    /// @dev Amount and the withdrawn bits it consumes. Completed or Claimed: each winner its price, the client the
    ///      reserve minus the prices. Forfeited (confirmed inputs, then no delivery or a rejection upheld): the data
    ///      and algorithm winners their price, the infrastructure winner nothing (its bond pays the others first,
    ///      the rest of it goes to the client), the client the reserve plus that bond minus those two prices.
    ///      Cancelled (never confirmed) or Failed: the client the reserve (plus the infrastructure bond after an
    ///      SLA). The client's share always gives up what upheld appeals were granted, and waits while an appeal
    ///      may still come or a dispute is open.
    function _owed(Status memory s, address account) internal view returns (uint256 amount, uint8 bits) {
        bool isClient = account == _client() && s.withdrawn & CLIENT_BIT == 0 && _clientFree(s);
        uint256 reserve = _arg(A_RESERVE, 96);
        if (isClient && _arbitrator() != address(0)) reserve -= _compensated;
        if (s.state == State.Failed || s.state == State.Cancelled) {
            if (!isClient) return (0, 0);
            amount = reserve;
            if (s.state == State.Cancelled && _hasSla()) amount += _arg(A_BONDS + 9 * INFRASTRUCTURE, 72);
            return (amount, CLIENT_BIT);
        }
        bool forfeited = s.state == State.Forfeited;
        if (!forfeited && s.state != State.Completed && s.state != State.Claimed) return (0, 0);
        uint256 spent;
        for (uint256 c; c < CATEGORIES; ++c) {
            Best memory best = _best[c];
            if (forfeited && c == INFRASTRUCTURE) continue;
            spent += best.price;
            if (best.bidder == account && s.withdrawn & (1 << c) == 0) {
                amount += best.price;
                bits |= uint8(1 << c);
            }
        }
        if (isClient) {
            amount += reserve - spent;
            if (forfeited) amount += _arg(A_BONDS + 9 * INFRASTRUCTURE, 72);
            bits |= CLIENT_BIT;
        }
    }

    /// @dev Whether the client's share can be paid now: always without an arbitrator; with one, once the appeal
    ///      window is over and no dispute is open (an upheld appeal is paid out of that share).
    function _clientFree(Status memory s) internal view returns (bool) {
        if (_arbitrator() == address(0)) return true;
        return s.openDisputes == 0 && block.timestamp >= s.adjudicatedAt + _arg(A_APPEAL, 32);
    }

    /// @dev The least the client's share can come to whatever the outcome (before appeals): the reserve minus the
    ///      prices once an SLA is fixed, the reserve otherwise. Upheld appeals are paid out of it, never beyond.
    function _clientFloor() internal view returns (uint256 floor) {
        floor = _arg(A_RESERVE, 96);
        if (_hasSla()) {
            for (uint256 c; c < CATEGORIES; ++c) {
                floor -= _best[c].price;
            }
        }
    }

    /// @dev Bonds `account` can take back now, and the categories they come from (bits). Once bidding is
    ///      over a loser's bond (disqualified or not) is free; a winner's stays locked until the restitution
    ///      ends (Completed or Claimed; after a Cancelled or Forfeited SLA the data and algorithm winners get
    ///      theirs back, the infrastructure winner's goes to the client, or pays the others when Forfeited).
    ///      A failed auction returns every bond.
    function _bondsOwed(Status memory s, address account) internal view returns (uint256 amount, uint256 cats) {
        if (s.state == State.Bidding) return (0, 0);
        bool sla = s.state != State.Failed && _hasSla();
        bool ended = s.state == State.Completed || s.state == State.Claimed;
        bool cancelled = s.state == State.Cancelled || s.state == State.Forfeited;
        for (uint256 c; c < CATEGORIES; ++c) {
            Node memory node = _nodes[c][account];
            if (node.price == 0 || node.flags & BOND_RETURNED != 0) continue;
            if (sla && _best[c].bidder == account) {
                if (!ended && !(cancelled && c != INFRASTRUCTURE)) continue;
            }
            amount += _arg(A_BONDS + 9 * c, 72);
            cats |= 1 << c;
        }
    }

    /// @dev Commitment to an asset digest kept in a bidder's slot.
    function _commit(bytes32 asset) internal pure returns (bytes20) {
        return bytes20(keccak256(abi.encode(asset)));
    }

    function _client() internal view returns (address) {
        return address(uint160(_arg(A_CLIENT, 160)));
    }

    function _arbitrator() internal view returns (address) {
        return address(uint160(_arg(A_ARBITRATOR, 160)));
    }

    /// @dev Reads `bits` bits at `offset` of the immutable args, from this clone's own code.
    function _arg(uint256 offset, uint256 bits) internal view returns (uint256 value) {
        assembly ("memory-safe") {
            extcodecopy(address(), 0x00, add(ARGS, offset), 0x20)
            value := shr(sub(256, bits), mload(0x00))
        }
    }
}
