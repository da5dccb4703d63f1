/**
 * The presignature exchange between a user and the federation over JSON-RPC (127.0.0.1):
 *
 *   user → federation  dlc_presign [{ channelId, signatures }]  → the federation's signatures
 *   user → federation  dlc_presigned [channelId]               → the federation's signatures, or null
 *
 * `signatures` are a party's `ChannelSignatures` (one adaptor signature per CET entry, the
 * refund signature, the CETs' stake-input signatures) as hex. The federation checks every one
 * against the channel it agreed to (`PresignDesk.offer`): a malformed one answers -32602
 * `BAD_PARAMS`, one that does not verify -32000 with `BAD_ADAPTOR_SIGNATURE` (details name the
 * CET) or `BAD_SIGNATURE` (the refund or a stake input), and nothing is stored. A valid set is
 * written to disk with the federation's own signatures before they are answered, so a repeated
 * call (after a lost answer or a restart) returns the same signatures.
 *
 * The client is json-rpc-2.0's `JSONRPCClient` over fetch; a refusal comes back as the same
 * `DlcError` code.
 */
import { existsSync } from "node:fs";
import path from "node:path";

import { sha256 } from "@noble/hashes/sha2.js";
import { JSONRPCClient, JSONRPCErrorException } from "json-rpc-2.0";

import { isLvmError } from "../core/index.js";
import { serveJsonRpc, type ErrorObject, type JsonRpcMethod } from "../jsonrpc/index.js";
import type { AdaptorSignature } from "./adaptor.js";
import type { ChannelSignatures, DlcChannel } from "./channel.js";
import { DLC_ERROR_CODES, DlcError, type DlcErrorCode } from "./errors.js";
import { hex, readJson, unhex, writeAtomic } from "./persist.js";

/** A party's signatures as JSON: adaptor signatures as R (33 bytes) ‖ s′ (32 bytes). */
export interface ChannelSignaturesJson {
  cets: string[];
  refund: string;
  stakeInputs: string[][];
}

export const signaturesToJson = (s: ChannelSignatures): ChannelSignaturesJson => ({
  cets: s.cets.map((a) => hex(a.R) + hex(a.s)),
  refund: hex(s.refund),
  stakeInputs: s.stakeInputs.map((tx) => tx.map(hex)),
});

function bytesOf(v: unknown, n: number, what: string): Uint8Array {
  if (typeof v !== "string" || v.length !== 2 * n || !/^[0-9a-fA-F]*$/.test(v))
    throw new DlcError("BAD_PARAMS", `${what} must be ${n} bytes of hex`, { value: v, details: { what } });
  return unhex(v);
}

/** Decodes a party's signatures; `BAD_PARAMS` (details name the item) for anything malformed. */
export function signaturesFromJson(j: unknown): ChannelSignatures {
  if (typeof j !== "object" || j === null)
    throw new DlcError("BAD_PARAMS", "signatures must be { cets, refund, stakeInputs }", { value: j });
  const o = j as Record<string, unknown>;
  if (!Array.isArray(o.cets)) throw new DlcError("BAD_PARAMS", "cets must be an array");
  const stakes = o.stakeInputs ?? [];
  if (!Array.isArray(stakes) || !stakes.every((x) => Array.isArray(x)))
    throw new DlcError("BAD_PARAMS", "stakeInputs must be an array of arrays");
  const cets: AdaptorSignature[] = o.cets.map((c: unknown, i) => {
    const b = bytesOf(c, 65, `adaptor signature of CET ${i}`);
    return { R: b.slice(0, 33), s: b.slice(33) };
  });
  return {
    cets,
    refund: bytesOf(o.refund, 64, "refund signature"),
    stakeInputs: (stakes as unknown[][]).map((tx, t) =>
      tx.map((s, k) => bytesOf(s, 64, `signature of CET ${t}'s stake input ${k + 1}`)),
    ),
  };
}

/** What identifies the presigned transactions: every CET's and the refund's txid, every adaptor point. */
export function channelFingerprint(channel: DlcChannel): string {
  const parts: Uint8Array[] = [unhex(channel.refund.txid)];
  for (const tx of channel.txs) parts.push(unhex(tx.txid));
  for (const e of channel.entries) parts.push(e.point.toBytes(true));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return hex(sha256(all));
}

interface PresignRecord {
  fingerprint: string;
  user: ChannelSignaturesJson;
  federation: ChannelSignaturesJson;
}

const CHANNEL_ID = /^0x[0-9a-fA-F]{64}$/;

function checkId(id: unknown): string {
  if (typeof id !== "string" || !CHANNEL_ID.test(id))
    throw new DlcError("BAD_PARAMS", "a channel id is 0x + 64 hex digits", { value: id });
  return id.toLowerCase();
}

/**
 * The federation's side: the channels it agreed to presign, and the signatures exchanged, on disk
 * under `dir` (`<channel id>.presign.json`, replaced atomically).
 */
export class PresignDesk {
  readonly #channels = new Map<string, DlcChannel>();

  constructor(
    readonly opts: {
      readonly dir: string;
      readonly federationSecret: Uint8Array;
    },
  ) {}

