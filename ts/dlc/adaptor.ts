/**
 * BIP340 Schnorr adaptor signatures on secp256k1 (@noble/curves).
 *
 * An adaptor signature of a message m under key P, encrypted to a point T = t·G, is (R, s′) with
 * R = k·G + T and s′ = k̂ + e·x, where e = H_BIP340/challenge(R.x ‖ P.x ‖ m) and k̂ = ±k chosen so
 * that the completed signature (R.x, s) with s = s′ ± t verifies under BIP340 (which requires R to
 * have an even y). Anyone can check (R, s′) against (P, m, T); only the holder of t can complete
 * it, and the completed signature reveals t = ±(s − s′) to whoever holds the adaptor signature.
 */
import { schnorr } from "@noble/curves/secp256k1.js";
import { randomBytes } from "@noble/hashes/utils.js";
import { curve } from "./ec.js";
import { DlcError } from "./errors.js";

export const Point = schnorr.Point;
export type Point = InstanceType<typeof schnorr.Point>;
const N = Point.Fn.ORDER;
const G = Point.BASE;

/** 33-byte compressed R followed by the 32-byte adaptor scalar s′. */
export interface AdaptorSignature {
  readonly R: Uint8Array;
  readonly s: Uint8Array;
}

export const modN = (a: bigint): bigint => ((a % N) + N) % N;

