/**
 * The oracle service's JSON-RPC on 127.0.0.1, for the devnet wiring and the users' tools:
 *   dlc_announcement [channelId]            → the dlcspecs announcement (TLV hex)
 *   dlc_attestation  [channelId]            → the attestation (TLV hex), or null before it exists
 *   dlc_registerStake [{ channelId, terms, stakeUtxo, userSignSigs }] → null (OP-DLC stake + presignatures)
 *   dlc_oracleSign   [channelId]            → the broadcast sign transaction's txid, or null
 * Bad input answers an error (-32602 for malformed parameters, -32000 for refusals) with the
 * DlcError code in `data`; the service keeps running and nothing is stored.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { JSONRPCErrorException, JSONRPCServer, createJSONRPCErrorResponse } from "json-rpc-2.0";
import { isLvmError } from "../core/index.js";
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

export async function serveOracleRpc(svc: OracleService, opts: { port: number }): Promise<OracleRpc> {
  const rpc = new JSONRPCServer({ errorListener: () => undefined });
  rpc.addMethod("dlc_announcement", (p: unknown) =>
    hex(encodeAnnouncement(svc.announcement(channelIdOf(p)))),
  );
  rpc.addMethod("dlc_attestation", (p: unknown) => {
    const a = svc.attestation(channelIdOf(p));
    return a === undefined ? null : hex(encodeAttestation(a));
  });
  rpc.addMethod("dlc_oracleSign", (p: unknown) => svc.oracleSignTxid(channelIdOf(p)) ?? null);
  rpc.addMethod("dlc_registerStake", async (p: unknown) => {
    const [req] = (Array.isArray(p) ? p : []) as [
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
        {
          cause,
        },
      );
    }
    await svc.registerStake(channelId, staked, sigs);
    return null;
  });
  rpc.mapErrorToJSONRPCErrorResponse = (id, e: unknown) => {
    if (e instanceof JSONRPCErrorException) return createJSONRPCErrorResponse(id, e.code, e.message, e.data);
    const code = isLvmError(e) ? e.code : "INTERNAL";
    const rpcCode = code === "BAD_PARAMS" ? -32602 : -32000;
    return createJSONRPCErrorResponse(id, rpcCode, e instanceof Error ? e.message : String(e), { code });
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }),
        );
        return;
      }
      void rpc.receive(body as Parameters<typeof rpc.receive>[0]).then((answer) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answer));
      });
    });
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
