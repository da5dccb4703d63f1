/**
 * Access to our own Script interpreter (`ts/bitcoin`, built in parallel). Loaded lazily so these
 * tests run (and skip the interpreter checks) until `verifyInput` exists; the shapes below are the
 * agreed public API of `ts/bitcoin/index.ts`.
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

interface TxOut {
  value: bigint;
  scriptPubKey: Uint8Array;
}
interface DecodedTx {
  txid(): string;
}
type VerifyResult = { ok: true } | { ok: false; error: string; message: string };
interface BitcoinCore {
  Transaction: { decode(bytes: Uint8Array): DecodedTx };
  parseFlags(s: string): number;
  verifyInput(tx: DecodedTx, inputIndex: number, prevouts: TxOut[], flags: number): VerifyResult;
}

const INDEX = fileURLToPath(new URL("../../ts/bitcoin/index.ts", import.meta.url));
const FLAGS = "P2SH,DERSIG,NULLDUMMY,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,WITNESS,TAPROOT";

let cached: BitcoinCore | null | undefined;

export async function loadInterpreter(): Promise<BitcoinCore | null> {
  if (cached !== undefined) return cached;
  if (!existsSync(INDEX)) return (cached = null);
  const mod = (await import(pathToFileURL(INDEX).href)) as Partial<BitcoinCore>;
  cached =
    typeof mod.verifyInput === "function" &&
    mod.Transaction !== undefined &&
    typeof mod.parseFlags === "function"
      ? (mod as BitcoinCore)
      : null;
  return cached;
}

/** Runs every input through our interpreter with consensus + taproot flags; returns the errors. */
export function interpret(
  core: BitcoinCore,
  raw: Uint8Array,
  prevouts: { script: Uint8Array; amount: bigint }[],
): string[] {
  const tx = core.Transaction.decode(raw);
  const outs = prevouts.map((p) => ({ value: p.amount, scriptPubKey: p.script }));
  const flags = core.parseFlags(FLAGS);
  const errors: string[] = [];
  for (let i = 0; i < prevouts.length; i++) {
    const r = core.verifyInput(tx, i, outs, flags);
    if (!r.ok) errors.push(`${i}:${r.error}`);
  }
  return errors;
}
