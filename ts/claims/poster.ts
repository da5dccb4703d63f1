/**
 * The claim chain on Bitcoin. Each L2 batch's claim is one L1 transaction that spends the
 * previous claim's chain output (output 0, a taproot key-path output of the poster's key) and
 * carries the claim's commitment in an OP_RETURN (output 1):
 *
 *     "LVMC" | 0x01 | l2BlockNumber (u64 BE) | l2BlockHash (32) | statement digest (32)
 *
 * The digest is SHA-256 over the statement's six field messages in witness order (`claimMessages`),
 * so it binds the state, withdrawal and payouts roots too; `prevTxid` is the spent claim.
 *
 * `ClaimPoster` is a durable state machine: the signed transaction and the new chain tip are
 * written to its LevelDB (synced) before the broadcast, and `resume()` re-broadcasts what a crash
 * left, so one batch gets exactly one L1 commitment. `readClaimChain` reads the chain back from
 * L1 blocks alone.
 */
import { mkdirSync } from "node:fs";

import { schnorr, secp256k1 } from "@noble/curves/secp256k1.js";
import { ClassicLevel } from "classic-level";

import {
  SIGHASH_DEFAULT,
  Transaction,
  bytesToHex,
  concatBytes,
  equalBytes,
  hexToBytes,
  sha256,
  sighashTaproot,
  taggedHash,
  tweakXOnly,
  type TxOut,
} from "../bitcoin/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import { LvmError, txid as toTxid, type Txid } from "../core/index.js";
import { CLAIM_FIELDS, claimMessages, type ClaimStatement } from "./statement.js";

export type ClaimChainErrorCode =
  "BAD_COMMITMENT" | "NOT_MONOTONIC" | "NO_FUNDS" | "STORE_BUSY" | "STORE_CORRUPT" | "CONFLICT";

/** A claim the chain or the poster refuses; the store and the L1 are unchanged. */
export class ClaimChainError extends LvmError<ClaimChainErrorCode> {
  override readonly name = "ClaimChainError";
}

const TAG = new TextEncoder().encode("LVMC");
const VERSION = 1;
/** Bytes after OP_RETURN's push: tag, version, number, hash, digest. */
export const COMMITMENT_BYTES = 4 + 1 + 8 + 32 + 32;
/** Fee each claim transaction pays (about 190 vB at 5 sat/vB; regtest and devnet). */
export const DEFAULT_CLAIM_FEE_SATS = 1_000n;
const DUST = 330n;

/** What a claim commits on L1, as read back from its transaction. */
export interface ClaimCommitment {
  readonly l2BlockNumber: number;
  readonly l2BlockHash: string;
  readonly digest: string;
}

/** SHA-256 over the statement's field messages in witness order (hex). */
export function statementDigest(st: ClaimStatement): string {
  const m = claimMessages(st);
  return bytesToHex(sha256(concatBytes(...CLAIM_FIELDS.map((f) => m[f]))));
}

/** The OP_RETURN script of a claim. */
export function commitmentScript(st: ClaimStatement): Uint8Array {
  const m = claimMessages(st);
  const data = concatBytes(
    TAG,
    Uint8Array.of(VERSION),
    m.l2BlockNumber,
    m.l2BlockHash,
    hexToBytes(statementDigest(st)),
  );
  return concatBytes(Uint8Array.of(0x6a, 0x4c, data.length), data);
}

/** Whether an output script is an OP_RETURN that starts with the claim tag (maybe malformed). */
function tagged(spk: Uint8Array): boolean {
  const at = spk[1] === 0x4c ? 3 : 2;
  return spk[0] === 0x6a && spk.length >= at + 4 && equalBytes(spk.subarray(at, at + 4), TAG);
}

