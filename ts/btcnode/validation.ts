/**
 * Consensus rules outside the interpreter: transaction and block sanity, finality and BIP68
 * sequence locks, signature-operation accounting, subsidy, proof of work, witness commitments.
 * Reject reasons are Bitcoin Core's strings so RPC answers match bitcoind's.
 */
import {
  bitsToTarget,
  merkleRoot,
  parseFlags,
  sha256d,
  targetToBits,
  type Block,
  type BlockHeader,
  type ScriptFlags,
  type Transaction,
  type Txid,
  type TxOut,
} from "../bitcoin/index.js";
import { bytesToHex, hexToBytes } from "../core/index.js";

import { RejectError } from "./errors.js";
import type { ChainParams } from "./params.js";
import { countSigOps, isP2SH, parseScript, witnessProgram } from "./script.js";

export const COIN = 100_000_000n;
export const MAX_MONEY = 21_000_000n * COIN;
export const MAX_BLOCK_WEIGHT = 4_000_000;
export const MAX_BLOCK_SIGOPS_COST = 80_000;
export const WITNESS_SCALE_FACTOR = 4;
export const LOCKTIME_THRESHOLD = 500_000_000;
export const SEQUENCE_FINAL = 0xffffffff;
const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
const SEQUENCE_LOCKTIME_TYPE_FLAG = 1 << 22;
const SEQUENCE_LOCKTIME_MASK = 0xffff;
const SEQUENCE_LOCKTIME_GRANULARITY = 9;
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;

// --- byte helpers ---------------------------------------------------------------------------

// One hex codec for the project (ts/core); re-exported for the node's modules.
export { bytesToHex, hexToBytes };

