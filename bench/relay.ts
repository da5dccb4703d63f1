/**
 * Light-client gas: per header for batches of 1, 10 and 100 real mainnet headers, and per SPV
 * proof (a real transaction of block 170), for BtcLightClient and, in the same run, the naive
 * store-every-header baseline (contracts/bitcoin/bench/NaiveBtcRelay.sol).
 * Per-header figures are the transaction's gasUsed / headers (21,000 intrinsic gas included);
 * SPV figures are eth_estimateGas of the proof call minus the 21,000 intrinsic gas.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { sha256 } from "@noble/hashes/sha2.js";
import { Block } from "bitcoinjs-lib";
import { network, tasks } from "hardhat";

import { bytesToPrefixedHex as hex } from "../ts/core/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const MAINNET_POW_LIMIT = 0xffffn << 208n;
const GENESIS =
  "0x0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c";

function readBlocks(): Block[] {
  const data = readFileSync(path.resolve(root, "../shared/vectors/mainnet/blocks-1-256.dat"));
  const blocks: Block[] = [];
  for (let off = 0; off < data.length;) {
    const len = data.readUInt32LE(off + 4);
    blocks.push(Block.fromBuffer(data.subarray(off + 8, off + 8 + len)));
    off += 8 + len;
  }
  return blocks;
}

function merkle(leaves: Uint8Array[], index: number): { root: Uint8Array; branch: Uint8Array[] } {
  const branch: Uint8Array[] = [];
  let level = leaves;
  for (let i = index; level.length > 1; i >>= 1) {
    if (level.length % 2 === 1) level = [...level, level[level.length - 1]];
    branch.push(level[i ^ 1]);
    const next: Uint8Array[] = [];
    for (let k = 0; k < level.length; k += 2)
      next.push(sha256(sha256(Buffer.concat([level[k], level[k + 1]]))));
    level = next;
  }
  return { root: level[0], branch };
}

/** A header meeting regtest's target (about two attempts). */
function mineRegtestHeader(prev: Uint8Array, merkleRoot: Uint8Array): Uint8Array {
  const h = Buffer.alloc(80);
  h.writeUInt32LE(4, 0);
  h.set(prev, 4);
  h.set(merkleRoot, 36);
  h.writeUInt32LE(1_700_000_000, 68);
  h.writeUInt32LE(0x207fffff, 72);
  for (let nonce = 0; ; nonce++) {
    h.writeUInt32LE(nonce, 76);
    if (sha256(sha256(h))[31] < 0x7f) return h;
  }
}

export default async function relay(): Promise<Record<string, unknown>> {
  await tasks.getTask("build").run({ quiet: true });
  const { ethers } = await network.create();
  const blocks = readBlocks();
  const headers = blocks.map((b) => b.toBuffer(true));

  const lc = await ethers.deployContract("BtcLightClient", [GENESIS, 0, MAINNET_POW_LIMIT, true]);
  const genesisHash = sha256(sha256(Buffer.from(GENESIS.slice(2), "hex")));
  const naive = await ethers.deployContract("NaiveBtcRelay", [hex(genesisHash), 0x1d00ffff]);

  const figures: Record<string, unknown> = {};
  let next = 0;
  for (const size of [1, 10, 100]) {
    const batch = hex(Buffer.concat(headers.slice(next, next + size)));
    next += size;
    const r1 = await (await lc.getFunction("submitHeaders")(batch)).wait();
    const r2 = await (await naive.getFunction("submitHeaders")(batch)).wait();
    figures[`lightclient_gas_per_header_batch${size}`] = Math.round(Number(r1?.gasUsed ?? 0n) / size);
    figures[`naive_gas_per_header_batch${size}`] = Math.round(Number(r2?.gasUsed ?? 0n) / size);
  }
  // Bring both to the end of the file so block 170 has confirmations.
  for (; next < headers.length; next += 50) {
    const chunk = hex(Buffer.concat(headers.slice(next, next + 50)));
    await (await lc.getFunction("submitHeaders")(chunk)).wait();
    await (await naive.getFunction("submitHeaders")(chunk)).wait();
  }

  const block = blocks[169]; // height 170: the first payment between people
  const txs = block.transactions ?? [];
  const tx = txs[1];
  const sibling = txs[0].getHash();
  const lcGas = await lc
    .getFunction("verifyTx")
    .estimateGas(hex(tx.toBuffer()), hex(block.toBuffer(true)), 1, hex(sibling), 6);
  const naiveGas = await naive
    .getFunction("verifyTx")
    .estimateGas(hex(tx.toBuffer()), hex(block.getHash()), 1, [hex(sibling)], 6);
  figures.lightclient_gas_per_spv_proof = Number(lcGas) - 21_000;
  figures.naive_gas_per_spv_proof = Number(naiveGas) - 21_000;
  figures.spv_branch_depth = 1;

  // A full-size block: 2,048 transactions (branch depth 11), in a regtest-difficulty header.
  const leaves: Uint8Array[] = Array.from({ length: 2048 }, (_, i) => sha256(sha256(Buffer.from(`tx ${i}`))));
  const index = 1337;
  leaves[index] = tx.getHash();
  const { root: merkleRoot, branch } = merkle(leaves, index);
  const genesis = mineRegtestHeader(new Uint8Array(32), new Uint8Array(32));
  const rlc = await ethers.deployContract("BtcLightClient", [genesis, 0, 0x7fffffn << 232n, false]);
  const deep = mineRegtestHeader(sha256(sha256(genesis)), merkleRoot);
  await (await rlc.getFunction("submitHeaders")(deep)).wait();
  const deepGas = await rlc
    .getFunction("verifyTx")
    .estimateGas(hex(tx.toBuffer()), hex(deep), index, hex(Buffer.concat(branch)), 1);
  figures.lightclient_gas_per_spv_proof_depth11 = Number(deepGas) - 21_000;
  figures.headers_real_mainnet = headers.length;
  return figures;
}
