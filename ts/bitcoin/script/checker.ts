/**
 * Signature and lock-time checks. The interpreter sees only the `SignatureChecker` interface, so
 * BitVM tooling can run scripts with no transaction at all and the node can run them against one.
 */
import { createRequire } from "node:module";
import path from "node:path";

import { secp256k1, schnorr } from "@noble/curves/secp256k1.js";
import * as tinySecp from "tiny-secp256k1";

import { taggedHash } from "../hash.js";
import { sighashLegacy, sighashTaproot, sighashWitnessV0, type PrecomputedTxData } from "../sighash.js";
import type { Transaction } from "../tx.js";
import type { TxOut } from "../types.js";
import type { ScriptErrorCode } from "./errors.js";
import { FLAGS, type ScriptFlags } from "./flags.js";

/** "taproot" is the key path; scripts run as "base", "witness_v0" or "tapscript". */
export type SigVersion = "base" | "witness_v0" | "taproot" | "tapscript";

/** Per-input taproot execution context (Core's ScriptExecutionData). */
export interface ExecData {
  /** Opcode index of the last executed OP_CODESEPARATOR, 0xffffffff when none. */
  codeSeparatorPos: number;
  tapleafHash?: Uint8Array;
  /** The annex including its 0x50 tag, when present. */
  annex?: Uint8Array;
  /** BIP342 signature-operation budget left; Infinity when no witness bounds it. */
  validationWeightLeft: number;
}

export interface SignatureChecker {
  /** `sig` carries its trailing hash-type byte; encoding rules were checked already. */
  checkEcdsa(sig: Uint8Array, pubkey: Uint8Array, scriptCode: Uint8Array, sigVersion: SigVersion): boolean;
  /** undefined when valid, else the error to report (size, hash type or signature). */
  checkSchnorr(
    sig: Uint8Array,
    pubkey: Uint8Array,
    sigVersion: "taproot" | "tapscript",
    exec: ExecData,
  ): ScriptErrorCode | undefined;
  checkLockTime(lockTime: number): boolean;
  checkSequence(sequence: number): boolean;
}

/** A checker for scripts run outside any transaction: every signature and lock check fails. */
export const NO_SIGNATURES: SignatureChecker = {
  checkEcdsa: () => false,
  checkSchnorr: () => "SCHNORR_SIG",
  checkLockTime: () => false,
  checkSequence: () => false,
};

const N = secp256k1.Point.CURVE().n;
const HALF_N = N >> 1n;

/** BIP66 strict DER (with the trailing hash-type byte). */
export function isValidSignatureEncoding(sig: Uint8Array): boolean {
  const size = sig.length;
  if (size < 9 || size > 73) return false;
  if (sig[0] !== 0x30 || sig[1] !== size - 3) return false;
  const lenR = sig[3]!;
  if (5 + lenR >= size) return false;
  const lenS = sig[5 + lenR]!;
  if (lenR + lenS + 7 !== size) return false;
  if (sig[2] !== 0x02 || lenR === 0 || (sig[4]! & 0x80) !== 0) return false;
  if (lenR > 1 && sig[4] === 0 && (sig[5]! & 0x80) === 0) return false;
  if (sig[lenR + 4] !== 0x02 || lenS === 0 || (sig[lenR + 6]! & 0x80) !== 0) return false;
  if (lenS > 1 && sig[lenR + 6] === 0 && (sig[lenR + 7]! & 0x80) === 0) return false;
  return true;
}

const toBig = (b: Uint8Array): bigint => {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
};

/**
 * libsecp256k1's lax DER parse as Core uses it: tolerant of BER lengths and padding; r or s that
 * overflow 32 bytes or the group order become 0, which later fails verification.
 * Returns undefined when even the lax grammar does not match.
 */
