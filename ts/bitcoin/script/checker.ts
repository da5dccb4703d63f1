/**
 * Signature and lock-time checks. The interpreter sees only the `SignatureChecker` interface, so
 * BitVM tooling can run scripts with no transaction at all and the node can run them against one.
 */
import { secp256k1, schnorr } from "@noble/curves/secp256k1.js";
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

/** ECDSA verification with Core's semantics: lax DER, S normalized to low before verifying. */
export function verifyEcdsa(derSig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean {
  const key = normalizePubKey(pubkey);
  if (!key) return false;
  const parsed = parseDerLax(derSig);
  if (!parsed || parsed.r === 0n || parsed.s === 0n) return false;
  const s = parsed.s > HALF_N ? N - parsed.s : parsed.s;
  const compact = new Uint8Array(64);
  let r = parsed.r;
  let ss = s;
  for (let i = 31; i >= 0; i--) {
    compact[i] = Number(r & 0xffn);
    compact[32 + i] = Number(ss & 0xffn);
    r >>= 8n;
    ss >>= 8n;
  }
  try {
    return secp256k1.verify(compact, msg32, key, { prehash: false, lowS: false, format: "compact" });
  } catch {
    return false;
  }
}

export function verifySchnorr(sig64: Uint8Array, msg32: Uint8Array, xonly: Uint8Array): boolean {
  try {
    return schnorr.verify(sig64, msg32, xonly);
  } catch {
    return false;
  }
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
    return verifyEcdsa(der, hash, pubkey);
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
    return verifySchnorr(sig.subarray(0, 64), hash, pubkey) ? undefined : "SCHNORR_SIG";
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
