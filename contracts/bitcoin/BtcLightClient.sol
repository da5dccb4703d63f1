// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {BtcHeaders} from "./BtcHeaders.sol";
import {IBtcLightClient} from "./IBtcLightClient.sol";

/**
 * @title BtcLightClient
 * @notice A Bitcoin header-chain light client: validates 80-byte headers in batches (links, proof
 * of work, difficulty retargets with Bitcoin Core's rules), follows the heaviest chain with
 * reorgs, answers confirmation queries and verifies SPV transaction-inclusion proofs.
 *
 * @dev Storage is designed for gas (see docs/light-client.md):
 *  - one slot per header: hash → (height, generation). Nothing else per header, because within a
 *    difficulty epoch every header has the same target, so cumulative work at any height follows
 *    from a per-epoch record, and a parent's timestamp is only needed at the epoch's last block;
 *  - one slot per 2,016-block epoch: (first block time, last block time, bits, work before it);
 *  - a reorg bumps the generation and logs its fork height: a header is in the best chain iff no
 *    later reorg forked below it. Old branch headers are thereby invalidated without being visited.
 * A branch off the best chain must be submitted whole, from its common ancestor, and is accepted
 * only if it carries strictly more work; lighter branches are not stored (that would need a parent
 * pointer, i.e. a second slot, for every header).
 *
 * Testnet's 20-minute minimum-difficulty exception is not supported (bits are constant per epoch).
 */