export function parseDerLax(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  const len = der.length;
  let pos = 0;
  if (pos === len || der[pos] !== 0x30) return undefined;
  pos++;
  if (pos === len) return undefined;
  let lenbyte = der[pos++]!;
  if (lenbyte & 0x80) {
    lenbyte -= 0x80;
    if (lenbyte > len - pos) return undefined;
    pos += lenbyte;
  }
  const readInt = (): { start: number; length: number } | undefined => {
    if (pos === len || der[pos] !== 0x02) return undefined;
    pos++;
    if (pos === len) return undefined;
    let lb = der[pos++]!;
    let ilen: number;
    if (lb & 0x80) {
      lb -= 0x80;
      if (lb > len - pos) return undefined;
      while (lb > 0 && der[pos] === 0) {
        pos++;
        lb--;
      }
      if (lb >= 4) return undefined;
      ilen = 0;
      while (lb > 0) {
        ilen = ilen * 256 + der[pos]!;
        pos++;
        lb--;
      }
    } else ilen = lb;
    if (ilen > len - pos) return undefined;
    const start = pos;
    pos += ilen;
    return { start, length: ilen };
  };
  const rr = readInt();
  if (!rr) return undefined;
  const ss = readInt();
  if (!ss) return undefined;
  const value = (f: { start: number; length: number }): bigint | undefined => {
    let { start, length } = f;
    while (length > 0 && der[start] === 0) {
      start++;
      length--;
    }
    if (length > 32) return undefined;
    const v = toBig(der.subarray(start, start + length));
    return v >= N ? undefined : v;
  };
  const r = value(rr);
  const s = value(ss);
  if (r === undefined || s === undefined) return { r: 0n, s: 0n };
  return { r, s };
}

/** Core's IsLowDERSignature after strict DER passed: is S at most n/2? */
export function isLowS(sig: Uint8Array): boolean {
  const parsed = parseDerLax(sig.subarray(0, sig.length - 1));
  return parsed !== undefined && parsed.s <= HALF_N;
}

function isDefinedHashtype(sig: Uint8Array): boolean {
  if (sig.length === 0) return false;
  const t = sig[sig.length - 1]! & ~0x80;
  return t >= 1 && t <= 3;
}

/** Core's CheckSignatureEncoding (pre-tapscript). */
export function checkSignatureEncoding(sig: Uint8Array, flags: ScriptFlags): ScriptErrorCode | undefined {
  if (sig.length === 0) return undefined; // the canonical "no signature", allowed so CHECKSIG can push false
  if (flags & (FLAGS.DERSIG | FLAGS.LOW_S | FLAGS.STRICTENC) && !isValidSignatureEncoding(sig))
    return "SIG_DER";
  if (flags & FLAGS.LOW_S && !isLowS(sig)) return "SIG_HIGH_S";
  if (flags & FLAGS.STRICTENC && !isDefinedHashtype(sig)) return "SIG_HASHTYPE";
  return undefined;
}

function isCompressedOrUncompressed(pk: Uint8Array): boolean {
  if (pk.length < 33) return false;
  if (pk[0] === 0x04) return pk.length === 65;
  if (pk[0] === 0x02 || pk[0] === 0x03) return pk.length === 33;
  return false;
}

/** Core's CheckPubKeyEncoding (pre-tapscript). */
export function checkPubKeyEncoding(
  pk: Uint8Array,
  flags: ScriptFlags,
  sigVersion: SigVersion,
): ScriptErrorCode | undefined {
  if (flags & FLAGS.STRICTENC && !isCompressedOrUncompressed(pk)) return "PUBKEYTYPE";
  if (
    flags & FLAGS.WITNESS_PUBKEYTYPE &&
    sigVersion === "witness_v0" &&
    !(pk.length === 33 && (pk[0] === 2 || pk[0] === 3))
  )
    return "WITNESS_PUBKEYTYPE";
  return undefined;
}

/** Key bytes libsecp256k1 would accept, hybrid (0x06/0x07) keys rewritten as uncompressed. */
function normalizePubKey(pk: Uint8Array): Uint8Array | undefined {
  const h = pk[0];
  if ((h === 2 || h === 3) && pk.length === 33) return pk;
  if (h === 4 && pk.length === 65) return pk;
  if ((h === 6 || h === 7) && pk.length === 65) {
    if ((pk[64]! & 1) !== (h & 1)) return undefined;
    const out = pk.slice();
    out[0] = 4;
    return out;
  }
  return undefined;
}

/**
 * The curve operations signature checking needs, over already-parsed inputs. Three
 * implementations, chosen in this order: libsecp256k1 (native, through the `secp256k1` package's
 * prebuilt addon — the npm tarball ships it for linux-x64 glibc/musl, darwin-arm64 and win32-x64
 * and `node-gyp-build` loads it at run time, so npm's blocked install script does not matter),
 * libsecp256k1 as WASM (`tiny-secp256k1`, no install step on any platform, several times slower
 * than the addon) and `@noble/curves` (pure JS), the last fallback and the reference the
 * differential tests compare the others against.
 */
export type Secp256k1BackendName = "native" | "wasm" | "noble";