/** Parses a claim's OP_RETURN; a malformed one is `BAD_COMMITMENT`. */
export function decodeCommitment(spk: Uint8Array): ClaimCommitment {
  const bad = (why: string) =>
    new ClaimChainError("BAD_COMMITMENT", `claim commitment ${why}`, { value: bytesToHex(spk) });
  if (
    spk.length !== 3 + COMMITMENT_BYTES ||
    spk[0] !== 0x6a ||
    spk[1] !== 0x4c ||
    spk[2] !== COMMITMENT_BYTES
  )
    throw bad(`must be OP_RETURN with one ${COMMITMENT_BYTES}-byte push`);
  const d = spk.subarray(3);
  if (!equalBytes(d.subarray(0, 4), TAG)) throw bad("has no LVMC tag");
  if (d[4] !== VERSION) throw bad(`has version ${d[4]}, expected ${VERSION}`);
  const n = new DataView(d.buffer, d.byteOffset + 5, 8).getBigUint64(0);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw bad("has an L2 block number past 2^53");
  return {
    l2BlockNumber: Number(n),
    l2BlockHash: bytesToHex(d.subarray(13, 45)),
    digest: bytesToHex(d.subarray(45, 77)),
  };
}

/** The poster's key: x-only internal key, its BIP86 output script, and the tweaked secret. */
export function claimKey(secret: Uint8Array): { chainScript: Uint8Array; tweaked: Uint8Array } {
  const N = secp256k1.Point.Fn.ORDER;
  const internal = schnorr.getPublicKey(secret);
  const P = secp256k1.Point.BASE.multiply(BigInt(`0x${bytesToHex(secret)}`));
  let d = BigInt(`0x${bytesToHex(secret)}`);
  if (P.toAffine().y % 2n === 1n) d = N - d;
  const t = BigInt(`0x${bytesToHex(taggedHash("TapTweak", internal))}`);
  const tweaked = hexToBytes(((d + t) % N).toString(16).padStart(64, "0"));
  const out = tweakXOnly(internal, undefined)!;
  return { chainScript: Uint8Array.of(0x51, 0x20, ...out.key), tweaked };
}

/** A claim as the poster recorded it. */
export interface PostedClaim {
  readonly index: number;
  readonly statement: ClaimStatement;
  readonly digest: string;
  readonly txid: Txid;
  readonly rawTx: string;
  /** `intent`: signed and written, maybe not broadcast; `broadcast`: the L1 node accepted it. */
  readonly status: "intent" | "broadcast";
}

interface Tip {
  readonly txid: Txid;
  readonly vout: number;
  readonly value: string;
  /** Claims posted so far (the next claim's index). */
  readonly claims: number;
  readonly lastL2Block: number;
}

/** Where the poster stops (tests crash here): after the intent is durable, after the broadcast. */
export type ClaimPosterStep = "intent" | "broadcast";

export interface ClaimPosterOptions {
  /** LevelDB folder for the poster's state. */
  readonly dir: string;
  readonly backend: BitcoinBackend;
  /** 32-byte secret of the claim chain's key (it also owns the funding outputs). */
  readonly secret: Uint8Array;
  readonly feeSats?: bigint;
  readonly hook?: (step: ClaimPosterStep, claim: PostedClaim) => void | Promise<void>;
}

const pad = (i: number) => i.toString().padStart(12, "0");

