// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IFactory
/// @notice What an Auction asks of the Factory that created it, without importing the Factory (which deploys Auction).
interface IFactory {
    /// @notice True when `account` is an auction created by this Factory (checked from its CREATE2 address, no storage).
    function isAuction(address account) external view returns (bool);

    /// @notice The ontology CID published as `version`: sha2-256 digest and kind (0 raw, 1 dag-pb).
    function ontologyAt(uint32 version) external view returns (bytes32 digest, uint8 kind);

    /// @notice A provider's record in a category: auctions completed, value they paid it (wei), disputes lost.
    function recordOf(address provider, uint8 category)
        external
        view
        returns (uint256 completed, uint256 valuePaid, uint256 disputesLost);

    /// @notice An auction of this Factory reports that `provider` was paid `price` for a completed auction.
    function recordCompletion(address provider, uint8 category, uint256 price) external;

    /// @notice An auction of this Factory reports that `provider` lost a dispute there.
    function recordDisputeLost(address provider, uint8 category) external;
}
