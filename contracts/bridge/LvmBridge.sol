// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBtcLightClient} from "../bitcoin/IBtcLightClient.sol";
import {L2Bridge} from "../l2/L2Bridge.sol";
import {PegInTx} from "./PegInTx.sol";

/// @title LvmBridge
/// @notice The L2 bridge predeploy with the BitVM2 peg-in credit path: a PegInConfirm proven by
/// SPV against the Bitcoin light client, paying the committee's pool and tagged with an L2
/// recipient, releases its amount of native BTC to that recipient exactly once.
/// @dev A predeploy runs no constructor. The genesis state writes only the governor, at the
/// namespaced slot {GOVERNOR_SLOT}; the governor then calls {configure} once, after the light
/// client exists. Everything else starts at zero like any fresh contract.
contract LvmBridge is L2Bridge {
    /// @notice keccak256(abi.encode(uint256(keccak256("lvm.bridge.governor")) - 1)) & ~0xff
    /// (ERC-7201), so genesis tooling needs no storage-layout lookup.
    bytes32 public constant GOVERNOR_SLOT =
        0xe7c28125046a9046d589038dec5b5bc4f05a8c2504789ee86b00a18fb8888700;

    /// @notice Where peg-ins are proven, how deep, and into which pool.
    struct Config {
        IBtcLightClient lightClient;
        uint32 confirmations;
        /// @dev x-only taproot output key of the committee's pool: the pool script is 0x5120 ‖ key.
        bytes32 poolKey;
    }

    /// @notice The caller is not the governor written in the genesis state.
    error NotGovernor(address caller);
    /// @notice {configure} was already called.
    error AlreadyConfigured();
    /// @notice {creditPegIn} before {configure}.
    error NotConfigured();
    /// @notice A configuration with no light client, zero confirmations or no pool key.
    error InvalidConfig();
    /// @notice This PegInConfirm was credited before.
    error PegInAlreadyCredited(bytes32 txid);

    /// @notice The bridge is live: peg-ins into `poolKey`'s pool are credited at `confirmations`.
    event BridgeConfigured(address indexed lightClient, uint32 confirmations, bytes32 poolKey);
    /// @notice `sats` were released to `recipient` for the PegInConfirm `txid` (internal byte order).
    event PegInCredited(bytes32 indexed txid, address indexed recipient, uint64 sats);

    /// @notice The current configuration (zero until {configure}).
    Config public config;

    /// @notice PegInConfirm txids (internal byte order) already credited.
    mapping(bytes32 txid => bool) public credited;

    /// @notice Satoshis credited by peg-ins so far.
    uint256 public peggedInSats;

    /// @notice The address allowed to {configure}, from the genesis state.
    function governor() public view returns (address g) {
        bytes32 slot = GOVERNOR_SLOT;
        assembly {
            g := sload(slot)
        }
    }

    /// @notice Sets the light client, credit depth and pool key; callable once, by the governor.
    /// Emits {BridgeConfigured}.
    function configure(IBtcLightClient lightClient, uint32 confirmations, bytes32 poolKey) external {
        if (msg.sender != governor()) revert NotGovernor(msg.sender);
        if (address(config.lightClient) != address(0)) revert AlreadyConfigured();
        if (address(lightClient) == address(0) || confirmations == 0 || poolKey == bytes32(0))
            revert InvalidConfig();
        config = Config(lightClient, confirmations, poolKey);
        emit BridgeConfigured(address(lightClient), confirmations, poolKey);
    }

    /// @notice The committee pool's scriptPubKey (P2TR).
    function poolScript() public view returns (bytes memory) {
        return abi.encodePacked(hex"5120", config.poolKey);
    }

    /// @notice Credits a PegInConfirm: `rawTx` (non-witness serialization) is in the block whose
    /// 80-byte `header` the light client holds in its best chain with the configured confirmations,
    /// at `txIndex` under `merkleBranch`; its output 0 pays the pool and output 1 tags the recipient.
    /// Anyone may submit: the proof, not the sender, is what is trusted.
    /// Requirements: configured; the light client accepts the proof (its custom errors otherwise);
    /// {PegInTx.parse} accepts the transaction; not credited before.
    /// Emits {PegInCredited}.
    /// @return txid The PegInConfirm's txid, internal byte order.
    function creditPegIn(
        bytes calldata rawTx,
        bytes calldata header,
        uint256 txIndex,
        bytes calldata merkleBranch
    ) external returns (bytes32 txid) {
        Config memory c = config;
        if (address(c.lightClient) == address(0)) revert NotConfigured();
        txid = c.lightClient.verifyTx(rawTx, header, txIndex, merkleBranch, c.confirmations);
        PegInTx.PegIn memory p = PegInTx.parse(rawTx, poolScript());
        if (credited[txid]) revert PegInAlreadyCredited(txid);
        // Effects before the transfer: a reentrant call sees the txid credited.
        credited[txid] = true;
        peggedInSats += p.amountSats;
        emit PegInCredited(txid, p.recipient, p.amountSats);
        _release(payable(p.recipient), uint256(p.amountSats) * WEI_PER_SAT);
    }
}
