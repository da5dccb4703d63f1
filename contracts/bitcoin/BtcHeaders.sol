// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title BtcHeaders
 * @notice Bitcoin block-header primitives: field access on 80-byte headers in calldata, double
 * SHA-256, compact-target ("nBits") encoding and proof-of-work arithmetic, all as Bitcoin Core does.
 * @dev Hashes are kept in Bitcoin's internal byte order (the raw SHA-256d output), which is how
 * headers reference their parent; explorers display them reversed.
 */
library BtcHeaders {
    uint256 internal constant HEADER_SIZE = 80;

    /// @notice sha256(sha256(data[offset : offset + len])) of calldata, via the SHA-256 precompile.
    function hash256Calldata(uint256 offset, uint256 len) internal view returns (bytes32 h) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            calldatacopy(ptr, offset, len)
            // The precompile cannot fail for in-memory input with enough gas; a failure would
            // leave zero in scratch space, which never matches a real parent hash or target.
            pop(staticcall(gas(), 0x02, ptr, len, 0x00, 0x20))
            pop(staticcall(gas(), 0x02, 0x00, 0x20, 0x00, 0x20))
            h := mload(0x00)
        }
    }

    /// @notice sha256d of a 64-byte concatenation `a || b` (a Merkle tree node).
    function hash256Pair(bytes32 a, bytes32 b) internal view returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            pop(staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20))
            pop(staticcall(gas(), 0x02, 0x00, 0x20, 0x00, 0x20))
            h := mload(0x00)
        }
    }

    /// @notice A little-endian uint32 at `offset` in calldata.
    function le32(uint256 offset) internal pure returns (uint32 v) {
        uint256 w;
        assembly ("memory-safe") {
            w := shr(224, calldataload(offset))
        }
        v = uint32(((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >> 8) & 0xff00) | (w >> 24));
    }

    /// @notice The 32-byte word at `offset` in calldata (a hash field, kept in internal order).
    function word(uint256 offset) internal pure returns (bytes32 w) {
        assembly ("memory-safe") {
            w := calldataload(offset)
        }
    }

    /// @notice Reverses the bytes of a 256-bit word: a hash in internal order read as a
    /// little-endian number, which is how proof of work compares it with the target.
    function reverse256(uint256 v) internal pure returns (uint256) {
        v =
            ((v & 0xFF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00) >> 8) |
            ((v & 0x00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF00FF) << 8);
        v =
            ((v & 0xFFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000) >> 16) |
            ((v & 0x0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF0000FFFF) << 16);
        v =
            ((v & 0xFFFFFFFF00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF00000000) >> 32) |
            ((v & 0x00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF00000000FFFFFFFF) << 32);
        v =
            ((v & 0xFFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF0000000000000000) >> 64) |
            ((v & 0x0000000000000000FFFFFFFFFFFFFFFF0000000000000000FFFFFFFFFFFFFFFF) << 64);
        return (v >> 128) | (v << 128);
    }

    /**
     * @notice Decodes a compact target as Core's `arith_uint256::SetCompact`.
     * @return target the decoded value (0 when negative or overflowing, which no valid header has)
     */
    function bitsToTarget(uint32 bits) internal pure returns (uint256 target) {
        uint256 exponent = bits >> 24;
        uint256 mantissa = bits & 0x007fffff;
        // A set sign bit means a negative target in Core's encoding: never valid proof of work.
        if (bits & 0x00800000 != 0 || mantissa == 0) return 0;
        if (exponent <= 3) return mantissa >> (8 * (3 - exponent));
        uint256 shift = 8 * (exponent - 3);
        // Overflow beyond 256 bits is likewise invalid (Core's fOverflow).
        if (shift >= 256 || (mantissa >> (256 - shift)) != 0) return 0;
        return mantissa << shift;
    }

    /// @notice Encodes a target as Core's `arith_uint256::GetCompact`: the mantissa keeps the top
    /// three bytes and is truncated, so a retarget's result is rounded down before comparison.
    function targetToBits(uint256 target) internal pure returns (uint32) {
        uint256 size = 0;
        for (uint256 t = target; t != 0; t >>= 8) ++size;
        uint256 compact = size <= 3 ? target << (8 * (3 - size)) : target >> (8 * (size - 3));
        // The mantissa's top bit is the sign: shift a byte out rather than emit a negative number.
        if (compact & 0x00800000 != 0) {
            compact >>= 8;
            ++size;
        }
        return uint32(compact | (size << 24));
    }

    /// @notice Expected number of hashes for a target, as Core's `GetBlockProof`: 2^256 / (target + 1).
    function workOf(uint256 target) internal pure returns (uint256) {
        return (~target / (target + 1)) + 1;
    }
}