/** Display-order hex (txid, block hash) to internal byte order. */
export function reversedHexToBytes(h: string): Uint8Array {
  return hexToBytes(h).reverse();
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// --- script flags -----------------------------------------------------------------------------

const flagCache = new Map<string, ScriptFlags>();
export function flagsOf(names: readonly string[]): ScriptFlags {
  const k = names.join(",");
  let f = flagCache.get(k);
  if (f === undefined) {
    f = names.length === 0 ? 0 : parseFlags(k);
    flagCache.set(k, f);
  }
  return f;
}

export function consensusFlagNames(params: ChainParams, height: number, hash?: string): string[] {
  const exception = hash === undefined ? undefined : params.scriptFlagExceptions.get(hash);
  const names = exception !== undefined ? [...exception] : ["P2SH", "WITNESS", "TAPROOT"];
  if (height >= params.bip66Height) names.push("DERSIG");
  if (height >= params.bip65Height) names.push("CHECKLOCKTIMEVERIFY");
  if (height >= params.csvHeight) names.push("CHECKSEQUENCEVERIFY");
  if (height >= params.segwitHeight) names.push("NULLDUMMY");
  return names;
}

/** Core's GetBlockScriptFlags. */
export function blockScriptFlags(params: ChainParams, height: number, hash?: string): ScriptFlags {
  return flagsOf(consensusFlagNames(params, height, hash));
}

/** Flags Core's mempool adds on top of consensus (STANDARD_SCRIPT_VERIFY_FLAGS). */
export const POLICY_FLAG_NAMES = [
  "STRICTENC",
  "MINIMALDATA",
  "DISCOURAGE_UPGRADABLE_NOPS",
  "CLEANSTACK",
  "MINIMALIF",
  "NULLFAIL",
  "LOW_S",
  "DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM",
  "WITNESS_PUBKEYTYPE",
  "CONST_SCRIPTCODE",
  "DISCOURAGE_UPGRADABLE_TAPROOT_VERSION",
  "DISCOURAGE_OP_SUCCESS",
  "DISCOURAGE_UPGRADABLE_PUBKEYTYPE",
] as const;

export function standardFlags(params: ChainParams, height: number): ScriptFlags {
  return flagsOf([...consensusFlagNames(params, height), ...POLICY_FLAG_NAMES]);
}

// --- transactions -----------------------------------------------------------------------------

function isNullPrevout(tx: Transaction, i: number): boolean {
  const p = tx.inputs[i].prevout;
  return p.vout === 0xffffffff && /^0{64}$/.test(p.txid);
}

/** Core's CheckTransaction: rules that need no context. */
export function checkTransaction(tx: Transaction): void {
  // The txid only names a rejected transaction: hashing it for every valid one costs real time.
  const reject = (reason: string): RejectError => new RejectError("consensus", reason, undefined, tx.txid());
  if (tx.inputs.length === 0) throw reject("bad-txns-vin-empty");
  if (tx.outputs.length === 0) throw reject("bad-txns-vout-empty");
  if (tx.encode({ witness: false }).length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT)
    throw reject("bad-txns-oversize");
  let total = 0n;
  for (const o of tx.outputs) {
    if (o.value < 0n) throw reject("bad-txns-vout-negative");
    if (o.value > MAX_MONEY) throw reject("bad-txns-vout-toolarge");
    total += o.value;
    if (total > MAX_MONEY) throw reject("bad-txns-txouttotal-toolarge");
  }
  const seen = new Set<string>();
  for (const i of tx.inputs) {
    const k = `${i.prevout.txid}:${i.prevout.vout}`;
    if (seen.has(k)) throw reject("bad-txns-inputs-duplicate");
    seen.add(k);
  }
  if (tx.isCoinbase()) {
    const n = tx.inputs[0].scriptSig.length;
    if (n < 2 || n > 100) throw reject("bad-cb-length");
  } else {
    for (let i = 0; i < tx.inputs.length; i++)
      if (isNullPrevout(tx, i)) throw reject("bad-txns-prevout-null");
  }
}

/** Core's IsFinalTx. */
export function isFinalTx(tx: Transaction, height: number, time: number): boolean {
  if (tx.locktime === 0) return true;
  if (tx.locktime < (tx.locktime < LOCKTIME_THRESHOLD ? height : time)) return true;
  return tx.inputs.every((i) => i.sequence === SEQUENCE_FINAL);
}

export interface SequenceLock {
  /** The last height / median time at which the transaction is still *not* final (-1: none). */
  readonly minHeight: number;
  readonly minTime: number;
}

/**
 * BIP68 lock of a transaction. `coinHeights[i]` is the height of the block that created input i
 * (tip + 1 for mempool coins); `mtpAt(h)` is the median time past of the block at height h.
 */
export function calculateSequenceLocks(
  tx: Transaction,
  coinHeights: readonly number[],
  mtpAt: (height: number) => number,
): SequenceLock {
  let minHeight = -1;
  let minTime = -1;
  if (tx.version < 2) return { minHeight, minTime };
  tx.inputs.forEach((input, i) => {
    const seq = input.sequence >>> 0;
    if (seq & SEQUENCE_LOCKTIME_DISABLE_FLAG) return;
    const coinHeight = coinHeights[i];
    if (seq & SEQUENCE_LOCKTIME_TYPE_FLAG) {
      const coinTime = mtpAt(Math.max(coinHeight - 1, 0));
      minTime = Math.max(
        minTime,
        coinTime + ((seq & SEQUENCE_LOCKTIME_MASK) << SEQUENCE_LOCKTIME_GRANULARITY) - 1,
      );
    } else {
      minHeight = Math.max(minHeight, coinHeight + (seq & SEQUENCE_LOCKTIME_MASK) - 1);
    }
  });
  return { minHeight, minTime };
}

/** Whether a lock is satisfied in a block at `height` whose parent has median time `prevMtp`. */
export function sequenceLocksSatisfied(lock: SequenceLock, height: number, prevMtp: number): boolean {
  return lock.minHeight < height && lock.minTime < prevMtp;
}

/** Core's GetLegacySigOpCount. */
export function legacySigOps(tx: Transaction): number {
  let n = 0;
  for (const i of tx.inputs) n += countSigOps(i.scriptSig, false);
  for (const o of tx.outputs) n += countSigOps(o.scriptPubKey, false);
  return n;
}

function lastPush(scriptSig: Uint8Array): Uint8Array | undefined {
  const ops = parseScript(scriptSig);
  if (ops === null || ops.length === 0) return undefined;
  return ops[ops.length - 1].data;
}

/** Core's GetP2SHSigOpCount. */
export function p2shSigOps(tx: Transaction, prevouts: readonly TxOut[]): number {
  if (tx.isCoinbase()) return 0;
  let n = 0;
  tx.inputs.forEach((input, i) => {
    if (!isP2SH(prevouts[i].scriptPubKey)) return;
    const redeem = lastPush(input.scriptSig);
    if (redeem !== undefined) n += countSigOps(redeem, true);
  });
  return n;
}

function witnessSigOps(scriptSig: Uint8Array, scriptPubKey: Uint8Array, witness: Uint8Array[]): number {
  let program = witnessProgram(scriptPubKey);
  if (program === null && isP2SH(scriptPubKey)) {
    const redeem = lastPush(scriptSig);
    if (redeem !== undefined) program = witnessProgram(redeem);
  }
  if (program === null || program.version !== 0) return 0;
  if (program.program.length === 20) return 1;
  if (program.program.length === 32 && witness.length > 0)
    return countSigOps(witness[witness.length - 1], true);
  return 0;
}

/** Core's GetTransactionSigOpCost (P2SH and witness flags always on). */
export function txSigOpCost(tx: Transaction, prevouts: readonly TxOut[]): number {
  let cost = legacySigOps(tx) * WITNESS_SCALE_FACTOR;
  if (tx.isCoinbase()) return cost;
  cost += p2shSigOps(tx, prevouts) * WITNESS_SCALE_FACTOR;
  tx.inputs.forEach((input, i) => {
    cost += witnessSigOps(input.scriptSig, prevouts[i].scriptPubKey, input.witness);
  });
  return cost;
}

// --- blocks -----------------------------------------------------------------------------------

export function blockSubsidy(height: number, params: ChainParams): bigint {
  const halvings = Math.floor(height / params.subsidyHalvingInterval);
  if (halvings >= 64) return 0n;
  return (50n * COIN) >> BigInt(halvings);
}

/** Work represented by a block with these bits: 2^256 / (target + 1). */
export function blockWork(bits: number): bigint {
  const target = bitsToTarget(bits);
  if (target <= 0n) return 0n;
  return (1n << 256n) / (target + 1n);
}

/** Core's GetDifficulty. */
export function difficulty(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256;
    shift++;
  }
  while (shift > 29) {
    diff /= 256;
    shift--;
  }
  return diff;
}