contract BtcLightClient is IBtcLightClient {
    uint256 internal constant RETARGET_INTERVAL = 2016;
    /// @dev Core's nPowTargetTimespan: two weeks.
    uint256 internal constant TARGET_TIMESPAN = 14 days;

    struct HeaderRecord {
        uint32 height;
        /// @dev 0 = unknown header
        uint32 generation;
    }

    struct Epoch {
        uint32 startTime;
        uint32 endTime;
        uint32 bits;
        /// @dev cumulative work before the epoch's first block, counted from the checkpoint's epoch
        uint160 workBefore;
    }

    struct ReorgRecord {
        uint32 forkHeight;
        /// @dev latest earlier reorg with a lower fork height: lets queries skip the ones between
        uint32 prevLower;
    }

    /// @notice The easiest target a header may have (Core's powLimit).
    uint256 public immutable powLimit;
    /// @notice Whether difficulty retargets every 2,016 blocks (false on regtest).
    bool public immutable retargeting;
    uint256 public immutable checkpointHeight;

    bytes32 internal _bestHash;
    uint32 internal _bestHeight;
    uint32 internal _generation;
    mapping(bytes32 blockHash => HeaderRecord) internal _headers;
    mapping(uint256 epoch => Epoch) internal _epochs;
    mapping(uint256 generation => ReorgRecord) internal _reorgs;

    /// @dev In-memory state of the branch being validated.
    struct Cursor {
        uint256 height;
        uint256 bits;
        uint256 target;
        uint256 workPerBlock;
        uint256 epochStart;
        uint256 lastTime;
        uint256 workBefore;
        bytes32 prevHash;
    }

    /**
     * @param checkpoint the 80-byte header the client trusts (e.g. genesis or a recent epoch start)
     * @param height its height
     * @param powLimit_ the network's easiest target (mainnet 0x00000000ffff…, regtest 0x7fffff…)
     * @param retargeting_ mainnet/testnet rules (true) or regtest's fixed difficulty (false)
     *
     * Requirements: the checkpoint satisfies its own proof of work and `powLimit_`; with
     * retargeting it starts an epoch, so the epoch's first timestamp is known.
     */
    constructor(bytes memory checkpoint, uint256 height, uint256 powLimit_, bool retargeting_) {
        bytes32 h = sha256(abi.encodePacked(sha256(checkpoint)));
        if (checkpoint.length != BtcHeaders.HEADER_SIZE) revert BadCheckpoint(h, "length");
        if (height > type(uint32).max) revert BadCheckpoint(h, "height");
        if (retargeting_ && height % RETARGET_INTERVAL != 0) revert BadCheckpoint(h, "not an epoch start");
        uint32 time = _le32Memory(checkpoint, 68);
        uint32 bits = _le32Memory(checkpoint, 72);
        uint256 target = BtcHeaders.bitsToTarget(bits);
        if (target == 0 || target > powLimit_) revert BadCheckpoint(h, "bits");
        if (BtcHeaders.reverse256(uint256(h)) > target) revert BadCheckpoint(h, "proof of work");

        powLimit = powLimit_;
        retargeting = retargeting_;
        checkpointHeight = height;
        _bestHash = h;
        _bestHeight = uint32(height);
        _generation = 1;
        _headers[h] = HeaderRecord(uint32(height), 1);
        _epochs[height / RETARGET_INTERVAL] = Epoch({
            startTime: time,
            endTime: height % RETARGET_INTERVAL == RETARGET_INTERVAL - 1 ? time : 0,
            bits: bits,
            workBefore: 0
        });
        emit ChainExtended(h, height, height);
    }

    /**
     * @notice Submits consecutive headers. The first one's parent must be in the best chain; a
     * leading run of headers already in the best chain is skipped, so resubmitting is harmless.
     * If the parent is the tip the chain grows; otherwise the batch is a competing branch and
     * replaces the best chain only if it carries strictly more cumulative work.
     *
     * Requirements: every header links to the previous one, carries the bits the difficulty
     * rules demand and hashes at or below its target.
     *
     * Emits a {ChainExtended} or a {Reorg} event.
     */
    function submitHeaders(bytes calldata headers) external {
        uint256 len = headers.length;
        if (len == 0 || len % BtcHeaders.HEADER_SIZE != 0) revert HeaderBatchLength(len);
        uint256 n = len / BtcHeaders.HEADER_SIZE;
        uint256 base;
        assembly ("memory-safe") {
            base := headers.offset
        }

        // Skip the prefix the client already has in its best chain.
        uint256 i = 0;
        bytes32 h = BtcHeaders.hash256Calldata(base, BtcHeaders.HEADER_SIZE);
        bytes32 known;
        while (_isBest(_headers[h])) {
            _checkLink(base, i, h, known);
            known = h;
            if (++i == n) return;
            h = BtcHeaders.hash256Calldata(base + i * BtcHeaders.HEADER_SIZE, BtcHeaders.HEADER_SIZE);
        }
        // INVARIANT: the batch is one chain; after a known prefix the next header extends it.
        _checkLink(base, i, h, known);

        bytes32 parent = BtcHeaders.word(base + i * BtcHeaders.HEADER_SIZE + 4);
        HeaderRecord memory pr = _headers[parent];
        if (!_isBest(pr)) revert UnknownParent(i, h, parent, pr.height);

        uint256 oldHeight = _bestHeight;
        bytes32 oldTip = _bestHash;
        bool isFork = pr.height != oldHeight;
        uint256 oldWork = isFork ? chainWorkAt(oldHeight) : 0;
        uint32 gen = isFork ? _generation + 1 : _generation;

        Cursor memory c = _cursorAt(pr.height, parent);
        for (; i < n; ++i) {
            uint256 off = base + i * BtcHeaders.HEADER_SIZE;
            if (c.height != pr.height) h = BtcHeaders.hash256Calldata(off, BtcHeaders.HEADER_SIZE);
            _validateAndRecord(c, off, i, h, gen);
        }

        if (isFork) {
            uint256 newWork = _workAt(c);
            // INVARIANT: the tip is the heaviest chain known; ties keep the first seen, as Core does.
            if (newWork <= oldWork) revert ForkNotHeavier(c.prevHash, newWork, oldWork);
            _recordReorg(gen, pr.height);
            emit Reorg(oldTip, c.prevHash, pr.height, oldHeight, c.height);
        } else {
            emit ChainExtended(c.prevHash, c.height, oldHeight);
        }
        _bestHash = c.prevHash;
        _bestHeight = uint32(c.height);
    }

    /// @notice The best chain's tip, its height and its cumulative work (counted from the
    /// checkpoint's epoch start, as if that epoch were complete).
    function bestBlock() external view returns (bytes32 hash, uint256 height, uint256 chainWork) {
        height = _bestHeight;
        return (_bestHash, height, chainWorkAt(height));
    }

    /// @notice Cumulative work of the best chain at `height` (from the checkpoint to the tip).
    function chainWorkAt(uint256 height) public view returns (uint256) {
        if (height > _bestHeight || height < checkpointHeight) revert HeightOutOfRange(height);
        uint256 e = height / RETARGET_INTERVAL;
        Epoch memory ep = _epochs[e];
        return
            uint256(ep.workBefore) +
            (height - e * RETARGET_INTERVAL + 1) * BtcHeaders.workOf(BtcHeaders.bitsToTarget(ep.bits));
    }

    /// @notice Whether `blockHash` is in the best chain with at least `confirmations` (the tip has 1).
    function isInBestChain(bytes32 blockHash, uint256 confirmations) external view returns (bool) {
        HeaderRecord memory r = _headers[blockHash];
        return _isBest(r) && _bestHeight - r.height + 1 >= confirmations;
    }

    /// @notice Height of a best-chain header; reverts with {SpvBlockNotInBestChain} otherwise.
    function heightOf(bytes32 blockHash) external view returns (uint256) {
        HeaderRecord memory r = _headers[blockHash];
        if (!_isBest(r)) revert SpvBlockNotInBestChain(blockHash);
        return r.height;
    }

    /**
     * @notice Verifies that `rawTx` (non-witness serialization) is at `txIndex` of the block whose
     * header is given, and that the block is in the best chain with `minConfirmations`. A proof
     * names one position: positions past the block's transaction count, reachable in Bitcoin's
     * tree through its duplicated last nodes, are refused ({SpvIndexPastTxCount}), as are indices
     * wider than the branch ({SpvBadBranch}) and 64-byte transactions, which could be inner nodes
     * ({SpvTxLength}).
     * @param rawTx the transaction without witness data; its SHA-256d is the txid
     * @param header the 80-byte header of the block holding it
     * @param txIndex its position in the block (0 = coinbase)
     * @param merkleBranch the sibling hashes from leaf to root, 32 bytes each, internal byte order
     * @param minConfirmations the confirmations the block needs (the tip has 1)
     * @return txid the transaction id in internal byte order
     */
    function verifyTx(
        bytes calldata rawTx,
        bytes calldata header,
        uint256 txIndex,
        bytes calldata merkleBranch,
        uint256 minConfirmations
    ) external view returns (bytes32 txid) {
        if (rawTx.length == 64 || rawTx.length == 0) revert SpvTxLength(rawTx.length);
        bytes32 root = _confirmedMerkleRoot(header, minConfirmations);
        uint256 txOff;
        assembly ("memory-safe") {
            txOff := rawTx.offset
        }
        txid = BtcHeaders.hash256Calldata(txOff, rawTx.length);
        bytes32 node = _merkleClimb(txid, txIndex, merkleBranch);
        if (node != root) revert SpvMerkleMismatch(txid, node, root);
    }

    // ---------------------------------------------------------------------------------------

    /// @dev The Merkle root of a best-chain block with enough confirmations.
    function _confirmedMerkleRoot(
        bytes calldata header,
        uint256 minConfirmations
    ) internal view returns (bytes32) {
        if (header.length != BtcHeaders.HEADER_SIZE) revert SpvHeaderLength(header.length);
        uint256 hOff;
        assembly ("memory-safe") {
            hOff := header.offset
        }
        bytes32 blockHash = BtcHeaders.hash256Calldata(hOff, BtcHeaders.HEADER_SIZE);
        HeaderRecord memory r = _headers[blockHash];
        if (!_isBest(r)) revert SpvBlockNotInBestChain(blockHash);
        uint256 confirmations = _bestHeight - r.height + 1;
        if (confirmations < minConfirmations) {
            revert SpvInsufficientConfirmations(blockHash, confirmations, minConfirmations);
        }
        return BtcHeaders.word(hOff + 36);
    }

    /**
     * @dev Climbs from `txid` at position `txIndex` to the root. Two shapes are refused because
     * they let one tree answer for positions it does not have (see docs/light-client.md):
     *  - an index with bits above the branch depth (the same leaf under two indices);
     *  - a right child equal to its left sibling. Bitcoin pairs the last node of an odd level with
     *    itself, so position n of a block of n transactions (or n + 1, … further up) climbs to the
     *    real root through that copy; it is then always a right child whose sibling is itself. A
     *    real right child never equals its sibling: Core rejects such a block as mutated
     *    (CVE-2012-2459), so no valid position is refused. A left child equal to its sibling is
     *    the real last node of an odd level and is accepted.
     */
    function _merkleClimb(
        bytes32 txid,
        uint256 txIndex,
        bytes calldata branch
    ) internal view returns (bytes32 node) {
        uint256 depth = branch.length / 32;
        // A 4 MB block holds under 2^17 transactions; deeper branches or an index outside the
        // tree's width cannot describe a real position.
        if (branch.length % 32 != 0 || depth > 24 || txIndex >> depth != 0) {
            revert SpvBadBranch(txid, txIndex, branch.length);
        }
        uint256 bOff;
        assembly ("memory-safe") {
            bOff := branch.offset
        }
        node = txid;
        for (uint256 k = 0; k < depth; ++k) {
            bytes32 sibling = BtcHeaders.word(bOff + 32 * k);
            if ((txIndex >> k) & 1 == 1) {
                if (sibling == node) revert SpvIndexPastTxCount(txid, txIndex, k);
                node = BtcHeaders.hash256Pair(sibling, node);
            } else {
                node = BtcHeaders.hash256Pair(node, sibling);
            }
        }
    }

    function _validateAndRecord(Cursor memory c, uint256 off, uint256 i, bytes32 h, uint32 gen) internal {
        bytes32 prev = BtcHeaders.word(off + 4);
        if (prev != c.prevHash) revert BrokenLink(i, h, c.prevHash, prev);
        uint256 height = ++c.height;
        uint256 time = BtcHeaders.le32(off + 68);
        uint32 bits = BtcHeaders.le32(off + 72);
        uint256 posInEpoch = height % RETARGET_INTERVAL;
        if (posInEpoch == 0) {
            uint256 expected = c.bits;
            if (retargeting)
                expected = BtcHeaders.targetToBits(_retarget(c.target, c.epochStart, c.lastTime));
            if (bits != expected) revert UnexpectedBits(i, h, uint32(expected), bits);
            // The previous epoch counts as complete (2,016 blocks) even when it began before the checkpoint.
            c.workBefore += RETARGET_INTERVAL * c.workPerBlock;
            c.bits = bits;
            c.target = BtcHeaders.bitsToTarget(bits);
            c.workPerBlock = BtcHeaders.workOf(c.target);
            c.epochStart = time;
            _epochs[height / RETARGET_INTERVAL] = Epoch(uint32(time), 0, bits, uint160(c.workBefore));
        } else if (bits != c.bits) {
            revert UnexpectedBits(i, h, uint32(c.bits), bits);
        }
        if (BtcHeaders.reverse256(uint256(h)) > c.target) revert InsufficientProofOfWork(i, h, c.target);
        if (posInEpoch == RETARGET_INTERVAL - 1) {
            // The next retarget needs this block's time; it may arrive in a later batch.
            c.lastTime = time;
            _epochs[height / RETARGET_INTERVAL].endTime = uint32(time);
        }
        _headers[h] = HeaderRecord(uint32(height), gen);
        c.prevHash = h;
    }

    /// @dev Header `i` (hash `h`) must name header `i - 1` (hash `prevInBatch`) as its parent.
    function _checkLink(uint256 base, uint256 i, bytes32 h, bytes32 prevInBatch) internal pure {
        if (i == 0) return;
        bytes32 prev = BtcHeaders.word(base + i * BtcHeaders.HEADER_SIZE + 4);
        if (prev != prevInBatch) revert BrokenLink(i, h, prevInBatch, prev);
    }

    function _cursorAt(uint256 height, bytes32 hash) internal view returns (Cursor memory c) {
        Epoch memory ep = _epochs[height / RETARGET_INTERVAL];
        c.height = height;
        c.bits = ep.bits;
        c.target = BtcHeaders.bitsToTarget(ep.bits);
        c.workPerBlock = BtcHeaders.workOf(c.target);
        c.epochStart = ep.startTime;
        c.lastTime = ep.endTime;
        c.workBefore = ep.workBefore;
        c.prevHash = hash;
    }

    function _workAt(Cursor memory c) internal pure returns (uint256) {
        return c.workBefore + ((c.height % RETARGET_INTERVAL) + 1) * c.workPerBlock;
    }

    /// @dev Core's CalculateNextWorkRequired. The timespan covers 2,015 intervals (first to last
    /// block of the epoch), Core's historical off-by-one, kept because it is consensus.
    function _retarget(uint256 target, uint256 firstTime, uint256 lastTime) internal view returns (uint256) {
        uint256 span;
        // Timestamps are not monotonic: a "negative" span clamps to the minimum like any short one.
        if (lastTime <= firstTime) span = TARGET_TIMESPAN / 4;
        else span = Math.min(Math.max(lastTime - firstTime, TARGET_TIMESPAN / 4), TARGET_TIMESPAN * 4);
        // target·span/T computed as q·span + r·span/T (exact): under an easy powLimit the
        // product exceeds 256 bits, and any result that large is capped at powLimit anyway.
        uint256 q = target / TARGET_TIMESPAN;
        (bool ok, uint256 next) = Math.tryMul(q, span);
        if (ok) (ok, next) = Math.tryAdd(next, ((target % TARGET_TIMESPAN) * span) / TARGET_TIMESPAN);
        return !ok || next > powLimit ? powLimit : next;
    }

    function _recordReorg(uint32 gen, uint256 forkHeight) internal {
        uint32 p = gen - 1;
        while (p > 1 && _reorgs[p].forkHeight >= forkHeight) p = _reorgs[p].prevLower;
        _reorgs[gen] = ReorgRecord(uint32(forkHeight), p);
        _generation = gen;
    }

    /// @dev A recorded header is in the best chain unless a later reorg forked below it.
    function _isBest(HeaderRecord memory r) internal view returns (bool) {
        if (r.generation == 0 || r.height > _bestHeight) return false;
        uint256 g = _generation;
        while (g > r.generation) {
            ReorgRecord memory rr = _reorgs[g];
            if (rr.forkHeight < r.height) return false;
            g = rr.prevLower;
        }
        return true;
    }

    function _le32Memory(bytes memory b, uint256 off) private pure returns (uint32) {
        return
            uint32(uint8(b[off])) |
            (uint32(uint8(b[off + 1])) << 8) |
            (uint32(uint8(b[off + 2])) << 16) |
            (uint32(uint8(b[off + 3])) << 24);
    }
}
