/**
 * Winternitz one-time signatures over HASH160 chains: the commitments ("HOTS") an operator uses
 * to bind itself on Bitcoin to the values it asserts, so that a second, different value for the
 * same key is a public equivocation.
 *
 * A message of `messageBytes` bytes is cut into digits of `digitBits` bits, followed by checksum
 * digits of Σ(max − digit); digit i with secret s_i is signed as HASH160^d(s_i) and its public key
 * is HASH160^max(s_i). The verify script checks every digit against its public key, checks the
 * checksum, and leaves the message digits on the stack, the first digit deepest.
 */
import { hash160, sha256, OP } from "../bitcoin/index.js";

import { BitvmInputError, BitvmBuildError, fragment, num, type Fragment, type Op } from "./fragment.js";

export interface WinternitzParams {
  messageBytes: number;
  /** Bits per digit, 1–8; BitVM uses 4. */
  digitBits: number;
}

export interface WinternitzLayout extends WinternitzParams {
  /** Digits in the message. */
  messageDigits: number;
  checksumDigits: number;
  /** Largest digit value (base − 1). */
  max: number;
}

export function winternitzLayout(params: WinternitzParams): WinternitzLayout {
  const { messageBytes, digitBits } = params;
  if (!Number.isInteger(digitBits) || digitBits < 1 || digitBits > 8)
    throw new BitvmInputError(`winternitz: digitBits must be 1–8, got ${digitBits}`);
  if (!Number.isInteger(messageBytes) || messageBytes < 1 || messageBytes > 1024)
    throw new BitvmInputError(`winternitz: messageBytes must be 1–1024, got ${messageBytes}`);
  const max = (1 << digitBits) - 1;
  const messageDigits = Math.ceil((8 * messageBytes) / digitBits);
  const maxChecksum = messageDigits * max;
  let checksumDigits = 1;
  while (2 ** (checksumDigits * digitBits) <= maxChecksum) checksumDigits++;
  return { messageBytes, digitBits, messageDigits, checksumDigits, max };
}

/** The message's digits, most significant bits of the first byte first. */
export function messageToDigits(message: Uint8Array, digitBits: number): number[] {
  const digits: number[] = [];
  const count = Math.ceil((8 * message.length) / digitBits);
  for (let d = 0; d < count; d++) {
    let v = 0;
    for (let b = 0; b < digitBits; b++) {
      const bit = d * digitBits + b;
      const byte = message[bit >> 3] ?? 0;
      v = (v << 1) | ((byte >> (7 - (bit & 7))) & 1);
    }
    digits.push(v);
  }
  return digits;
}

/** Inverse of `messageToDigits`. */
export function digitsToMessage(
  digits: readonly number[],
  digitBits: number,
  messageBytes: number,
): Uint8Array {
  const out = new Uint8Array(messageBytes);
  digits.forEach((v, d) => {
    for (let b = 0; b < digitBits; b++) {
      const bit = d * digitBits + b;
      if (bit >= 8 * messageBytes) continue;
      if ((v >> (digitBits - 1 - b)) & 1) out[bit >> 3]! |= 0x80 >> (bit & 7);
    }
  });
  return out;
}

function checksumDigitsOf(digits: readonly number[], layout: WinternitzLayout): number[] {
  let c = digits.reduce((acc, d) => acc + (layout.max - d), 0);
  const out: number[] = [];
  for (let i = 0; i < layout.checksumDigits; i++) {
    out.push(c & layout.max);
    c >>= layout.digitBits;
  }
  return out; // least significant first
}

export interface WinternitzSecretKey {
  layout: WinternitzLayout;
  /** One secret per digit: message digits in order, then checksum digits least significant first. */
  secrets: Uint8Array[];
}

export interface WinternitzPublicKey {
  layout: WinternitzLayout;
  hashes: Uint8Array[];
}

const chain = (x: Uint8Array, times: number): Uint8Array => {
  let h = x;
  for (let i = 0; i < times; i++) h = hash160(h);
  return h;
};

/** Derives a one-time key from a 32-byte seed. Sign one message per key, never two. */
export function winternitzKeygen(seed: Uint8Array, params: WinternitzParams): WinternitzSecretKey {
  if (seed.length < 16) throw new BitvmInputError("winternitz: the seed must hold at least 16 bytes");
  const layout = winternitzLayout(params);
  const total = layout.messageDigits + layout.checksumDigits;
  const secrets = Array.from({ length: total }, (_, i) => {
    const tagged = new Uint8Array(seed.length + 4);
    tagged.set(seed);
    new DataView(tagged.buffer).setUint32(seed.length, i, true);
    return sha256(tagged).slice(0, 20);
  });
  return { layout, secrets };
}

