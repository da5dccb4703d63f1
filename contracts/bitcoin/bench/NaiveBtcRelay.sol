// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BtcHeaders} from "../BtcHeaders.sol";

/**
 * @title NaiveBtcRelay
 * @notice Benchmark baseline only: the textbook relay design (BTC Relay style) that stores every
 * header's fields, height and cumulative work, with the same checks (link, fixed bits, proof of
 * work) but none of BtcLightClient's storage economy. Not for deployment.
 */
contract NaiveBtcRelay {
    struct StoredHeader {
        bytes32 prevHash;
        bytes32 merkleRoot;
        uint32 version;
        uint32 time;
        uint32 bits;
        uint32 nonce;
        uint32 height;
        uint256 chainWork;
    }

    error NaiveRejected(uint256 index, bytes32 headerHash);

    event NaiveHeaderStored(bytes32 indexed blockHash, uint256 height);

    mapping(bytes32 blockHash => StoredHeader) public headers;
    mapping(uint256 height => bytes32 blockHash) public bestAt;
    bytes32 public tip;

    constructor(bytes32 genesisHash, uint32 bits) {
        headers[genesisHash].bits = bits;
        headers[genesisHash].chainWork = 1;
        tip = genesisHash;
        bestAt[0] = genesisHash;
    }

    function submitHeaders(bytes calldata raw) external {
        uint256 base;
        assembly ("memory-safe") {
            base := raw.offset
        }
        for (uint256 i = 0; i < raw.length / 80; ++i) {
            uint256 off = base + i * 80;
            bytes32 h = BtcHeaders.hash256Calldata(off, 80);
            bytes32 prev = BtcHeaders.word(off + 4);
            StoredHeader storage parent = headers[prev];
            uint32 bits = BtcHeaders.le32(off + 72);
            uint256 target = BtcHeaders.bitsToTarget(bits);
            if (parent.chainWork == 0 || bits != parent.bits || BtcHeaders.reverse256(uint256(h)) > target) {
                revert NaiveRejected(i, h);
            }
            uint32 height = parent.height + 1;
            uint256 work = parent.chainWork + BtcHeaders.workOf(target);
            headers[h] = StoredHeader({
                prevHash: prev,
                merkleRoot: BtcHeaders.word(off + 36),
                version: BtcHeaders.le32(off),
                time: BtcHeaders.le32(off + 68),
                bits: bits,
                nonce: BtcHeaders.le32(off + 76),
                height: height,
                chainWork: work
            });
            if (work > headers[tip].chainWork) {
                tip = h;
                bestAt[height] = h;
            }
            emit NaiveHeaderStored(h, height);
        }
    }

    /// @notice Same inclusion check as the light client, reading the stored Merkle root.
    function verifyTx(
        bytes calldata rawTx,
        bytes32 blockHash,
        uint256 txIndex,
        bytes32[] calldata branch,
        uint256 minConfirmations
    ) external view returns (bytes32 txid) {
        StoredHeader storage hd = headers[blockHash];
        require(bestAt[hd.height] == blockHash && headers[tip].height + 1 - hd.height >= minConfirmations);
        require(rawTx.length != 64);
        txid = sha256(abi.encodePacked(sha256(rawTx)));
        bytes32 node = txid;
        for (uint256 k = 0; k < branch.length; ++k) {
            node =
                (txIndex >> k) & 1 == 1
                    ? BtcHeaders.hash256Pair(branch[k], node)
                    : BtcHeaders.hash256Pair(node, branch[k]);
        }
        require(node == hd.merkleRoot);
    }
}
