/**
 * The curve operations a channel's presigning spends its time in, with two implementations:
 * libsecp256k1 through the `secp256k1` package's prebuilt addon (loaded by `node-gyp-build`, as
 * `ts/bitcoin`'s signature checker loads it) and `@noble/curves`, the reference and the fallback
 * where the addon does not load (or with `LVM_SECP256K1=noble`). `test/dlc/ec.test.ts` checks
 * that both give the same bytes on random inputs.
 *
 * Every function takes and returns SEC1 bytes (33-byte compressed, or 65-byte uncompressed where
 * the result becomes a noble point), so nothing is decompressed (a square root) on the way.
 * Secret scalars only ever go through a constant-time base-point multiplication.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { schnorr } from "@noble/curves/secp256k1.js";

const Point = schnorr.Point;
type Point = InstanceType<typeof schnorr.Point>;
const N = Point.Fn.ORDER;
const G = Point.BASE;

export interface DlcCurve {
  readonly name: "native" | "noble";
  /** k·G (constant time in k), compressed. */
  mulG(k: bigint): Uint8Array;
  /** k·G + T (k·G constant time), compressed; undefined for the point at infinity. */
  mulGAdd(k: bigint, T: Uint8Array): Uint8Array | undefined;
  /**
   * s·G − e·P for the even-y point P of x-only `px` (public scalars), compressed; undefined when
   * `px` is not on the curve or the result is the point at infinity.
   */
  mulGSubP(s: bigint, e: bigint, px: Uint8Array): Uint8Array | undefined;
  /** e·P + R for 33-byte P and R (public scalar), 65-byte uncompressed; undefined at infinity. */
  mulAdd(P: Uint8Array, e: bigint, R: Uint8Array): Uint8Array | undefined;
  /** A + B (or A − B with `negateB`), compressed; undefined at infinity or for an invalid point. */
  add(A: Uint8Array, B: Uint8Array, negateB?: boolean): Uint8Array | undefined;
}

function to32(v: bigint, out = new Uint8Array(32), off = 0): Uint8Array {
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[off + i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

function num(b: Uint8Array, from = 0, to = b.length): bigint {
  let v = 0n;
  for (let i = from; i < to; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

const attempt = <T>(f: () => T): T | undefined => {
  try {
    return f();
  } catch {
    return undefined;
  }
};

export const nobleCurve: DlcCurve = {
  name: "noble",
  mulG: (k) => G.multiply(k).toBytes(true),
  mulGAdd: (k, T) =>
    attempt(() => {
      const R = G.multiply(k).add(Point.fromBytes(T));
      return R.is0() ? undefined : R.toBytes(true);
    }),
  mulGSubP: (s, e, px) =>
    attempt(() => {
      const P = schnorr.utils.lift_x(num(px));
      const X = G.mulAddUnsafe(s, P, (N - (e % N)) % N);
      return X.is0() ? undefined : X.toBytes(true);
    }),
  mulAdd: (P, e, R) =>
    attempt(() => {
      const X = Point.fromBytes(P).multiplyUnsafe(e).add(Point.fromBytes(R));
      return X.is0() ? undefined : X.toBytes(false);
    }),
  add: (A, B, negateB = false) =>
    attempt(() => {
      const b = Point.fromBytes(B);
      const X = Point.fromBytes(A).add(negateB ? b.negate() : b);
      return X.is0() ? undefined : X.toBytes(true);
    }),
};

/** The raw libsecp256k1 addon of the `secp256k1` package: status codes, 0 = success. */
interface Addon {
  publicKeyCreate(out: Uint8Array, seckey: Uint8Array): number;
  publicKeyCombine(out: Uint8Array, pubkeys: Uint8Array[]): number;
  publicKeyNegate(out: Uint8Array, pubkey: Uint8Array): number;
  publicKeyTweakMul(out: Uint8Array, pubkey: Uint8Array, tweak: Uint8Array): number;
  ecdsaRecover(out: Uint8Array, sig64: Uint8Array, recid: number, msg32: Uint8Array): number;
}

function loadAddon(): Addon | undefined {
  if (process.env.LVM_SECP256K1 === "noble") return undefined;
  try {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("secp256k1/package.json"));
    const load = createRequire(path.join(dir, "package.json"))("node-gyp-build") as (d: string) => {
      Secp256k1: new () => Addon;
    };
    return new (load(dir).Secp256k1)();
  } catch {
    return undefined;
  }
}

function nativeCurve(a: Addon): DlcCurve {
  const c33 = () => new Uint8Array(33);
  return {
    name: "native",
    mulG(k) {
      const out = c33();
      if (a.publicKeyCreate(out, to32(k)) !== 0) throw new RangeError("scalar out of range");
      return out;
    },
    mulGAdd(k, T) {
      const kG = this.mulG(k); // libsecp256k1's ecmult_gen: constant time
      const out = c33();
      return a.publicKeyCombine(out, [kG, T]) === 0 ? out : undefined;
    },
    /**
     * As `ts/bitcoin`'s native BIP340 check: one public-key recovery evaluates r⁻¹(s′·R′ − z·G) for
     * R′ = lift_x(r); with r = x(P), s′ = −e·x(P) and z = −s·x(P) that is s·G − e·P. The cases
     * recovery cannot express (x(P) ≥ n, e ≡ 0) go to the reference code.
     */
    mulGSubP(s, e, px) {
      const r = num(px);
      const ee = e % N;
      if (r === 0n || r >= N || ee === 0n) return nobleCurve.mulGSubP(s, e, px);
      const rs = new Uint8Array(64);
      rs.set(px, 0);
      to32((N - ((ee * r) % N)) % N, rs, 32);
      const z = to32((N - (((s % N) * r) % N)) % N);
      const out = c33();
      return a.ecdsaRecover(out, rs, 0, z) === 0 ? out : undefined;
    },
    mulAdd(P, e, R) {
      const ee = e % N;
      if (ee === 0n) return nobleCurve.mulAdd(P, e, R);
      const eP = c33();
      if (a.publicKeyTweakMul(eP, P, to32(ee)) !== 0) return undefined;
      const out = new Uint8Array(65);
      return a.publicKeyCombine(out, [eP, R]) === 0 ? out : undefined;
    },
    add(A, B, negateB = false) {
      let b = B;
      if (negateB) {
        b = c33();
        if (a.publicKeyNegate(b, B) !== 0) return undefined;
      }
      const out = c33();
      return a.publicKeyCombine(out, [A, b]) === 0 ? out : undefined;
    },
  };
}

const addon = loadAddon();
/** libsecp256k1, where its addon loads. */
export const nativeCurveImpl: DlcCurve | undefined = addon === undefined ? undefined : nativeCurve(addon);

let active: DlcCurve = nativeCurveImpl ?? nobleCurve;

/** The implementation presigning uses: libsecp256k1 where it loads, else noble. */
export const curve = (): DlcCurve => active;

/** Switches the implementation (the bench's reference runs, the differential tests). */
export function useCurve(c: DlcCurve): void {
  active = c;
}

/** A noble point from 65 uncompressed bytes (no square root), or 33 compressed ones. */
export const pointFromSec = (b: Uint8Array): Point => Point.fromBytes(b);

export { to32 as ecTo32 };
