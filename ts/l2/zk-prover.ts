/**
 * The LVM prover plugged into the node: each batch's withdrawals are appended to the Poseidon
 * withdrawal tree by the batch circuit (ts/zk, `withdrawal_batch_<B>.circom`), one proof per B
 * withdrawals. The proof's single public signal binds (old root, new root, start index, batch
 * subtree root): what a state claim on L1 commits to and BitVM's verifier checks.
 */
import { keccak256 } from "ethers";

import {
  FIELD_MODULUS,
  WithdrawalTree,
  toField,
  type Proof,
  type Prover,
  type Withdrawal,
} from "../zk/index.js";

import type { Batch, BatchProof, BatchProver, BatchWithdrawal } from "./batch.js";
import { L2Error } from "./errors.js";

/** A withdrawal as the circuit takes it: the scriptPubKey enters as its keccak256, reduced into the field. */
export function circuitWithdrawal(w: BatchWithdrawal): Withdrawal {
  return {
    id: toField(w.id),
    amount: BigInt(w.sats),
    spkHash: toField(BigInt(keccak256(w.scriptPubKey)) % FIELD_MODULUS),
  };
}

/** One batch circuit proof inside a batch's proof. */
export interface ChunkProof {
  readonly startIndex: number;
  readonly oldRoot: string;
  readonly newRoot: string;
  readonly proof: Proof;
}

export class ZkBatchProver implements BatchProver {
  readonly system: string;
  #tree: WithdrawalTree;
  /** Index of the next batch the tree expects. */
  #next = 0;

  /** `prover` must be set up for `withdrawal_batch_<batchSize>.circom`. */
  constructor(
    readonly prover: Prover,
    readonly batchSize: number,
  ) {
    this.system = prover.backend;
    this.#tree = new WithdrawalTree(batchSize);
  }

  /** The tree's root after the last proven batch. */
  get root(): bigint {
    return this.#tree.root;
  }

  async prove(batch: Batch, earlier: (index: number) => Promise<Batch | undefined>): Promise<BatchProof> {
    if (batch.index < this.#next) {
      // Asked again for a batch already folded in (a restart re-proving it): rebuild from scratch.
      this.#tree = new WithdrawalTree(this.batchSize);
      this.#next = 0;
    }
    for (; this.#next < batch.index; this.#next++) {
      const b = await earlier(this.#next);
      if (b === undefined)
        throw new L2Error("BATCH_MISSING", `zk prover: batch ${this.#next} is not in the log`, this.#next);
      for (const chunk of this.#chunks(b)) this.#tree.appendBatch(chunk);
    }
    const proofs: ChunkProof[] = [];
    for (const chunk of this.#chunks(batch)) {
      const w = this.#tree.appendBatch(chunk);
      const proof = await this.prover.prove(w.inputs);
      proofs.push({
        startIndex: w.startIndex,
        oldRoot: String(w.oldRoot),
        newRoot: String(w.newRoot),
        proof,
      });
    }
    this.#next = batch.index + 1;
    return {
      system: this.system,
      proof: proofs,
      publicSignals: proofs.flatMap((p) => p.proof.publicSignals),
    };
  }

  #chunks(batch: Batch): Withdrawal[][] {
    const ws = batch.withdrawals.map(circuitWithdrawal);
    const out: Withdrawal[][] = [];
    for (let i = 0; i < ws.length; i += this.batchSize) out.push(ws.slice(i, i + this.batchSize));
    return out;
  }
}
