/**
 * The oracle service's JSON-RPC on 127.0.0.1, for the devnet wiring and the users' tools:
 *   dlc_announcement [channelId]            → the dlcspecs announcement (TLV hex)
 *   dlc_attestation  [channelId]            → the attestation (TLV hex), or null before it exists
 *   dlc_registerStake [{ channelId, terms, stakeUtxo, userSignSigs }] → null (OP-DLC stake + presignatures)
 *   dlc_oracleSign   [channelId]            → the broadcast sign transaction's txid, or null
 * Bad input answers an error (-32602 for malformed parameters, -32000 for refusals) with the
 * DlcError code in `data`; the service keeps running and nothing is stored.
 */
import { isLvmError } from "../core/index.js";
import { serveJsonRpc, type ErrorObject, type JsonRpcMethod } from "../jsonrpc/index.js";
import { DlcError } from "./errors.js";
import { encodeAnnouncement, encodeAttestation } from "./oracle.js";
import {
  hex,
  stakeTermsFromJson,
  unhex,
  utxoFromJson,
  type StakeTermsJson,
  type UtxoJson,
} from "./persist.js";
import type { OracleService } from "./service.js";
import { StakedOracle } from "./stake.js";

export interface OracleRpc {
  readonly url: string;
  close(): Promise<void>;
}

function channelIdOf(params: unknown): string {
  const [id] = Array.isArray(params) ? (params as unknown[]) : [];
  if (typeof id !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(id))
    throw new DlcError("BAD_PARAMS", "the first parameter must be a channel id (0x + 64 hex digits)", {
      value: id,
    });
  return id;
}

/** Serves the oracle's methods on the hardened JSON-RPC server of ts/jsonrpc (127.0.0.1). */
export async function serveOracleRpc(svc: OracleService, opts: { port: number }): Promise<OracleRpc> {
  const methods: Record<string, JsonRpcMethod> = {
    dlc_announcement: (p) => hex(encodeAnnouncement(svc.announcement(channelIdOf(p)))),
    dlc_attestation: (p) => {
      const a = svc.attestation(channelIdOf(p));
      return a === undefined ? null : hex(encodeAttestation(a));
    },
    dlc_oracleSign: (p) => svc.oracleSignTxid(channelIdOf(p)) ?? null,
    dlc_registerStake: async (p) => {
      const [req] = p as [
        { channelId?: unknown; terms?: StakeTermsJson; stakeUtxo?: UtxoJson; userSignSigs?: unknown }?,
      ];
      const channelId = channelIdOf([req?.channelId]);
      let staked: StakedOracle;
      let sigs: Uint8Array[];
      try {
        staked = new StakedOracle(stakeTermsFromJson(req!.terms!), utxoFromJson(req!.stakeUtxo!));
        if (!Array.isArray(req!.userSignSigs)) throw new Error("userSignSigs must be an array");
        sigs = (req!.userSignSigs as unknown[]).map((s) => {
          if (typeof s !== "string" || !/^([0-9a-f]{2}){64}$/i.test(s))
            throw new Error("a signature is not 64 hex bytes");
          return unhex(s);
        });
      } catch (cause) {
        if (isLvmError(cause)) throw cause;
        throw new DlcError(
          "BAD_PARAMS",
          "dlc_registerStake takes [{ channelId, terms, stakeUtxo, userSignSigs }]",
          { cause },
        );
      }
      await svc.registerStake(channelId, staked, sigs);
      return null;
    },
  };
  // Our refusals keep their message and code (-32602 for malformed parameters, -32000 for a
  // refusal); anything else is the server's -32603 without its text.
  const mapError = (e: unknown): ErrorObject | undefined =>
    isLvmError(e)
      ? { code: e.code === "BAD_PARAMS" ? -32602 : -32000, message: e.message, data: { code: e.code } }
      : undefined;
  const server = await serveJsonRpc({ port: opts.port, methods, mapError, cors: false });
  return { url: server.url, close: () => server.close() };
}