export class ClaimPoster {
  readonly chainScript: Uint8Array;
  readonly #tweaked: Uint8Array;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly opts: ClaimPosterOptions,
    private readonly db: ClassicLevel<string, string>,
  ) {
    const k = claimKey(opts.secret);
    this.chainScript = k.chainScript;
    this.#tweaked = k.tweaked;
  }

  /** Opens (creating) the poster's state; LevelDB admits one process at a time. */
  static async open(opts: ClaimPosterOptions): Promise<ClaimPoster> {
    mkdirSync(opts.dir, { recursive: true });
    const db = new ClassicLevel<string, string>(opts.dir, { valueEncoding: "utf8" });
    try {
      await db.open();
    } catch (e) {
      const locked = (e as { cause?: { code?: string } }).cause?.code === "LEVEL_LOCKED";
      throw new ClaimChainError(
        locked ? "STORE_BUSY" : "STORE_CORRUPT",
        locked ? `${opts.dir} is in use by another process` : `cannot open ${opts.dir}`,
        { value: opts.dir, cause: e },
      );
    }
    return new ClaimPoster(opts, db);
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => undefined);
    await this.db.close();
  }

  /** Every claim recorded, in order. */
  async claims(): Promise<PostedClaim[]> {
    const out: PostedClaim[] = [];
    for await (const v of this.db.values({ gte: "claim/", lt: "claim/~" }))
      out.push(JSON.parse(v) as PostedClaim);
    return out;
  }

  /** One at a time: posting and resuming both move the chain tip. */
  #serial<T>(f: () => Promise<T>): Promise<T> {
    const r = this.#queue.then(f, f);
    this.#queue = r.catch(() => undefined);
    return r;
  }

  /**
   * Re-broadcasts, in order, every recorded claim the L1 node does not know (written before a
   * crash, or dropped by a reorg), then marks it broadcast.
   */
  resume(): Promise<void> {
    return this.#serial(async () => {
      for (const c of await this.claims()) await this.#broadcast(c);
    });
  }

  /**
   * Commits the claim of L2 block `input.l2BlockNumber` on L1. Idempotent: a block already
   * claimed with the same statement answers its recorded claim; with another, `CONFLICT`.
   * A block number not above the last claim's is `NOT_MONOTONIC`.
   */
  post(input: Omit<ClaimStatement, "prevTxid">): Promise<PostedClaim> {
    return this.#serial(async () => {
      const tip = await this.#get<Tip>("tip");
      const prevTxid = tip === undefined ? "00".repeat(32) : tip.txid;
      const st: ClaimStatement = { ...input, prevTxid } as ClaimStatement;
      const seenIndex = await this.#get<number>(`block/${pad(input.l2BlockNumber)}`);
      if (seenIndex !== undefined) {
        const seen = (await this.#get<PostedClaim>(`claim/${pad(seenIndex)}`))!;
        const zero = "00".repeat(32);
        if (
          statementDigest({ ...seen.statement, prevTxid: zero }) !==
          statementDigest({ ...st, prevTxid: zero })
        )
          throw new ClaimChainError("CONFLICT", "this L2 block is already claimed with another statement", {
            value: input.l2BlockNumber,
            details: { txid: seen.txid },
          });
        await this.#broadcast(seen);
        return (await this.#get<PostedClaim>(`claim/${pad(seenIndex)}`))!;
      }
      // A claim a failed broadcast left: L1 must hold it before the next one spends it.
      for (const c of await this.claims()) if (c.status === "intent") await this.#broadcast(c);
      // Validates every field (typed ClaimError) before anything is written.
      const digest = statementDigest(st);
      if (tip !== undefined && input.l2BlockNumber <= tip.lastL2Block)
        throw new ClaimChainError("NOT_MONOTONIC", "claims must move the L2 forward", {
          value: input.l2BlockNumber,
          details: { last: tip.lastL2Block },
        });
      const spend = tip ?? (await this.#funding());
      const fee = this.opts.feeSats ?? DEFAULT_CLAIM_FEE_SATS;
      const value = BigInt(spend.value);
      if (value - fee < DUST)
        throw new ClaimChainError("NO_FUNDS", "the claim chain's output cannot pay another claim", {
          value: value.toString(),
        });
      const prevOut: TxOut = { value, scriptPubKey: this.chainScript };
      const tx = new Transaction({
        version: 2,
        inputs: [
          {
            prevout: { txid: spend.txid, vout: spend.vout },
            scriptSig: new Uint8Array(),
            sequence: 0xfffffffd,
            witness: [],
          },
        ],
        outputs: [
          { value: value - fee, scriptPubKey: this.chainScript },
          { value: 0n, scriptPubKey: commitmentScript(st) },
        ],
      });
      const sighash = sighashTaproot(tx, 0, [prevOut], SIGHASH_DEFAULT);
      tx.inputs[0]!.witness = [schnorr.sign(sighash, this.#tweaked, new Uint8Array(32))];
      const index = tip?.claims ?? 0;
      const claim: PostedClaim = {
        index,
        statement: st,
        digest,
        txid: tx.txid(),
        rawTx: bytesToHex(tx.encode()),
        status: "intent",
      };
      const next: Tip = {
        txid: claim.txid,
        vout: 0,
        value: (value - fee).toString(),
        claims: index + 1,
        lastL2Block: input.l2BlockNumber,
      };
      await this.db.batch(
        [
          { type: "put", key: `claim/${pad(index)}`, value: JSON.stringify(claim) },
          { type: "put", key: `block/${pad(input.l2BlockNumber)}`, value: JSON.stringify(index) },
          { type: "put", key: "tip", value: JSON.stringify(next) },
        ],
        { sync: true },
      );
      await this.opts.hook?.("intent", claim);
      return this.#broadcast(claim);
    });
  }

  /** Broadcasts a recorded claim unless L1 knows it already; marks it broadcast. */
  async #broadcast(c: PostedClaim): Promise<PostedClaim> {
    const b = this.opts.backend;
    if ((await b.getTxStatus(c.txid)) === undefined) {
      try {
        await b.sendRawTransaction(c.rawTx);
      } catch (e) {
        // Accepted meanwhile (another attempt) is success; anything else is the caller's to see.
        if ((await b.getTxStatus(c.txid)) === undefined) throw e;
      }
    }
    if (c.status === "broadcast") return c;
    const done: PostedClaim = { ...c, status: "broadcast" };
    await this.db.put(`claim/${pad(c.index)}`, JSON.stringify(done), { sync: true });
    await this.opts.hook?.("broadcast", done);
    return done;
  }

  /** The first claim spends the largest mature confirmed output paying the chain's script. */
  async #funding(): Promise<{ txid: Txid; vout: number; value: string }> {
    const b = this.opts.backend;
    const height = await b.getBlockCount();
    const utxos = (await b.scanUtxos(this.chainScript)).filter(
      (u) => !u.coinbase || height - u.height + 1 >= 100,
    );
    utxos.sort((a, c) => (a.value < c.value ? 1 : a.value > c.value ? -1 : 0));
    const u = utxos[0];
    if (u === undefined)
      throw new ClaimChainError("NO_FUNDS", "no mature output pays the claim chain's key", {
        value: bytesToHex(this.chainScript),
      });
    return { txid: u.outpoint.txid, vout: u.outpoint.vout, value: u.value.toString() };
  }

  async #get<T>(key: string): Promise<T | undefined> {
    const s = await this.db.get(key);
    return s === undefined ? undefined : (JSON.parse(s) as T);
  }
}

