/**
 * BtcLightClient's SPV proofs against two other Merkle implementations: bitcoinjs-lib (roots,
 * txids: independent of us) and ts/bitcoin (branches). Real mainnet blocks 1..255 come from
 * `<shared>/vectors/mainnet/blocks-1-256.dat`, `<shared>` being $LVM_SHARED or ../shared beside
 * the repository (CI's layout); without the file the suite is skipped, not faked.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Block, type Transaction } from "bitcoinjs-lib";
import { expect } from "chai";
import { network } from "hardhat";

import { concatBytes, merkleBranch, merkleRoot, rootFromBranch, sha256d } from "../../ts/bitcoin/index.js";
import type { BtcLightClient } from "../../types/index.js";
import { readBlocks } from "../solidity/lightclient/gen-mainnet-fixture.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = process.env.LVM_SHARED ?? path.resolve(REPO_ROOT, "..", "shared");
const BLOCKS_FILE = path.join(SHARED, "vectors", "mainnet", "blocks-1-256.dat");

const MAINNET_GENESIS = Buffer.from(
  "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c",
  "hex",
);
const MAINNET_POW_LIMIT = 0xffffn << 208n;
const REGTEST_BITS = 0x207fffff;
const REGTEST_POW_LIMIT = 0x7fffffn << 232n;

const hex = (b: Uint8Array): string => `0x${Buffer.from(b).toString("hex")}`;

/** A regtest-difficulty header over `root` (about two attempts). */
function mineHeader(prev: Uint8Array, root: Uint8Array): Uint8Array {
  const h = new Uint8Array(80);
  const v = new DataView(h.buffer);
  v.setUint32(0, 4, true);
  h.set(prev, 4);
  h.set(root, 36);
  v.setUint32(68, 1_700_000_000, true);
  v.setUint32(72, REGTEST_BITS, true);
  for (let nonce = 0; ; nonce++) {
    v.setUint32(76, nonce, true);
    if (BigInt(`0x${Buffer.from(sha256d(h)).reverse().toString("hex")}`) <= REGTEST_POW_LIMIT) return h;
  }
}

/** Levels where the climb from leaf `index` is a left child paired with itself (a copy). */
function copyLevels(leaf: Uint8Array, index: number, branch: readonly Uint8Array[]): number[] {
  const levels: number[] = [];
  let node = leaf;
  branch.forEach((sibling, k) => {
    const right = ((index >> k) & 1) === 1;
    if (!right && Buffer.compare(sibling, node) === 0) levels.push(k);
    node = sha256d(right ? concatBytes(sibling, node) : concatBytes(node, sibling));
  });
  return levels;
}

describe("light client SPV against bitcoinjs-lib and ts/bitcoin", function () {
  let blocks: Block[];
  let ethers: Awaited<ReturnType<typeof network.create>>["ethers"];

  before(async function () {
    if (!existsSync(BLOCKS_FILE)) {
      console.log(`    (skipped: no ${BLOCKS_FILE}; set LVM_SHARED to the shared/ folder)`);
      this.skip();
    }
    blocks = readBlocks(BLOCKS_FILE);
    ({ ethers } = await network.create());
  });

  const txsOf = (b: Block): Transaction[] => b.transactions ?? [];

  it("proves every transaction of mainnet blocks 1..255 at its position, none past the count", async function () {
    const lc: BtcLightClient = await ethers.deployContract("BtcLightClient", [
      MAINNET_GENESIS,
      0,
      MAINNET_POW_LIMIT,
      true,
    ]);
    await (await lc.submitHeaders(Buffer.concat(blocks.map((b) => b.toBuffer(true))))).wait();
    let proven = 0;
    for (const b of blocks) {
      const header = b.toBuffer(true);
      const txids = txsOf(b).map((t) => t.getHash());
      // Two implementations agree with the header before the contract is asked.
      expect(hex(Block.calculateMerkleRoot(txsOf(b)))).to.equal(hex(b.merkleRoot!));
      expect(hex(merkleRoot(txids))).to.equal(hex(b.merkleRoot!));
      for (const [i, tx] of txsOf(b).entries()) {
        const branch = concatBytes(...merkleBranch(txids, i));
        expect(await lc.verifyTx(tx.toBuffer(), header, i, branch, 1)).to.equal(hex(txids[i]!));
        proven++;
      }
      if (txids.length === 1) {
        // The lone coinbase paired with itself is position 1 through a copy.
        await expect(lc.verifyTx(txsOf(b)[0]!.toBuffer(), header, 1, txids[0]!, 1))
          .to.be.revertedWithCustomError(lc, "SpvIndexPastTxCount")
          .withArgs(hex(txids[0]!), 1, 0);
      }
    }
    expect(proven).to.equal(262);
  });

  it("refuses every copied position of a block of 261 real transactions, and 64-byte nodes", async function () {
    // All real transactions of the file but the last: 261 leaves, odd at levels 0, 1, 3, 4, 5, 6, 7.
    const txs = blocks.flatMap(txsOf).slice(0, 261);
    const txids = txs.map((t) => t.getHash());
    const root = Block.calculateMerkleRoot(txs);
    expect(hex(merkleRoot(txids))).to.equal(hex(root));

    const genesis = mineHeader(new Uint8Array(32), new Uint8Array(32));
    const lc: BtcLightClient = await ethers.deployContract("BtcLightClient", [
      genesis,
      0,
      REGTEST_POW_LIMIT,
      false,
    ]);
    const header = mineHeader(sha256d(genesis), root);
    await (await lc.submitHeaders(header)).wait();

    const forgedPositions = new Set<number>();
    for (const [i, tx] of txs.entries()) {
      const branch = merkleBranch(txids, i);
      const packed = concatBytes(...branch);
      expect(await lc.verifyTx(tx.toBuffer(), header, i, packed, 1)).to.equal(hex(txids[i]!));
      // Each non-empty set of copy levels opens a forged position with the same branch; the
      // client names the lowest copy.
      const levels = copyLevels(txids[i]!, i, branch);
      for (let mask = 1; mask < 1 << levels.length; mask++) {
        const chosen = levels.filter((_, j) => (mask >> j) & 1);
        const forged = chosen.reduce((p, k) => p | (1 << k), i);
        // The ambiguity is real: a rule-free climb (ts/bitcoin) reaches the header's root.
        expect(hex(rootFromBranch(txids[i]!, branch, forged))).to.equal(hex(root));
        await expect(lc.verifyTx(tx.toBuffer(), header, forged, packed, 1))
          .to.be.revertedWithCustomError(lc, "SpvIndexPastTxCount")
          .withArgs(hex(txids[i]!), forged, Math.min(...chosen));
        forgedPositions.add(forged);
      }
    }
    // Only the positions past the count are forgeable, and the last transaction alone opens 127.
    expect(Math.min(...forgedPositions)).to.equal(261);
    expect(forgedPositions.size).to.be.greaterThanOrEqual(127);

    // Two sibling txids as a 64-byte "transaction" hash to their parent: refused by length.
    const inner = concatBytes(txids[0]!, txids[1]!);
    const upper = merkleBranch(txids, 0).slice(1);
    expect(hex(rootFromBranch(sha256d(inner), upper, 0))).to.equal(hex(root));
    await expect(lc.verifyTx(inner, header, 0, concatBytes(...upper), 1))
      .to.be.revertedWithCustomError(lc, "SpvTxLength")
      .withArgs(64);
  });
});
