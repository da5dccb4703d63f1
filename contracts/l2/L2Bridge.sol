// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title L2Bridge
/// @notice The L2 side of the Bitcoin bridge. It is a predeploy: its runtime code and the whole
/// 21,000,000 BTC supply are placed at a fixed address in the genesis state, so no constructor
/// runs and every storage slot starts at zero. BTC leaves the bridge only through a proven
/// peg-in (added by the bridge issue, see {_release}) and returns to it on a peg-out, which
/// records the Bitcoin scriptPubKey the operator must pay.
/// @dev Extension points are internal virtual functions: {_recordWithdrawal} (the withdrawal
/// accumulator, replaced by a Poseidon tree later) and {_release} (the peg-in credit path).
contract L2Bridge {
    /// @notice Native BTC has 18 decimals on the L2: one satoshi is 10^10 wei.
    uint256 public constant WEI_PER_SAT = 1e10;

    /// @notice Smallest withdrawal, in satoshis: Bitcoin's dust limit for a P2PKH output.
    uint64 public constant MIN_WITHDRAWAL_SATS = 546;

    /// @notice The supply allocated to this contract at genesis.
    uint256 public constant TOTAL_SUPPLY_WEI = 21_000_000 * 1e8 * WEI_PER_SAT;

    /// @notice The value sent is not a whole number of satoshis.
    error AmountNotWholeSats(uint256 amountWei);
    /// @notice The withdrawal is below {MIN_WITHDRAWAL_SATS}.
    error WithdrawalBelowDust(uint64 sats, uint64 minimumSats);
    /// @notice The scriptPubKey is not one of P2PKH, P2SH, P2WPKH, P2WSH, P2TR.
    error NonStandardScriptPubKey(bytes scriptPubKey);
    /// @notice Plain transfers are refused: BTC sent without a scriptPubKey could never leave.
    error DirectTransferRefused(address sender, uint256 amountWei);

    /// @notice A peg-out was requested: `sats` are locked back into the bridge and must be paid
    /// on Bitcoin to `scriptPubKey`.
    /// @param id Sequential withdrawal id, starting at 0.
    /// @param sender The L2 account that burned the BTC.
    /// @param sats Amount in satoshis.
    /// @param scriptPubKey The Bitcoin output script to pay.
    /// @param leaf The withdrawal's commitment, as accumulated in {withdrawalRoot}.
    /// @param withdrawalRoot The accumulator after this withdrawal.
    event WithdrawalInitiated(
        uint256 indexed id,
        address indexed sender,
        uint64 sats,
        bytes scriptPubKey,
        bytes32 leaf,
        bytes32 withdrawalRoot
    );

    /// @notice Number of withdrawals recorded so far (the next withdrawal's id).
    uint256 public withdrawalCount;

    /// @notice Commitment to every withdrawal so far, committed in each batch claimed on L1.
    bytes32 public withdrawalRoot;

    /// @notice Lock `msg.value` in the bridge and record a withdrawal to `scriptPubKey` on Bitcoin.
    /// Requirements:
    /// - `msg.value` is a whole number of satoshis, at least {MIN_WITHDRAWAL_SATS};
    /// - `scriptPubKey` is a standard output script (P2PKH, P2SH, P2WPKH, P2WSH or P2TR).
    /// Emits a {WithdrawalInitiated} event.
    /// @return id The withdrawal id.
    function withdraw(bytes calldata scriptPubKey) external payable returns (uint256 id) {
        if (msg.value % WEI_PER_SAT != 0) revert AmountNotWholeSats(msg.value);
        // INVARIANT: msg.value <= total supply < 2^64 sats, so the cast cannot truncate.
        uint64 sats = uint64(msg.value / WEI_PER_SAT);
        if (sats < MIN_WITHDRAWAL_SATS) revert WithdrawalBelowDust(sats, MIN_WITHDRAWAL_SATS);
        if (!isStandardScriptPubKey(scriptPubKey)) revert NonStandardScriptPubKey(scriptPubKey);

        id = withdrawalCount;
        withdrawalCount = id + 1;
        bytes32 leaf = keccak256(abi.encode(id, msg.sender, sats, keccak256(scriptPubKey)));
        bytes32 root = _recordWithdrawal(id, leaf);
        emit WithdrawalInitiated(id, msg.sender, sats, scriptPubKey, leaf, root);
    }

    /// @notice BTC held outside the bridge on the L2, in wei: what L1 must have locked at least.
    /// @dev The balance can exceed the genesis supply (BTC forced in by SELFDESTRUCT, or devnet
    /// test money locked by a withdrawal): then nothing is outside, rather than a revert.
    function circulatingSupply() external view returns (uint256) {
        uint256 held = address(this).balance;
        return held >= TOTAL_SUPPLY_WEI ? 0 : TOTAL_SUPPLY_WEI - held;
    }

    /// @notice Whether `script` is a standard Bitcoin output script the operators can pay.
    function isStandardScriptPubKey(bytes calldata script) public pure returns (bool) {
        uint256 n = script.length;
        // P2WPKH: OP_0 <20>; P2WSH: OP_0 <32>; P2TR: OP_1 <32>.
        if (n == 22 && script[0] == 0x00 && script[1] == 0x14) return true;
        if (n == 34 && script[0] == 0x00 && script[1] == 0x20) return true;
        if (n == 34 && script[0] == 0x51 && script[1] == 0x20) return true;
        // P2PKH: OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG.
        if (
            n == 25 &&
            script[0] == 0x76 &&
            script[1] == 0xa9 &&
            script[2] == 0x14 &&
            script[23] == 0x88 &&
            script[24] == 0xac
        ) return true;
        // P2SH: OP_HASH160 <20> OP_EQUAL.
        if (n == 23 && script[0] == 0xa9 && script[1] == 0x14 && script[22] == 0x87) return true;
        return false;
    }

    /// @notice Refuses plain transfers (see {DirectTransferRefused}).
    receive() external payable {
        revert DirectTransferRefused(msg.sender, msg.value);
    }

    /// @dev Appends `leaf` to the withdrawal accumulator and returns the new root. A keccak hash
    /// chain for now; the bridge issue overrides this with an append-only Poseidon Merkle tree.
    function _recordWithdrawal(uint256, bytes32 leaf) internal virtual returns (bytes32 root) {
        root = keccak256(abi.encodePacked(withdrawalRoot, leaf));
        withdrawalRoot = root;
    }

    /// @dev Releases `amountWei` of the genesis supply to `recipient`. Only reachable from a
    /// proven peg-in, which the bridge issue adds in a derived contract.
    function _release(address payable recipient, uint256 amountWei) internal virtual {
        (bool ok, bytes memory reason) = recipient.call{value: amountWei}("");
        if (!ok) {
            assembly {
                revert(add(reason, 32), mload(reason))
            }
        }
    }
}
