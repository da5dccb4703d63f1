// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBtcLightClient} from "../bitcoin/IBtcLightClient.sol";
import {PegInTx} from "../bridge/PegInTx.sol";

/// @title DlcChannels
/// @notice The L2 record of OP-DLC channels and of their withdrawal requests. A channel is a
/// Bitcoin output, proven by SPV through the light client, paying the 2-of-2 Taproot key of a
/// user and the federation; its owner asks here for a withdrawal of an exact amount of sats, and
/// the federation's oracle attests that amount — what it attests is read from this contract, and a
/// Disprove-CET on Bitcoin refutes any other amount.
/// @dev The contract cannot recompute a Taproot tweak, so it does not check that the output key is
/// the user/federation 2-of-2: the federation, which co-signed the funding transaction and derived
/// the key itself, is the only account that records channels. SPV proves the output exists at the
/// required depth with the recorded amount and key.
contract DlcChannels {
    /// @notice Only the federation records channels.
    error NotFederation(address caller);
    /// @notice This funding outpoint is already a channel.
    error ChannelExists(bytes32 id);
    error UnknownChannel(bytes32 id);
    /// @notice Only the channel's owner requests its withdrawal.
    error NotOwner(bytes32 id, address caller);
    /// @notice The proven output does not pay `0x5120 ‖ outputKey`.
    error FundingScriptMismatch(bytes32 id, bytes32 scriptHash);
    /// @notice The user's collateral exceeds the funded amount.
    error BadCollateral(uint64 userCollateralSats, uint64 fundedSats);
    /// @notice A channel serves one withdrawal.
    error WithdrawalExists(bytes32 id);
    /// @notice More than the user's collateral, or zero.
    error BadWithdrawalAmount(bytes32 id, uint64 sats, uint64 balanceSats);

    /// @notice A recorded channel.
    struct Channel {
        address owner;
        uint64 fundedSats;
        uint64 userCollateralSats;
        uint32 vout;
        bytes32 fundingTxid;
        bytes32 outputKey;
    }

    /// @notice A withdrawal request: the exact amount the oracle must attest.
    struct Withdrawal {
        uint64 sats;
        uint64 requestedAtBlock;
    }

    /// @notice An SPV proof of a Bitcoin transaction (non-witness serialization).
    struct SpvProof {
        bytes rawTx;
        bytes header;
        uint256 txIndex;
        bytes merkleBranch;
    }

    IBtcLightClient public immutable lightClient;
    /// @notice Depth the funding transaction must have.
    uint256 public immutable confirmations;
    /// @notice The federation's L2 account (its oracle service).
    address public immutable federation;

    mapping(bytes32 => Channel) public channels;
    mapping(bytes32 => Withdrawal) public withdrawals;
    /// @notice Every channel id, in the order recorded.
    bytes32[] public channelIds;

    /// @notice A channel was recorded; `id` = keccak256(abi.encode(fundingTxid, vout)).
    event ChannelOpened(
        bytes32 indexed id,
        address indexed owner,
        bytes32 fundingTxid,
        uint32 vout,
        uint64 fundedSats,
        uint64 userCollateralSats
    );
    /// @notice The owner asked to withdraw exactly `sats` from the channel: the oracle's event.
    event WithdrawalRequested(bytes32 indexed id, address indexed owner, uint64 sats);

    constructor(IBtcLightClient lightClient_, uint256 confirmations_, address federation_) {
        lightClient = lightClient_;
        confirmations = confirmations_;
        federation = federation_;
    }

    /// @notice Records the channel funded by output `vout` of the proven transaction.
    /// @dev Reverts {NotFederation}, the light client's SPV errors, PegInTx's parsing errors,
    /// {FundingScriptMismatch}, {BadCollateral}, {ChannelExists}.
    function openChannel(
        address owner,
        bytes32 outputKey,
        uint64 userCollateralSats,
        uint32 vout,
        SpvProof calldata proof
    ) external returns (bytes32 id) {
        if (msg.sender != federation) revert NotFederation(msg.sender);
        bytes32 txid = lightClient.verifyTx(
            proof.rawTx,
            proof.header,
            proof.txIndex,
            proof.merkleBranch,
            confirmations
        );
        id = keccak256(abi.encode(txid, vout));
        if (channels[id].owner != address(0)) revert ChannelExists(id);
        (uint64 amount, bytes calldata script) = outputAt(proof.rawTx, vout);
        if (script.length != 34 || bytes2(script[:2]) != 0x5120 || bytes32(script[2:34]) != outputKey)
            revert FundingScriptMismatch(id, keccak256(script));
        if (userCollateralSats > amount) revert BadCollateral(userCollateralSats, amount);
        channels[id] = Channel(owner, amount, userCollateralSats, vout, txid, outputKey);
        channelIds.push(id);
        emit ChannelOpened(id, owner, txid, vout, amount, userCollateralSats);
    }

    /// @notice The owner asks to withdraw exactly `sats` (at most its collateral) to L1.
    /// @dev Reverts {UnknownChannel}, {NotOwner}, {WithdrawalExists}, {BadWithdrawalAmount}.
    function requestWithdrawal(bytes32 id, uint64 sats) external {
        Channel storage c = channels[id];
        if (c.owner == address(0)) revert UnknownChannel(id);
        if (msg.sender != c.owner) revert NotOwner(id, msg.sender);
        if (withdrawals[id].requestedAtBlock != 0) revert WithdrawalExists(id);
        if (sats == 0 || sats > c.userCollateralSats)
            revert BadWithdrawalAmount(id, sats, c.userCollateralSats);
        withdrawals[id] = Withdrawal(sats, uint64(block.number));
        emit WithdrawalRequested(id, msg.sender, sats);
    }

    /// @notice Number of channels recorded.
    function channelCount() external view returns (uint256) {
        return channelIds.length;
    }

    /// @notice Output `vout` of a non-witness serialized transaction: its amount and script.
    /// @dev The bridge's transaction parser (PegInTx.outputAt): reverts {PegInTx.PegInTxHasWitness},
    /// {PegInTx.PegInTxTruncated}, {PegInTx.PegInTxTooFewOutputs} (no output `vout`).
    function outputAt(
        bytes calldata rawTx,
        uint256 vout
    ) public pure returns (uint64 amount, bytes calldata script) {
        return PegInTx.outputAt(rawTx, vout);
    }
}
