/**
 * The L2's Ethereum JSON-RPC server (HTTP, 127.0.0.1). Writes go through the sequencer; reads
 * are answered by the executor, except where the sequencer knows better (pending nonces and
 * pending transactions) and the node's identity. JSON-RPC framing, batches and dispatch are
 * json-rpc-2.0's; errors carry geth's codes and messages.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { Transaction } from "ethers";
import { JSONRPCServer, createJSONRPCErrorResponse, type JSONRPCRequest } from "json-rpc-2.0";

import { L2Error, RPC_INVALID_PARAMS } from "./errors.js";
import { nextBaseFee, type Sequencer } from "./sequencer.js";
import type { PoolTx } from "./txpool.js";
import type { Address, Hash32 } from "./types.js";

/** Read methods answered by the executor as they are. */
const PASSTHROUGH = [
  "eth_call",
  "eth_estimateGas",
  "eth_getBalance",
  "eth_getCode",
  "eth_getStorageAt",
  "eth_getTransactionReceipt",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getBlockTransactionCountByHash",
  "eth_getBlockTransactionCountByNumber",
  "eth_getTransactionByBlockHashAndIndex",
  "eth_getTransactionByBlockNumberAndIndex",
  "eth_getLogs",
  "eth_blockNumber",
  "eth_feeHistory",
  "eth_newFilter",
  "eth_newBlockFilter",
  "eth_getFilterChanges",
  "eth_getFilterLogs",
  "eth_uninstallFilter",
] as const;

/** Largest request body accepted, in bytes. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface RpcServerOptions {
  readonly host?: string;
  readonly port: number;
  /** Priority fee suggested by eth_maxPriorityFeePerGas, in wei. */
  readonly suggestedTip: bigint;
  readonly clientVersion?: string;
}

const hex = (n: bigint | number) => `0x${n.toString(16)}`;

/** Builds the method table; exported for in-process use and tests. */
export function createRpc(
  sequencer: Sequencer,
  opts: Pick<RpcServerOptions, "suggestedTip" | "clientVersion">,
): JSONRPCServer {
  // Typed L2Errors are answers to bad input, not faults: only unexpected errors reach the log.
  const server = new JSONRPCServer({
    errorListener: (message, error) => {
      if (!(error instanceof L2Error)) console.warn(message, error);
    },
  });
  const executor = sequencer.executor;
  const params = (p: unknown): unknown[] => (Array.isArray(p) ? p : p === undefined ? [] : [p]);
  const chainId = async () => (await executor.request("eth_chainId", [])) as string;

  for (const method of PASSTHROUGH) server.addMethod(method, (p) => executor.request(method, params(p)));
  server.addMethod("eth_chainId", chainId);
  server.addMethod("net_version", async () => BigInt(await chainId()).toString());
  server.addMethod("web3_clientVersion", () => opts.clientVersion ?? `LVM/v0.1.0/${executor.kind}`);
  server.addMethod("net_listening", () => true);
  server.addMethod("eth_syncing", () => false);
  server.addMethod("eth_accounts", () => []);
  server.addMethod("eth_maxPriorityFeePerGas", () => hex(opts.suggestedTip));
  server.addMethod("eth_gasPrice", () => hex(nextBaseFee(sequencer.head) + opts.suggestedTip));
  server.addMethod("eth_sendRawTransaction", (p) => sequencer.submit(params(p)[0] as string));
  server.addMethod("eth_getTransactionCount", async (p) => {
    const [address, tag] = params(p) as [Address, string | undefined];
    if (tag === "pending") {
      if (typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address)) {
        throw new L2Error(
          "INVALID_PARAMS",
          "invalid argument 0: hex string has length != 40",
          address,
          RPC_INVALID_PARAMS,
        );
      }
      return hex(await sequencer.pendingNonce(address));
    }
    return executor.request("eth_getTransactionCount", params(p));
  });
  server.addMethod("eth_getTransactionByHash", async (p) => {
    const mined = await executor.request("eth_getTransactionByHash", params(p));
    if (mined !== null) return mined;
    const pooled = sequencer.pool.get(String(params(p)[0]).toLowerCase() as Hash32);
    return pooled === undefined ? null : pendingTxJson(pooled);
  });
  server.addMethod("lvm_getBatch", async (p) => {
    const index = Number(params(p)[0]);
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new L2Error(
        "INVALID_PARAMS",
        "invalid argument 0: batch index",
        params(p)[0],
        RPC_INVALID_PARAMS,
      );
    }
    return (await sequencer.batch(index)) ?? null;
  });

  server.mapErrorToJSONRPCErrorResponse = (id, error: unknown) => {
    if (error instanceof L2Error)
      return createJSONRPCErrorResponse(id, error.rpcCode, error.message, error.rpcData);
    return createJSONRPCErrorResponse(id, -32603, error instanceof Error ? error.message : String(error));
  };
  return server;
}

