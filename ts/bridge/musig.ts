import { schnorr, secp256k1 } from "@noble/curves/secp256k1.js";
import { randomBytes } from "@noble/hashes/utils.js";
import * as musig from "@scure/btc-signer/musig2.js";
import { taprootTweakPubkey, tagSchnorr } from "@scure/btc-signer/utils.js";
import { BridgeError } from "./errors.js";
import { xOnlyKey, type XOnlyKey } from "./types.js";

/** 66-byte MuSig2 public nonce (two compressed points). */
export type PubNonce = Uint8Array & { readonly __brand: "PubNonce" };
/** 32-byte MuSig2 partial signature. */
export type PartialSig = Uint8Array & { readonly __brand: "PartialSig" };
/** Identifies one signing session; a signer refuses to produce a second nonce for the same id. */
export type SessionId = string;

/**
 * How the aggregate key is used for a message. `script` = the untweaked aggregate key inside a
 * tapscript leaf; `keypath` = the BIP341/BIP86 output key (aggregate tweaked with an empty tree).
 */
export type KeyMode = "script" | "keypath";

const EMPTY = new Uint8Array(0);

/**
 * One committee member. Holds its secret key and its secret nonces; nothing else ever sees them.
 * Nonces are bound to a session id and deleted when used, and a session id can be opened only
 * once: a retried round must start a fresh session, so a secret nonce is never used twice.
 */
export class CommitteeSigner {
  readonly publicKey: Uint8Array;
  readonly #secretKey: Uint8Array;
  readonly #pending = new Map<SessionId, Uint8Array>();
  readonly #opened = new Set<SessionId>();

