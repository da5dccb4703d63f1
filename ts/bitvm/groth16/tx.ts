/**
 * The transactions around a compiled program: the Taproot tree of the Disprove leaves (what the
 * Assert output commits to), Disprove transactions spending one leaf, and the Assert transactions
 * that publish the commitments, each input's script verifying the signatures it carries.
 */
import { p2tr, taprootListToTree, TAP_LEAF_VERSION } from "@scure/btc-signer/payment.js";
import { TaprootControlBlock } from "@scure/btc-signer/psbt.js";
import { TAPROOT_UNSPENDABLE_KEY } from "@scure/btc-signer/utils.js";

import { Transaction, OP } from "../../bitcoin/index.js";
import { outpoint, type Outpoint } from "../../core/index.js";
import { BitvmBuildError, fragment, type Op } from "../fragment.js";
import { encodeStackValue, type StackValue } from "../run.js";

import { digitVerifyOps, type DigitPublicKey } from "./commit.js";
import type { Assertion, CompiledProgram, Program } from "./program.js";
import { DIGITS } from "../bn254/index.js";

/** Policy limits a standard transaction must keep (Bitcoin Core). */
export const MAX_STANDARD_TX_WEIGHT = 400_000;
export const MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE = 80;

export interface DisproveTree {
  /** The P2TR scriptPubKey of the Assert output (NUMS internal key: script path only). */
  script: Uint8Array;
  merkleRoot: Uint8Array;
  controlBlock(i: number): Uint8Array;
}

/** The Taproot tree of all leaves (NUMS internal key), balanced as `taprootListToTree` builds it. */
export function disproveTree(compiled: CompiledProgram): DisproveTree {
  const scripts = Array.from({ length: compiled.leafCount }, (_, i) => compiled.leaf(i));
  const list = scripts.map((script) => ({ script, leafVersion: TAP_LEAF_VERSION }));
  const tree = list.length === 1 ? list[0]! : taprootListToTree(list);
  const p = p2tr(TAPROOT_UNSPENDABLE_KEY, tree, undefined, true);
  const blocks = new Map<string, Uint8Array>();
  for (const [cb, s] of p.tapLeafScript ?? [])
    blocks.set(Buffer.from(s.subarray(0, s.length - 1)).toString("hex"), TaprootControlBlock.encode(cb));
  return {
    script: p.script,
    merkleRoot: p.tapMerkleRoot,
    controlBlock: (i) => blocks.get(Buffer.from(scripts[i]!).toString("hex"))!,
  };
}

/** Spends the Assert output through leaf `i` with `witness`, paying `value − fee` to `payTo`. */
export function disproveTransaction(
  compiled: CompiledProgram,
  tree: DisproveTree,
  i: number,
  witness: readonly StackValue[],
  prev: { outpoint: Outpoint; value: bigint },
  payTo: Uint8Array,
  fee: bigint,
): Transaction {
  return new Transaction({
    version: 2,
    inputs: [
      {
        prevout: prev.outpoint,
        scriptSig: new Uint8Array(0),
        sequence: 0xfffffffd,
        witness: [...witness.map(encodeStackValue), compiled.leaf(i), tree.controlBlock(i)],
      },
    ],
    outputs: [{ value: prev.value - fee, scriptPubKey: payTo }],
  });
}

/** One Assert input: a single-leaf P2TR output whose script verifies `values`' signatures. */
export interface AssertChunk {
  values: number[];
  script: Uint8Array;
  /** The signatures, bottom first (without script and control block). */
  witness: Uint8Array[];
  /** The chunk's own P2TR output (NUMS internal key, one leaf) and its control block. */
  output: Uint8Array;
  controlBlock: Uint8Array;
  maxStack: number;
}

function singleLeaf(script: Uint8Array): { output: Uint8Array; controlBlock: Uint8Array } {
  const p = p2tr(TAPROOT_UNSPENDABLE_KEY, { script, leafVersion: TAP_LEAF_VERSION }, undefined, true);
  return { output: p.script, controlBlock: TaprootControlBlock.encode(p.tapLeafScript![0]![0]) };
}

/** The Assert transaction spending `chunks` from `prevouts` (one per chunk), paying to `payTo`. */
export function assertTransaction(
  chunks: readonly AssertChunk[],
  prevouts: readonly Outpoint[],
  pay: { scriptPubKey: Uint8Array; value: bigint },
): Transaction {
  return new Transaction({
    inputs: chunks.map((c, i) => ({
      prevout: prevouts[i]!,
      scriptSig: new Uint8Array(0),
      sequence: 0xfffffffd,
      witness: [...c.witness, c.script, c.controlBlock],
    })),
    outputs: [pay],
  });
}

export interface AssertTx {
  chunks: AssertChunk[];
  tx: Transaction;
  weight: number;
}

function assertScript(values: readonly number[], pks: readonly DigitPublicKey[], program: Program) {
  const ops: Op[] = [];
  for (const v of [...values].reverse()) {
    ops.push(...digitVerifyOps(pks[v]!));
    const n = program.values[v]!.elements * DIGITS;
    for (let j = 0; j + 1 < n; j += 2) ops.push(OP.OP_2DROP);
    if (n % 2 === 1) ops.push(OP.OP_DROP);
  }
  ops.push(OP.OP_1);
  return fragment("g16_assert", ops);
}

/**
 * Packs every commitment into Assert inputs (as many values per input as 1,000 stack items allow)
 * and the inputs into transactions of at most 400,000 WU. Prevouts are placeholders: the bridge's
 * graph funds one output per chunk.
 */
export function assertTransactions(
  program: Program,
  pks: readonly DigitPublicKey[],
  assertion: Assertion,
): AssertTx[] {
  const chunks: AssertChunk[] = [];
  let cur: number[] = [];
  const close = (vals: number[]): AssertChunk => {
    const f = assertScript(vals, pks, program);
    return {
      values: vals,
      script: f.bytes,
      witness: vals.flatMap((v) => assertion.signatures[v]!),
      ...singleLeaf(f.bytes),
      maxStack: f.effect.maxDepth,
    };
  };
  for (const v of program.values.map((x) => x.id)) {
    try {
      assertScript([...cur, v], pks, program);
      cur.push(v);
    } catch (e) {
      if (!(e instanceof BitvmBuildError) || cur.length === 0) throw e;
      chunks.push(close(cur));
      cur = [v];
    }
  }
  if (cur.length > 0) chunks.push(close(cur));
  const txs: AssertTx[] = [];
  let batch: AssertChunk[] = [];
  const make = (b: AssertChunk[]): Transaction =>
    assertTransaction(
      b,
      b.map((_, i) => outpoint("00".repeat(31) + (txs.length + 1).toString(16).padStart(2, "0"), i)),
      { value: 330n, scriptPubKey: new Uint8Array(34) },
    );
  for (const c of chunks) {
    if (batch.length > 0 && make([...batch, c]).weight() > MAX_STANDARD_TX_WEIGHT) {
      const tx = make(batch);
      txs.push({ chunks: batch, tx, weight: tx.weight() });
      batch = [];
    }
    batch.push(c);
  }
  if (batch.length > 0) {
    const tx = make(batch);
    txs.push({ chunks: batch, tx, weight: tx.weight() });
  }
  return txs;
}
