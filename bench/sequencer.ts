/**
 * sequencer: `npm run bench -- sequencer [N] [blockMs] [concurrency]`. N pre-signed ETH transfers
 * from 200 genesis-funded accounts, sent `concurrency` at a time:
 *  (a) "ours": over HTTP to the L2 node's eth_sendRawTransaction (EDR executor, durable log
 *      synced before each answer), blocks on the node's default interval;
 *  (b) "edr": the same signed transactions to a bare EDR provider in process, automine off, mined
 *      by the sequencer's own rule (a block every interval, or at once when a block's worth of
 *      gas is waiting), so the difference is the sequencer, its log and the HTTP hop.
 * Transfers/s run from the first send to the inclusion of the last transaction; latency is from a
 * transaction's send to the sealing of the block that holds it. Both runs start just after a block
 * so their interval timers are in phase.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Wallet, id, keccak256 } from "ethers";

import { createEdrProvider } from "../ts/l2/edr.js";
import {
  L2Node,
  LVM_DEVNET_CHAIN_ID,
  loadBridgeCode,
  lvmChainSpec,
  type Address,
  type ChainSpec,
  type PoolTx,
} from "../ts/l2/index.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SENDERS = 200;
const TRANSFER_GAS = 21_000n;
/** The node's default block interval (L2Node, cli.ts). */
const DEFAULT_BLOCK_MS = 1_000;

interface Signed {
  readonly hash: string;
  readonly raw: string;
}

interface RunResult {
  readonly transfersPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly blocks: number;
}

async function signAll(wallets: readonly Wallet[], n: number): Promise<Signed[]> {
  const out: Signed[] = [];
  // Round-robin over senders so consecutive sends rarely share a sender, as real traffic would.
  for (let i = 0; i < n; i++) {
    const w = wallets[i % wallets.length] as Wallet;
    const raw = await w.signTransaction({
      type: 2,
      chainId: LVM_DEVNET_CHAIN_ID,
      nonce: Math.floor(i / wallets.length),
      to: wallets[(i + 1) % wallets.length]?.address ?? null,
      value: 1_000n + BigInt(i),
      gasLimit: TRANSFER_GAS,
      maxFeePerGas: 10n ** 9n,
      maxPriorityFeePerGas: 1_000n,
    });
    // A typed transaction's hash is keccak256 of its signed bytes.
    out.push({ hash: keccak256(raw), raw });
  }
  return out;
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * A JSON-RPC POST with node:http: the client shares the process with the node here, and fetch's
 * per-request cost (web streams) would be charged to the node's throughput.
 */
function post(url: string, agent: Agent, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function summarise(
  txs: readonly Signed[],
  sentAt: Map<string, number>,
  minedAt: Map<string, number>,
  blocks: number,
): RunResult {
  const first = Math.min(...sentAt.values());
  const last = Math.max(...minedAt.values());
  const latencies = txs
    .map((t) => (minedAt.get(t.hash) ?? NaN) - (sentAt.get(t.hash) ?? NaN))
    .sort((a, b) => a - b);
  if (latencies.some(Number.isNaN)) throw new Error("a transaction was never included");
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    transfersPerS: Math.round((txs.length / (last - first)) * 1000),
    p50Ms: Math.round(pct(0.5)),
    p99Ms: Math.round(pct(0.99)),
    blocks,
  };
}

async function runOurs(
  spec: ChainSpec,
  txs: readonly Signed[],
  blockMs: number,
  concurrency: number,
): Promise<RunResult> {
  const datadir = await mkdtemp(path.join(os.tmpdir(), "lvm-bench-"));
  const node = await L2Node.start({ datadir, spec, port: 0, blockTimeMs: blockMs });
  // Keep-alive sockets, one per in-flight request, as a wallet backend or load balancer would hold.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const sentAt = new Map<string, number>();
    const minedAt = new Map<string, number>();
    let blocks = 0;
    let onAll: () => void = () => undefined;
    const all = new Promise<void>((r) => (onAll = r));
    node.sequencer.on("block", (_block: unknown, included: readonly PoolTx[]) => {
      const now = performance.now();
      if (included.length > 0) blocks++;
      for (const tx of included) minedAt.set(tx.hash, now);
      if (minedAt.size === txs.length) onAll();
    });
    await new Promise((r) => node.sequencer.once("block", r));
    await pool(txs, concurrency, async (tx) => {
      sentAt.set(tx.hash, performance.now());
      const answer = (await post(
        node.url,
        agent,
        JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [tx.raw] }),
      )) as { result?: string; error?: { message: string } };
      if (answer.result !== tx.hash) throw new Error(`ours refused ${tx.hash}: ${answer.error?.message}`);
    });
    await all;
    return summarise(txs, sentAt, minedAt, blocks);
  } finally {
    agent.destroy();
    await node.stop();
    await rm(datadir, { recursive: true, force: true });
  }
}

