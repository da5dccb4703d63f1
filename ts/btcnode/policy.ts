/**
 * Standardness policy (Core's policy/policy.cpp): what this node relays and mines beyond what
 * consensus allows. All of it is configurable through `PolicyOptions`.
 */
import type { Transaction, TxOut } from "../bitcoin/index.js";
import { RejectError } from "./errors.js";
import {
  classify,
  isP2SH,
  isPushOnly,
  isUnspendable,
  parseScript,
  witnessProgram,
  countSigOps,
} from "./script.js";
import { varIntSize } from "./validation.js";

export interface PolicyOptions {
  /** Reject non-standard transactions (Core: `-acceptnonstdtxn=0`). */
  readonly requireStandard: boolean;
  /** Minimum relay fee rate, sat per 1000 vbytes (Core: `-minrelaytxfee`, 1000). */
  readonly minRelayFeeRate: bigint;
  /** Fee rate under which an output is dust, sat/kvB (Core: `-dustrelayfee`, 3000). */
  readonly dustRelayFeeRate: bigint;
  /** Increment a replacement or a trimmed mempool adds, sat/kvB (Core: `-incrementalrelayfee`, 1000). */
  readonly incrementalRelayFeeRate: bigint;
  /** Replacement policy: "full" (Core 28 default), "optin" (BIP125 signalling) or "off". */
  readonly rbf: "full" | "optin" | "off";
  /** Largest OP_RETURN output script, bytes (Core: `-datacarriersize`, 83). */
  readonly dataCarrierSize: number;
  readonly permitBareMultisig: boolean;
  /** Mempool size limit in bytes of serialized transactions (Core: `-maxmempool`). */
  readonly maxMempoolBytes: number;
  /** Ancestor / descendant package count limit (Core: 25). */
  readonly chainLimit: number;
}

export const DEFAULT_POLICY: PolicyOptions = {
  requireStandard: true,
  minRelayFeeRate: 1000n,
  dustRelayFeeRate: 3000n,
  incrementalRelayFeeRate: 1000n,
  rbf: "full",
  dataCarrierSize: 83,
  permitBareMultisig: true,
  maxMempoolBytes: 300_000_000,
  chainLimit: 25,
};

export const MAX_STANDARD_TX_WEIGHT = 400_000;
export const MIN_STANDARD_TX_NONWITNESS_SIZE = 65;
export const MAX_STANDARD_TX_SIGOPS_COST = 16_000;
const MAX_STANDARD_SCRIPTSIG_SIZE = 1650;
const MAX_P2SH_SIGOPS = 15;
const MAX_STANDARD_P2WSH_SCRIPT_SIZE = 3600;
const MAX_STANDARD_P2WSH_STACK_ITEMS = 100;
const MAX_STANDARD_P2WSH_STACK_ITEM_SIZE = 80;
const MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE = 80;
const TX_MAX_STANDARD_VERSION = 3;
const BYTES_PER_SIGOP = 20;

/** Fee for `vsize` vbytes at `rate` sat/kvB (Core's CFeeRate::GetFee: truncating, at least 1 sat if rate > 0). */
export function feeFor(rate: bigint, vsize: number): bigint {
  const fee = (rate * BigInt(vsize)) / 1000n;
  return fee === 0n && rate > 0n ? 1n : fee;
}

/** Core's GetVirtualTransactionSize with the sigop adjustment. */
export function policyVsize(weight: number, sigopCost: number): number {
  return Math.ceil(Math.max(weight, sigopCost * BYTES_PER_SIGOP) / 4);
}

/** Core's GetDustThreshold: the value below which spending the output costs more than it is worth. */
export function dustThreshold(out: TxOut, dustRelayFeeRate: bigint): bigint {
  const s = out.scriptPubKey;
  if (isUnspendable(s)) return 0n;
  let size = 8 + varIntSize(s.length) + s.length;
  size += witnessProgram(s) !== null ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4;
  return feeFor(dustRelayFeeRate, size);
}

const policy = (reason: string, debug?: string, value?: string): RejectError =>
  new RejectError("policy", reason, debug, value);

