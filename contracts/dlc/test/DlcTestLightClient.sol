// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBtcLightClient} from "../../bitcoin/IBtcLightClient.sol";

/// @title DlcTestLightClient
/// @notice Test double of the light client for DLC service tests: its owner declares which
/// transactions are confirmed and how deeply; it fails with the real client's errors otherwise.
/// @dev Never deployed by the devnet; the real BtcLightClient has its own tests.
contract DlcTestLightClient {
    /// @notice Only the deployer declares transactions.
    error NotOwner(address caller);

    address public immutable owner = msg.sender;
    mapping(bytes32 => uint256) public depth;

    /// @notice `rawTx` (non-witness serialization) now has `confirmations`.
    event Included(bytes32 indexed txid, uint256 confirmations);

    /// @notice Declares `rawTx` confirmed `confirmations` deep.
    function include(bytes calldata rawTx, uint256 confirmations) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        bytes32 txid = sha256(abi.encodePacked(sha256(rawTx)));
        depth[txid] = confirmations;
        emit Included(txid, confirmations);
    }

    /// @notice As IBtcLightClient.verifyTx, from the declared depths.
    function verifyTx(
        bytes calldata rawTx,
        bytes calldata,
        uint256,
        bytes calldata,
        uint256 minConfirmations
    ) external view returns (bytes32 txid) {
        txid = sha256(abi.encodePacked(sha256(rawTx)));
        uint256 d = depth[txid];
        if (d == 0) revert IBtcLightClient.SpvBlockNotInBestChain(txid);
        if (d < minConfirmations)
            revert IBtcLightClient.SpvInsufficientConfirmations(txid, d, minConfirmations);
    }
}
