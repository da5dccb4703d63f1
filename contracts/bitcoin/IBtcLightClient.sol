// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IBtcLightClient
 * @notice Errors, events and queries of the Bitcoin light client. Every rejection names the
 * header (its hash in internal byte order and its index in the submitted batch) or the proof,
 * and the rule it broke.
 */
interface IBtcLightClient {
    // ---- header submission ----
    /// @notice The batch is empty or not a whole number of 80-byte headers.
    error HeaderBatchLength(uint256 length);
    /// @notice The first new header's parent is not in the best chain (`parentHeight` is its recorded height, 0 if unknown).
    error UnknownParent(uint256 index, bytes32 headerHash, bytes32 prevHash, uint256 parentHeight);
    /// @notice Header `index` does not reference header `index - 1` as its parent.
    error BrokenLink(uint256 index, bytes32 headerHash, bytes32 expectedPrev, bytes32 actualPrev);
    /// @notice Header `index` carries difficulty bits other than the consensus rules demand.
    error UnexpectedBits(uint256 index, bytes32 headerHash, uint32 expected, uint32 actual);
    /// @notice Header `index` hashes above its target.
    error InsufficientProofOfWork(uint256 index, bytes32 headerHash, uint256 target);
    /// @notice A branch off the best chain that does not carry strictly more cumulative work.
    error ForkNotHeavier(bytes32 branchTip, uint256 branchWork, uint256 bestWork);
    /// @notice A query for a height outside [checkpoint, tip].
    error HeightOutOfRange(uint256 height);
    /// @notice Constructor: the checkpoint does not satisfy the configuration.
    error BadCheckpoint(bytes32 headerHash, string rule);

    // ---- SPV ----
    /// @notice A 64-byte "transaction" could be an inner Merkle node (CVE-2017-12842), an empty one
    /// is none: refused.
    error SpvTxLength(uint256 length);
    /// @notice The header given with a proof is not 80 bytes.
    error SpvHeaderLength(uint256 length);
    /// @notice The block is not in the best chain.
    error SpvBlockNotInBestChain(bytes32 blockHash);
    /// @notice The block has `confirmations` (the tip has 1), fewer than `required`.
    error SpvInsufficientConfirmations(bytes32 blockHash, uint256 confirmations, uint256 required);
    /// @notice The branch is not whole 32-byte hashes, deeper than any block can be, or the index
    /// does not fit the branch depth.
    error SpvBadBranch(bytes32 txid, uint256 index, uint256 branchLength);
    /// @notice At `level` of the branch the running node is a right child equal to its sibling:
    /// the copy Bitcoin's tree makes of an odd level's last node, so `index` is past the block's
    /// transaction count (a second position for a transaction that is elsewhere in the block).
    error SpvIndexPastTxCount(bytes32 txid, uint256 index, uint256 level);
    /// @notice The branch leads from `txid` to `computedRoot`, not to the header's merkle root.
    error SpvMerkleMismatch(bytes32 txid, bytes32 computedRoot, bytes32 headerRoot);

    /// @notice The best chain grew from `fromHeight` to `tip` at `height` without a reorg.
    event ChainExtended(bytes32 indexed tip, uint256 height, uint256 fromHeight);
    /// @notice A heavier branch from the common ancestor at `forkHeight` replaced the best chain.
    event Reorg(
        bytes32 indexed oldTip,
        bytes32 indexed newTip,
        uint256 forkHeight,
        uint256 oldHeight,
        uint256 newHeight
    );

    /// @notice Submits consecutive 80-byte headers; emits {ChainExtended} or {Reorg}.
    function submitHeaders(bytes calldata headers) external;

    /// @notice The best chain's tip, its height and its cumulative work since the checkpoint's epoch.
    function bestBlock() external view returns (bytes32 hash, uint256 height, uint256 chainWork);

    /// @notice Whether `blockHash` is in the best chain with at least `confirmations` (the tip has 1).
    function isInBestChain(bytes32 blockHash, uint256 confirmations) external view returns (bool);

    /// @notice Verifies that `rawTx` is at `txIndex` of a best-chain block with `minConfirmations`;
    /// returns its txid. One proof names one position (see {SpvIndexPastTxCount}).
    function verifyTx(
        bytes calldata rawTx,
        bytes calldata header,
        uint256 txIndex,
        bytes calldata merkleBranch,
        uint256 minConfirmations
    ) external view returns (bytes32 txid);
}
