/** Bitcoin Core's JSON shapes for transactions, blocks, headers and outputs (TxToUniv & co). */
import type { Block, BlockHash, Transaction } from "../../bitcoin/index.js";
import { bytesToHex as hex } from "../../core/index.js";
import { scriptToAddress } from "../address.js";
import type { BlockIndex } from "../chain.js";
import type { Coin } from "../coins.js";
import type { ChainParams } from "../params.js";
import { classify, scriptToAsm, withChecksum } from "../script.js";
import { difficulty } from "../validation.js";
import { Amount, type JsonOut } from "./json.js";

const hex32 = (n: number): string => (n >>> 0).toString(16).padStart(8, "0");

export type JsonObject = { [k: string]: JsonOut | undefined };

/** Core's InferDescriptor for a script without wallet knowledge. */
export function inferDescriptor(script: Uint8Array, params: ChainParams): string {
  const c = classify(script);
  let d: string;
  if (c.type === "pubkey") d = `pk(${hex(script.subarray(1, script.length - 1))})`;
  else if (c.type === "witness_v1_taproot") d = `rawtr(${hex(script.subarray(2))})`;
  else if (c.type === "multisig") {
    const keys: string[] = [];
    let i = 1;
    while (i < script.length - 2) {
      const len = script[i];
      keys.push(hex(script.subarray(i + 1, i + 1 + len)));
      i += 1 + len;
    }
    d = `multi(${c.m},${keys.join(",")})`;
  } else {
    const a = scriptToAddress(script, params);
    d = a !== undefined ? `addr(${a})` : `raw(${hex(script)})`;
  }
  return withChecksum(d);
}

export function scriptPubKeyJson(script: Uint8Array, params: ChainParams): JsonObject {
  return {
    asm: scriptToAsm(script),
    desc: inferDescriptor(script, params),
    hex: hex(script),
    address: scriptToAddress(script, params),
    type: classify(script).type,
  };
}

/**
 * Core's TxToUniv. `spent` (the coins the inputs spend, from undo data) adds `fee`, and with
 * `prevouts` each input gets its `prevout` (getblock verbosity 3).
 */
export function txJson(
  tx: Transaction,
  params: ChainParams,
  opts: { hex?: boolean; spent?: readonly Coin[]; prevouts?: boolean } = {},
): JsonObject {
  const full = tx.encode();
  const vin = tx.inputs.map((input, i): JsonObject => {
    const witness = input.witness.length > 0 ? input.witness.map(hex) : undefined;
    if (tx.isCoinbase())
      return { coinbase: hex(input.scriptSig), txinwitness: witness, sequence: input.sequence >>> 0 };
    const coin = opts.spent?.[i];
    return {
      txid: input.prevout.txid,
      vout: input.prevout.vout,
      scriptSig: { asm: scriptToAsm(input.scriptSig, true), hex: hex(input.scriptSig) },
      txinwitness: witness,
      prevout:
        opts.prevouts && coin !== undefined
          ? {
              generated: coin.coinbase,
              height: coin.height,
              value: new Amount(coin.value),
              scriptPubKey: scriptPubKeyJson(coin.scriptPubKey, params),
            }
          : undefined,
      sequence: input.sequence >>> 0,
    };
  });
  const vout = tx.outputs.map((o, n): JsonObject => ({
    value: new Amount(o.value),
    n,
    scriptPubKey: scriptPubKeyJson(o.scriptPubKey, params),
  }));
  let fee: Amount | undefined;
  if (opts.spent !== undefined && !tx.isCoinbase()) {
    const inSum = opts.spent.reduce((a, c) => a + c.value, 0n);
    fee = new Amount(inSum - tx.outputs.reduce((a, o) => a + o.value, 0n));
  }
  return {
    txid: tx.txid(),
    hash: tx.wtxid(),
    version: tx.version,
    size: full.length,
    vsize: tx.vsize(),
    weight: tx.weight(),
    locktime: tx.locktime >>> 0,
    vin,
    vout,
    fee,
    hex: opts.hex ? hex(full) : undefined,
  };
}

export interface HeaderContext {
  readonly confirmations: number;
  readonly mediantime: number;
  readonly nTx: number;
  readonly next?: BlockHash;
}

export function headerJson(idx: BlockIndex, ctx: HeaderContext): JsonObject {
  const h = idx.header;
  return {
    hash: idx.hash,
    confirmations: ctx.confirmations,
    height: idx.height,
    version: h.version,
    versionHex: hex32(h.version),
    merkleroot: hex(Uint8Array.from(h.merkleRoot).reverse()),
    time: h.time,
    mediantime: ctx.mediantime,
    nonce: h.nonce >>> 0,
    bits: hex32(h.bits),
    difficulty: difficulty(h.bits),
    chainwork: idx.chainWork.toString(16).padStart(64, "0"),
    nTx: ctx.nTx,
    previousblockhash: idx.prev?.hash,
    nextblockhash: ctx.next,
  };
}

export function blockJson(
  block: Block,
  idx: BlockIndex,
  ctx: HeaderContext,
  params: ChainParams,
  verbosity: number,
  undo: readonly Coin[] | undefined,
): JsonObject {
  const stripped =
    80 + varIntLen(block.txs.length) + block.txs.reduce((a, t) => a + t.encode({ witness: false }).length, 0);
  let u = 0;
  const txs: JsonOut[] = block.txs.map((tx) => {
    if (verbosity < 2) return tx.txid();
    let spent: Coin[] | undefined;
    if (undo !== undefined && !tx.isCoinbase()) {
      spent = undo.slice(u, u + tx.inputs.length);
      u += tx.inputs.length;
    }
    return txJson(tx, params, { hex: true, spent, prevouts: verbosity >= 3 });
  });
  return {
    ...headerJson(idx, ctx),
    strippedsize: stripped,
    size: block.encode().length,
    weight: block.weight(),
    tx: txs,
  };
}

function varIntLen(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : 5;
}