/** Proof of work of a header against its own bits and the chain's limit (Core's CheckProofOfWork). */
export function checkProofOfWork(header: BlockHeader, params: ChainParams): void {
  const target = bitsToTarget(header.bits);
  const limit = bitsToTarget(params.powLimitBits);
  const hashValue = BigInt("0x" + header.hash());
  if (target <= 0n || target > limit || hashValue > target)
    throw new RejectError("consensus", "high-hash", "proof of work failed", header.hash());
}

/** What the retarget rule asks of the next block (Core's GetNextWorkRequired). */
export interface PowContext {
  readonly height: number;
  readonly bits: number;
  readonly time: number;
  /** Ancestor of this block at a lower height. */
  ancestor(height: number): PowContext;
}

export function nextWorkRequired(prev: PowContext, time: number, params: ChainParams): number {
  const interval = params.powTargetTimespan / params.powTargetSpacing;
  const height = prev.height + 1;
  if (height % interval !== 0) {
    if (params.powAllowMinDifficultyBlocks) {
      if (time > prev.time + params.powTargetSpacing * 2) return params.powLimitBits;
      let idx = prev;
      while (idx.height > 0 && idx.height % interval !== 0 && idx.bits === params.powLimitBits)
        idx = idx.ancestor(idx.height - 1);
      return idx.bits;
    }
    return prev.bits;
  }
  if (params.powNoRetargeting) return prev.bits;
  const first = prev.ancestor(prev.height - (interval - 1));
  let span = prev.time - first.time;
  span = Math.min(Math.max(span, params.powTargetTimespan / 4), params.powTargetTimespan * 4);
  let target = (bitsToTarget(prev.bits) * BigInt(span)) / BigInt(params.powTargetTimespan);
  const limit = bitsToTarget(params.powLimitBits);
  if (target > limit) target = limit;
  return targetToBits(target);
}