  constructor(secretKey: Uint8Array) {
    if (secretKey.length !== 32 || !secp256k1.utils.isValidSecretKey(secretKey)) {
      throw new BridgeError("INVALID_KEY", "committee secret key must be a valid 32-byte secp256k1 scalar");
    }
    this.#secretKey = Uint8Array.from(secretKey);
    this.publicKey = musig.IndividualPubkey(this.#secretKey);
  }

  static random(): CommitteeSigner {
    return new CommitteeSigner(schnorr.utils.randomSecretKey());
  }

  /** Round 1: a fresh public nonce for `session`, bound to the message it will sign. */
  nonce(session: SessionId, aggKey: XOnlyKey, msg: Uint8Array): PubNonce {
    if (this.#opened.has(session)) {
      throw new BridgeError("NONCE_REUSE", `signer already opened session ${session}`, session);
    }
    this.#opened.add(session);
    const n = musig.nonceGen(this.publicKey, this.#secretKey, aggKey, msg, EMPTY, randomBytes(32));
    this.#pending.set(session, n.secret);
    return n.public as PubNonce;
  }

  /** Round 2: the partial signature; the secret nonce is consumed whether or not signing succeeds. */
  sign(
    session: SessionId,
    aggNonce: Uint8Array,
    publicKeys: Uint8Array[],
    msg: Uint8Array,
    mode: KeyMode,
  ): PartialSig {
    const secNonce = this.#pending.get(session);
    if (secNonce === undefined) {
      throw new BridgeError("NONCE_MISSING", `no unused nonce for session ${session}`, session);
    }
    this.#pending.delete(session);
    const { tweaks, isXonly } = tweakArgs(publicKeys, mode);
    const s = new musig.Session(aggNonce, publicKeys, msg, tweaks, isXonly);
    return s.sign(secNonce, this.#secretKey) as PartialSig;
  }

  /** Drops the secret nonce of an aborted session; the session id stays burned. */
  abandon(session: SessionId): void {
    this.#pending.delete(session);
  }

  /** Sessions opened but not yet signed: a coordinator that aborts can see what was left. */
  get pendingSessions(): number {
    return this.#pending.size;
  }
}

/**
 * The n-of-n committee as its public keys. Key order is the sorted order (BIP327 KeySort), so
 * every party derives the same aggregate key whatever order it learned the members in.
 */
export class Committee {
  readonly publicKeys: Uint8Array[];
  /** Untweaked x-only aggregate key: the key inside tapscript leaves. */
  readonly aggregateKey: XOnlyKey;
  /** BIP86-style key-path output key: aggregate tweaked with H_TapTweak(P), no script tree. */
  readonly outputKey: XOnlyKey;

  constructor(publicKeys: Uint8Array[]) {
    if (publicKeys.length < 1)
      throw new BridgeError("INVALID_COMMITTEE", "committee needs at least one member", publicKeys);
    const seen = new Set<string>();
    for (const k of publicKeys) {
      const h = Buffer.from(k).toString("hex");
      if (seen.has(h)) throw new BridgeError("INVALID_COMMITTEE", `duplicate committee key ${h}`, h);
      seen.add(h);
    }
    try {
      this.publicKeys = musig.sortKeys(publicKeys);
      this.aggregateKey = xOnlyKey(musig.keyAggExport(musig.keyAggregate(this.publicKeys)));
    } catch (e) {
      throw new BridgeError(
        "INVALID_KEY",
        `committee key aggregation failed: ${(e as Error).message}`,
        publicKeys,
      );
    }
    this.outputKey = xOnlyKey(taprootTweakPubkey(this.aggregateKey, EMPTY)[0]);
  }

  get size(): number {
    return this.publicKeys.length;
  }

  /** The key a BIP340 signature from this committee verifies under, for `mode`. */
  verificationKey(mode: KeyMode): XOnlyKey {
    return mode === "keypath" ? this.outputKey : this.aggregateKey;
  }

  indexOf(publicKey: Uint8Array): number {
    const h = Buffer.from(publicKey).toString("hex");
    return this.publicKeys.findIndex((k) => Buffer.from(k).toString("hex") === h);
  }
}

// Key aggregation costs n point multiplications; every session of a graph reuses the same tweak.
const tapTweakCache = new Map<string, Uint8Array>();

function tweakArgs(publicKeys: Uint8Array[], mode: KeyMode): { tweaks: Uint8Array[]; isXonly: boolean[] } {
  if (mode === "script") return { tweaks: [], isXonly: [] };
  const id = publicKeys.map((k) => Buffer.from(k).toString("hex")).join("");
  let tweak = tapTweakCache.get(id);
  if (tweak === undefined) {
    tweak = tagSchnorr("TapTweak", musig.keyAggExport(musig.keyAggregate(publicKeys)));
    if (tapTweakCache.size > 64) tapTweakCache.clear();
    tapTweakCache.set(id, tweak);
  }
  return { tweaks: [tweak], isXonly: [true] };
}

/** One message the committee signs together. */
export interface SigningRequest {
  session: SessionId;
  msg: Uint8Array;
  mode: KeyMode;
}

/** BIP327 NonceAgg; an invalid public nonce is reported with the member that sent it. */
export function aggregateNonces(pubNonces: Uint8Array[], session: SessionId): Uint8Array {
  try {
    return musig.nonceAggregate(pubNonces);
  } catch (e) {
    const member = e instanceof musig.InvalidContributionErr ? e.idx : undefined;
    throw new BridgeError("BAD_NONCE", `invalid public nonce for ${session}`, { member, session });
  }
}

/**
 * BIP327 PartialSigVerify for every member (a bad one is named), PartialSigAgg, and a final BIP340
 * check of the result under the key the spend will be verified with.
 */
export function combinePartials(
  committee: Committee,
  r: SigningRequest,
  aggNonce: Uint8Array,
  pubNonces: Uint8Array[],
  partials: Uint8Array[],
): Uint8Array {
  const keys = committee.publicKeys;
  const { tweaks, isXonly } = tweakArgs(keys, r.mode);
  const session = new musig.Session(aggNonce, keys, r.msg, tweaks, isXonly);
  partials.forEach((p, j) => {
    let ok: boolean;
    try {
      ok = session.partialSigVerify(p, pubNonces, j);
    } catch {
      ok = false; // out-of-range scalar or wrong length: as invalid as a wrong value
    }
    if (!ok) {
      throw new BridgeError(
        "BAD_PARTIAL_SIGNATURE",
        `member ${j} sent an invalid partial signature for ${r.session}`,
        {
          member: j,
          session: r.session,
        },
      );
    }
  });
  const sig = session.partialSigAgg(partials);
  if (!schnorr.verify(sig, r.msg, committee.verificationKey(r.mode))) {
    throw new BridgeError("BAD_SIGNATURE", `aggregate signature for ${r.session} does not verify`, r.session);
  }
  return sig;
}

/**
 * MuSig2 for many messages at once with signers in this process: round 1 (nonces for every
 * message), round 2 (partial signatures), then `combinePartials`. An aborted run leaves no secret
 * nonce with any signer, and its session ids can never be reopened.
 */
export function runMusig(
  committee: Committee,
  signers: CommitteeSigner[],
  requests: SigningRequest[],
): Map<SessionId, Uint8Array> {
  const ordered = orderSigners(committee, signers);
  try {
    const nonces = requests.map((r) => ordered.map((s) => s.nonce(r.session, committee.aggregateKey, r.msg)));
    const out = new Map<SessionId, Uint8Array>();
    requests.forEach((r, i) => {
      const aggNonce = aggregateNonces(nonces[i], r.session);
      const partials = ordered.map((s) => s.sign(r.session, aggNonce, committee.publicKeys, r.msg, r.mode));
      out.set(r.session, combinePartials(committee, r, aggNonce, nonces[i], partials));
    });
    return out;
  } catch (e) {
    for (const s of ordered) for (const r of requests) s.abandon(r.session);
    throw e;
  }
}

function orderSigners(committee: Committee, signers: CommitteeSigner[]): CommitteeSigner[] {
  if (signers.length !== committee.size) {
    throw new BridgeError(
      "INVALID_COMMITTEE",
      `need all ${committee.size} members, got ${signers.length}`,
      signers.length,
    );
  }
  const ordered = new Array<CommitteeSigner>(committee.size);
  for (const s of signers) {
    const i = committee.indexOf(s.publicKey);
    if (i < 0) {
      throw new BridgeError(
        "UNKNOWN_SIGNER",
        "signer is not a committee member",
        Buffer.from(s.publicKey).toString("hex"),
      );
    }
    ordered[i] = s;
  }
  return ordered;
}
