/**
 * Winternitz commitments to vectors of 7-bit digits: the Fq digit layout of `bn254` signed digit
 * for digit, so a verified commitment leaves exactly the 37 stack items an Fq operand is made of
 * (no nibble conversion, no in-script hash). Chains are HASH160, 128 links (digits 0–127); the
 * checksum Σ(127 − dᵢ) is signed in the same base.
 */
import { hash } from "node:crypto";

import { sha256, OP } from "../../bitcoin/index.js";
import { BitvmInputError, num, type Op } from "../fragment.js";

export const COMMIT_DIGIT_BITS = 7;
const MAX = (1 << COMMIT_DIGIT_BITS) - 1;

/** Checksum digits for a message of `n` digits. */
export function checksumDigitCount(n: number): number {
  let k = 1;
  while ((MAX + 1) ** k <= n * MAX) k++;
  return k;
}

/** A one-time key for one committed value of `digits` digits. */
export interface DigitKey {
  digits: number;
  /** Message digits in order, then checksum digits least significant first. */
  secrets: Uint8Array[];
}

export interface DigitPublicKey {
  digits: number;
  hashes: Uint8Array[];
}

/** HASH160 by node's OpenSSL (the chains are ~10⁵ hashes per assertion; noble's is ~10× slower). */
const hash160 = (b: Uint8Array): Uint8Array => hash("ripemd160", hash("sha256", b, "buffer"), "buffer");

const chain = (x: Uint8Array, times: number): Uint8Array => {
  let h = x;
  for (let i = 0; i < times; i++) h = hash160(h);
  return h;
};

/** Key `index` of the operator's seed: SHA-256(seed ‖ "lvm/g16" ‖ index ‖ j)[0..20]. */
export function digitKeygen(seed: Uint8Array, index: number, digits: number): DigitKey {
  if (seed.length < 16) throw new BitvmInputError("commit: the operator seed must hold at least 16 bytes");
  const total = digits + checksumDigitCount(digits);
  const secrets = Array.from({ length: total }, (_, j) => {
    const tagged = new Uint8Array(seed.length + 15);
    tagged.set(seed);
    tagged.set(new TextEncoder().encode("lvm/g16"), seed.length);
    const dv = new DataView(tagged.buffer);
    dv.setUint32(seed.length + 7, index, true);
    dv.setUint32(seed.length + 11, j, true);
    return sha256(tagged).slice(0, 20);
  });
  return { digits, secrets };
}

export const digitPublicKey = (sk: DigitKey): DigitPublicKey => ({
  digits: sk.digits,
  hashes: sk.secrets.map((s) => chain(s, MAX)),
});

function checksumOf(message: readonly number[], k: number): number[] {
  let c = message.reduce((a, d) => a + (MAX - d), 0);
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    out.push(c & MAX);
    c >>= COMMIT_DIGIT_BITS;
  }
  return out;
}

const encodeDigit = (d: number): Uint8Array => (d === 0 ? new Uint8Array(0) : Uint8Array.of(d));

/** The signature witness (bottom first) of `message` (digits 0–127, first digit deepest once verified). */
export function digitSign(sk: DigitKey, message: readonly number[]): Uint8Array[] {
  if (message.length !== sk.digits || message.some((d) => !Number.isInteger(d) || d < 0 || d > MAX))
    throw new BitvmInputError(`commit: the key signs ${sk.digits} digits of 0–${MAX}`, message.length);
  const k = sk.secrets.length - sk.digits;
  const all = [...message, ...checksumOf(message, k)];
  const order = [
    ...Array.from({ length: k }, (_, j) => sk.digits + j),
    ...Array.from({ length: sk.digits }, (_, j) => sk.digits - 1 - j),
  ];
  const top: Uint8Array[] = [];
  for (const i of order) top.push(encodeDigit(all[i]!), chain(sk.secrets[i]!, all[i]!));
  return top.reverse();
}

/** Reads the message off a signature if it verifies against `pk`, else undefined. */
export function digitOpen(pk: DigitPublicKey, sig: readonly Uint8Array[]): number[] | undefined {
  const k = pk.hashes.length - pk.digits;
  if (sig.length !== 2 * pk.hashes.length) return undefined;
  const top = [...sig].reverse();
  const all: number[] = new Array<number>(pk.hashes.length);
  const order = [
    ...Array.from({ length: k }, (_, j) => pk.digits + j),
    ...Array.from({ length: pk.digits }, (_, j) => pk.digits - 1 - j),
  ];
  for (let o = 0; o < order.length; o++) {
    const i = order[o]!;
    const dItem = top[2 * o]!;
    if (dItem.length > 1 || (dItem.length === 1 && (dItem[0] === 0 || dItem[0]! > MAX))) return undefined;
    const d = dItem.length === 0 ? 0 : dItem[0]!;
    if (!equal(chain(top[2 * o + 1]!, MAX - d), pk.hashes[i]!)) return undefined;
    all[i] = d;
  }
  const message = all.slice(0, pk.digits);
  const expect = checksumOf(message, k);
  return expect.every((c, j) => c === all[pk.digits + j]) ? message : undefined;
}

const equal = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Verify script: consumes the signature, leaves the message digits (first deepest). Per digit:
 * `DUP 128 LESSTHAN VERIFY DUP TOALTSTACK TOALTSTACK (DUP HASH160)×127 FROMALTSTACK PICK <pk>
 * EQUALVERIFY 2DROP×64`, then the digits come back summed and Σd + checksum = n·127 is checked.
 */
export function digitVerifyOps(pk: DigitPublicKey): Op[] {
  const ops: Op[] = [];
  const n = pk.digits;
  const k = pk.hashes.length - n;
  const one = (h: Uint8Array): void => {
    ops.push(OP.OP_DUP, num(MAX + 1), OP.OP_LESSTHAN, OP.OP_VERIFY, OP.OP_DUP);
    ops.push(OP.OP_TOALTSTACK, OP.OP_TOALTSTACK);
    for (let i = 0; i < MAX; i++) ops.push(OP.OP_DUP, OP.OP_HASH160);
    ops.push(OP.OP_FROMALTSTACK, OP.OP_PICK, h, OP.OP_EQUALVERIFY);
    for (let i = 0; i < (MAX + 1) / 2; i++) ops.push(OP.OP_2DROP);
  };
  for (let j = 0; j < k; j++) one(pk.hashes[n + j]!);
  for (let j = n - 1; j >= 0; j--) one(pk.hashes[j]!);
  ops.push(OP.OP_FROMALTSTACK, OP.OP_DUP);
  for (let j = 1; j < n; j++) ops.push(OP.OP_FROMALTSTACK, OP.OP_DUP, OP.OP_ROT, OP.OP_ADD);
  ops.push(OP.OP_FROMALTSTACK);
  for (let j = 1; j < k; j++) {
    for (let b = 0; b < COMMIT_DIGIT_BITS; b++) ops.push(OP.OP_DUP, OP.OP_ADD);
    ops.push(OP.OP_FROMALTSTACK, OP.OP_ADD);
  }
  ops.push(OP.OP_ADD, num(n * MAX), OP.OP_NUMEQUALVERIFY);
  return ops;
}