/** A claim as L1 holds it. */
export interface ChainClaim extends ClaimCommitment {
  readonly index: number;
  readonly txid: Txid;
  /** The claim it spends (the funding output's transaction for the first). */
  readonly prevTxid: Txid;
  readonly height: number;
  readonly confirmations: number;
}

export interface ClaimChainOptions {
  /** The poster's chain output script (`ClaimPoster.chainScript`). */
  readonly chainScript: Uint8Array;
  /** First L1 height to read (default 0). */
  readonly fromHeight?: number;
}

/**
 * Reads the claim chain from L1 blocks, remembering what it read: later calls read only new
 * blocks, and start over when the block it stopped at is no longer on the best chain (a reorg).
 */
export class ClaimChainReader {
  #claims: Omit<ChainClaim, "confirmations">[] = [];
  #scanned: { height: number; hash: string } | undefined;
  /** Outputs paying the chain script, seen in read blocks (the claims' inputs must spend one). */
  #owned = new Set<string>();

  constructor(
    private readonly backend: BitcoinBackend,
    private readonly opts: ClaimChainOptions,
  ) {}

  #queue: Promise<unknown> = Promise.resolve();

  /** The claims on the best chain, in order, with their confirmations now (one read at a time). */
  read(): Promise<ChainClaim[]> {
    const r = this.#queue.then(
      () => this.#read(),
      () => this.#read(),
    );
    this.#queue = r.catch(() => undefined);
    return r;
  }

  async #read(): Promise<ChainClaim[]> {
    const b = this.backend;
    const tip = await b.getBlockCount();
    if (
      this.#scanned !== undefined &&
      (this.#scanned.height > tip || (await b.getBlockHash(this.#scanned.height)) !== this.#scanned.hash)
    ) {
      this.#claims = [];
      this.#scanned = undefined;
      this.#owned.clear();
    }
    for (
      let h = this.#scanned === undefined ? (this.opts.fromHeight ?? 0) : this.#scanned.height + 1;
      h <= tip;
      h++
    ) {
      const hash = await b.getBlockHash(h);
      const block = await b.getBlock(hash);
      // A block is read whole or not at all: a refused claim leaves the reader where it was.
      const kept = this.#claims.length;
      try {
        await this.#readBlock(block.txs, h);
      } catch (e) {
        this.#claims.length = kept;
        throw e;
      }
      this.#scanned = { height: h, hash };
    }
    return this.#claims.map((c) => ({ ...c, confirmations: tip - c.height + 1 }));
  }

  async #readBlock(txs: readonly Transaction[], h: number): Promise<void> {
    const script = this.opts.chainScript;
    for (const tx of txs) {
      const id = tx.txid();
      const o0 = tx.outputs[0];
      const o1 = tx.outputs[1];
      if (
        o0 !== undefined &&
        o1 !== undefined &&
        equalBytes(o0.scriptPubKey, script) &&
        tagged(o1.scriptPubKey)
      ) {
        const prev = tx.inputs[0]!.prevout;
        if (await this.#spendsOwned(prev.txid, prev.vout)) {
          const c = decodeCommitment(o1.scriptPubKey);
          const last = this.#claims.at(-1);
          if (last !== undefined && (prev.txid !== last.txid || prev.vout !== 0))
            throw new ClaimChainError("BAD_COMMITMENT", "a claim does not spend the previous claim", {
              value: id,
              details: { previous: last.txid },
            });
          if (last !== undefined && c.l2BlockNumber <= last.l2BlockNumber)
            throw new ClaimChainError("NOT_MONOTONIC", "a claim does not move the L2 forward", {
              value: id,
              details: { l2BlockNumber: c.l2BlockNumber, previous: last.l2BlockNumber },
            });
          this.#claims.push({ ...c, index: this.#claims.length, txid: id, prevTxid: prev.txid, height: h });
        }
      }
      tx.outputs.forEach((o, i) => {
        if (equalBytes(o.scriptPubKey, script)) this.#owned.add(`${id}:${i}`);
      });
    }
  }

  /** Only the key's holder can spend an output paying the chain script. */
  async #spendsOwned(txid: Txid, vout: number): Promise<boolean> {
    if (this.#owned.has(`${txid}:${vout}`)) return true;
    const prev = await this.backend.getTransaction(toTxid(txid));
    const o = prev?.outputs[vout];
    return o !== undefined && equalBytes(o.scriptPubKey, this.opts.chainScript);
  }
}

