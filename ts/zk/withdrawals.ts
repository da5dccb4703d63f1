import { poseidon3, poseidon4, poseidon6 } from "poseidon-lite";

import { ZkError } from "./errors.js";
import { PoseidonMerkleTree, hash2, toField, type Field } from "./merkle.js";

/** A withdrawal as the tree commits to it. `spkHash` is a field-sized hash of the Bitcoin scriptPubKey. */
export interface Withdrawal {
  readonly id: Field;
  /** Satoshis, < 2^64 (the circuit range-checks it). */
  readonly amount: bigint;
  readonly spkHash: Field;
}

export const WITHDRAWAL_TREE_DEPTH = 20;
const MAX_AMOUNT = (1n << 64n) - 1n;

export function withdrawalLeaf(w: Withdrawal): Field {
  if (w.amount < 0n || w.amount > MAX_AMOUNT)
    throw new ZkError("INPUT_INVALID", String(w.amount), "amount must be a 64-bit number of satoshis");
  return poseidon3([w.id, w.amount, w.spkHash]) as Field;
}

function subtreeRoot(leaves: Field[]): Field {
  let level = leaves;
  while (level.length > 1) {
    const next: Field[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hash2(level[i], level[i + 1]));
    level = next;
  }
  return level[0];
}

export interface BatchWitness {
  /** Inputs of WithdrawalBatch(depth, log2(batchSize)). */
  readonly inputs: Record<string, unknown>;
  readonly oldRoot: Field;
  readonly newRoot: Field;
  readonly startIndex: number;
  /** The single public input the verifier checks. */
  readonly commitment: Field;
}

/** Poseidon(oldRoot, newRoot, startIndex, batch subtree root): the batch circuit's public input. */
export function batchCommitment(oldRoot: Field, newRoot: Field, startIndex: number, batchRoot: Field): Field {
  return poseidon4([oldRoot, newRoot, BigInt(startIndex), batchRoot]) as Field;
}

/**
 * The withdrawal tree as the batch circuit sees it: batches of a fixed power-of-two size fill
 * aligned subtrees; a short batch pads with empty (0) leaves, so the next batch starts aligned.
 */
export class WithdrawalTree {
  readonly tree: PoseidonMerkleTree;

  constructor(
    readonly batchSize: number,
    readonly depth: number = WITHDRAWAL_TREE_DEPTH,
  ) {
    if (!Number.isInteger(Math.log2(batchSize)) || batchSize > 2 ** depth) {
      throw new ZkError(
        "INPUT_INVALID",
        String(batchSize),
        "batch size must be a power of two not above the tree size",
      );
    }
    this.tree = new PoseidonMerkleTree(depth);
  }

  get root(): Field {
    return this.tree.root;
  }

  /** Appends a batch and returns the witness proving the root transition. */
  appendBatch(withdrawals: readonly Withdrawal[]): BatchWitness {
    const n = this.batchSize;
    if (withdrawals.length < 1 || withdrawals.length > n) {
      throw new ZkError("INPUT_INVALID", String(withdrawals.length), `a batch holds 1..${n} withdrawals`);
    }
    const height = Math.log2(n);
    const startIndex = this.tree.size;
    const oldRoot = this.tree.root;
    const pathFull = this.tree.path(startIndex);
    const leaves = Array.from({ length: n }, (_, i) =>
      i < withdrawals.length ? withdrawalLeaf(withdrawals[i]) : (0n as Field),
    );
    for (const leaf of leaves) this.tree.append(leaf);
    const newRoot = this.tree.root;
    const pad = (f: (w: Withdrawal) => bigint, zero: bigint): bigint[] =>
      Array.from({ length: n }, (_, i) => (i < withdrawals.length ? f(withdrawals[i]) : zero));
    const inputs = {
      oldRoot,
      newRoot,
      startIndex: BigInt(startIndex),
      enabled: pad(() => 1n, 0n),
      ids: pad((w) => w.id, 0n),
      amounts: pad((w) => w.amount, 0n),
      spkHashes: pad((w) => w.spkHash, 0n),
      // The batch's siblings above its subtree are those of its first leaf from level `height` up.
      pathElements: pathFull.pathElements.slice(height),
      pathIndices: pathFull.pathIndices.slice(height),
    };
    return {
      inputs,
      oldRoot,
      newRoot,
      startIndex,
      commitment: batchCommitment(oldRoot, newRoot, startIndex, subtreeRoot(leaves)),
    };
  }
}

/** A payout: operator `operator` paid withdrawal `withdrawalId` with Bitcoin transaction `txid` (32 bytes, hex, RPC order). */
export interface Payout {
  readonly withdrawalId: Field;
  readonly operator: Field;
  readonly txid: string;
}

function txidHalves(txid: string): [Field, Field] {
  if (!/^[0-9a-fA-F]{64}$/.test(txid))
    throw new ZkError("INPUT_INVALID", txid, "txid must be 32 bytes of hex");
  return [toField(BigInt(`0x${txid.slice(0, 32)}`)), toField(BigInt(`0x${txid.slice(32)}`))];
}

export function payoutLeaf(p: Payout): Field {
  const [hi, lo] = txidHalves(p.txid);
  return poseidon4([p.withdrawalId, p.operator, hi, lo]) as Field;
}

/** The payouts tree of one claim and the witnesses of the payout-claim circuit. */
export class PayoutsTree {
  readonly tree = new PoseidonMerkleTree(WITHDRAWAL_TREE_DEPTH);
  private readonly payouts: Payout[] = [];

  constructor(readonly claimId: Field) {}

  add(p: Payout): number {
    this.payouts.push(p);
    return this.tree.append(payoutLeaf(p));
  }

  get root(): Field {
    return this.tree.root;
  }

  /** Witness that payout `index` is in this claim's payouts root, and the public commitment. */
  claimWitness(index: number): { inputs: Record<string, unknown>; commitment: Field } {
    const p = this.payouts[index];
    if (p === undefined) throw new ZkError("INPUT_INVALID", String(index), "no payout at this index");
    const [hi, lo] = txidHalves(p.txid);
    const path = this.tree.path(index);
    const inputs = {
      claimId: this.claimId,
      payoutsRoot: this.root,
      withdrawalId: p.withdrawalId,
      operator: p.operator,
      txidHi: hi,
      txidLo: lo,
      pathElements: path.pathElements,
      pathIndices: path.pathIndices,
    };
    return {
      inputs,
      commitment: poseidon6([this.claimId, this.root, p.withdrawalId, p.operator, hi, lo]) as Field,
    };
  }
}
