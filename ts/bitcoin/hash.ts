/**
 * Hash functions of the protocol. Large inputs go to OpenSSL through `node:crypto`; small ones,
 * which is what Script's hash opcodes and signature hashes mostly see (32–200 bytes), stay in
 * JavaScript, where a call costs less than crossing into native code does (measured in
 * docs/bitcoin.md). `@noble/hashes` is the reference the tests compare against.
 */
import { hash as nodeHash } from "node:crypto";

import { ripemd160 as nobleRipemd160, sha1 as nobleSha1 } from "@noble/hashes/legacy.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

/** Inputs of at least this many bytes are hashed natively (below it the JS code is faster). */
export const NATIVE_SHA256_MIN = 256;
export const NATIVE_RIPEMD160_MIN = 96;

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const W = new Int32Array(64);
const H = new Int32Array(8);
/** The padded message, reused between calls (grown on demand). */
let pad = new Uint8Array(128);

function compress(block: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++, off += 4)
    W[i] = (block[off]! << 24) | (block[off + 1]! << 16) | (block[off + 2]! << 8) | block[off + 3]!;
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (s1 + W[i - 7]! + s0 + W[i - 16]!) | 0;
  }
  let a = H[0]!,
    b = H[1]!,
    c = H[2]!,
    d = H[3]!,
    e = H[4]!,
    f = H[5]!,
    g = H[6]!,
    h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/** SHA-256 in JavaScript with no per-call allocation but the digest. */
function sha256Js(data: Uint8Array): Uint8Array {
  const len = data.length;
  H.set(IV);
  const full = len & ~63;
  for (let off = 0; off < full; off += 64) compress(data, off);
  const rest = len - full;
  const tail = rest < 56 ? 64 : 128;
  if (pad.length < tail) pad = new Uint8Array(tail);
  pad.fill(0, 0, tail);
  pad.set(data.subarray(full), 0);
  pad[rest] = 0x80;
  const bits = len * 8;
  pad[tail - 5] = (bits / 2 ** 32) & 0xff;
  pad[tail - 4] = bits >>> 24;
  pad[tail - 3] = bits >>> 16;
  pad[tail - 2] = bits >>> 8;
  pad[tail - 1] = bits;
  compress(pad, 0);
  if (tail === 128) compress(pad, 64);
  const out = new Uint8Array(32);
  for (let i = 0, o = 0; i < 8; i++, o += 4) {
    const x = H[i]!;
    out[o] = x >>> 24;
    out[o + 1] = x >>> 16;
    out[o + 2] = x >>> 8;
    out[o + 3] = x;
  }
  return out;
}

/** A plain Uint8Array over a Buffer's bytes: stack items must not be Buffers (Buffer#slice does not copy). */
const plain = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.length);

export const sha256 = (b: Uint8Array): Uint8Array =>
  b.length < NATIVE_SHA256_MIN ? sha256Js(b) : plain(nodeHash("sha256", b, "buffer"));
export const ripemd160 = (b: Uint8Array): Uint8Array =>
  b.length < NATIVE_RIPEMD160_MIN ? nobleRipemd160(b) : plain(nodeHash("ripemd160", b, "buffer"));
export const sha1 = (b: Uint8Array): Uint8Array => nobleSha1(b);
export const sha256d = (b: Uint8Array): Uint8Array => sha256Js(sha256(b));
export const hash160 = (b: Uint8Array): Uint8Array => nobleRipemd160(sha256(b));

/** The reference implementations (@noble/hashes), for differential tests and benchmarks. */
export const reference = {
  sha256: (b: Uint8Array): Uint8Array => nobleSha256(b),
  ripemd160: (b: Uint8Array): Uint8Array => nobleRipemd160(b),
  sha256d: (b: Uint8Array): Uint8Array => nobleSha256(nobleSha256(b)),
  hash160: (b: Uint8Array): Uint8Array => nobleRipemd160(nobleSha256(b)),
};

const tagPrefixes = new Map<string, Uint8Array>();

/** BIP340 tagged hash: sha256(sha256(tag) || sha256(tag) || msgs…), with the tag prefix cached. */
export function taggedHash(tag: string, ...msgs: Uint8Array[]): Uint8Array {
  let prefix = tagPrefixes.get(tag);
  if (!prefix) {
    const t = sha256(new TextEncoder().encode(tag));
    prefix = new Uint8Array(64);
    prefix.set(t, 0);
    prefix.set(t, 32);
    tagPrefixes.set(tag, prefix);
  }
  let n = 64;
  for (const m of msgs) n += m.length;
  const buf = new Uint8Array(n);
  buf.set(prefix, 0);
  let at = 64;
  for (const m of msgs) {
    buf.set(m, at);
    at += m.length;
  }
  return sha256(buf);
}