/** A pooled transaction in eth_getTransactionByHash's shape (not yet in a block). */
function pendingTxJson(p: PoolTx): Record<string, unknown> {
  // Rare enough to decode again with ethers, which the admission path does without.
  const tx = Transaction.from(p.raw);
  const sig = tx.signature;
  return {
    hash: p.hash,
    type: hex(tx.type ?? 0),
    chainId: hex(tx.chainId),
    nonce: hex(tx.nonce),
    from: p.from,
    to: tx.to,
    value: hex(tx.value),
    gas: hex(tx.gasLimit),
    input: tx.data,
    gasPrice: hex(tx.type === 2 ? p.maxFeePerGas : (tx.gasPrice ?? 0n)),
    ...(tx.type === 2
      ? { maxFeePerGas: hex(p.maxFeePerGas), maxPriorityFeePerGas: hex(p.maxPriorityFeePerGas) }
      : {}),
    ...(tx.type === 0 ? {} : { accessList: tx.accessList ?? [], yParity: hex(sig?.yParity ?? 0) }),
    v: hex(tx.type === 0 ? (sig?.networkV ?? BigInt(sig?.v ?? 0)) : (sig?.yParity ?? 0)),
    r: sig?.r,
    s: sig?.s,
    blockHash: null,
    blockNumber: null,
    transactionIndex: null,
  };
}

/** A running JSON-RPC HTTP server. */
export interface RpcHandle {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `sequencer` over HTTP on 127.0.0.1:`port` (0: any free port). */
export async function serveRpc(sequencer: Sequencer, opts: RpcServerOptions): Promise<RpcHandle> {
  const rpc = createRpc(sequencer, opts);
  const http: Server = createServer((req, res) => void handle(rpc, req, res));
  // Long-lived keep-alive connections from clients must not hold close() forever.
  http.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

async function handle(rpc: JSONRPCServer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.method !== "POST") {
    reply(405, createJSONRPCErrorResponse(null, -32600, "method not allowed: use POST"));
    return;
  }
  // Stream events rather than an async iterator: this runs once per request on the hot path.
  const text = await new Promise<string | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reply(
          413,
          createJSONRPCErrorResponse(null, -32600, `request body larger than ${MAX_BODY_BYTES} bytes`),
        );
        req.destroy();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  }).catch(() => undefined);
  if (text === undefined) return;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    reply(200, createJSONRPCErrorResponse(null, -32700, "parse error"));
    return;
  }
  if (Array.isArray(body) && body.length === 0) {
    reply(200, createJSONRPCErrorResponse(null, -32600, "empty batch"));
    return;
  }
  const answer = await rpc.receive(body as JSONRPCRequest | JSONRPCRequest[]);
  if (answer === null || (Array.isArray(answer) && answer.length === 0)) {
    res.writeHead(204).end();
    return;
  }
  reply(200, answer);
}