export function bytesToNum(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

export function numTo32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** A scalar in [1, n): a secret key, nonce or attestation. */
export function scalar(b: Uint8Array, what = "scalar"): bigint {
  const v = b.length === 32 ? bytesToNum(b) : -1n;
  if (v <= 0n || v >= N) throw new DlcError("BAD_SCALAR", `${what} must be 32 bytes in [1, n)`, { value: b });
  return v;
}

// Keys and nonces are lifted again and again while a channel is presigned (a square root each):
// the last few hundred are kept.
const lifted = new Map<string, Point>();

/** The even-y point of a 32-byte x-only key (BIP340 lift_x). */
export function liftX(x: Uint8Array, what = "x-only key"): Point {
  const hex = x.length === 32 ? Buffer.from(x).toString("hex") : "";
  const hit = lifted.get(hex);
  if (hit !== undefined) return hit;
  try {
    if (x.length !== 32) throw new Error("length");
    const p = schnorr.utils.lift_x(bytesToNum(x));
    if (lifted.size >= 512) lifted.delete(lifted.keys().next().value!);
    lifted.set(hex, p);
    return p;
  } catch (cause) {
    throw new DlcError("BAD_POINT", `${what} is not a valid x-only point`, { value: x, cause });
  }
}

/** A point from its 33-byte compressed encoding. */
export function pointFrom33(b: Uint8Array, what = "point"): Point {
  try {
    if (b.length !== 33) throw new Error("length");
    return Point.fromBytes(b);
  } catch (cause) {
    throw new DlcError("BAD_POINT", `${what} is not a valid compressed point`, { value: b, cause });
  }
}

export const xOnly = (p: Point): Uint8Array => p.toBytes(true).slice(1);
export const hasEvenY = (p: Point): boolean => p.toBytes(true)[0] === 2;

/** BIP340's challenge e = int(H_challenge(R.x ‖ P.x ‖ m)) mod n. */
export function challenge(rx: Uint8Array, px: Uint8Array, m: Uint8Array): bigint {
  return modN(bytesToNum(schnorr.utils.taggedHash("BIP0340/challenge", rx, px, m)));
}

/** A BIP340 signing key: the scalar (negated when its point has an odd y) and the x-only key. */
export interface SigningKey {
  readonly d: bigint;
  readonly px: Uint8Array;
}

export function signingKey(secret: Uint8Array): SigningKey {
  const x = scalar(secret, "secret key");
  const P = G.multiply(x);
  return { d: hasEvenY(P) ? x : N - x, px: xOnly(P) };
}

/**
 * Adaptor-signs `m` (32 bytes) under `secret`, encrypted to `T`. The nonce is derived from the key,
 * the message, T and fresh randomness, so the same (m, T) never reuses a nonce across different T.
 */
export function adaptorSign(
  secret: Uint8Array | SigningKey,
  m: Uint8Array,
  T: Point,
  aux: Uint8Array = randomBytes(32),
): AdaptorSignature {
  if (m.length !== 32)
    throw new DlcError("BAD_PARAMS", "adaptor signatures sign 32-byte messages", { value: m });
  const { d, px } = secret instanceof Uint8Array ? signingKey(secret) : secret;
  const k0 = modN(
    bytesToNum(schnorr.utils.taggedHash("LVM/dlc/adaptor/nonce", numTo32(d), px, T.toBytes(true), m, aux)),
  );
  if (k0 === 0n) throw new DlcError("BAD_SCALAR", "derived nonce is zero"); // probability 2^-256
  // R = k0·G + T: k0·G constant time, one point addition, R never decompressed
  const R = curve().mulGAdd(k0, T.toBytes(true));
  if (R === undefined) throw new DlcError("BAD_POINT", "nonce point is infinity");
  const k = R[0] === 2 ? k0 : N - k0;
  const e = challenge(R.subarray(1), px, m);
  return { R, s: numTo32(modN(k + e * d)) };
}

/**
 * Checks an adaptor signature: s′·G = ±(R − T) + e·P, the sign given by R's parity.
 * Throws `BAD_ADAPTOR_SIGNATURE` (or `BAD_POINT`) when it does not hold.
 */
export function adaptorVerify(sig: AdaptorSignature, pubkey: Uint8Array, m: Uint8Array, T: Point): void {
  // Fast path: X = s′·G − e·P, then R must be T + X (even R) or T − X (odd R), compared as bytes,
  // so R is neither decompressed nor checked apart (the equality implies it is a valid point).
  if (sig.R.length === 33 && sig.s.length === 32 && m.length === 32 && (sig.R[0] === 2 || sig.R[0] === 3)) {
    const s = bytesToNum(sig.s);
    if (s < N) {
      const X = curve().mulGSubP(s, challenge(sig.R.subarray(1), pubkey, m), pubkey);
      const expect = X === undefined ? undefined : curve().add(T.toBytes(true), X, sig.R[0] === 3);
      if (expect !== undefined && equal(expect, sig.R)) return;
    }
  }
  // It does not verify: the reference check names why (an invalid key or R, R = T, the relation).
  adaptorVerifyReference(sig, pubkey, m, T);
  throw new DlcError(
    "BAD_ADAPTOR_SIGNATURE",
    "adaptor signature does not verify for this key, message and point",
    {
      value: sig,
    },
  );
}

/** The straightforward check (noble only): the reference `adaptorVerify` is tested against. */
export function adaptorVerifyReference(
  sig: AdaptorSignature,
  pubkey: Uint8Array,
  m: Uint8Array,
  T: Point,
): void {
  const P = liftX(pubkey, "signer key");
  const R = pointFrom33(sig.R, "adaptor nonce R");
  const s = sig.s.length === 32 ? bytesToNum(sig.s) : N;
  if (s >= N || m.length !== 32)
    throw new DlcError("BAD_ADAPTOR_SIGNATURE", "adaptor signature scalar out of range", { value: sig.s });
  const e = challenge(xOnly(R), pubkey, m);
  const Rk = R.subtract(T);
  if (Rk.is0()) throw new DlcError("BAD_ADAPTOR_SIGNATURE", "adaptor nonce equals the adaptor point");
  // s′·G − e·P must be ±(R − T); one double-scalar multiplication
  if (!G.mulAddUnsafe(s, P, modN(-e)).equals(hasEvenY(R) ? Rk : Rk.negate()))
    throw new DlcError(
      "BAD_ADAPTOR_SIGNATURE",
      "adaptor signature does not verify for this key, message and point",
      {
        value: sig,
      },
    );
}

/** Completes an adaptor signature with t (T = t·G) into a 64-byte BIP340 signature. */
export function adaptorDecrypt(sig: AdaptorSignature, t: Uint8Array): Uint8Array {
  const tv = scalar(t, "adaptor secret");
  const R = pointFrom33(sig.R, "adaptor nonce R");
  const s = bytesToNum(sig.s);
  const full = hasEvenY(R) ? modN(s + tv) : modN(s - tv);
  const out = new Uint8Array(64);
  out.set(xOnly(R), 0);
  out.set(numTo32(full), 32);
  return out;
}

/** From a completed signature and its adaptor signature, the adaptor secret t. */
export function adaptorRecover(sig: AdaptorSignature, completed: Uint8Array, T: Point): Uint8Array {
  const R = pointFrom33(sig.R, "adaptor nonce R");
  if (completed.length !== 64 || !equal(completed.subarray(0, 32), xOnly(R)))
    throw new DlcError("BAD_SIGNATURE", "the signature does not complete this adaptor signature", {
      value: completed,
    });
  const s = bytesToNum(completed.subarray(32));
  const t = hasEvenY(R) ? modN(s - bytesToNum(sig.s)) : modN(bytesToNum(sig.s) - s);
  if (t === 0n || !G.multiply(t).equals(T))
    throw new DlcError("BAD_SIGNATURE", "the recovered secret does not match the adaptor point", {
      value: completed,
    });
  return numTo32(t);
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * BIP340 signing with an already derived key (no public key recomputed per signature), exactly
 * as BIP340 specifies: t = d ⊕ H_aux(a), k = H_nonce(t ‖ P.x ‖ m), R = k·G (constant time).
 * Same bytes as noble's `schnorr.sign(m, secret, aux)`.
 */
export function bip340Sign(m: Uint8Array, key: SigningKey, aux: Uint8Array = randomBytes(32)): Uint8Array {
  const t = numTo32(key.d);
  const a = schnorr.utils.taggedHash("BIP0340/aux", aux);
  for (let i = 0; i < 32; i++) t[i] = t[i]! ^ a[i]!;
  const k0 = modN(bytesToNum(schnorr.utils.taggedHash("BIP0340/nonce", t, key.px, m)));
  if (k0 === 0n) throw new DlcError("BAD_SCALAR", "derived nonce is zero");
  const R = curve().mulG(k0);
  const k = R[0] === 2 ? k0 : N - k0;
  const rx = R.subarray(1);
  const e = challenge(rx, key.px, m);
  const out = new Uint8Array(64);
  out.set(rx, 0);
  out.set(numTo32(modN(k + e * key.d)), 32);
  return out;
}

const P_FIELD = Point.Fp.ORDER;

/** BIP340 verification: R = s·G − e·P must have an even y and x(R) = r. */
export function bip340Verify(sig: Uint8Array, m: Uint8Array, px: Uint8Array): boolean {
  if (sig.length !== 64 || px.length !== 32) return false;
  const r = sig.subarray(0, 32);
  const s = bytesToNum(sig.subarray(32));
  if (bytesToNum(r) >= P_FIELD || s >= N) return false;
  const X = curve().mulGSubP(s, challenge(r, px, m), px);
  return X !== undefined && X[0] === 2 && equal(X.subarray(1), r);
}
