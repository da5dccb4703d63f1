// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBtcLightClient} from "../bitcoin/IBtcLightClient.sol";
import {L2Bridge} from "../l2/L2Bridge.sol";
import {PegInTx} from "./PegInTx.sol";

/// @notice The generated Groth16 verifier of the withdrawal batch circuit (contracts/zk).
interface IWithdrawalBatchVerifier {
    function verifyProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[1] calldata pub
    ) external view returns (bool);
}

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
    /// @notice No withdrawal with this id, or its details differ from what was recorded.
    error WithdrawalMismatch(uint256 id);
    /// @notice The withdrawal's payout was proven before (by `operator`, in `txid`).
    error AlreadyPaidOut(uint256 id, address operator, bytes32 txid);
    /// @notice Output `vout` of the payout does not pay the withdrawal's scriptPubKey.
    error PayoutWrongScript(uint256 id, uint256 vout);
    /// @notice Output `vout` pays `paid` sats, less than the `owed` sats withdrawn.
    error PayoutTooSmall(uint256 id, uint64 paid, uint64 owed);
    /// @notice Output `vout` of `txid` already proves another withdrawal's payout.
    error PayoutOutputUsed(bytes32 txid, uint256 vout);
    /// @notice The batch verifier is set once.
    error BatchVerifierAlreadySet();
    /// @notice {recordBatchProof} before {setBatchVerifier}.
    error BatchVerifierNotSet();
    /// @notice The proof does not verify for `commitment`.
    error InvalidBatchProof(uint256 commitment);
    /// @notice `commitment` was proven before.
    error BatchAlreadyProven(uint256 commitment);

    /// @notice The bridge is live: peg-ins into `poolKey`'s pool are credited at `confirmations`.
    event BridgeConfigured(address indexed lightClient, uint32 confirmations, bytes32 poolKey);
    /// @notice `sats` were released to `recipient` for the PegInConfirm `txid` (internal byte order).
    event PegInCredited(bytes32 indexed txid, address indexed recipient, uint64 sats);
    /// @notice `operator` proved it paid withdrawal `id` on Bitcoin in `txid`; the payouts
    /// accumulator, which the operator's claim on L1 commits to, is now `payoutsRoot`.
    event PayoutProven(
        uint256 indexed id,
        address indexed operator,
        bytes32 txid,
        uint64 paidSats,
        bytes32 payoutsRoot
    );

    /// @notice An SPV proof: a transaction (non-witness serialization), the 80-byte header of its
    /// block, its index in the block and the merkle branch (32-byte siblings, leaf first).
    struct SpvProof {
        bytes rawTx;
        bytes header;
        uint256 txIndex;
        bytes merkleBranch;
    }

    /// @notice The batch circuit's verifier is `verifier`.
    event BatchVerifierSet(address indexed verifier);
    /// @notice A Groth16 proof that some batch of withdrawals moves the Poseidon withdrawal tree as
    /// `commitment` = Poseidon(old root, new root, start index, batch root) says was verified.
    event BatchProven(uint256 indexed commitment, address indexed submitter);

    /// @notice Who paid a withdrawal on Bitcoin, and with which transaction (internal byte order).
    struct Payout {
        address operator;
        bytes32 txid;
    }

    /// @notice The current configuration (zero until {configure}).
    Config public config;

    /// @notice PegInConfirm txids (internal byte order) already credited.
    mapping(bytes32 txid => bool) public credited;

    /// @notice Satoshis credited by peg-ins so far.
    uint256 public peggedInSats;

    /// @notice Each withdrawal's leaf (see {L2Bridge-withdraw}), by id: a payout proof names it.
    mapping(uint256 id => bytes32 leaf) public withdrawalLeaves;

    /// @notice Proven payouts by withdrawal id.
    mapping(uint256 id => Payout) public payouts;

    /// @notice Bitcoin outputs (keccak256(txid, vout)) already counted as a payout: one output pays
    /// one withdrawal, even when two withdrawals share a scriptPubKey and amount.
    mapping(bytes32 outpoint => bool) public payoutOutputUsed;

    /// @notice keccak256 chain over every proven payout (id, operator, txid).
    bytes32 public payoutsRoot;

    /// @notice The batch circuit's verifier (zero until {setBatchVerifier}).
    IWithdrawalBatchVerifier public batchVerifier;

    /// @notice Batch commitments whose proof verified here: what an L1 claim may cite.
    mapping(uint256 commitment => bool) public provenBatches;

    /// @notice Sets the batch circuit's verifier; once, by the governor. Emits {BatchVerifierSet}.
    function setBatchVerifier(IWithdrawalBatchVerifier verifier) external {
        if (msg.sender != governor()) revert NotGovernor(msg.sender);
        if (address(batchVerifier) != address(0)) revert BatchVerifierAlreadySet();
        if (address(verifier) == address(0)) revert InvalidConfig();
        batchVerifier = verifier;
        emit BatchVerifierSet(address(verifier));
    }

    /// @notice Verifies a withdrawal-batch proof (the LVM prover's output) and records its
    /// commitment. Anyone may submit. Emits {BatchProven}.
    function recordBatchProof(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256 commitment
    ) external {
        IWithdrawalBatchVerifier v = batchVerifier;
        if (address(v) == address(0)) revert BatchVerifierNotSet();
        if (provenBatches[commitment]) revert BatchAlreadyProven(commitment);
        if (!v.verifyProof(a, b, c, [commitment])) revert InvalidBatchProof(commitment);
        provenBatches[commitment] = true;
        emit BatchProven(commitment, msg.sender);
    }

    /// @notice Proves that `rawTx` (non-witness serialization, in a block the light client holds
    /// at the configured depth) pays withdrawal `id` in output `vout`, and records the payout for
    /// the caller: the operator that fronted it and will claim its reimbursement on L1.
    /// Requirements: configured; (`id`, `sender`, `sats`, `scriptPubKey`) is the recorded
    /// withdrawal; not paid out before; output `vout` pays exactly `scriptPubKey` at least `sats`.
    /// Emits {PayoutProven}.
    /// @return txid The payout's txid, internal byte order.
    function provePayout(
        uint256 id,
        address sender,
        uint64 sats,
        bytes calldata scriptPubKey,
        SpvProof calldata proof,
        uint256 vout
    ) external returns (bytes32 txid) {
        Config memory c = config;
        if (address(c.lightClient) == address(0)) revert NotConfigured();
        _checkWithdrawal(id, sender, sats, scriptPubKey);
        txid = c.lightClient.verifyTx(
            proof.rawTx,
            proof.header,
            proof.txIndex,
            proof.merkleBranch,
            c.confirmations
        );
        uint64 paid = _checkPayment(id, proof.rawTx, vout, scriptPubKey, sats);
        bytes32 outpoint = keccak256(abi.encode(txid, vout));
        if (payoutOutputUsed[outpoint]) revert PayoutOutputUsed(txid, vout);
        payoutOutputUsed[outpoint] = true;
        payouts[id] = Payout(msg.sender, txid);
        bytes32 root = keccak256(abi.encodePacked(payoutsRoot, id, msg.sender, txid));
        payoutsRoot = root;
        emit PayoutProven(id, msg.sender, txid, paid, root);
    }

    /// @dev The withdrawal exists with these details and is not paid out yet.
    function _checkWithdrawal(
        uint256 id,
        address sender,
        uint64 sats,
        bytes calldata scriptPubKey
    ) private view {
        bytes32 leaf = withdrawalLeaves[id];
        if (leaf == bytes32(0) || leaf != keccak256(abi.encode(id, sender, sats, keccak256(scriptPubKey))))
            revert WithdrawalMismatch(id);
        Payout memory prior = payouts[id];
        if (prior.operator != address(0)) revert AlreadyPaidOut(id, prior.operator, prior.txid);
    }

    /// @dev Output `vout` pays `scriptPubKey` at least `owed`; returns what it pays.
    function _checkPayment(
        uint256 id,
        bytes calldata rawTx,
        uint256 vout,
        bytes calldata scriptPubKey,
        uint64 owed
    ) private pure returns (uint64 paid) {
        bytes calldata script;
        (paid, script) = PegInTx.outputAt(rawTx, vout);
        if (keccak256(script) != keccak256(scriptPubKey)) revert PayoutWrongScript(id, vout);
        if (paid < owed) revert PayoutTooSmall(id, paid, owed);
    }

    /// @dev Keeps each leaf by id as well as the accumulator, so a payout proof can name its withdrawal.
    function _recordWithdrawal(uint256 id, bytes32 leaf) internal override returns (bytes32 root) {
        withdrawalLeaves[id] = leaf;
        root = super._recordWithdrawal(id, leaf);
    }

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
