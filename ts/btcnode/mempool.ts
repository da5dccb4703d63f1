/**
 * The mempool: validated unconfirmed transactions with their in-mempool parents and children,
 * replacement (RBF), size-limited eviction by descendant fee rate, and removal when blocks confirm
 * or conflict with entries. Acceptance runs the same input and script checks as a block does,
 * plus the standardness policy.
 */
import {
  PrecomputedTxData,
  type ScriptFlags,
  type Transaction,
  type Txid,
  type TxOut,
} from "../bitcoin/index.js";
import type { Chain } from "./chain.js";
import { outpointKey, type Coin, type OutpointKey } from "./coins.js";
import { RejectError } from "./errors.js";
import { checkInputScripts } from "./sigcache.js";
import {
  checkInputsStandard,
  checkStandardTx,
  checkWitnessStandard,
  feeFor,
  MAX_STANDARD_TX_SIGOPS_COST,
  MIN_STANDARD_TX_NONWITNESS_SIZE,
  policyVsize,
  type PolicyOptions,
} from "./policy.js";
import {
  blockScriptFlags,
  calculateSequenceLocks,
  checkTransaction,
  isFinalTx,
  MAX_MONEY,
  sequenceLocksSatisfied,
  standardFlags,
  txSigOpCost,
} from "./validation.js";

export interface MempoolEntry {
  readonly tx: Transaction;
  readonly txid: Txid;
  readonly wtxid: Txid;
  readonly fee: bigint;
  readonly vsize: number;
  readonly weight: number;
  /** Serialized size, what the size limit counts. */
  readonly size: number;
  readonly sigopCost: number;
  /** Entry time, seconds. */
  readonly time: number;
  /** Chain height when it entered. */
  readonly height: number;
  readonly parents: Set<MempoolEntry>;
  readonly children: Set<MempoolEntry>;
  readonly seq: number;
  /** Some input signals BIP125 replaceability. */
  readonly signalsRbf: boolean;
}

export interface AcceptOptions {
  /** Validate only: nothing changes. */
  readonly testOnly?: boolean;
  /** Reject fee rates above this, sat/kvB (sendrawtransaction's `maxfeerate`); 0 = no limit. */
  readonly maxFeeRate?: bigint;
  /** Skip eviction after adding (package tests undo their adds themselves). */
  readonly noTrim?: boolean;
}

export interface AcceptResult {
  readonly txid: Txid;
  readonly wtxid: Txid;
  readonly fee: bigint;
  readonly vsize: number;
  readonly replaced: Txid[];
}

const MAX_REPLACEMENT_CANDIDATES = 100;

function rate(fee: bigint, vsize: number): number {
  return Number(fee) / vsize;
}

function satKvB(fee: bigint, vsize: number): bigint {
  return (fee * 1000n) / BigInt(vsize);
}

export class Mempool {
  readonly entries = new Map<Txid, MempoolEntry>();
  private readonly byWtxid = new Map<Txid, MempoolEntry>();
  /** Outpoint → the mempool transaction spending it. */
  private readonly spenders = new Map<OutpointKey, MempoolEntry>();
  private seq = 0;
  private bytes = 0;
  /** The next block's standard and consensus script flags, by height (they change once a block). */
  private flagsAt: { height: number; std: ScriptFlags; consensus: ScriptFlags } | undefined;
  /** Raised after an eviction so that what was evicted does not come straight back (sat/kvB). */
  private rollingMinFeeRate = 0n;
  /** Mempool sequence number (Core's mempool_sequence): bumps on every add and removal. */
  sequence = 0;
  now: () => number = () => Math.floor(Date.now() / 1000);