  #file(id: string): string {
    return path.join(this.opts.dir, `${id}.presign.json`);
  }

  #record(id: string): PresignRecord | undefined {
    const f = this.#file(id);
    return existsSync(f) ? readJson<PresignRecord>(f) : undefined;
  }

  /**
   * The federation agrees to presign `channel` under `channelId`. After a restart the same channel
   * is offered again; a different channel under a presigned id is refused (`BAD_PARAMS`).
   */
  offer(channelId: string, channel: DlcChannel): void {
    const id = checkId(channelId);
    const rec = this.#record(id);
    if (rec !== undefined && rec.fingerprint !== channelFingerprint(channel))
      throw new DlcError("BAD_PARAMS", "another channel was presigned under this id", { value: channelId });
    this.#channels.set(id, channel);
  }

  #channel(id: string): DlcChannel {
    const c = this.#channels.get(id);
    if (c === undefined)
      throw new DlcError("UNKNOWN_CHANNEL", "no channel offered under this id", { value: id });
    return c;
  }

  /**
   * Checks the user's signatures; on success stores them with the federation's own (made once)
   * and returns the federation's. A refusal stores nothing.
   */
  exchange(channelId: string, fromUser: ChannelSignatures): ChannelSignatures {
    const id = checkId(channelId);
    const channel = this.#channel(id);
    channel.verify(fromUser, "user");
    const rec = this.#record(id);
    if (rec !== undefined) return signaturesFromJson(rec.federation);
    const mine = channel.sign(this.opts.federationSecret);
    writeAtomic(this.#file(id), {
      fingerprint: channelFingerprint(channel),
      user: signaturesToJson(fromUser),
      federation: signaturesToJson(mine),
    } satisfies PresignRecord);
    return mine;
  }

  /** The user's signatures once exchanged (what the federation settles with). */
  userSignatures(channelId: string): ChannelSignatures | undefined {
    const rec = this.#record(checkId(channelId));
    return rec === undefined ? undefined : signaturesFromJson(rec.user);
  }

  federationSignatures(channelId: string): ChannelSignatures | undefined {
    const rec = this.#record(checkId(channelId));
    return rec === undefined ? undefined : signaturesFromJson(rec.federation);
  }

  /** The JSON-RPC methods (for a server of their own or beside the oracle's). */
  methods(): Record<string, JsonRpcMethod> {
    return {
      dlc_presign: (p) => {
        const [req] = p as [{ channelId?: unknown; signatures?: unknown }?];
        if (typeof req !== "object" || req === null)
          throw new DlcError("BAD_PARAMS", "dlc_presign takes [{ channelId, signatures }]");
        const id = checkId(req.channelId);
        return signaturesToJson(this.exchange(id, signaturesFromJson(req.signatures)));
      },
      dlc_presigned: (p) => {
        const s = this.federationSignatures(checkId(p[0]));
        return s === undefined ? null : signaturesToJson(s);
      },
    };
  }
}

/** A DlcError as a JSON-RPC error: -32602 for malformed parameters, -32000 for a refusal; code and details in data. */
export function dlcErrorObject(e: unknown): ErrorObject | undefined {
  if (!isLvmError(e)) return undefined;
  const j = e.toJSON();
  return {
    code: e.code === "BAD_PARAMS" ? -32602 : -32000,
    message: e.message,
    data: { code: e.code, ...(j.details === undefined ? {} : { details: j.details }) },
  };
}

export interface PresignRpc {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves a desk's methods on ts/jsonrpc's server, 127.0.0.1 only. */
export async function servePresignRpc(desk: PresignDesk, opts: { port: number }): Promise<PresignRpc> {
  const server = await serveJsonRpc({
    port: opts.port,
    methods: desk.methods(),
    mapError: dlcErrorObject,
    cors: false,
  });
  return { url: server.url, close: () => server.close() };
}

const DLC_CODES: ReadonlySet<string> = new Set(DLC_ERROR_CODES);

/** The user's side: sends its signatures, receives and checks the federation's. */
export class PresignClient {
  readonly #client: JSONRPCClient;

  constructor(readonly url: string) {
    const client: JSONRPCClient = new JSONRPCClient(async (request: unknown) => {
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(request),
      });
      if (r.status !== 200) throw new Error(`HTTP ${r.status} from ${url}`);
      client.receive((await r.json()) as Parameters<JSONRPCClient["receive"]>[0]);
    });
    this.#client = client;
  }

  async #call(method: string, params: unknown[]): Promise<unknown> {
    try {
      return (await this.#client.request(method, params)) as unknown;
    } catch (e) {
      if (e instanceof JSONRPCErrorException) {
        const data = e.data as { code?: unknown; details?: Record<string, unknown> } | undefined;
        const code = typeof data?.code === "string" && DLC_CODES.has(data.code) ? data.code : "BAD_PARAMS";
        throw new DlcError(code as DlcErrorCode, `${method}: ${e.message}`, {
          details: { rpcCode: e.code, ...(data?.details ?? {}) },
          cause: e,
        });
      }
      throw e;
    }
  }

  /**
   * Signs `channel` as the user, sends the signatures and verifies the federation's answer against
   * the same channel (`BAD_ADAPTOR_SIGNATURE`/`BAD_SIGNATURE` if the federation's do not verify).
   */
  async presign(
    channelId: string,
    channel: DlcChannel,
    userSecret: Uint8Array,
  ): Promise<{ mine: ChannelSignatures; theirs: ChannelSignatures }> {
    const mine = channel.sign(userSecret);
    return { mine, theirs: await this.exchange(channelId, channel, mine) };
  }

  /** Sends already-made signatures (a user that signed before) and returns the federation's, checked. */
  async exchange(
    channelId: string,
    channel: DlcChannel,
    mine: ChannelSignatures,
  ): Promise<ChannelSignatures> {
    const answer = await this.#call("dlc_presign", [{ channelId, signatures: signaturesToJson(mine) }]);
    const theirs = signaturesFromJson(answer);
    channel.verify(theirs, "federation");
    return theirs;
  }
}