const WITNESS_COMMITMENT_HEADER = Uint8Array.of(0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed);

/** Index of the coinbase output carrying the witness commitment (the last one), or -1. */
export function witnessCommitmentIndex(coinbase: Transaction): number {
  let found = -1;
  coinbase.outputs.forEach((o, i) => {
    const s = o.scriptPubKey;
    if (s.length >= 38 && equalBytes(s.subarray(0, 6), WITNESS_COMMITMENT_HEADER)) found = i;
  });
  return found;
}

/** BIP141 merkle leaves: wtxids in internal byte order, the coinbase's replaced by zeros. */
export function wtxidLeaves(txs: readonly Transaction[]): Uint8Array[] {
  // Hashed straight from the encoding (no hex round trip).
  return txs.map((tx, i) => (i === 0 ? new Uint8Array(32) : sha256d(tx.encode({ witness: true }))));
}

/** Merkle root of the wtxids with the coinbase's replaced by zeros (BIP141). */
export function witnessMerkleRoot(txs: readonly Transaction[], leaves = wtxidLeaves(txs)): Uint8Array {
  return merkleRoot(leaves);
}

/** The coinbase output script committing to the block's witnesses with a 32-byte reserved value. */
export function witnessCommitmentScript(
  txs: readonly Transaction[],
  reserved: Uint8Array,
  leaves = wtxidLeaves(txs),
): Uint8Array {
  const root = witnessMerkleRoot(txs, leaves);
  const commitment = sha256d(new Uint8Array([...root, ...reserved]));
  return new Uint8Array([...WITNESS_COMMITMENT_HEADER, ...commitment]);
}

/** The script prefix BIP34 requires in the coinbase of a block at `height` (Core's `CScript() << height`). */
export function bip34Prefix(height: number): Uint8Array {
  if (height === 0) return Uint8Array.of(0x00);
  if (height >= 1 && height <= 16) return Uint8Array.of(0x50 + height);
  const bytes: number[] = [];
  let n = height;
  while (n > 0) {
    bytes.push(n & 0xff);
    n = Math.floor(n / 256);
  }
  if (bytes[bytes.length - 1] & 0x80) bytes.push(0);
  return Uint8Array.of(bytes.length, ...bytes);
}

/**
 * Context-free block checks (Core's CheckBlock without proof of work, which is checked first).
 * Returns the txids, which it had to hash anyway.
 */
export function checkBlock(block: Block, params: ChainParams): Txid[] {
  void params;
  const hash = block.header.hash();
  const txs = block.txs;
  if (txs.length === 0) throw new RejectError("consensus", "bad-blk-length", "size limits failed", hash);
  const leaves = txs.map((t) => t.hashBytes());
  const root = merkleRoot(leaves);
  if (!equalBytes(root, block.header.merkleRoot))
    throw new RejectError("mutated", "bad-txnmrklroot", "hashMerkleRoot mismatch", hash);
  // Two equal txids are how a different transaction list reaches the same merkle root (CVE-2012-2459).
  const ids = new Set<string>();
  for (const leaf of leaves) {
    const id = Buffer.from(leaf).toString("latin1");
    if (ids.has(id)) throw new RejectError("mutated", "bad-txns-duplicate", "duplicate transaction", hash);
    ids.add(id);
  }
  let stripped = 80 + varIntSize(txs.length);
  for (const t of txs) stripped += t.encode({ witness: false }).length;
  if (
    txs.length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT ||
    stripped * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT
  )
    throw new RejectError("consensus", "bad-blk-length", "size limits failed", hash);
  if (!txs[0].isCoinbase())
    throw new RejectError("consensus", "bad-cb-missing", "first tx is not coinbase", hash);
  for (let i = 1; i < txs.length; i++)
    if (txs[i].isCoinbase())
      throw new RejectError("consensus", "bad-cb-multiple", "more than one coinbase", hash);
  let sigops = 0;
  for (const t of txs) {
    try {
      checkTransaction(t);
    } catch (e) {
      if (e instanceof RejectError)
        throw new RejectError("consensus", e.reason, `Transaction check failed (tx hash ${t.txid()})`, hash);
      throw e;
    }
    sigops += legacySigOps(t);
  }
  if (sigops * WITNESS_SCALE_FACTOR > MAX_BLOCK_SIGOPS_COST)
    throw new RejectError("consensus", "bad-blk-sigops", "out-of-bounds SigOpCount", hash);
  return leaves.map((l) => Buffer.from(l).reverse().toString("hex") as Txid);
}