  constructor(
    private readonly chain: Chain,
    readonly policy: PolicyOptions,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get usageBytes(): number {
    return this.bytes;
  }

  /** Fee rate a new transaction must pay, sat/kvB (Core's `mempoolminfee`). */
  get minFeeRate(): bigint {
    return this.rollingMinFeeRate > this.policy.minRelayFeeRate
      ? this.rollingMinFeeRate
      : this.policy.minRelayFeeRate;
  }

  get(txid: Txid): MempoolEntry | undefined {
    return this.entries.get(txid);
  }

  /** The mempool transaction spending an outpoint. */
  spender(key: OutpointKey): MempoolEntry | undefined {
    return this.spenders.get(key);
  }

  /** A coin from the chain's UTXO set or created by a mempool transaction, unless a mempool transaction spends it. */
  getCoin(key: OutpointKey): Coin | undefined {
    if (this.spenders.has(key)) return undefined;
    return this.coinIgnoringSpends(key);
  }

  private coinIgnoringSpends(key: OutpointKey): Coin | undefined {
    const c = this.chain.getCoin(key);
    if (c !== undefined) return c;
    const i = key.indexOf(":");
    const parent = this.entries.get(key.slice(0, i) as Txid);
    if (parent === undefined) return undefined;
    const o = parent.tx.outputs[Number(key.slice(i + 1))];
    if (o === undefined) return undefined;
    return { value: o.value, scriptPubKey: o.scriptPubKey, height: this.chain.height + 1, coinbase: false };
  }

  ancestors(e: MempoolEntry): Set<MempoolEntry> {
    const out = new Set<MempoolEntry>();
    const stack = [...e.parents];
    while (stack.length > 0) {
      const p = stack.pop() as MempoolEntry;
      if (out.has(p)) continue;
      out.add(p);
      stack.push(...p.parents);
    }
    return out;
  }

  descendants(e: MempoolEntry): Set<MempoolEntry> {
    const out = new Set<MempoolEntry>();
    const stack = [...e.children];
    while (stack.length > 0) {
      const c = stack.pop() as MempoolEntry;
      if (out.has(c)) continue;
      out.add(c);
      stack.push(...c.children);
    }
    return out;
  }

  /** Validates `tx` against the chain tip and this mempool and, unless `testOnly`, adds it. */
  accept(tx: Transaction, opts: AcceptOptions = {}): AcceptResult {
    const chain = this.chain;
    const params = chain.params;
    const policy = this.policy;
    // Immutable from here, as Core's CTransaction: its bytes and ids are computed once.
    tx.freeze();
    const txid = tx.txid();
    const wtxid = tx.wtxid();
    const policyReject = (reason: string, debug?: string): RejectError =>
      new RejectError("policy", reason, debug, txid);

    try {
      checkTransaction(tx);
    } catch (e) {
      if (e instanceof RejectError) throw new RejectError("consensus", e.reason, e.debug, txid);
      throw e;
    }
    if (tx.isCoinbase()) throw new RejectError("consensus", "coinbase", undefined, txid);
    if (policy.requireStandard) checkStandardTx(tx, policy);
    if (tx.encode({ witness: false }).length < MIN_STANDARD_TX_NONWITNESS_SIZE)
      throw policyReject("tx-size-small");

    const tip = chain.tip;
    const nextHeight = tip.height + 1;
    const tipMtp = chain.mtp(tip);
    if (!isFinalTx(tx, nextHeight, tipMtp)) throw new RejectError("premature", "non-final", undefined, txid);

    if (this.byWtxid.has(wtxid))
      throw new RejectError("already-known", "txn-already-in-mempool", undefined, txid);
    if (this.entries.has(txid))
      throw new RejectError("already-known", "txn-same-nonwitness-data-in-mempool", undefined, txid);

    // Direct conflicts: mempool transactions spending the same coins.
    const conflicts = new Set<MempoolEntry>();
    for (const input of tx.inputs) {
      const s = this.spenders.get(outpointKey(input.prevout));
      if (s !== undefined) conflicts.add(s);
    }

    const prevouts: TxOut[] = [];
    const heights: number[] = [];
    const parents = new Set<MempoolEntry>();
    let valueIn = 0n;
    for (const input of tx.inputs) {
      const key = outpointKey(input.prevout);
      const coin = this.coinIgnoringSpends(key);
      if (coin === undefined) {
        for (let v = 0; v < tx.outputs.length; v++)
          if (chain.getCoin(outpointKey({ txid, vout: v })) !== undefined)
            throw new RejectError("already-known", "txn-already-known", undefined, txid);
        throw new RejectError("missing-inputs", "bad-txns-inputs-missingorspent", undefined, txid);
      }
      const parent = this.entries.get(input.prevout.txid);
      if (parent !== undefined) parents.add(parent);
      if (coin.coinbase) {
        if (nextHeight - coin.height < params.coinbaseMaturity)
          throw new RejectError(
            "premature",
            "bad-txns-premature-spend-of-coinbase",
            `tried to spend coinbase at depth ${nextHeight - coin.height}`,
            txid,
          );
      }
      valueIn += coin.value;
      if (valueIn > MAX_MONEY)
        throw new RejectError("consensus", "bad-txns-inputs-values-outofrange", undefined, txid);
      prevouts.push({ value: coin.value, scriptPubKey: coin.scriptPubKey });
      heights.push(coin.height);
    }
    for (const c of conflicts) if (parents.has(c)) throw policyReject("bad-txns-spends-conflicting-tx");

    if (nextHeight >= params.csvHeight) {
      const lock = calculateSequenceLocks(tx, heights, (h) =>
        h > tip.height ? tipMtp : chain.mtp(chain.atHeight(h) ?? tip),
      );
      if (!sequenceLocksSatisfied(lock, nextHeight, tipMtp))
        throw new RejectError("premature", "non-BIP68-final", undefined, txid);
    }

    const valueOut = tx.outputs.reduce((a, o) => a + o.value, 0n);
    if (valueIn < valueOut)
      throw new RejectError(
        "consensus",
        "bad-txns-in-belowout",
        `value in (${valueIn}) < value out (${valueOut})`,
        txid,
      );
    const fee = valueIn - valueOut;

    if (policy.requireStandard) {
      checkInputsStandard(tx, prevouts);
      checkWitnessStandard(tx, prevouts);
    }
    const sigopCost = txSigOpCost(tx, prevouts);
    if (sigopCost > MAX_STANDARD_TX_SIGOPS_COST)
      throw policyReject("bad-txns-too-many-sigops", `${sigopCost}`);

    const weight = tx.weight();
    const vsize = policyVsize(weight, sigopCost);
    const minRelay = feeFor(policy.minRelayFeeRate, vsize);
    if (fee < minRelay) throw policyReject("min relay fee not met", `${fee} < ${minRelay}`);
    const mempoolMin = feeFor(this.minFeeRate, vsize);
    if (fee < mempoolMin) throw policyReject("mempool min fee not met", `${fee} < ${mempoolMin}`);
    if (opts.maxFeeRate !== undefined && opts.maxFeeRate > 0n && fee > feeFor(opts.maxFeeRate, vsize))
      throw policyReject("max-fee-exceeded", `${fee} > ${feeFor(opts.maxFeeRate, vsize)}`);

    // Package limits, counted as Core does: ancestors including the new transaction.
    const ancestors = new Set<MempoolEntry>();
    for (const p of parents) {
      ancestors.add(p);
      for (const a of this.ancestors(p)) ancestors.add(a);
    }
    if (ancestors.size + 1 > policy.chainLimit)
      throw policyReject(
        "too-long-mempool-chain",
        `too many unconfirmed ancestors [limit: ${policy.chainLimit}]`,
      );
    for (const a of ancestors)
      if (this.descendants(a).size + 2 > policy.chainLimit)
        throw policyReject(
          "too-long-mempool-chain",
          `too many descendants for tx ${a.txid} [limit: ${policy.chainLimit}]`,
        );

    const evicted = this.checkReplacement(tx, conflicts, ancestors, fee, vsize);

    // Scripts last: they are the expensive part. Core tells policy-only failures apart.
    if (this.flagsAt?.height !== nextHeight)
      this.flagsAt = {
        height: nextHeight,
        std: standardFlags(params, nextHeight),
        consensus: blockScriptFlags(params, nextHeight),
      };
    const { std: stdFlags, consensus: consensusFlags } = this.flagsAt;
    const txData = new PrecomputedTxData(tx, prevouts);
    const cached = { sigCache: chain.sigCache, storeSignatures: true, txData };
    const std = checkInputScripts(tx, prevouts, stdFlags, cached);
    if (std !== undefined) {
      const c = checkInputScripts(tx, prevouts, consensusFlags, cached);
      if (c === undefined)
        throw policyReject(
          `non-mandatory-script-verify-flag (${std.message})`,
          `input ${std.input}: ${std.error}`,
        );
      throw new RejectError(
        "consensus",
        `mandatory-script-verify-flag-failed (${c.message})`,
        `input ${c.input}: ${c.error}`,
        txid,
      );
    }
    // Core's ConsensusScriptChecks: the block flags are checked (from the signature cache) and the
    // result stored, so the block that confirms this transaction need not run its scripts again.
    const consensus = checkInputScripts(tx, prevouts, consensusFlags, cached);
    if (consensus !== undefined)
      throw new RejectError(
        "consensus",
        `mandatory-script-verify-flag-failed (${consensus.message})`,
        `input ${consensus.input}: ${consensus.error}`,
        txid,
      );

    const result: AcceptResult = { txid, wtxid, fee, vsize, replaced: [...evicted].map((e) => e.txid) };
    if (opts.testOnly) return result;

    for (const e of evicted) this.removeEntry(e);
    const entry: MempoolEntry = {
      tx,
      txid,
      wtxid,
      fee,
      vsize,
      weight,
      size: tx.encode().length,
      sigopCost,
      time: this.now(),
      height: tip.height,
      parents,
      children: new Set(),
      seq: this.seq++,
      signalsRbf: tx.inputs.some((i) => i.sequence >>> 0 < 0xfffffffe),
    };
    this.addEntry(entry);
    chain.scriptCache.add(wtxid, consensusFlags);
    if (!opts.noTrim) {
      this.trim();
      if (!this.entries.has(txid)) throw policyReject("mempool full");
    }
    return result;
  }

  /** BIP125-style replacement checks; returns the entries the replacement evicts. */
  private checkReplacement(
    tx: Transaction,
    conflicts: Set<MempoolEntry>,
    ancestors: Set<MempoolEntry>,
    fee: bigint,
    vsize: number,
  ): Set<MempoolEntry> {
    const evicted = new Set<MempoolEntry>();
    if (conflicts.size === 0) return evicted;
    const txid = tx.txid();
    const reject = (reason: string, debug?: string): RejectError =>
      new RejectError("mempool-conflict", reason, debug, txid);
    if (this.policy.rbf === "off") throw reject("txn-mempool-conflict");
    if (this.policy.rbf === "optin") {
      for (const c of conflicts) {
        const signals = c.signalsRbf || [...this.ancestors(c)].some((a) => a.signalsRbf);
        if (!signals) throw reject("txn-mempool-conflict");
      }
    }
    for (const c of conflicts) {
      evicted.add(c);
      for (const d of this.descendants(c)) evicted.add(d);
    }
    if (evicted.size > MAX_REPLACEMENT_CANDIDATES)
      throw reject(
        "too many potential replacements",
        `rejecting replacement ${txid}; too many potential replacements (${evicted.size} > ${MAX_REPLACEMENT_CANDIDATES})`,
      );
    for (const a of ancestors)
      if (evicted.has(a)) throw new RejectError("policy", "bad-txns-spends-conflicting-tx", undefined, txid);
    for (const c of conflicts)
      if (rate(fee, vsize) <= rate(c.fee, c.vsize))
        throw new RejectError(
          "policy",
          "insufficient fee",
          `rejecting replacement ${txid}; new feerate ${satKvB(fee, vsize)} <= old feerate ${satKvB(c.fee, c.vsize)}`,
          txid,
        );
    let replacedFees = 0n;
    for (const e of evicted) replacedFees += e.fee;
    if (fee < replacedFees)
      throw new RejectError(
        "policy",
        "insufficient fee",
        `rejecting replacement ${txid}, less fees than conflicting txs; ${fee} < ${replacedFees}`,
        txid,
      );
    const needed = feeFor(this.policy.incrementalRelayFeeRate, vsize);
    if (fee - replacedFees < needed)
      throw new RejectError(
        "policy",
        "insufficient fee",
        `rejecting replacement ${txid}, not enough additional fees to relay; ${fee - replacedFees} < ${needed}`,
        txid,
      );
    return evicted;
  }

  private addEntry(e: MempoolEntry): void {
    this.entries.set(e.txid, e);
    this.byWtxid.set(e.wtxid, e);
    for (const input of e.tx.inputs) this.spenders.set(outpointKey(input.prevout), e);
    for (const p of e.parents) p.children.add(e);
    this.bytes += e.size;
    this.sequence++;
  }

  /** Removes one entry; its children stay (callers remove descendants when needed). */
  private removeEntry(e: MempoolEntry): void {
    if (!this.entries.delete(e.txid)) return;
    this.byWtxid.delete(e.wtxid);
    for (const input of e.tx.inputs) {
      const k = outpointKey(input.prevout);
      if (this.spenders.get(k) === e) this.spenders.delete(k);
    }
    for (const p of e.parents) p.children.delete(e);
    for (const c of e.children) c.parents.delete(e);
    this.bytes -= e.size;
    this.sequence++;
  }

  removeWithDescendants(e: MempoolEntry): Txid[] {
    const all = [e, ...this.descendants(e)];
    for (const x of all) this.removeEntry(x);
    return all.map((x) => x.txid);
  }

  /** Evicts the packages with the lowest descendant fee rate until the size limit holds. */
  private trim(): void {
    while (this.bytes > this.policy.maxMempoolBytes && this.entries.size > 0) {
      let worst: MempoolEntry | undefined;
      let worstRate = Infinity;
      for (const e of this.entries.values()) {
        const desc = this.descendants(e);
        let fee = e.fee;
        let size = e.vsize;
        for (const d of desc) {
          fee += d.fee;
          size += d.vsize;
        }
        // Core's descendant score: a transaction is kept by the better of its own and its package's rate.
        const score = Math.max(rate(fee, size), rate(e.fee, e.vsize));
        if (score < worstRate) {
          worstRate = score;
          worst = e;
        }
      }
      if (worst === undefined) break;
      const removedRate = BigInt(Math.ceil(worstRate * 1000));
      const newMin = removedRate + this.policy.incrementalRelayFeeRate;
      if (newMin > this.rollingMinFeeRate) this.rollingMinFeeRate = newMin;
      this.removeWithDescendants(worst);
    }
  }

  /** Removes what a newly connected block confirms, and whatever now conflicts with it. */
  removeForBlock(txs: readonly Transaction[]): void {
    const ids = this.chain.connectedTxids.get(txs);
    for (const [i, tx] of txs.entries()) {
      const e = this.entries.get(ids?.[i] ?? tx.txid());
      if (e !== undefined) {
        this.removeEntry(e);
        continue;
      }
      if (tx.isCoinbase()) continue;
      for (const input of tx.inputs) {
        const s = this.spenders.get(outpointKey(input.prevout));
        if (s !== undefined) this.removeWithDescendants(s);
      }
    }
    // A block relieves pressure: Core lets the eviction floor decay; we halve it per block.
    this.rollingMinFeeRate =
      this.rollingMinFeeRate / 2n < this.policy.minRelayFeeRate ? 0n : this.rollingMinFeeRate / 2n;
  }

  /** All entries in the order they arrived (parents before children). */
  inOrder(): MempoolEntry[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  clear(): MempoolEntry[] {
    const all = this.inOrder();
    for (const e of all) this.removeEntry(e);
    return all;
  }
}
