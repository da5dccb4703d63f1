/**
 * Independent judges of the DLC's transactions: our own Script interpreter (ts/bitcoin) with
 * consensus + taproot flags, bitcoinjs-lib's decoder and libsecp256k1 (tiny-secp256k1) for every
 * BIP340 signature, and the standardness limits.
 */
import * as bitcoin from "bitcoinjs-lib";
import * as ecc from "tiny-secp256k1";
import { Transaction, parseFlags, verifyInput } from "../../ts/bitcoin/index.js";
import type { DlcTx } from "../../ts/dlc/index.js";

const FLAGS = parseFlags("P2SH,DERSIG,NULLDUMMY,CHECKLOCKTIMEVERIFY,CHECKSEQUENCEVERIFY,WITNESS,TAPROOT");

/** Runs every input of `tx` through our interpreter; returns the failures ("vin:error"). */
export function interpret(tx: DlcTx): string[] {
  const decoded = Transaction.decode(tx.toBytes());
  const outs = tx.prevouts.map((p) => ({ value: p.amount, scriptPubKey: p.script }));
  const errors: string[] = [];
  for (let i = 0; i < outs.length; i++) {
    const r = verifyInput(decoded, i, outs, FLAGS);
    if (!r.ok) errors.push(`${i}:${r.error}`);
  }
  return errors;
}

/** libsecp256k1's BIP340 verification (an implementation independent of @noble). */
export const secpVerify = (sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean =>
  ecc.verifySchnorr(msg, key, sig);

/**
 * bitcoinjs-lib's view: recomputes input `vin`'s BIP341 script-path sighash from the raw bytes and
 * checks the signature at witness position `pos` with libsecp256k1 under `key`.
 */
export function bitcoinjsCheck(tx: DlcTx, vin: number, pos: number, key: Uint8Array): boolean {
  const t = bitcoin.Transaction.fromBuffer(Buffer.from(tx.toBytes()));
  const w = t.ins[vin]!.witness;
  const leaf = w[w.length - 2]!;
  const leafHash = bitcoin.crypto.taggedHash("TapLeaf", Buffer.concat([Buffer.from([0xc0]), varSlice(leaf)]));
  const h = t.hashForWitnessV1(
    vin,
    tx.prevouts.map((p) => Buffer.from(p.script)),
    tx.prevouts.map((p) => p.amount),
    bitcoin.Transaction.SIGHASH_DEFAULT,
    leafHash,
  );
  return ecc.verifySchnorr(h, key, w[pos]!);
}

function varSlice(b: Uint8Array): Buffer {
  if (b.length >= 0xfd) throw new Error("leaf too long for this helper");
  return Buffer.concat([Buffer.from([b.length]), Buffer.from(b)]);
}

/** Core's standardness limits the DLC transactions must meet. */
export function standard(tx: DlcTx): boolean {
  return tx.weight <= 400_000;
}
