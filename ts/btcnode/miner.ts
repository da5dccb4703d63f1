/**
 * Block templates and proof of work. Transactions are chosen by ancestor-package fee rate (a
 * child paying for its parent is considered with it), within the block weight and sigop limits.
 */
import { Block, BlockHeader, Transaction, bitsToTarget, merkleRoot } from "../bitcoin/index.js";
import type { Chain } from "./chain.js";
import type { Mempool, MempoolEntry } from "./mempool.js";
import {
  bip34Prefix,
  blockSubsidy,
  MAX_BLOCK_SIGOPS_COST,
  MAX_BLOCK_WEIGHT,
  witnessCommitmentScript,
} from "./validation.js";

/** Weight and sigops kept free for the coinbase, as Core's miner does. */
const COINBASE_RESERVED_WEIGHT = 4000;
const COINBASE_RESERVED_SIGOPS = 400;
/** BIP9 "no deployment signalled" version. */
const BLOCK_VERSION = 0x20000000;

export function selectTransactions(mempool: Mempool): MempoolEntry[] {
  const scored = [...mempool.entries.values()].map((e) => {
    const anc = mempool.ancestors(e);
    let fee = e.fee;
    let vsize = e.vsize;
    for (const a of anc) {
      fee += a.fee;
      vsize += a.vsize;
    }
    return { e, anc, rate: Number(fee) / vsize };
  });
  scored.sort((a, b) => b.rate - a.rate || a.e.seq - b.e.seq);
  const included = new Set<MempoolEntry>();
  const out: MempoolEntry[] = [];
  let weight = COINBASE_RESERVED_WEIGHT + 80 * 4;
  let sigops = COINBASE_RESERVED_SIGOPS;
  for (const s of scored) {
    if (included.has(s.e)) continue;
    const pkg = [...s.anc].filter((a) => !included.has(a));
    pkg.push(s.e);
    // Acceptance order puts parents before children.
    pkg.sort((a, b) => a.seq - b.seq);
    const w = pkg.reduce((t, x) => t + x.weight, 0);
    const so = pkg.reduce((t, x) => t + x.sigopCost, 0);
    if (weight + w > MAX_BLOCK_WEIGHT || sigops + so > MAX_BLOCK_SIGOPS_COST) continue;
    weight += w;
    sigops += so;
    for (const x of pkg) {
      included.add(x);
      out.push(x);
    }
  }
  return out;
}

/**
 * A block on the chain tip with a coinbase paying subsidy + `fees` to `script`; nonce not yet
 * searched. `extraNonce` goes into the coinbase so that two templates for the same height and
 * second differ (otherwise a block rebuilt after `invalidateblock` would be the invalidated one).
 */
export function buildBlock(
  chain: Chain,
  txs: readonly Transaction[],
  fees: bigint,
  script: Uint8Array,
  extraNonce = 0,
): Block {
  const prev = chain.tip;
  const height = prev.height + 1;
  const params = chain.params;
  const segwit = height >= params.segwitHeight;
  const reserved = new Uint8Array(32);
  const coinbase = new Transaction({
    version: 2,
    locktime: 0,
    inputs: [
      {
        prevout: { txid: "0".repeat(64) as never, vout: 0xffffffff },
        // BIP34 height, then the extra nonce (also keeps the script above consensus' 2-byte minimum).
        scriptSig: Uint8Array.of(...bip34Prefix(height), 4, ...u32le(extraNonce)),
        sequence: 0xffffffff,
        witness: segwit ? [reserved] : [],
      },
    ],
    outputs: [{ value: blockSubsidy(height, params) + fees, scriptPubKey: script }],
  });
  const all = [coinbase, ...txs];
  if (segwit) coinbase.outputs.push({ value: 0n, scriptPubKey: witnessCommitmentScript(all, reserved) });
  const time = Math.max(chain.mtp(prev) + 1, chain.now());
  const header = new BlockHeader({
    version: BLOCK_VERSION,
    prevHash: prev.hash,
    merkleRoot: merkleRoot(all.map((t) => t.hashBytes())),
    time,
    bits: chain.nextBits(prev, time),
    nonce: 0,
  });
  return new Block(header, all);
}

/** Searches nonces until the header hash meets its target; false after `maxTries`. */
export function mineBlock(block: Block, maxTries: number): boolean {
  const target = bitsToTarget(block.header.bits);
  for (let i = 0; i < maxTries; i++) {
    block.header.nonce = i;
    if (BigInt("0x" + block.header.hash()) <= target) return true;
  }
  return false;
}

function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}