/**
 * (b) raw EDR, automine off, mined by the sequencer's rule; transactions reach it in process or,
 * with `overHttp`, through a bare pass-through JSON-RPC server on 127.0.0.1 and the same client
 * as ours: raw EDR plus only the HTTP hop our RPC also pays, so ours vs that isolates what
 * sequencing (validation, recovery, durable log) costs.
 */
async function runEdr(
  spec: ChainSpec,
  txs: readonly Signed[],
  blockMs: number,
  concurrency: number,
  overHttp: boolean,
): Promise<RunResult> {
  const provider = await createEdrProvider(spec, false);
  let rid = 0;
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    const res = await provider.handleRequest(JSON.stringify({ jsonrpc: "2.0", id: rid++, method, params }));
    const data: unknown = typeof res.data === "string" ? JSON.parse(res.data) : res.data;
    const answer = data as { result?: unknown; error?: { message: string } };
    if (answer.error !== undefined) throw new Error(`edr ${method}: ${answer.error.message}`);
    return answer.result;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void provider.handleRequest(Buffer.concat(chunks).toString("utf8")).then((r) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(typeof r.data === "string" ? r.data : JSON.stringify(r.data));
      });
    });
  });
  if (overHttp) await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = overHttp ? `http://127.0.0.1:${(server.address() as AddressInfo).port}` : "";
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const send = async (raw: string): Promise<unknown> => {
    if (!overHttp) return call("eth_sendRawTransaction", [raw]);
    const answer = (await post(
      url,
      agent,
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [raw] }),
    )) as { result?: string; error?: { message: string } };
    return answer.result ?? answer.error?.message;
  };
  const sentAt = new Map<string, number>();
  const minedAt = new Map<string, number>();
  let pendingGas = 0n;
  let blocks = 0;
  let mining: Promise<void> = Promise.resolve();
  // The sequencer's rule: serialised blocks, on the interval or as soon as a block's worth waits.
  const mine = () => {
    mining = mining.then(async () => {
      if (pendingGas === 0n) return;
      await call("evm_mine", []);
      const now = performance.now();
      const block = (await call("eth_getBlockByNumber", ["latest", false])) as { transactions: string[] };
      if (block.transactions.length > 0) blocks++;
      pendingGas -= BigInt(block.transactions.length) * TRANSFER_GAS;
      for (const h of block.transactions) minedAt.set(h, now);
    });
    return mining;
  };
  const timer = setInterval(() => void mine(), blockMs);
  try {
    await pool(txs, concurrency, async (tx) => {
      sentAt.set(tx.hash, performance.now());
      const hash = await send(tx.raw);
      if (hash !== tx.hash) throw new Error(`edr answered ${String(hash)} for ${tx.hash}`);
      pendingGas += TRANSFER_GAS;
      if (pendingGas >= spec.blockGasLimit) void mine();
    });
    while (minedAt.size < txs.length) await new Promise((r) => setTimeout(r, 5));
    return summarise(txs, sentAt, minedAt, blocks);
  } finally {
    clearInterval(timer);
    await mining;
    agent.destroy();
    if (overHttp) await new Promise<void>((r) => server.close(() => r()));
  }
}

export default async function (args: string[]): Promise<Record<string, unknown>> {
  const n = Number(args[0] ?? 2000);
  const blockMs = Number(args[1] ?? DEFAULT_BLOCK_MS);
  const concurrency = Number(args[2] ?? 64);
  const wallets = Array.from({ length: SENDERS }, (_, i) => new Wallet(id(`lvm-bench-sender-${i}`)));
  const spec = lvmChainSpec({
    bridgeCode: await loadBridgeCode(root),
    devAccounts: wallets.map((w) => w.address as Address),
  });
  const txs = await signAll(wallets, n);
  const edr = await runEdr(spec, txs, blockMs, concurrency, false);
  const edrHttp = await runEdr(spec, txs, blockMs, concurrency, true);
  const ours = await runOurs(spec, txs, blockMs, concurrency);
  return {
    transfers: n,
    senders: SENDERS,
    concurrency,
    block_interval_ms: blockMs,
    edr_mode: "automine off, mined on the interval or when a block's gas is waiting",
    ours_transfers_per_s: ours.transfersPerS,
    ours_p50_ms: ours.p50Ms,
    ours_p99_ms: ours.p99Ms,
    ours_blocks: ours.blocks,
    edr_transfers_per_s: edr.transfersPerS,
    edr_p50_ms: edr.p50Ms,
    edr_p99_ms: edr.p99Ms,
    edr_blocks: edr.blocks,
    ratio_pct: Math.round((ours.transfersPerS / edr.transfersPerS) * 1000) / 10,
    edr_http_transfers_per_s: edrHttp.transfersPerS,
    edr_http_p50_ms: edrHttp.p50Ms,
    edr_http_p99_ms: edrHttp.p99Ms,
    ratio_vs_edr_http_pct: Math.round((ours.transfersPerS / edrHttp.transfersPerS) * 1000) / 10,
  };
}
