/**
 * Our own Script interpreter (`ts/bitcoin`) as a third judge of the bridge's transactions, beside
 * bitcoinjs-lib/@noble and bitcore-lib (`independent.ts`).
 */
import { Transaction, parseFlags, verifyInput } from "../../ts/bitcoin/index.js";

const FLAGS = parseFlags("P2SH,DERSIG,NULLDUMMY,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,WITNESS,TAPROOT");

/** Runs every input through our interpreter with consensus + taproot flags; returns the errors. */
export function interpret(raw: Uint8Array, prevouts: { script: Uint8Array; amount: bigint }[]): string[] {
  const tx = Transaction.decode(raw);
  const outs = prevouts.map((p) => ({ value: p.amount, scriptPubKey: p.script }));
  const errors: string[] = [];
  for (let i = 0; i < prevouts.length; i++) {
    const r = verifyInput(tx, i, outs, FLAGS);
    if (!r.ok) errors.push(`${i}:${r.error}`);
  }
  return errors;
}
