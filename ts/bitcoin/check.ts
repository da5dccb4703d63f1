/** Context-free transaction checks (Core's CheckTransaction), shared by the node and conformance. */
import { MAX_MONEY } from "../core/index.js";
import type { Transaction } from "./tx.js";

export { MAX_MONEY };
const MAX_BLOCK_WEIGHT = 4_000_000;
const WITNESS_SCALE_FACTOR = 4;

/** Core's reject reasons ("bad-txns-…"), so node RPC errors read the same as bitcoind's. */
export type TxCheckError =
  | "bad-txns-vin-empty"
  | "bad-txns-vout-empty"
  | "bad-txns-oversize"
  | "bad-txns-vout-negative"
  | "bad-txns-vout-toolarge"
  | "bad-txns-txouttotal-toolarge"
  | "bad-txns-inputs-duplicate"
  | "bad-cb-length"
  | "bad-txns-prevout-null";

const NULL_TXID = "0".repeat(64);

/** undefined when the transaction is well-formed on its own, else Core's reason. */
export function checkTransaction(tx: Transaction): TxCheckError | undefined {
  if (tx.inputs.length === 0) return "bad-txns-vin-empty";
  if (tx.outputs.length === 0) return "bad-txns-vout-empty";
  if (tx.encode({ witness: false }).length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT)
    return "bad-txns-oversize";
  let total = 0n;
  for (const out of tx.outputs) {
    if (out.value < 0n) return "bad-txns-vout-negative";
    if (out.value > MAX_MONEY) return "bad-txns-vout-toolarge";
    total += out.value;
    if (total > MAX_MONEY) return "bad-txns-txouttotal-toolarge";
  }
  const seen = new Set<string>();
  for (const input of tx.inputs) {
    const key = `${input.prevout.txid}:${input.prevout.vout}`;
    if (seen.has(key)) return "bad-txns-inputs-duplicate";
    seen.add(key);
  }
  if (tx.isCoinbase()) {
    const len = tx.inputs[0]!.scriptSig.length;
    if (len < 2 || len > 100) return "bad-cb-length";
  } else {
    for (const input of tx.inputs) {
      if (input.prevout.txid === NULL_TXID && input.prevout.vout >>> 0 === 0xffffffff)
        return "bad-txns-prevout-null";
    }
  }
  return undefined;
}
