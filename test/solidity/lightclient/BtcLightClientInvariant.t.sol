// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BtcLightClient} from "../../../contracts/bitcoin/BtcLightClient.sol";
import {IBtcLightClient} from "../../../contracts/bitcoin/IBtcLightClient.sol";
import {LightClientTestBase} from "./LightClientTestBase.sol";

/// @notice Drives the client with random extensions and competing branches (regtest difficulty,
/// so work is 2 per block and the heaviest chain is the longest) and keeps a ghost copy.
contract ChainHandler is LightClientTestBase {
    BtcLightClient public immutable lc;
    bytes32[] internal _best;
    bytes32[] internal _stale;
    uint256 public heaviestAttempted;
    /// @dev Set when the client accepted a lighter branch or refused a heavier one.
    bool public mismatch;
    uint32 internal _time = 1_700_000_000;

    constructor() {
        bytes32 g;
        (lc, g) = regtestClient();
        _best.push(g);
    }

    function extend(uint8 len) external {
        branch(type(uint256).max, len);
    }

    /// @param ancestorSeed picks the fork point among the ghost's best chain (max: the tip)
    function branch(uint256 ancestorSeed, uint8 len) public {
        uint256 tip = _best.length - 1;
        if (tip >= 48) return; // bounds the run's cost; depth still reaches many reorgs
        uint256 a = ancestorSeed == type(uint256).max ? tip : ancestorSeed % (tip + 1);
        uint256 n = 1 + (uint256(len) % 6);
        _time += 1;
        (bytes memory batch, bytes32[] memory hs) = mineChain(_best[a], n, _time);
        bool heavier = a + n > tip;
        try lc.submitHeaders(batch) {
            if (!heavier) mismatch = true;
            for (uint256 h = tip; h > a; --h) {
                _stale.push(_best[h]);
                _best.pop();
            }
            for (uint256 i = 0; i < n; ++i) _best.push(hs[i]);
        } catch (bytes memory err) {
            if (heavier || bytes4(err) != IBtcLightClient.ForkNotHeavier.selector) mismatch = true;
        }
        if (a + n > heaviestAttempted) heaviestAttempted = a + n;
    }

    function bestLength() external view returns (uint256) {
        return _best.length;
    }

    function bestAt(uint256 h) external view returns (bytes32) {
        return _best[h];
    }

    function staleLength() external view returns (uint256) {
        return _stale.length;
    }

    function staleAt(uint256 i) external view returns (bytes32) {
        return _stale[i];
    }
}

contract BtcLightClientInvariantTest {
    ChainHandler internal handler;

    function setUp() public {
        handler = new ChainHandler();
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    /**
     * INVARIANT: the tip is the heaviest chain ever offered, and it is the ghost's chain.
     * hardhat-config: invariant.runs = 32
     * hardhat-config: invariant.depth = 40
     */
    function invariant_tipIsHeaviestKnownChain() public view {
        BtcLightClient lc = handler.lc();
        (bytes32 tip, uint256 height, uint256 work) = lc.bestBlock();
        require(!handler.mismatch(), "accepted a lighter branch or refused a heavier one");
        require(height == handler.heaviestAttempted(), "tip height is the heaviest offered");
        require(height == handler.bestLength() - 1 && tip == handler.bestAt(height), "tip is the ghost's");
        require(work == 2 * (height + 1), "work is 2 per block");
    }

    /**
     * INVARIANT: exactly the ghost's best chain answers as best; replaced headers never do.
     * hardhat-config: invariant.runs = 32
     * hardhat-config: invariant.depth = 40
     */
    function invariant_bestChainMembership() public view {
        BtcLightClient lc = handler.lc();
        uint256 n = handler.bestLength();
        for (uint256 h = 0; h < n; ++h) {
            require(lc.isInBestChain(handler.bestAt(h), n - h), "best header with its confirmations");
            require(!lc.isInBestChain(handler.bestAt(h), n - h + 1), "no extra confirmations");
        }
        for (uint256 i = 0; i < handler.staleLength(); ++i) {
            require(!lc.isInBestChain(handler.staleAt(i), 1), "stale header not best");
        }
    }
}
