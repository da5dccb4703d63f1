/**
 * The devnet committee as a service: the committee role (`ts/committee`, its presigned graphs in
 * `<root>/bridge/committee`) behind JSON-RPC on 127.0.0.1 —
 * `committee_presign({ input, depositRaw })` and `committee_graphs()` — plus the devnet's
 * `bridge_status()` (the operator's view, for `bridge:status`).
 */
import { renameSync, writeFileSync } from "node:fs";
import path from "node:path";

import { bytesToHex, hexToBytes } from "../bitcoin/index.js";
import {
  BridgeError,
  decodeRecord,
  encodeRecord,
  graphInputFromJson,
  graphInputToJson,
  presignaturesFromJson,
  presignaturesToJson,
  type GraphInputJson,
  type PresignaturesJson,
} from "../bridge/index.js";
import { CommitteeService, type GraphRecord } from "../committee/index.js";
import type { Presigner } from "../depositor/index.js";
import { isLvmError } from "../core/index.js";
import {
  serveJsonRpc,
  type ErrorObject,
  type JsonRpcHttpServer,
  type JsonRpcMethod,
} from "../jsonrpc/index.js";
import { devnetCommittee } from "./bridge.js";
import type { DevnetService, ServiceInfo } from "./index.js";

/** Default port of the devnet committee's JSON-RPC. */
export const DEFAULT_COMMITTEE_PORT = 18600;

/** Asks the committee service at `url`; a refusal is a BridgeError with the service's code. */
export function remotePresigner(url: string): Presigner {
  return async (input, depositRaw) => {
    let answer: { result?: PresignaturesJson; error?: { message: string; data?: { code?: string } } };
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "committee_presign",
          params: [{ input: graphInputToJson(input), depositRaw: bytesToHex(depositRaw) }],
        }),
      });
      answer = (await res.json()) as typeof answer;
    } catch (e) {
      throw new BridgeError("RPC_FAILED", `committee at ${url} unreachable`, url, { cause: e });
    }
    if (answer.result === undefined)
      throw new BridgeError(
        answer.error?.data?.code === "INVALID_COMMITTEE" ? "INVALID_COMMITTEE" : "RPC_FAILED",
        `committee refused: ${answer.error?.message ?? "no answer"}`,
        answer.error,
      );
    return presignaturesFromJson(answer.result);
  };
}

/** JSON-RPC call to a devnet bridge service (`bridge_status`, `committee_graphs`). */
export async function bridgeRpc<T>(url: string, method: string): Promise<T> {
  let answer: { result?: string; error?: { message: string } };
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: [] }),
    });
    answer = (await res.json()) as typeof answer;
  } catch (e) {
    throw new BridgeError("RPC_FAILED", `devnet bridge service at ${url} unreachable`, url, { cause: e });
  }
  if (answer.result === undefined)
    throw new BridgeError("RPC_FAILED", `${method}: ${answer.error?.message ?? "no answer"}`, answer.error);
  return decodeRecord<T>(answer.result);
}

export interface CommitteeServiceOptions {
  readonly port: number;
  /** The devnet's bridge view (the operator's status), served as `bridge_status`. */
  readonly status?: () => Promise<unknown>;
}

export function committeeService(opts: CommitteeServiceOptions): DevnetService & {
  url(): string;
  graphs(): Promise<GraphRecord[]>;
  presign: Presigner;
} {
  let server: JsonRpcHttpServer | undefined;
  let url: string | undefined;
  let service: CommitteeService | undefined;
  const running = (): CommitteeService => {
    if (service === undefined) throw new BridgeError("RPC_FAILED", "committee service not started");
    return service;
  };
  // Served by ts/jsonrpc: geth's limits (body, batch, depth, response size), handler isolation.
  const methods: Record<string, JsonRpcMethod> = {
    committee_presign: async (params) => {
      const [req] = params as [{ input?: GraphInputJson; depositRaw?: string }?];
      if (
        typeof req !== "object" ||
        req === null ||
        req.input === undefined ||
        typeof req.depositRaw !== "string" ||
        !/^([0-9a-f]{2})+$/i.test(req.depositRaw)
      )
        throw new BridgeError("INVALID_ARGUMENT", "committee_presign takes [{ input, depositRaw }]");
      const presigned = await running().presign(graphInputFromJson(req.input), hexToBytes(req.depositRaw));
      return presignaturesToJson(presigned);
    },
    // Values carry bigints and bytes: tagged JSON (see ts/bridge/store.ts), as one string.
    committee_graphs: async () => encodeRecord(await running().graphs()),
    bridge_status: async () => encodeRecord(opts.status === undefined ? {} : await opts.status()),
  };
  // Our refusals keep their message and code; anything else is -32603 without its text.
  const mapError = (e: unknown): ErrorObject | undefined =>
    isLvmError(e) ? { code: -32000, message: e.message, data: { code: e.code } } : undefined;
  return {
    name: "committee",
    url(): string {
      if (url === undefined) throw new BridgeError("RPC_FAILED", "committee service not started");
      return url;
    },
    presign: async (input, raw) => {
      if (service === undefined) throw new BridgeError("RPC_FAILED", "committee service not started");
      return service.presign(input, raw);
    },
    async graphs(): Promise<GraphRecord[]> {
      if (service === undefined) throw new BridgeError("RPC_FAILED", "committee service not started");
      return service.graphs();
    },
    async start(root: string): Promise<ServiceInfo> {
      const { committee, members } = devnetCommittee();
      service = await CommitteeService.open(path.join(root, "bridge", "committee"), committee, members);
      server = await serveJsonRpc({ port: opts.port, methods, mapError, cors: false });
      url = server.url;
      // Where `bridge:deposit` finds the committee.
      const file = path.join(root, "committee.json");
      writeFileSync(`${file}.tmp`, JSON.stringify({ url }, null, 2));
      renameSync(`${file}.tmp`, file);
      return {
        name: "Committee (devnet, 3 members, public test keys)",
        lines: [
          `RPC:      ${url}   committee_presign, committee_graphs, bridge_status`,
          `agg key:  ${bytesToHex(committee.aggregateKey)}`,
          `graphs:   ${(await service.graphs()).length} presigned (${path.join(root, "bridge", "committee")})`,
        ],
      };
    },
    async stop(): Promise<void> {
      await server?.close();
      server = undefined;
      await service?.close();
      service = undefined;
    },
  };
}
