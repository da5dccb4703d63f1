/**
 * The devnet committee as a service: it holds the members' (public, test-only) secrets and
 * presigns a deposit's peg-out graph when the depositor asks, over JSON-RPC on 127.0.0.1 —
 * `committee_presign({ input, depositRaw })`. Each member rebuilds the graph from the input and
 * checks the deposit before signing (presignGraph), so a deposit to the wrong script is refused.
 */
import { writeFileSync, renameSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { JSONRPCServer, createJSONRPCErrorResponse } from "json-rpc-2.0";

import { bytesToHex, hexToBytes } from "../bitcoin/index.js";
import { BridgeError, presignGraph, type GraphInput, type Presignatures } from "../bridge/index.js";
import { devnetCommittee } from "./bridge.js";
import type { DevnetService, ServiceInfo } from "./index.js";
import {
  graphInputFromJson,
  graphInputToJson,
  presignaturesFromJson,
  presignaturesToJson,
  type GraphInputJson,
  type PresignaturesJson,
} from "./pegins.js";

/** Default port of the devnet committee's JSON-RPC. */
export const DEFAULT_COMMITTEE_PORT = 18600;

export type Presigner = (input: GraphInput, depositRaw: Uint8Array) => Promise<Presignatures>;

/** Presigning in process with the devnet committee (tests, benchmarks). */
export const localPresigner: Presigner = async (input, depositRaw) =>
  presignGraph(input, depositRaw, devnetCommittee().members());

/** Asks the committee service at `url`. */
export function remotePresigner(url: string): Presigner {
  return async (input, depositRaw) => {
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
    const answer = (await res.json()) as { result?: PresignaturesJson; error?: { message: string } };
    if (answer.result === undefined)
      throw new Error(`committee refused: ${answer.error?.message ?? res.status}`);
    return presignaturesFromJson(answer.result);
  };
}

export function committeeService(opts: { port: number }): DevnetService & { url(): string } {
  let server: Server | undefined;
  let url: string | undefined;
  const rpc = new JSONRPCServer({ errorListener: () => undefined });
  rpc.addMethod("committee_presign", (params: unknown) => {
    const [req] = (Array.isArray(params) ? params : []) as [{ input?: GraphInputJson; depositRaw?: string }?];
    if (
      req?.input === undefined ||
      typeof req.depositRaw !== "string" ||
      !/^([0-9a-f]{2})+$/i.test(req.depositRaw)
    )
      throw new BridgeError("INVALID_ARGUMENT", "committee_presign takes [{ input, depositRaw }]");
    const { committee, members } = devnetCommittee();
    const input = graphInputFromJson(req.input);
    if (bytesToHex(input.committee.aggregateKey) !== bytesToHex(committee.aggregateKey))
      throw new BridgeError("INVALID_COMMITTEE", "the graph names another committee");
    return presignaturesToJson(presignGraph(input, hexToBytes(req.depositRaw), members()));
  });
  rpc.mapErrorToJSONRPCErrorResponse = (id, e: unknown) =>
    createJSONRPCErrorResponse(id, -32000, e instanceof Error ? e.message : String(e));
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
      if (url === undefined) throw new Error("committee service not started");
      return url;
    },
    async start(root: string): Promise<ServiceInfo> {
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
      const { committee } = devnetCommittee();
      return {
        name: "Committee (devnet, 3 members, public test keys)",
        lines: [`RPC:      ${url}   committee_presign`, `agg key:  ${bytesToHex(committee.aggregateKey)}`],
      };
    },
    async stop(): Promise<void> {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server = undefined;
    },
  };
}
