// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title PegInTx
/// @notice Reads a BitVM bridge PegInConfirm transaction (non-witness serialization, as an SPV
/// proof carries it): output 0 must pay the committee's pool script, output 1 must be the
/// `OP_RETURN "BLVM" 0x01 <recipient20>` tag. Returns what the L2 bridge credits.
/// @dev Pure parsing only. The caller proves inclusion (merkle branch to a header the light client
/// has at the required depth) with the returned `txid` and enforces credit-once on it.
library PegInTx {
    /// @notice The transaction ends, or a length field points, past the end of the data.
    error PegInTxTruncated(uint256 offset);
    /// @notice A witness (segwit) serialization was given; the txid needs the stripped one.
    error PegInTxHasWitness();
    /// @notice Trailing bytes after the locktime.
    error PegInTxTrailingBytes(uint256 length, uint256 consumed);
    /// @notice Fewer than the two outputs a PegInConfirm has.
    error PegInTxTooFewOutputs(uint256 count);
    /// @notice Output 0 does not pay the committee pool.
    error PegInTxNotPool(bytes32 scriptHash);
    /// @notice Output 1 is not the bridge's OP_RETURN recipient tag.
    error PegInTxBadTag(bytes script);

    /// @notice What a proven PegInConfirm credits.
    struct PegIn {
        /// @dev sha256d of the serialization, internal byte order (as in Bitcoin merkle trees).
        bytes32 txid;
        uint64 amountSats;
        address recipient;
    }

    /// @dev OP_RETURN, push 25, "BLVM", version 1.
    bytes7 internal constant TAG_PREFIX = 0x6a19424c564d01;
    uint256 internal constant TAG_LENGTH = 27;

    /// @notice Parses `rawTx` and checks it is a PegInConfirm into `poolScript`.
    /// @dev Requirements: non-witness serialization, no trailing bytes, output 0 script equal to
    /// `poolScript`, output 1 the 27-byte tag. Reverts with the errors above otherwise.
    function parse(bytes calldata rawTx, bytes memory poolScript) internal pure returns (PegIn memory p) {
        uint256 off = 4; // version
        _need(rawTx, off + 1);
        if (rawTx[off] == 0x00) revert PegInTxHasWitness();
        uint256 n;
        (n, off) = _varInt(rawTx, off);
        for (uint256 i = 0; i < n; ++i) {
            off += 36; // outpoint
            uint256 len;
            (len, off) = _varInt(rawTx, off);
            off += len + 4; // scriptSig, sequence
            _need(rawTx, off);
        }
        (n, off) = _varInt(rawTx, off);
        if (n < 2) revert PegInTxTooFewOutputs(n);
        uint64 amount;
        bytes calldata script;
        (amount, script, off) = _output(rawTx, off);
        if (keccak256(script) != keccak256(poolScript)) revert PegInTxNotPool(keccak256(script));
        p.amountSats = amount;
        (, script, off) = _output(rawTx, off);
        if (script.length != TAG_LENGTH || bytes7(script[:7]) != TAG_PREFIX) revert PegInTxBadTag(script);
        p.recipient = address(bytes20(script[7:27]));
        for (uint256 i = 2; i < n; ++i) (, , off) = _output(rawTx, off);
        off += 4; // locktime
        if (off != rawTx.length) revert PegInTxTrailingBytes(rawTx.length, off);
        p.txid = sha256(abi.encodePacked(sha256(rawTx)));
    }

    /// @notice Output `vout` of `rawTx` (non-witness serialization): its amount and script.
    /// @dev Reverts {PegInTxTruncated} past the end, {PegInTxTooFewOutputs} when there is no such output,
    /// {PegInTxHasWitness} on a witness serialization.
    function outputAt(
        bytes calldata rawTx,
        uint256 vout
    ) internal pure returns (uint64 amount, bytes calldata script) {
        uint256 off = 4;
        _need(rawTx, off + 1);
        if (rawTx[off] == 0x00) revert PegInTxHasWitness();
        uint256 n;
        (n, off) = _varInt(rawTx, off);
        for (uint256 i = 0; i < n; ++i) {
            off += 36;
            uint256 len;
            (len, off) = _varInt(rawTx, off);
            off += len + 4;
            _need(rawTx, off);
        }
        (n, off) = _varInt(rawTx, off);
        if (vout >= n) revert PegInTxTooFewOutputs(n);
        for (uint256 i = 0; i < vout; ++i) (, , off) = _output(rawTx, off);
        (amount, script, ) = _output(rawTx, off);
    }

    function _output(
        bytes calldata b,
        uint256 off
    ) private pure returns (uint64 amount, bytes calldata script, uint256 next) {
        _need(b, off + 8);
        amount = _le64(b, off);
        uint256 len;
        (len, off) = _varInt(b, off + 8);
        _need(b, off + len);
        script = b[off:off + len];
        next = off + len;
    }

    /// @dev Bitcoin CompactSize. Non-minimal encodings parse; they change the txid, so a proof
    /// built on them fails the merkle check anyway.
    function _varInt(bytes calldata b, uint256 off) private pure returns (uint256 v, uint256 next) {
        _need(b, off + 1);
        uint8 first = uint8(b[off]);
        if (first < 0xfd) return (first, off + 1);
        uint256 size =
            first == 0xfd
                ? 2
                : first == 0xfe
                    ? 4
                    : 8;
        _need(b, off + 1 + size);
        for (uint256 i = 0; i < size; ++i) v |= uint256(uint8(b[off + 1 + i])) << (8 * i);
        return (v, off + 1 + size);
    }

    function _le64(bytes calldata b, uint256 off) private pure returns (uint64 v) {
        for (uint256 i = 0; i < 8; ++i) v |= uint64(uint8(b[off + i])) << uint64(8 * i);
    }

    function _need(bytes calldata b, uint256 end) private pure {
        if (end > b.length) revert PegInTxTruncated(end);
    }
}