/** Core's IsStandardTx. */
export function checkStandardTx(tx: Transaction, opts: PolicyOptions): void {
  const txid = tx.txid();
  if (tx.version < 1 || tx.version > TX_MAX_STANDARD_VERSION) throw policy("version", undefined, txid);
  if (tx.weight() > MAX_STANDARD_TX_WEIGHT) throw policy("tx-size", undefined, txid);
  for (const i of tx.inputs) {
    if (i.scriptSig.length > MAX_STANDARD_SCRIPTSIG_SIZE) throw policy("scriptsig-size", undefined, txid);
    // Core's IsPushOnly: OP_RESERVED counts as a push (its execution fails anyway).
    if (!isPushOnly(i.scriptSig)) throw policy("scriptsig-not-pushonly", undefined, txid);
  }
  let dataOutputs = 0;
  for (const o of tx.outputs) {
    const c = classify(o.scriptPubKey);
    if (c.type === "nonstandard") throw policy("scriptpubkey", undefined, txid);
    if (c.type === "nulldata") {
      if (o.scriptPubKey.length > opts.dataCarrierSize) throw policy("scriptpubkey", undefined, txid);
      dataOutputs++;
      continue;
    }
    if (c.type === "multisig") {
      if ((c.n ?? 0) > 3) throw policy("scriptpubkey", undefined, txid);
      if (!opts.permitBareMultisig) throw policy("bare-multisig", undefined, txid);
    }
    if (o.value < dustThreshold(o, opts.dustRelayFeeRate)) throw policy("dust", undefined, txid);
  }
  if (dataOutputs > 1) throw policy("multi-op-return", undefined, txid);
}

function lastPush(scriptSig: Uint8Array): Uint8Array | undefined {
  const ops = parseScript(scriptSig);
  return ops === null || ops.length === 0 ? undefined : ops[ops.length - 1].data;
}

/** Core's AreInputsStandard. */
export function checkInputsStandard(tx: Transaction, prevouts: readonly TxOut[]): void {
  tx.inputs.forEach((input, i) => {
    const c = classify(prevouts[i].scriptPubKey);
    if (c.type === "nonstandard" || c.type === "witness_unknown")
      throw policy("bad-txns-nonstandard-inputs", `input ${i}: ${c.type}`, tx.txid());
    if (c.type === "scripthash") {
      const redeem = lastPush(input.scriptSig);
      if (redeem === undefined || countSigOps(redeem, true) > MAX_P2SH_SIGOPS)
        throw policy("bad-txns-nonstandard-inputs", `p2sh redeemscript sigops exceed limit`, tx.txid());
    }
  });
}

/** Core's IsWitnessStandard. */
export function checkWitnessStandard(tx: Transaction, prevouts: readonly TxOut[]): void {
  const fail = (why: string): RejectError => policy("bad-witness-nonstandard", why, tx.txid());
  tx.inputs.forEach((input, i) => {
    if (input.witness.length === 0) return;
    let spk = prevouts[i].scriptPubKey;
    let p2sh = false;
    if (isP2SH(spk)) {
      const redeem = lastPush(input.scriptSig);
      if (redeem === undefined) throw fail(`input ${i}: p2sh without redeem script`);
      spk = redeem;
      p2sh = true;
    }
    const wp = witnessProgram(spk);
    if (wp === null) throw fail(`input ${i}: witness on a non-witness output`);
    const w = input.witness;
    if (wp.version === 0 && wp.program.length === 32) {
      const script = w[w.length - 1];
      if (script.length > MAX_STANDARD_P2WSH_SCRIPT_SIZE) throw fail(`input ${i}: witness script too large`);
      if (w.length - 1 > MAX_STANDARD_P2WSH_STACK_ITEMS) throw fail(`input ${i}: too many witness items`);
      for (let k = 0; k < w.length - 1; k++)
        if (w[k].length > MAX_STANDARD_P2WSH_STACK_ITEM_SIZE)
          throw fail(`input ${i}: witness item too large`);
    }
    if (wp.version === 1 && wp.program.length === 32 && !p2sh) {
      let stack = w;
      if (stack.length >= 2 && stack[stack.length - 1].length > 0 && stack[stack.length - 1][0] === 0x50)
        throw fail(`input ${i}: annex`);
      if (stack.length >= 2) {
        const control = stack[stack.length - 1];
        if (control.length > 0 && (control[0] & 0xfe) === 0xc0) {
          stack = stack.slice(0, -2);
          for (const item of stack)
            if (item.length > MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE)
              throw fail(`input ${i}: tapscript item too large`);
        }
      }
    }
  });
}
