/**
 * Bitcoin Core's two validation caches. The script execution cache remembers that every input of
 * a transaction passed under a set of flags, keyed by its wtxid (so a changed witness is a
 * different entry) and those exact flags; the signature cache remembers single valid signatures
 * keyed by signature hash, public key and signature. The signature cache's keys are salted SHA-256
 * digests (the salt is random per process, so nobody can aim collisions at the cache); the script
 * cache's are the wtxid itself. Both are bounded, oldest entry out first. Only successes are ever
 * stored: a miss costs a verification, never a verdict.
 */
import { randomBytes } from "node:crypto";

import {
  PrecomputedTxData,
  sha256,
  TransactionChecker,
  verifyScript,
  type ScriptErrorCode,
  type ScriptFlags,
  type Transaction,
  type TxOut,
} from "../bitcoin/index.js";
import { hexToBytes } from "../core/index.js";

/** A bounded set of salted 32-byte digests; inserting past the bound evicts the oldest. */
class SaltedSet {
  private readonly salt = new Uint8Array(randomBytes(32));
  private readonly keys = new Set<string>();

  constructor(readonly maxEntries: number) {}

  /** sha256(salt ‖ parts…) as a string key. */
  key(parts: readonly Uint8Array[]): string {
    let n = 32;
    for (const p of parts) n += p.length;
    const buf = new Uint8Array(n);
    buf.set(this.salt, 0);
    let at = 32;
    for (const p of parts) {
      buf.set(p, at);
      at += p.length;
    }
    return Buffer.from(sha256(buf)).toString("latin1");
  }

  has(k: string): boolean {
    return this.keys.has(k);
  }

  add(k: string): void {
    if (this.keys.has(k)) return;
    if (this.keys.size >= this.maxEntries) {
      const oldest = this.keys.values().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    this.keys.add(k);
  }

  delete(k: string): void {
    this.keys.delete(k);
  }

  get size(): number {
    return this.keys.size;
  }

  clear(): void {
    this.keys.clear();
  }
}

/**
 * Core's script execution cache: (wtxid, flags) pairs whose every input verified. Unlike the
 * signature cache its key needs no hashing: a wtxid is already a SHA-256d digest nobody can aim,
 * so the key is its 32 bytes (internal order) and the flags as a short string, in a bounded set
 * (V8 hashes set keys with a per-process random seed).
 */
export class ScriptExecutionCache {
  private readonly keys = new Set<string>();

  /** Core sizes both caches in bytes (32 MiB); 32-byte keys make this about as many entries. */
  constructor(readonly maxEntries = 200_000) {}

  private static key(internal: Uint8Array, flags: ScriptFlags): string {
    return (
      Buffer.from(internal.buffer, internal.byteOffset, internal.length).toString("latin1") +
      String.fromCharCode(flags & 0xffff, flags >>> 16)
    );
  }

  /** `wtxid` as display-order hex or its bytes in that order. */
  private keyOf(wtxid: string | Uint8Array, flags: ScriptFlags): string {
    const b = typeof wtxid === "string" ? hexToBytes(wtxid) : Uint8Array.from(wtxid);
    return ScriptExecutionCache.key(b.reverse(), flags);
  }

  has(wtxid: string | Uint8Array, flags: ScriptFlags): boolean {
    return this.keys.has(this.keyOf(wtxid, flags));
  }

  /** `has` for the wtxid in internal byte order (a block's witness merkle leaf). */
  hasLeaf(leaf: Uint8Array, flags: ScriptFlags): boolean {
    return this.keys.has(ScriptExecutionCache.key(leaf, flags));
  }

  /** Record that every input of `wtxid` passed under exactly `flags`. Call only after success. */
  add(wtxid: string, flags: ScriptFlags): void {
    const k = this.keyOf(wtxid, flags);
    if (this.keys.has(k)) return;
    if (this.keys.size >= this.maxEntries) {
      const oldest = this.keys.values().next();
      if (!oldest.done) this.keys.delete(oldest.value);
    }
    this.keys.add(k);
  }

  delete(wtxid: string, flags: ScriptFlags): void {
    this.keys.delete(this.keyOf(wtxid, flags));
  }