export function winternitzPublicKey(sk: WinternitzSecretKey): WinternitzPublicKey {
  return { layout: sk.layout, hashes: sk.secrets.map((s) => chain(s, sk.layout.max)) };
}

/**
 * The witness (bottom first) that the verify script accepts for `message`: per digit its chain
 * value and the digit, checksum digits on top.
 */
export function winternitzSign(sk: WinternitzSecretKey, message: Uint8Array): Uint8Array[] {
  const { layout } = sk;
  if (message.length !== layout.messageBytes)
    throw new BitvmInputError(
      `winternitz: the key signs ${layout.messageBytes}-byte messages, got ${message.length}`,
    );
  const digits = messageToDigits(message, layout.digitBits);
  const all = [...digits, ...checksumDigitsOf(digits, layout)];
  // Processing order (top of the stack first): checksum digits least significant first, then
  // message digits last to first, so the altstack hands the message back first digit deepest.
  const order = [
    ...Array.from({ length: layout.checksumDigits }, (_, j) => layout.messageDigits + j),
    ...Array.from({ length: layout.messageDigits }, (_, j) => layout.messageDigits - 1 - j),
  ];
  const top: Uint8Array[] = [];
  for (const i of order) {
    top.push(encodeDigit(all[i]!));
    top.push(chain(sk.secrets[i]!, all[i]!));
  }
  return top.reverse();
}

function encodeDigit(d: number): Uint8Array {
  return d === 0 ? new Uint8Array(0) : Uint8Array.of(d); // d ≤ 255 but > 127 needs a sign byte
}

/** Checks one digit against its public key and leaves the digit on the altstack. */
function digitVerifier(pk: Uint8Array, max: number): Op[] {
  const ops: Op[] = [
    OP.OP_DUP,
    num(max + 1),
    OP.OP_LESSTHAN,
    OP.OP_VERIFY,
    OP.OP_DUP,
    OP.OP_TOALTSTACK,
    OP.OP_TOALTSTACK,
  ];
  for (let i = 0; i < max; i++) ops.push(OP.OP_DUP, OP.OP_HASH160);
  // The chain holds HASH160^k(sig) at depth max − k: the digit's depth is HASH160^(max − d)(sig).
  ops.push(OP.OP_FROMALTSTACK, OP.OP_PICK, pk, OP.OP_EQUALVERIFY);
  for (let i = 0; i + 1 < max + 1; i += 2) ops.push(OP.OP_2DROP);
  if ((max + 1) % 2 === 1) ops.push(OP.OP_DROP);
  return ops;
}

/** The verify-and-leave-message script for `pk`: consumes the signature, leaves the message digits. */
export function winternitzVerifyScript(pk: WinternitzPublicKey): Fragment {
  const { layout } = pk;
  if (layout.digitBits === 8)
    throw new BitvmBuildError("winternitz_verify", "opcode", "8-bit digits above 127 would need sign bytes");
  const ops: Op[] = [];
  const n = layout.messageDigits;
  for (let j = 0; j < layout.checksumDigits; j++) ops.push(...digitVerifier(pk.hashes[n + j]!, layout.max));
  for (let j = n - 1; j >= 0; j--) ops.push(...digitVerifier(pk.hashes[j]!, layout.max));
  // Back from the altstack, first digit first, summing as they come.
  ops.push(OP.OP_FROMALTSTACK, OP.OP_DUP);
  for (let j = 1; j < n; j++) ops.push(OP.OP_FROMALTSTACK, OP.OP_DUP, OP.OP_ROT, OP.OP_ADD);
  // Checksum digits most significant first (Horner), added to the digit sum: must total n·max.
  ops.push(OP.OP_FROMALTSTACK);
  for (let j = 1; j < layout.checksumDigits; j++) {
    for (let b = 0; b < layout.digitBits; b++) ops.push(OP.OP_DUP, OP.OP_ADD);
    ops.push(OP.OP_FROMALTSTACK, OP.OP_ADD);
  }
  ops.push(OP.OP_ADD, num(n * layout.max), OP.OP_NUMEQUALVERIFY);
  return fragment(`winternitz_verify_${layout.messageBytes}B_${layout.digitBits}bit`, ops);
}
