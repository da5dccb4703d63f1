// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBtcLightClient} from "../../../contracts/bitcoin/IBtcLightClient.sol";
import {DlcChannels} from "../../../contracts/dlc/DlcChannels.sol";
import {PegInTx} from "../../../contracts/bridge/PegInTx.sol";

interface DlcVm {
    function expectRevert(bytes calldata revertData) external;

    function expectEmit(bool t1, bool t2, bool t3, bool data, address emitter) external;

    function prank(address sender) external;
}

/// @dev Stands in for BtcLightClient (tested on its own): it "includes" exactly the transactions
/// it was told, at the depth it was told, and fails like the real one otherwise.
contract DlcMockLightClient {
    mapping(bytes32 => uint256) public depth;

    function include(bytes memory rawTx, uint256 confirmations) external {
        depth[sha256(abi.encodePacked(sha256(rawTx)))] = confirmations;
    }

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

contract DlcChannelsTest {
    DlcVm internal constant vm = DlcVm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    address internal constant FED = address(0xFED);
    address internal constant USER = address(0xA11CE);
    bytes32 internal constant KEY = 0x8f3a1c2b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8;

    DlcMockLightClient internal lc;
    DlcChannels internal dlc;

    event ChannelOpened(
        bytes32 indexed id,
        address indexed owner,
        bytes32 fundingTxid,
        uint32 vout,
        uint64 fundedSats,
        uint64 userCollateralSats
    );
    event WithdrawalRequested(bytes32 indexed id, address indexed owner, uint64 sats);

    function setUp() public {
        lc = new DlcMockLightClient();
        dlc = new DlcChannels(IBtcLightClient(address(lc)), 6, FED);
    }

    // ---- an independent transaction builder: 1 input, outputs as given ----
    function le64(uint64 v) internal pure returns (bytes memory out) {
        out = new bytes(8);
        for (uint256 i = 0; i < 8; ++i) out[i] = bytes1(uint8(v >> (8 * i)));
    }

    function txWith(
        uint64[] memory amounts,
        bytes[] memory scripts,
        uint256 salt
    ) internal pure returns (bytes memory t) {
        t = abi.encodePacked(
            hex"0200000001",
            keccak256(abi.encode(salt)),
            hex"00000000",
            hex"00",
            hex"fdffffff"
        );
        t = abi.encodePacked(t, uint8(amounts.length));
        for (uint256 i = 0; i < amounts.length; ++i)
            t = abi.encodePacked(t, le64(amounts[i]), uint8(scripts[i].length), scripts[i]);
        t = abi.encodePacked(t, hex"00000000");
    }

    function fundingTx(uint64 amount, bytes32 key, uint256 salt) internal pure returns (bytes memory) {
        uint64[] memory a = new uint64[](2);
        bytes[] memory s = new bytes[](2);
        a[0] = 5_000;
        s[0] = hex"0014abababababababababababababababababababab"; // change first: the channel is output 1
        a[1] = amount;
        s[1] = abi.encodePacked(hex"5120", key);
        return txWith(a, s, salt);
    }

    function proof(bytes memory rawTx) internal pure returns (DlcChannels.SpvProof memory) {
        return DlcChannels.SpvProof(rawTx, new bytes(80), 0, "");
    }

    function open(
        uint64 amount,
        uint64 collateral,
        uint256 salt
    ) internal returns (bytes32 id, bytes memory t) {
        t = fundingTx(amount, KEY, salt);
        lc.include(t, 6);
        vm.prank(FED);
        id = dlc.openChannel(USER, KEY, collateral, 1, proof(t));
    }

    function test_open_recordsTheProvenOutput() public {
        bytes memory t = fundingTx(210_000_000, KEY, 1);
        lc.include(t, 6);
        bytes32 txid = sha256(abi.encodePacked(sha256(t)));
        bytes32 id = keccak256(abi.encode(txid, uint32(1)));
        vm.expectEmit(true, true, false, true, address(dlc));
        emit ChannelOpened(id, USER, txid, 1, 210_000_000, 150_000_000);
        vm.prank(FED);
        require(dlc.openChannel(USER, KEY, 150_000_000, 1, proof(t)) == id, "id");
        (address owner, uint64 funded, uint64 coll, uint32 vout, bytes32 ftxid, bytes32 key) = dlc.channels(
            id
        );
        require(owner == USER && funded == 210_000_000 && coll == 150_000_000 && vout == 1, "record");
        require(ftxid == txid && key == KEY && dlc.channelCount() == 1, "record ids");
        vm.expectRevert(abi.encodeWithSelector(DlcChannels.ChannelExists.selector, id));
        vm.prank(FED);
        dlc.openChannel(USER, KEY, 150_000_000, 1, proof(t));
    }

    function test_open_refusals() public {
        bytes memory t = fundingTx(1_000_000, KEY, 2);
        vm.expectRevert(abi.encodeWithSelector(DlcChannels.NotFederation.selector, USER));
        vm.prank(USER);
        dlc.openChannel(USER, KEY, 1, 1, proof(t));

        bytes32 txid = sha256(abi.encodePacked(sha256(t)));
        vm.expectRevert(abi.encodeWithSelector(IBtcLightClient.SpvBlockNotInBestChain.selector, txid));
        vm.prank(FED);
        dlc.openChannel(USER, KEY, 1, 1, proof(t));

        lc.include(t, 5);
        vm.expectRevert(
            abi.encodeWithSelector(IBtcLightClient.SpvInsufficientConfirmations.selector, txid, 5, 6)
        );
        vm.prank(FED);
        dlc.openChannel(USER, KEY, 1, 1, proof(t));

        lc.include(t, 6);
        bytes32 id0 = keccak256(abi.encode(txid, uint32(0)));
        vm.expectRevert(
            abi.encodeWithSelector(
                DlcChannels.FundingScriptMismatch.selector,
                id0,
                keccak256(hex"0014abababababababababababababababababababab")
            )
        );
        vm.prank(FED);
        dlc.openChannel(USER, KEY, 1, 0, proof(t));

        bytes32 id1 = keccak256(abi.encode(txid, uint32(1)));
        vm.expectRevert(
            abi.encodeWithSelector(
                DlcChannels.FundingScriptMismatch.selector,
                id1,
                keccak256(abi.encodePacked(hex"5120", KEY))
            )
        );
        vm.prank(FED);
        dlc.openChannel(USER, bytes32(uint256(KEY) ^ 1), 1, 1, proof(t));

        vm.expectRevert(abi.encodeWithSelector(DlcChannels.BadCollateral.selector, 1_000_001, 1_000_000));
        vm.prank(FED);
        dlc.openChannel(USER, KEY, 1_000_001, 1, proof(t));

        vm.expectRevert(abi.encodeWithSelector(PegInTx.PegInTxTooFewOutputs.selector, 2));
        vm.prank(FED);
        dlc.openChannel(USER, KEY, 1, 2, proof(t));
    }

    function test_requestWithdrawal_onceByTheOwner() public {
        (bytes32 id, ) = open(210_000_000, 150_000_000, 3);
        vm.expectRevert(abi.encodeWithSelector(DlcChannels.NotOwner.selector, id, FED));
        vm.prank(FED);
        dlc.requestWithdrawal(id, 1);
        vm.expectRevert(
            abi.encodeWithSelector(DlcChannels.BadWithdrawalAmount.selector, id, 150_000_001, 150_000_000)
        );
        vm.prank(USER);
        dlc.requestWithdrawal(id, 150_000_001);
        vm.expectEmit(true, true, false, true, address(dlc));
        emit WithdrawalRequested(id, USER, 87_654_321);
        vm.prank(USER);
        dlc.requestWithdrawal(id, 87_654_321);
        (uint64 sats, uint64 at) = dlc.withdrawals(id);
        require(sats == 87_654_321 && at == block.number, "request");
        vm.expectRevert(abi.encodeWithSelector(DlcChannels.WithdrawalExists.selector, id));
        vm.prank(USER);
        dlc.requestWithdrawal(id, 5);
        vm.expectRevert(abi.encodeWithSelector(DlcChannels.UnknownChannel.selector, bytes32(uint256(7))));
        vm.prank(USER);
        dlc.requestWithdrawal(bytes32(uint256(7)), 5);
    }

    /// @dev Any amount in (0, collateral] is recorded exactly; anything else is refused.
    function testFuzz_requestWithdrawal_amount(uint64 collateral, uint64 sats) public {
        (bytes32 id, ) = open(type(uint64).max, collateral, uint256(collateral));
        // hit the edges often: the whole collateral, one above it, zero
        if (sats % 4 == 0) sats = collateral;
        else if (sats % 4 == 1 && collateral < type(uint64).max) sats = collateral + 1;
        else if (sats % 4 == 2) sats = 0;
        vm.prank(USER);
        if (sats == 0 || sats > collateral) {
            vm.expectRevert(
                abi.encodeWithSelector(DlcChannels.BadWithdrawalAmount.selector, id, sats, collateral)
            );
            dlc.requestWithdrawal(id, sats);
        } else {
            dlc.requestWithdrawal(id, sats);
            (uint64 got, ) = dlc.withdrawals(id);
            require(got == sats, "amount");
        }
    }

    /// @dev outputAt against the builder: every output's amount and script, for random shapes.
    function testFuzz_outputAt(uint64 seed, uint8 count) public view {
        uint256 n = uint256(count % 12) + 1;
        uint64[] memory a = new uint64[](n);
        bytes[] memory s = new bytes[](n);
        for (uint256 i = 0; i < n; ++i) {
            a[i] = uint64(uint256(keccak256(abi.encode(seed, i))));
            uint256 len = uint256(keccak256(abi.encode(seed, i, "len"))) % 80;
            s[i] = new bytes(len);
            for (uint256 j = 0; j < len; ++j) s[i][j] = bytes1(uint8(i + j));
        }
        bytes memory t = txWith(a, s, seed);
        for (uint256 i = 0; i < n; ++i) {
            (uint64 amount, bytes memory script) = dlc.outputAt(t, i);
            require(amount == a[i] && keccak256(script) == keccak256(s[i]), "output");
        }
    }

    function test_outputAt_refusesWitnessAndTruncated() public {
        vm.expectRevert(abi.encodeWithSelector(PegInTx.PegInTxHasWitness.selector));
        dlc.outputAt(hex"020000000001", 0);
        bytes memory t = fundingTx(1, KEY, 9);
        bytes memory cut = new bytes(t.length - 10);
        for (uint256 i = 0; i < cut.length; ++i) cut[i] = t[i];
        vm.expectRevert(abi.encodeWithSelector(PegInTx.PegInTxTruncated.selector, cut.length + 6));
        dlc.outputAt(cut, 1);
    }
}
