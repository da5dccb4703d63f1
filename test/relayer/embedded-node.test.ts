/**
 * The relayer against the project's embedded regtest node, reached the way the `relay` task
 * reaches it: Bitcoin Core's JSON-RPC through `BitcoindRpcBackend`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { payments, networks } from "bitcoinjs-lib";
import { expect } from "chai";
import { network } from "hardhat";

import { BitcoindRpcBackend, startRegtestNode, type RunningNode } from "../../ts/btcnode/index.js";
import { EthersLightClient, Relayer, displayToInternal } from "../../ts/relayer/index.js";

// Coinbase payee: P2WPKH of the secp256k1 generator point (no one needs to spend it).
const G = Buffer.from("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "hex");
const ADDRESS = payments.p2wpkh({ pubkey: G, network: networks.regtest }).address as string;

describe("relayer ← embedded regtest node (JSON-RPC)", function () {
  let dir: string;
  let running: RunningNode;
  let source: BitcoindRpcBackend;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "relayer-"));
    running = await startRegtestNode({ datadir: dir, rpcPort: 0, sync: false });
    source = await BitcoindRpcBackend.connect({
      url: running.rpcUrl,
      cookieFile: running.cookieFile,
      network: "regtest",
    });
  });
  after(async () => {
    await running.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("follows the node's chain, an invalidateblock reorg, and a restart", async function () {
    const { ethers } = await network.create();
    const genesis = (await source.getBlockHeader(await source.getBlockHash(0))).encode();
    const lc = await ethers.deployContract("BtcLightClient", [genesis, 0, 0x7fffffn << 232n, false]);
    const [signer] = await ethers.getSigners();
    const client = new EthersLightClient(await lc.getAddress(), signer);

    await source.mine(30, ADDRESS);
    const first = await new Relayer({ source, client, batchSize: 12 }).syncOnce();
    expect(first.submitted).to.equal(30);
    expect(first.tip.hash).to.equal(displayToInternal(await source.getBestBlockHash()));

    // Reorg: drop blocks 28..30, mine a longer branch (height 32).
    const stale = displayToInternal(await source.getBlockHash(29));
    await source.invalidateBlock(await source.getBlockHash(28));
    await source.mine(5, ADDRESS);
    expect(await source.getBlockCount()).to.equal(32);

    const restarted = new Relayer({ source, client, batchSize: 12 });
    const r = await restarted.syncOnce();
    expect(r.reorg).to.equal(true);
    expect(r.submitted).to.equal(5);
    expect(r.tip).to.deep.equal({ hash: displayToInternal(await source.getBestBlockHash()), height: 32 });
    expect(await client.isInBestChain(stale, 1)).to.equal(false);
    expect((await restarted.syncOnce()).submitted).to.equal(0);
  });
});
