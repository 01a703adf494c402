// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Auction} from "./Auction.sol";
import {IFactory} from "./IFactory.sol";

/// @title Factory
/// @notice Creates auctions as clones of one Auction implementation and keeps the marketplace's ontology CID.
/// @dev Auctions are CREATE2 clones salted with their index, so `isAuction` recomputes an address from the
///      clone's own code instead of storing a registry (creation stays one storage write). Ownership moves
///      in two steps (Ownable2Step) so that a typo cannot hand the ontology to nobody.
contract Factory is IFactory, Ownable2Step {
    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    error UnsupportedCid(uint256 kind);
    error UnknownOntologyVersion(uint256 version);
    error InvalidMaxPrice(uint256 category, uint256 maxPrice);
    error ReserveBelowMaxPrices(uint256 reserve, uint256 sumOfMaxPrices);
    error ReserveTooHigh(uint256 reserve);
    error InvalidWindow(uint256 which, uint256 secondsGiven);
    error InvalidBond(uint256 category, uint256 bond);
    error TooManyReferencesRequired(uint256 required, uint256 cap);
    error InvalidRestitutionTerm(uint256 which, uint256 value);
    error NotAnAuction(address caller);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    event OntologyPublished(uint32 indexed version, bytes32 digest, uint8 kind);
    event AuctionCreated(
        address indexed auction,
        address indexed client,
        uint64 index,
        uint32 ontologyVersion,
        bytes32 requirements,
        uint8 requirementsKind,
        uint256 biddingDeadline
    );
    /// @notice A provider's record changed (an auction completed, or a dispute was lost).
    event RecordUpdated(
        address indexed provider, uint8 indexed category, uint256 completed, uint256 valuePaid, uint256 disputesLost
    );

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @notice Most references a bid can be asked for (each costs the bidder two external calls).
    uint256 public constant MAX_REFERENCES = 16;
    /// @notice Price fields are 72 bits in the Auction's packed slots (about 4,722 ether per category).
    uint256 public constant MAX_PRICE = type(uint72).max;
    /// @notice Shortest window of any kind: below a minute a window is a trap, not a term.
    uint256 public constant MIN_WINDOW = 1 minutes;
    /// @notice Longest bidding window (bonds stay locked at least this long).
    uint256 public constant MAX_BIDDING = 90 days;
    /// @notice Longest delivery window (the reserve and winners' bonds stay locked this long).
    uint256 public constant MAX_DELIVERY = 365 days;
    /// @notice Longest acknowledgment window (winners wait at most this long before they can claim).
    uint256 public constant MAX_ACKNOWLEDGMENT = 90 days;
    uint256 internal constant ARGS_LENGTH = 145;
    /// @dev Clones with restitution terms carry a 39-byte tail (see Auction's A_ARBITRATOR...).
    uint256 internal constant ARGS_LENGTH_RESTITUTION = 184;
    uint8 internal constant RECORD_REQUIRED = 2;

    /// @notice Restitution terms of an auction, all optional (zero: none). With an arbitrator, the confirmation
    ///         window (shorter than the delivery window) and the appeal window lie within [MIN_WINDOW,
    ///         MAX_ACKNOWLEDGMENT]; without one they must be zero (the timeouts decide). `lostLimit` 0 accepts
    ///         any number of lost disputes, n fewer than n.
    struct Restitution {
        address arbitrator;
        uint256 confirmationSeconds;
        uint256 appealSeconds;
        uint256 minReferenceValue;
        uint256 minCompleted;
        uint256 lostLimit;
    }

    /// @dev One slot per provider and category: completed (32) | disputesLost (32) | valuePaid (96) = 160 bits.
    struct Record {
        uint32 completed;
        uint32 disputesLost;
        uint96 valuePaid;
    }

    /// @notice The Auction every clone delegates to; deployed here, so only this Factory's clones use it.
    address public immutable implementation;

    /// @dev One slot: auctionCount (64) | ontologyVersion (32) = 96 bits: one write per auction (the owner
    ///      lives in Ownable's slots, read only when publishing an ontology).
    struct Head {
        uint64 auctionCount;
        uint32 ontologyVersion;
    }

    Head internal _head;
    mapping(uint32 version => bytes32 digest) internal _ontologies;
    mapping(uint32 version => uint8 kind) internal _ontologyKinds;
    mapping(address provider => mapping(uint256 category => Record)) internal _records;

    constructor(bytes32 ontologyDigest, uint8 ontologyKind) Ownable(msg.sender) {
        if (ontologyKind > 1) revert UnsupportedCid(ontologyKind);
        implementation = address(new Auction());
        _head = Head(0, 1);
        _ontologies[1] = ontologyDigest;
        _ontologyKinds[1] = ontologyKind;
        emit OntologyPublished(1, ontologyDigest, ontologyKind);
    }

    /*//////////////////////////////////////////////////////////////
                                  LOGIC
    //////////////////////////////////////////////////////////////*/

    /// @notice The owner publishes a new vocabulary; existing auctions keep the version they were created under.
    function publishOntology(bytes32 digest, uint8 kind) external onlyOwner returns (uint32 version) {
        Head memory head = _head;
        if (kind > 1) revert UnsupportedCid(kind);
        version = head.ontologyVersion + 1;
        _head.ontologyVersion = version;
        _ontologies[version] = digest;
        _ontologyKinds[version] = kind;
        emit OntologyPublished(version, digest, kind);
    }

    /// @notice Opens an auction; `msg.value` is the reserve, escrowed by the clone.
    /// @dev The reserve must cover the three max prices so that winners can always be paid. A bond may be
    ///      zero and at most the category's max price. Windows lie within [MIN_WINDOW, MAX_*] so the terms a
    ///      provider reads are the terms it gets. `ontologyVersion` 0 takes the current vocabulary; any other
    ///      pins a published version (the one the requirement file was written against).
    function createAuction(
        bytes32 requirements,
        uint8 requirementsKind,
        uint256[3] calldata maxPrices,
        uint256[3] calldata bonds,
        uint256 biddingSeconds,
        uint256 deliverySeconds,
        uint256 acknowledgmentSeconds,
        uint256 minReferences,
        uint32 ontologyVersion
    ) external payable returns (address auction) {
        if (requirementsKind > 1) revert UnsupportedCid(requirementsKind);
        return _create(
            requirements,
            requirementsKind,
            maxPrices,
            bonds,
            biddingSeconds,
            deliverySeconds,
            acknowledgmentSeconds,
            minReferences,
            ontologyVersion,
            ""
        );
    }

    /// @notice Opens an auction whose terms also name an arbitrator, a minimum reference value or a required
    ///         record (see Restitution); the rest as `createAuction`.
    function createAuctionWithRestitution(
        bytes32 requirements,
        uint8 requirementsKind,
        uint256[3] calldata maxPrices,
        uint256[3] calldata bonds,
        uint256[3] calldata windows,
        uint256 minReferences,
        uint32 ontologyVersion,
        Restitution calldata restitution
    ) external payable returns (address auction) {
        if (requirementsKind > 1) revert UnsupportedCid(requirementsKind);
        Restitution memory r = restitution;
        if (r.arbitrator != address(0)) {
            if (r.confirmationSeconds < MIN_WINDOW || r.confirmationSeconds >= windows[1]) {
                revert InvalidRestitutionTerm(0, r.confirmationSeconds);
            }
            if (r.appealSeconds < MIN_WINDOW || r.appealSeconds > MAX_ACKNOWLEDGMENT) {
                revert InvalidRestitutionTerm(1, r.appealSeconds);
            }
        } else {
            if (r.confirmationSeconds != 0) revert InvalidRestitutionTerm(0, r.confirmationSeconds);
            if (r.appealSeconds != 0) revert InvalidRestitutionTerm(1, r.appealSeconds);
        }
        if (r.minReferenceValue > MAX_PRICE) revert InvalidRestitutionTerm(2, r.minReferenceValue);
        if (r.minCompleted > type(uint8).max) revert InvalidRestitutionTerm(3, r.minCompleted);
        if (r.lostLimit > type(uint8).max) revert InvalidRestitutionTerm(4, r.lostLimit);
        bytes memory tail;
        if (r.arbitrator != address(0) || r.minReferenceValue != 0 || r.minCompleted != 0 || r.lostLimit != 0) {
            tail = abi.encodePacked(
                r.arbitrator,
                uint32(r.confirmationSeconds),
                uint32(r.appealSeconds),
                uint72(r.minReferenceValue),
                uint8(r.minCompleted),
                uint8(r.lostLimit)
            );
        }
        return _create(
            requirements,
            requirementsKind | (r.minCompleted != 0 || r.lostLimit != 0 ? RECORD_REQUIRED : 0),
            maxPrices,
            bonds,
            windows[0],
            windows[1],
            windows[2],
            minReferences,
            ontologyVersion,
            tail
        );
    }

    /// @dev `requirementsKind` may carry RECORD_REQUIRED (bit 1), set by the caller; `tail` is the restitution
    ///      tail of the clone's args (empty: none).
    function _create(
        bytes32 requirements,
        uint8 requirementsKind,
        uint256[3] calldata maxPrices,
        uint256[3] calldata bonds,
        uint256 biddingSeconds,
        uint256 deliverySeconds,
        uint256 acknowledgmentSeconds,
        uint256 minReferences,
        uint32 ontologyVersion,
        bytes memory tail
    ) internal returns (address auction) {
        uint256 sum;
        for (uint256 c; c < 3; ++c) {
            uint256 p = maxPrices[c];
            if (p == 0 || p > MAX_PRICE) revert InvalidMaxPrice(c, p);
            if (bonds[c] > p) revert InvalidBond(c, bonds[c]);
            sum += p;
        }
        if (msg.value < sum) revert ReserveBelowMaxPrices(msg.value, sum);
        if (msg.value > type(uint96).max) revert ReserveTooHigh(msg.value);
        if (biddingSeconds < MIN_WINDOW || biddingSeconds > MAX_BIDDING) revert InvalidWindow(0, biddingSeconds);
        if (deliverySeconds < MIN_WINDOW || deliverySeconds > MAX_DELIVERY) revert InvalidWindow(1, deliverySeconds);
        if (acknowledgmentSeconds < MIN_WINDOW || acknowledgmentSeconds > MAX_ACKNOWLEDGMENT) {
            revert InvalidWindow(2, acknowledgmentSeconds);
        }
        if (minReferences > MAX_REFERENCES) revert TooManyReferencesRequired(minReferences, MAX_REFERENCES);

        Head memory head = _head;
        if (ontologyVersion == 0) ontologyVersion = head.ontologyVersion;
        else if (ontologyVersion > head.ontologyVersion) revert UnknownOntologyVersion(ontologyVersion);
        uint64 index = head.auctionCount + 1;
        _head.auctionCount = index;
        uint256 deadline = block.timestamp + biddingSeconds;
        bytes memory args = abi.encodePacked(
            msg.sender,
            uint40(deadline),
            uint32(deliverySeconds),
            uint32(acknowledgmentSeconds),
            uint8(minReferences),
            requirementsKind,
            ontologyVersion,
            index,
            uint96(msg.value),
            uint72(maxPrices[0]),
            uint72(maxPrices[1]),
            uint72(maxPrices[2]),
            requirements,
            uint72(bonds[0]),
            uint72(bonds[1]),
            uint72(bonds[2])
        );
        if (tail.length != 0) args = abi.encodePacked(args, tail);
        auction = Clones.cloneDeterministicWithImmutableArgs(implementation, args, bytes32(uint256(index)), msg.value);
        emit AuctionCreated(
            auction, msg.sender, index, ontologyVersion, requirements, requirementsKind & 1, deadline
        );
    }

    /*//////////////////////////////////////////////////////////////
                                  VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IFactory
    function isAuction(address account) public view returns (bool) {
        uint256 length = account.code.length;
        if (length != 0x2d + ARGS_LENGTH && length != 0x2d + ARGS_LENGTH_RESTITUTION) return false;
        bytes memory args = Clones.fetchCloneArgs(account);
        uint64 index;
        assembly ("memory-safe") {
            index := shr(192, mload(add(args, add(0x20, 39))))
        }
        return Clones.predictDeterministicAddressWithImmutableArgs(
            implementation, args, bytes32(uint256(index)), address(this)
        ) == account;
    }

    /// @inheritdoc IFactory
    function ontologyAt(uint32 version) public view returns (bytes32 digest, uint8 kind) {
        if (version == 0 || version > _head.ontologyVersion) revert UnknownOntologyVersion(version);
        return (_ontologies[version], _ontologyKinds[version]);
    }

    /// @notice The current ontology CID, the one new auctions record.
    function ontology() external view returns (bytes32 digest, uint8 kind, uint32 version) {
        version = _head.ontologyVersion;
        (digest, kind) = ontologyAt(version);
    }

    /// @inheritdoc IFactory
    function recordOf(address provider, uint8 category)
        external
        view
        returns (uint256 completed, uint256 valuePaid, uint256 disputesLost)
    {
        Record memory r = _records[provider][category];
        return (r.completed, r.valuePaid, r.disputesLost);
    }

    /// @inheritdoc IFactory
    /// @dev Only an auction of this Factory writes a record (it calls once per winner paid for a completed auction).
    function recordCompletion(address provider, uint8 category, uint256 price) external {
        if (!isAuction(msg.sender)) revert NotAnAuction(msg.sender);
        Record memory r = _records[provider][category];
        r.completed += 1;
        r.valuePaid += uint96(price);
        _records[provider][category] = r;
        emit RecordUpdated(provider, category, r.completed, r.valuePaid, r.disputesLost);
    }

    /// @inheritdoc IFactory
    function recordDisputeLost(address provider, uint8 category) external {
        if (!isAuction(msg.sender)) revert NotAnAuction(msg.sender);
        Record memory r = _records[provider][category];
        r.disputesLost += 1;
        _records[provider][category] = r;
        emit RecordUpdated(provider, category, r.completed, r.valuePaid, r.disputesLost);
    }

    function auctionCount() external view returns (uint256) {
        return _head.auctionCount;
    }
}