export interface Secp256k1Backend {
  readonly name: Secp256k1BackendName;
  /** `sig64` is r‖s with s already low, `pubkey` a 33- or 65-byte SEC1 key. */
  ecdsa(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  /** BIP340 verification. */
  schnorr(sig64: Uint8Array, msg32: Uint8Array, xonly: Uint8Array): boolean;
  /** BIP341 tweak: x(P + t·G) and its parity for P = lift_x(xonly); undefined when invalid. */
  tweak(xonly: Uint8Array, tweak32: Uint8Array): { key: Uint8Array; parity: 0 | 1 } | undefined;
}

const bytesToBig = (b: Uint8Array, from = 0, to = b.length): bigint => {
  let v = 0n;
  for (let i = from; i < to; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
};
function bigTo32(v: bigint, out: Uint8Array, off: number): void {
  for (let i = 31; i >= 0; i--) {
    out[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

export const nobleSecp256k1: Secp256k1Backend = {
  name: "noble",
  ecdsa(sig64, msg32, pubkey) {
    try {
      return secp256k1.verify(sig64, msg32, pubkey, { prehash: false, lowS: false, format: "compact" });
    } catch {
      return false;
    }
  },
  schnorr(sig64, msg32, xonly) {
    try {
      return schnorr.verify(sig64, msg32, xonly);
    } catch {
      return false;
    }
  },
  tweak(xonly, tweak32) {
    try {
      const t = bytesToBig(tweak32);
      if (t >= N) return undefined;
      const P = schnorr.utils.lift_x(bytesToBig(xonly));
      const Q = t === 0n ? P : P.add(secp256k1.Point.BASE.multiply(t));
      if (Q.is0()) return undefined;
      const { x, y } = Q.toAffine();
      const key = new Uint8Array(32);
      bigTo32(x, key, 0);
      return { key, parity: (y & 1n) === 1n ? 1 : 0 };
    } catch {
      return undefined;
    }
  },
};

/** The raw libsecp256k1 addon of the `secp256k1` package: status codes, 0 = success. */
interface Secp256k1Addon {
  ecdsaVerify(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): number;
  ecdsaRecover(out33: Uint8Array, sig64: Uint8Array, recid: number, msg32: Uint8Array): number;
  publicKeyTweakAdd(out33: Uint8Array, pubkey: Uint8Array, tweak32: Uint8Array): number;
}

let addonFile: string | undefined;

function loadAddon(): Secp256k1Addon | undefined {
  if (process.env.LVM_SECP256K1 === "noble") return undefined;
  try {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve("secp256k1/package.json"));
    const load = createRequire(path.join(dir, "package.json"))("node-gyp-build") as ((d: string) => {
      Secp256k1: new () => Secp256k1Addon;
    }) & { resolve?: (d: string) => string };
    const addon = new (load(dir).Secp256k1)();
    addonFile = load.resolve?.(dir);
    return addon;
  } catch {
    return undefined;
  }
}

const P_FIELD = 2n ** 256n - 0x1000003d1n;
const CHALLENGE = "BIP0340/challenge";

function nativeBackend(addon: Secp256k1Addon): Secp256k1Backend {
  const out = new Uint8Array(33);
  const rs = new Uint8Array(64);
  const z = new Uint8Array(32);
  const even = new Uint8Array(33);
  return {
    name: "native",
    ecdsa: (sig64, msg32, pubkey) => addon.ecdsaVerify(sig64, msg32, pubkey) === 0,
    /**
     * The package's libsecp256k1 build has no schnorrsig module, so BIP340's R = s·G − e·P is
     * computed with one public-key recovery, which evaluates r⁻¹(s'·R' − z'·G) for the point R'
     * with x-coordinate r and even y: with R' = P (r = x(P)), s' = −e·x(P) and z' = −s·x(P) that
     * is exactly s·G − e·P, in the same single multi-scalar multiplication a verification costs.
     * R must have even y and x(R) equal to the signature's r. The two cases recovery cannot
     * express (x(P) ≥ n, e·x(P) ≡ 0), which no real key reaches, go to the reference code.
     */
    schnorr(sig64, msg32, xonly) {
      const r = bytesToBig(sig64, 0, 32);
      const s = bytesToBig(sig64, 32, 64);
      const px = bytesToBig(xonly);
      if (r >= P_FIELD || s >= N || px >= P_FIELD) return false;
      if (px >= N) return nobleSecp256k1.schnorr(sig64, msg32, xonly);
      const e = bytesToBig(taggedHash(CHALLENGE, sig64.subarray(0, 32), xonly, msg32)) % N;
      const sp = (N - ((e * px) % N)) % N;
      if (sp === 0n) return nobleSecp256k1.schnorr(sig64, msg32, xonly);
      rs.set(xonly, 0);
      bigTo32(sp, rs, 32);
      bigTo32((N - ((s * px) % N)) % N, z, 0);
      if (addon.ecdsaRecover(out, rs, 0, z) !== 0) return false; // P not on the curve, or R = ∞
      if (out[0] !== 0x02) return false;
      for (let i = 0; i < 32; i++) if (out[1 + i] !== sig64[i]) return false;
      return true;
    },
    tweak(xonly, tweak32) {
      even[0] = 0x02;
      even.set(xonly, 1);
      const res = new Uint8Array(33);
      if (addon.publicKeyTweakAdd(res, even, tweak32) !== 0) return undefined;
      return { key: res.subarray(1), parity: res[0] === 0x03 ? 1 : 0 };
    },
  };
}

/**
 * libsecp256k1 compiled to WASM (`tiny-secp256k1`): real BIP340 and BIP341 tweaks. Its functions
 * throw on inputs outside their domain (r or s ≥ n, a key off the curve, a tweak ≥ n), which
 * libsecp256k1's C API reports as failure: here that is `false` / `undefined` too.
 */
export const wasmSecp256k1: Secp256k1Backend = {
  name: "wasm",
  ecdsa(sig64, msg32, pubkey) {
    try {
      return tinySecp.verify(msg32, pubkey, sig64);
    } catch {
      return false;
    }
  },
  schnorr(sig64, msg32, xonly) {
    try {
      return tinySecp.verifySchnorr(msg32, xonly, sig64);
    } catch {
      return false;
    }
  },
  tweak(xonly, tweak32) {
    try {
      const r = tinySecp.xOnlyPointAddTweak(xonly, tweak32);
      return r === null ? undefined : { key: r.xOnlyPubkey, parity: r.parity };
    } catch {
      return undefined;
    }
  },
};

const addon = loadAddon();
/** libsecp256k1, or undefined where its addon does not load (or LVM_SECP256K1=noble). */
export const nativeSecp256k1: Secp256k1Backend | undefined = addon ? nativeBackend(addon) : undefined;
/** The addon file loaded (a prebuild under `secp256k1/prebuilds/` or a local `build/`), if any. */
export const nativeSecp256k1File: string | undefined = addonFile;

/** The backend of each name; `native` falls back to `wasm` where the addon is missing. */
export function secp256k1BackendNamed(name: Secp256k1BackendName): Secp256k1Backend {
  if (name === "noble") return nobleSecp256k1;
  if (name === "wasm") return wasmSecp256k1;
  return nativeSecp256k1 ?? wasmSecp256k1;
}

/** LVM_SECP256K1=native|wasm|noble picks one (noble also keeps the addon unloaded); default native. */
const wanted = process.env.LVM_SECP256K1;
let backend: Secp256k1Backend =
  wanted === "noble"
    ? nobleSecp256k1
    : wanted === "wasm"
      ? wasmSecp256k1
      : (nativeSecp256k1 ?? wasmSecp256k1);

/** The backend signature checks use: native when available, else WASM. */
export function secp256k1Backend(): Secp256k1Backend {
  return backend;
}

/** Switches every later signature check to `b` (benchmarks and differential tests); returns the previous. */
export function setSecp256k1Backend(b: Secp256k1Backend): Secp256k1Backend {
  const prev = backend;
  backend = b;
  return prev;
}

/** ECDSA verification with Core's semantics: lax DER, S normalized to low before verifying. */
export function verifyEcdsa(derSig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean {
  const key = normalizePubKey(pubkey);
  if (!key) return false;
  const parsed = parseDerLax(derSig);
  if (!parsed || parsed.r === 0n || parsed.s === 0n) return false;
  const compact = new Uint8Array(64);
  bigTo32(parsed.r, compact, 0);
  bigTo32(parsed.s > HALF_N ? N - parsed.s : parsed.s, compact, 32);
  return backend.ecdsa(compact, msg32, key);
}

export function verifySchnorr(sig64: Uint8Array, msg32: Uint8Array, xonly: Uint8Array): boolean {
  if (sig64.length !== 64 || msg32.length !== 32 || xonly.length !== 32) return false;
  return backend.schnorr(sig64, msg32, xonly);
}

/** BIP341: tweak x-only `internalKey` by `merkleRoot` (none: key-path only); undefined for a bad key or tweak. */
export function tweakXOnly(
  internalKey: Uint8Array,
  merkleRoot: Uint8Array | undefined,
): { key: Uint8Array; parity: 0 | 1 } | undefined {
  if (internalKey.length !== 32) return undefined;
  const t = merkleRoot
    ? taggedHash("TapTweak", internalKey, merkleRoot)
    : taggedHash("TapTweak", internalKey);
  return backend.tweak(internalKey, t);
}

const LOCKTIME_THRESHOLD = 500_000_000;
const SEQUENCE_FINAL = 0xffffffff;
const SEQUENCE_DISABLE = 0x80000000;
const SEQUENCE_TYPE = 1 << 22;
const SEQUENCE_MASK = SEQUENCE_TYPE | 0xffff;

/** Checks signatures and lock times against input `inputIndex` of `tx`. */
export class TransactionChecker implements SignatureChecker {
  constructor(
    readonly tx: Transaction,
    readonly inputIndex: number,
    /** Every input's spent output (needed for taproot); at least this input's for segwit v0. */
    readonly prevouts: readonly TxOut[],
    readonly cache?: PrecomputedTxData,
  ) {}

  checkEcdsa(sig: Uint8Array, pubkey: Uint8Array, scriptCode: Uint8Array, sigVersion: SigVersion): boolean {
    if (sig.length === 0 || normalizePubKey(pubkey) === undefined) return false;
    const hashType = sig[sig.length - 1]!;
    const der = sig.subarray(0, sig.length - 1);
    const hash =
      sigVersion === "witness_v0"
        ? sighashWitnessV0(
            this.tx,
            this.inputIndex,
            scriptCode,
            this.prevouts[this.inputIndex]!.value,
            hashType,
            this.cache,
          )
        : sighashLegacy(this.tx, this.inputIndex, scriptCode, hashType);
    return this.verifyEcdsaSignature(der, hash, pubkey);
  }

  /** The curve check of an ECDSA signature (DER, no hash-type byte) on `sighash`; a cache may wrap it. */
  protected verifyEcdsaSignature(der: Uint8Array, sighash: Uint8Array, pubkey: Uint8Array): boolean {
    return verifyEcdsa(der, sighash, pubkey);
  }

  /** The curve check of a BIP340 signature on `sighash`; a cache may wrap it. */
  protected verifySchnorrSignature(sig64: Uint8Array, sighash: Uint8Array, xonly: Uint8Array): boolean {
    return verifySchnorr(sig64, sighash, xonly);
  }

  checkSchnorr(
    sig: Uint8Array,
    pubkey: Uint8Array,
    sigVersion: "taproot" | "tapscript",
    exec: ExecData,
  ): ScriptErrorCode | undefined {
    if (sig.length !== 64 && sig.length !== 65) return "SCHNORR_SIG_SIZE";
    let hashType = 0;
    if (sig.length === 65) {
      hashType = sig[64]!;
      if (hashType === 0) return "SCHNORR_SIG_HASHTYPE";
    }
    if (!(hashType <= 3 || (hashType >= 0x81 && hashType <= 0x83))) return "SCHNORR_SIG_HASHTYPE";
    if ((hashType & 3) === 3 && this.inputIndex >= this.tx.outputs.length) return "SCHNORR_SIG_HASHTYPE";
    const ext: { leafHash?: Uint8Array; annex?: Uint8Array; codeSeparatorPos?: number } = {};
    if (exec.annex) ext.annex = exec.annex;
    if (sigVersion === "tapscript") {
      ext.leafHash = exec.tapleafHash!;
      ext.codeSeparatorPos = exec.codeSeparatorPos;
    }
    const hash = sighashTaproot(
      this.tx,
      this.inputIndex,
      this.prevouts as TxOut[],
      hashType,
      ext,
      this.cache,
    );
    return this.verifySchnorrSignature(sig.subarray(0, 64), hash, pubkey) ? undefined : "SCHNORR_SIG";
  }

  checkLockTime(lockTime: number): boolean {
    const txLock = this.tx.locktime >>> 0;
    if (txLock < LOCKTIME_THRESHOLD !== lockTime < LOCKTIME_THRESHOLD) return false;
    if (lockTime > txLock) return false;
    // A final input disables nLockTime, and with it CLTV.
    return this.tx.inputs[this.inputIndex]!.sequence >>> 0 !== SEQUENCE_FINAL;
  }

  checkSequence(sequence: number): boolean {
    const txSeq = this.tx.inputs[this.inputIndex]!.sequence >>> 0;
    if (this.tx.version >>> 0 < 2) return false;
    if (txSeq & SEQUENCE_DISABLE) return false;
    const txMasked = txSeq & SEQUENCE_MASK;
    const masked = sequence & SEQUENCE_MASK;
    if (txMasked < SEQUENCE_TYPE !== masked < SEQUENCE_TYPE) return false;
    return masked <= txMasked;
  }
}