/** The committed claims on L1's best chain (one read). */
export function readClaimChain(backend: BitcoinBackend, opts: ClaimChainOptions): Promise<ChainClaim[]> {
  return new ClaimChainReader(backend, opts).read();
}

/**
 * Confirmations after which a claim is `finalized` (docs/l2.md): past the longest window in which
 * a wrong claim can still be contradicted on L1, the bridge's `assertTimelock + disproveTimelock`
 * (ts/bridge/params.ts: devnet 5 + 3 blocks, mainnet 2 + 2 days of 144 blocks).
 */
export const FINALIZED_CONFIRMATIONS = { devnet: 8, mainnet: 576 } as const;

/**
 * The L2's `safe` and `finalized` from the claim chain: `safe` is the L2 block of the newest claim
 * with at least one confirmation, `finalized` of the newest with `finalizedConfirmations`; 0 (the
 * genesis) before any.
 */
export function claimFinality(
  reader: ClaimChainReader,
  finalizedConfirmations: number,
): () => Promise<{ safe: number; finalized: number }> {
  return async () => {
    const claims = await reader.read();
    let safe = 0;
    let finalized = 0;
    for (const c of claims) {
      if (c.confirmations >= 1) safe = Math.max(safe, c.l2BlockNumber);
      if (c.confirmations >= finalizedConfirmations) finalized = Math.max(finalized, c.l2BlockNumber);
    }
    return { safe, finalized };
  };
}
