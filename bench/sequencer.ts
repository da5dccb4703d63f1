/**
 * sequencer: `npm run bench -- sequencer [N] [blockMs] [concurrency]`. N (default 10,000)
 * pre-signed ETH transfers from 200 genesis-funded accounts, sent `concurrency` at a time:
 *  (a) "ours": over HTTP, from a client thread with keep-alive sockets, to the L2 node's
 *      eth_sendRawTransaction (EDR executor, durable log synced before each answer), blocks on
 *      the node's default interval;
 *  (b) "edr": the same signed transactions to a bare EDR provider in process, automine off, mined
 *      by the sequencer's own rule (a block every interval, or at once when a block's worth of
 *      gas is waiting), so the difference is the sequencer, its log and the HTTP hop; and
 *  (c) "edr_http": (b) behind a bare pass-through HTTP server, sent from the same client thread.
 * Transfers/s run from the first send to the inclusion of the last transaction; latency is from a
 * transaction's send to the sealing of the block that holds it. Both runs start just after a block
 * so their interval timers are in phase.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { Worker } from "node:worker_threads";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Wallet, id, keccak256 } from "ethers";

import { createEdrProvider } from "../ts/l2/edr.js";
import { recoveryBackend } from "../ts/l2/recovery.js";
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

// The HTTP clients run on a worker thread, as the separate processes real clients are: on the
// node's own thread their work would be charged to the node. Plain CommonJS from a string, so it
// loads the same way under tsx. Times are absolute (timeOrigin + now) to compare across threads.
const CLIENT_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { url, raws, concurrency } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const sentAt = new Array(raws.length);
const post = (body) => new Promise((resolve, reject) => {
  const req = http.request(url, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
    const chunks = [];
    res.on("data", (c) => chunks.push(c));
    res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
    res.on("error", reject);
  });
  req.on("error", reject);
  req.end(body);
});
let next = 0;
const worker = async () => {
  while (next < raws.length) {
    const i = next++;
    sentAt[i] = performance.timeOrigin + performance.now();
    const answer = await post(JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_sendRawTransaction", params: [raws[i]] }));
    if (typeof answer.result !== "string") throw new Error("refused: " + JSON.stringify(answer.error));
  }
};
Promise.all(Array.from({ length: concurrency }, worker)).then(
  () => { agent.destroy(); parentPort.postMessage({ sentAt }); },
  (e) => { agent.destroy(); parentPort.postMessage({ error: String(e) }); },
);`;

/** Sends every transaction over HTTP from a client thread; resolves with each one's send time. */
function sendFromClientThread(
  url: string,
  txs: readonly Signed[],
  concurrency: number,
): Promise<Map<string, number>> {
  const worker = new Worker(CLIENT_SOURCE, {
    eval: true,
    workerData: { url, raws: txs.map((t) => t.raw), concurrency },
  });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (m: { sentAt?: number[]; error?: string }) => {
      void worker.terminate();
      if (m.error !== undefined || m.sentAt === undefined) reject(new Error(m.error ?? "no answer"));
      else resolve(new Map(txs.map((t, i) => [t.hash, m.sentAt![i]!])));
    });
  });
}

/** Now, on the same clock as the client thread's send times. */
const now = () => performance.timeOrigin + performance.now();

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
  try {
    const minedAt = new Map<string, number>();
    let blocks = 0;
    let onAll: () => void = () => undefined;
    const all = new Promise<void>((r) => (onAll = r));
    node.sequencer.on("block", (_block: unknown, included: readonly PoolTx[]) => {
      const at = now();
      if (included.length > 0) blocks++;
      for (const tx of included) minedAt.set(tx.hash, at);
      if (minedAt.size === txs.length) onAll();
    });
    await new Promise((r) => node.sequencer.once("block", r));
    const sentAt = await sendFromClientThread(node.url, txs, concurrency);
    await all;
    return summarise(txs, sentAt, minedAt, blocks);
  } finally {
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
  const minedAt = new Map<string, number>();
  let pendingGas = 0n;
  let blocks = 0;
  let mining: Promise<void> = Promise.resolve();
  // The sequencer's rule: serialised blocks, on the interval or as soon as a block's worth waits.
  const mine = () => {
    mining = mining.then(async () => {
      if (pendingGas === 0n) return;
      await call("evm_mine", []);
      const at = now();
      const block = (await call("eth_getBlockByNumber", ["latest", false])) as { transactions: string[] };
      if (block.transactions.length > 0) blocks++;
      pendingGas -= BigInt(block.transactions.length) * TRANSFER_GAS;
      for (const h of block.transactions) minedAt.set(h, at);
    });
    return mining;
  };
  const accepted = () => {
    pendingGas += TRANSFER_GAS;
    if (pendingGas >= spec.blockGasLimit) void mine();
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void provider.handleRequest(Buffer.concat(chunks).toString("utf8")).then((r) => {
        const body = typeof r.data === "string" ? r.data : JSON.stringify(r.data);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(body);
        if (!body.includes('"error"')) accepted();
      });
    });
  });
  const timer = setInterval(() => void mine(), blockMs);
  try {
    let sentAt: Map<string, number>;
    if (overHttp) {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      sentAt = await sendFromClientThread(url, txs, concurrency);
    } else {
      sentAt = new Map();
      await pool(txs, concurrency, async (tx) => {
        sentAt.set(tx.hash, now());
        const hash = await call("eth_sendRawTransaction", [tx.raw]);
        if (hash !== tx.hash) throw new Error(`edr answered ${String(hash)} for ${tx.hash}`);
        accepted();
      });
    }
    while (minedAt.size < txs.length) await new Promise((r) => setTimeout(r, 5));
    return summarise(txs, sentAt, minedAt, blocks);
  } finally {
    clearInterval(timer);
    await mining;
    if (overHttp) await new Promise<void>((r) => server.close(() => r()));
  }
}

export default async function (args: string[]): Promise<Record<string, unknown>> {
  // Long enough that the figure is a sustained rate: with 1 s blocks, a 2,000-transfer run is
  // over in one or two blocks and its rate mostly says on which side of a tick the last one fell.
  const n = Number(args[0] ?? 10_000);
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
    sender_recovery: recoveryBackend,
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