export function varIntSize(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/**
 * Checks of a block against its parent: finality, BIP34 height, witness commitment, weight.
 * Returns the wtxid leaves when it hashed them for the commitment (internal byte order).
 */
export function contextualCheckBlock(
  block: Block,
  height: number,
  prevMtp: number,
  params: ChainParams,
): Uint8Array[] | undefined {
  const hash = block.header.hash();
  const cutoff = height >= params.csvHeight ? prevMtp : block.header.time;
  for (const tx of block.txs)
    if (!isFinalTx(tx, height, cutoff))
      throw new RejectError("consensus", "bad-txns-nonfinal", "non-final transaction", hash);
  const coinbase = block.txs[0];
  if (height >= params.bip34Height) {
    const prefix = bip34Prefix(height);
    const sig = coinbase.inputs[0].scriptSig;
    if (sig.length < prefix.length || !equalBytes(sig.subarray(0, prefix.length), prefix))
      throw new RejectError("consensus", "bad-cb-height", "block height mismatch in coinbase", hash);
  }
  let haveCommitment = false;
  let leaves: Uint8Array[] | undefined;
  if (height >= params.segwitHeight) {
    const ci = witnessCommitmentIndex(coinbase);
    if (ci >= 0) {
      const w = coinbase.inputs[0].witness;
      if (w.length !== 1 || w[0].length !== 32)
        throw new RejectError(
          "mutated",
          "bad-witness-nonce-size",
          "invalid witness reserved value size",
          hash,
        );
      leaves = wtxidLeaves(block.txs);
      const expected = witnessCommitmentScript(block.txs, w[0], leaves);
      if (!equalBytes(coinbase.outputs[ci].scriptPubKey.subarray(0, 38), expected))
        throw new RejectError(
          "mutated",
          "bad-witness-merkle-match",
          "witness merkle commitment mismatch",
          hash,
        );
      haveCommitment = true;
    }
  }
  if (!haveCommitment && block.txs.some((t) => t.hasWitness()))
    throw new RejectError("mutated", "unexpected-witness", "unexpected witness data found", hash);
  if (block.weight() > MAX_BLOCK_WEIGHT)
    throw new RejectError("consensus", "bad-blk-weight", "weight limit failed", hash);
  return leaves;
}

/** Header checks against the parent (Core's ContextualCheckBlockHeader). */
export function contextualCheckHeader(
  header: BlockHeader,
  prev: PowContext,
  prevMtp: number,
  now: number,
  params: ChainParams,
): void {
  const hash = header.hash();
  const height = prev.height + 1;
  if (header.bits !== nextWorkRequired(prev, header.time, params))
    throw new RejectError("consensus", "bad-diffbits", "incorrect proof of work", hash);
  if (header.time <= prevMtp)
    throw new RejectError("consensus", "time-too-old", "block's timestamp is too early", hash);
  if (header.time > now + MAX_FUTURE_BLOCK_TIME)
    throw new RejectError("premature", "time-too-new", "block timestamp too far in the future", hash);
  const v = header.version;
  if (
    (v < 2 && height >= params.bip34Height) ||
    (v < 3 && height >= params.bip66Height) ||
    (v < 4 && height >= params.bip65Height)
  )
    throw new RejectError(
      "consensus",
      `bad-version(0x${(v >>> 0).toString(16).padStart(8, "0")})`,
      `rejected nVersion=0x${(v >>> 0).toString(16).padStart(8, "0")} block`,
      hash,
    );
}
