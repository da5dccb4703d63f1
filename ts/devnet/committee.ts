/**
 * The devnet committee as a service: the committee role (`ts/committee`, its presigned graphs in
 * `<root>/bridge/committee`) behind JSON-RPC on 127.0.0.1 —
 * `committee_presign({ input, depositRaw })` and `committee_graphs()` — plus the devnet's
 * `bridge_status()` (the operator's view, for `bridge:status`).
 */
import { renameSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { JSONRPCServer, createJSONRPCErrorResponse } from "json-rpc-2.0";

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
  let server: Server | undefined;
  let url: string | undefined;
  let service: CommitteeService | undefined;
  const rpc = new JSONRPCServer({ errorListener: () => undefined });
  rpc.addMethod("committee_presign", async (params: unknown) => {
    const [req] = (Array.isArray(params) ? params : []) as [{ input?: GraphInputJson; depositRaw?: string }?];
    if (
      req?.input === undefined ||
      typeof req.depositRaw !== "string" ||
      !/^([0-9a-f]{2})+$/i.test(req.depositRaw)
    )
      throw new BridgeError("INVALID_ARGUMENT", "committee_presign takes [{ input, depositRaw }]");
    const presigned = await service!.presign(graphInputFromJson(req.input), hexToBytes(req.depositRaw));
    return presignaturesToJson(presigned);
  });
  // Values carry bigints and bytes: tagged JSON (see ts/bridge/store.ts), as one string.
  rpc.addMethod("committee_graphs", async () => encodeRecord(await service!.graphs()));
  rpc.addMethod("bridge_status", async () =>
    encodeRecord(opts.status === undefined ? {} : await opts.status()),
  );
  rpc.mapErrorToJSONRPCErrorResponse = (id, e: unknown) =>
    createJSONRPCErrorResponse(
      id,
      -32000,
      e instanceof Error ? e.message : String(e),
      isLvmError(e) ? { code: e.code } : undefined,
    );
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
      server = createServer(handle);
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(opts.port, "127.0.0.1", resolve);
      });
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
      await service?.close();
      service = undefined;
    },
  };
}