  get size(): number {
    return this.keys.size;
  }

  clear(): void {
    this.keys.clear();
  }
}

const ECDSA_TAG = Uint8Array.of(0x45); // 'E'
const SCHNORR_TAG = Uint8Array.of(0x53); // 'S'

/** Core's signature cache: valid (sighash, pubkey, signature) triples. */
export class SignatureCache {
  private readonly set: SaltedSet;
  hits = 0;
  misses = 0;

  constructor(maxEntries = 200_000) {
    this.set = new SaltedSet(maxEntries);
  }

  key(kind: "ecdsa" | "schnorr", sighash: Uint8Array, pubkey: Uint8Array, sig: Uint8Array): string {
    return this.set.key([
      kind === "ecdsa" ? ECDSA_TAG : SCHNORR_TAG,
      sighash,
      Uint8Array.of(pubkey.length),
      pubkey,
      sig,
    ]);
  }

  has(k: string): boolean {
    const hit = this.set.has(k);
    if (hit) this.hits++;
    else this.misses++;
    return hit;
  }

  add(k: string): void {
    this.set.add(k);
  }

  get size(): number {
    return this.set.size;
  }

  clear(): void {
    this.set.clear();
  }
}

/**
 * A transaction checker that consults a signature cache before the curve and, with `store`,
 * records signatures that verified (Core stores at mempool entry and only looks up in blocks).
 */
export class CachingTransactionChecker extends TransactionChecker {
  constructor(
    tx: Transaction,
    inputIndex: number,
    prevouts: readonly TxOut[],
    cache: PrecomputedTxData,
    private readonly sigCache: SignatureCache,
    private readonly store: boolean,
  ) {
    super(tx, inputIndex, prevouts, cache);
  }

  protected override verifyEcdsaSignature(der: Uint8Array, sighash: Uint8Array, pubkey: Uint8Array): boolean {
    const k = this.sigCache.key("ecdsa", sighash, pubkey, der);
    if (this.sigCache.has(k)) return true;
    const ok = super.verifyEcdsaSignature(der, sighash, pubkey);
    if (ok && this.store) this.sigCache.add(k);
    return ok;
  }

  protected override verifySchnorrSignature(
    sig64: Uint8Array,
    sighash: Uint8Array,
    xonly: Uint8Array,
  ): boolean {
    const k = this.sigCache.key("schnorr", sighash, xonly, sig64);
    if (this.sigCache.has(k)) return true;
    const ok = super.verifySchnorrSignature(sig64, sighash, xonly);
    if (ok && this.store) this.sigCache.add(k);
    return ok;
  }
}

/** The first input of a transaction that failed its script check. */
export interface InputFailure {
  readonly input: number;
  readonly error: ScriptErrorCode;
  readonly message: string;
}

export interface CheckInputsOptions {
  readonly sigCache?: SignatureCache;
  /** Store verified signatures in `sigCache` (mempool acceptance). */
  readonly storeSignatures?: boolean;
  /** Signature hashes shared between runs over the same transaction. */
  readonly txData?: PrecomputedTxData;
}

/**
 * Verifies every input of `tx` under `flags` with per-transaction sighash data computed once;
 * returns the first failure, or undefined when all pass.
 */
export function checkInputScripts(
  tx: Transaction,
  prevouts: readonly TxOut[],
  flags: ScriptFlags,
  opts: CheckInputsOptions = {},
): InputFailure | undefined {
  const txData = opts.txData ?? new PrecomputedTxData(tx, prevouts);
  for (let i = 0; i < tx.inputs.length; i++) {
    const input = tx.inputs[i]!;
    const checker =
      opts.sigCache === undefined
        ? new TransactionChecker(tx, i, prevouts, txData)
        : new CachingTransactionChecker(
            tx,
            i,
            prevouts,
            txData,
            opts.sigCache,
            opts.storeSignatures === true,
          );
    const r = verifyScript(input.scriptSig, prevouts[i]!.scriptPubKey, input.witness, flags, checker);
    if (!r.ok) return { input: i, error: r.error, message: r.message };
  }
  return undefined;
}
