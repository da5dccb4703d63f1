/**
 * sequencer: `npm run bench -- sequencer [--transfers N] [--peers] [--block-ms MS] [--rounds R]
 * [--concurrency C] [--batch B]`. N (10,000) pre-signed ETH transfers from 200 genesis-funded
 * accounts go through four set-ups:
 *  (a) "ours": over HTTP, from a client thread with keep-alive connections, to the L2 node's
 *      eth_sendRawTransaction (EDR executor, durable log synced before each answer), blocks on
 *      the node's default interval;
 *  (b) "edr": the same signed transactions to a bare EDR provider in process, automine off, mined
 *      by the sequencer's own rule (a block every interval, or at once when a block's worth of
 *      gas is waiting), so the difference is the sequencer, its log and the HTTP hop;
 *  (c) "edr_http": (b) behind a bare pass-through HTTP server, sent from the same client thread;
 *  (d) "ours_in_process": (a) without the HTTP hop, straight into the sequencer's `submit`, so
 *      (b)→(d) is what sequencing costs and (b)→(c) what HTTP costs, each alone.
 *  (e) "anvil" and "hardhat_node": the same transactions over the same client to Foundry's anvil
 *      and `npx hardhat node`, what a dApp developer would otherwise run, as they run by default
 *      (their own process, automine); `ratio_vs_hardhat_node_pct` and `ratio_vs_anvil_pct`.
 *      With `--peers` only.
 * Two loads: one transaction per request, 64 requests in flight (the figures without a prefix),
 * and JSON-RPC batches of 16, 4 in flight (`batch16_`, without (d)), which is what ethers'
 * JsonRpcProvider sends when a client has many transactions out at once. `--concurrency` and
 * `--batch` run one load of that shape instead.
 * Each run is a fresh process (a set-up run after another inherited its heap, its JIT state and
 * the other's EDR threads, and ran up to 15 % slower for it), and the set-ups take turns over
 * R (3) rounds, each round in another order; figures are medians over the rounds, and ratios
 * are medians of each round's own ratio.
 * Transfers/s run from the first send to the inclusion of the last transaction; latency is from a
 * transaction's send to the sealing of the block that holds it. Runs start just after a block so
 * their interval timers are in phase, and once the last transaction is acknowledged every set-up
 * seals at once: waiting for the next tick would add up to one block interval of idling to the
 * run, by chance, and that is latency (which p50/p99 report), not throughput. CPU per transfer is
 * the run's process CPU time over its transfers (client thread included); on Linux it is also
 * split by thread: the main thread's, EDR's and the client's.
 */
import { execFile, spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { Worker } from "node:worker_threads";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

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
  /** CPU time per transfer, from the first send to the last inclusion. */
  readonly cpuMsPerTransfer: CpuTimes;
}

/** How the transactions are sent. */
interface Load {
  readonly blockMs: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
  /** Transactions per request: 1, or a JSON-RPC batch (as ethers' provider sends by default). */
  readonly batch: number;
}

type SetUp = "edr" | "edr_http" | "ours" | "ours_in_process" | "anvil" | "hardhat_node";
/** The nodes a dApp developer would otherwise run (issue 20), each its own process. */
const PEERS: readonly SetUp[] = ["anvil", "hardhat_node"];
const SET_UPS: readonly SetUp[] = ["edr", "edr_http", "ours", "ours_in_process", ...PEERS];
const HTTP_SET_UPS: readonly SetUp[] = ["edr", "edr_http", "ours", ...PEERS];

/** CPU time in ms, in all and, where Linux tells, by thread: main, EDR's, the HTTP client's. */
interface CpuTimes {
  readonly total: number;
  readonly main?: number;
  readonly edr?: number;
  readonly client?: number;
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
// node's thread their work would be charged to the node. They speak through undici (the client
// behind Node's fetch, and so viem's HTTP transport), keep-alive, one request per connection at a
// time: on two cores the load generator shares the CPU with what it measures, and undici costs
// about a third less per request than node:http (0.11 against 0.15–0.17 ms of its thread per
// transfer). Plain CommonJS from a string, so it loads the same way under tsx. Times are absolute
// (timeOrigin + now) to compare across threads.
const CLIENT_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { Pool } = require("undici");
const { url, raws, concurrency, batch } = workerData;
const threadCpuMs = () => {
  try {
    const stat = fs.readFileSync("/proc/thread-self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch { return undefined; }
};
const cpuAtStart = threadCpuMs();
const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
const headers = { "content-type": "application/json" };
const post = async (body) => {
  const res = await pool.request({ path: "/", method: "POST", headers, body });
  return JSON.parse(await res.body.text());
};
const sentAt = new Array(raws.length);
const call = (i) => ({ jsonrpc: "2.0", id: i, method: "eth_sendRawTransaction", params: [raws[i]] });
let next = 0;
const worker = async () => {
  while (next < raws.length) {
    const first = next;
    next = Math.min(raws.length, next + batch);
    const at = performance.timeOrigin + performance.now();
    for (let i = first; i < next; i++) sentAt[i] = at;
    const ids = Array.from({ length: next - first }, (_, k) => first + k);
    const answer = await post(JSON.stringify(batch === 1 ? call(first) : ids.map(call)));
    for (const a of Array.isArray(answer) ? answer : [answer])
      if (typeof a.result !== "string") throw new Error("refused: " + JSON.stringify(a.error));
  }
};
Promise.all(Array.from({ length: concurrency }, worker)).then(
  () => {
    const end = threadCpuMs();
    parentPort.postMessage({ sentAt, cpuMs: end === undefined ? undefined : end - cpuAtStart });
    void pool.close();
  },
  (e) => { parentPort.postMessage({ error: String(e) }); void pool.close(); },
);`;

/** Sends every transaction over HTTP from a client thread; resolves with each one's send time. */
function sendFromClientThread(
  url: string,
  txs: readonly Signed[],
  load: Load,
): Promise<{ sentAt: Map<string, number>; clientCpuMs?: number }> {
  const worker = new Worker(CLIENT_SOURCE, {
    eval: true,
    workerData: { url, raws: txs.map((t) => t.raw), concurrency: load.concurrency, batch: load.batch },
  });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", (m: { sentAt?: number[]; cpuMs?: number; error?: string }) => {
      void worker.terminate();
      if (m.error !== undefined || m.sentAt === undefined) reject(new Error(m.error ?? "no answer"));
      else
        resolve({
          sentAt: new Map(txs.map((t, i) => [t.hash, m.sentAt![i]!])),
          ...(m.cpuMs === undefined ? {} : { clientCpuMs: m.cpuMs }),
        });
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
  cpu: { before: CpuTimes; after: CpuTimes; clientCpuMs: number | undefined },
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
    cpuMsPerTransfer: cpuPerTransfer(cpu.before, cpu.after, txs.length, cpu.clientCpuMs),
  };
}

/**
 * CPU time so far: the process's, and on Linux its main thread's and EDR's (its thread is named
 * "edr-provider") read from /proc, which is what shows where the work goes. The client thread
 * reads its own (CLIENT_SOURCE).
 */
function cpuTimes(): CpuTimes {
  const usage = process.cpuUsage();
  const total = (usage.user + usage.system) / 1000;
  let tids: string[];
  try {
    tids = readdirSync("/proc/self/task");
  } catch {
    return { total };
  }
  const ticksMs = 1000 / 100; // USER_HZ, 100 on every Linux Node ships for
  let main = 0;
  let edr: number | undefined;
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    } catch {
      continue; // a thread that ended since the listing
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ms = (Number(fields[11]) + Number(fields[12])) * ticksMs;
    if (Number(tid) === process.pid) main += ms;
    else if (name === "edr-provider") edr = (edr ?? 0) + ms;
  }
  // No thread by that name (another EDR version): no EDR figure rather than a zero.
  return { total, main, ...(edr === undefined ? {} : { edr }) };
}

function cpuPerTransfer(before: CpuTimes, after: CpuTimes, transfers: number, clientMs?: number): CpuTimes {
  const per = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : round3((b - a) / transfers);
  return {
    total: per(before.total, after.total) as number,
    ...(after.main === undefined
      ? {}
      : { main: per(before.main, after.main), edr: per(before.edr, after.edr) }),
    ...(clientMs === undefined ? {} : { client: per(0, clientMs) }),
  };
}

/**
 * (a) the node; with `overHttp` false the transactions go straight to its sequencer in process,
 * which takes the HTTP hop out and leaves what sequencing itself costs.
 */
async function runOurs(
  spec: ChainSpec,
  txs: readonly Signed[],
  load: Load,
  overHttp: boolean,
): Promise<RunResult> {
  const datadir = await mkdtemp(path.join(os.tmpdir(), "lvm-bench-"));
  const node = await L2Node.start({ datadir, spec, port: 0, blockTimeMs: load.blockMs });
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
    const before = cpuTimes();
    let sentAt: Map<string, number>;
    let clientCpuMs: number | undefined;
    if (overHttp) ({ sentAt, clientCpuMs } = await sendFromClientThread(node.url, txs, load));
    else {
      sentAt = new Map();
      await pool(txs, load.concurrency * load.batch, async (tx) => {
        sentAt.set(tx.hash, now());
        if ((await node.sequencer.submit(tx.raw)) !== tx.hash) throw new Error(`wrong hash for ${tx.hash}`);
      });
    }
    // Everything is in: seal now rather than at the next tick (see the header).
    while (minedAt.size < txs.length && node.sequencer.pool.size > 0) await node.sequencer.produceBlock();
    await all;
    return summarise(txs, sentAt, minedAt, blocks, { before, after: cpuTimes(), clientCpuMs });
  } finally {
    await node.stop();
    await rm(datadir, { recursive: true, force: true });
  }
}

interface EdrAnswer {
  readonly result?: unknown;
  readonly error?: { readonly message: string };
}

/**
 * (b) raw EDR, automine off, mined by the sequencer's rule; transactions reach it in process or,
 * with `overHttp`, through a bare pass-through JSON-RPC server on 127.0.0.1 and the same client
 * as ours: raw EDR plus only the HTTP hop our RPC also pays, so ours vs that isolates what
 * sequencing (validation, recovery, durable log) costs. A batch goes to EDR as one request, its
 * cheapest way in.
 */
async function runEdr(
  spec: ChainSpec,
  txs: readonly Signed[],
  load: Load,
  overHttp: boolean,
): Promise<RunResult> {
  const provider = await createEdrProvider(spec, false);
  let rid = 0;
  const handle = async (request: string): Promise<EdrAnswer> => {
    const res = await provider.handleRequest(request);
    return (typeof res.data === "string" ? JSON.parse(res.data) : res.data) as EdrAnswer;
  };
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    const answer = await handle(JSON.stringify({ jsonrpc: "2.0", id: rid++, method, params }));
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
  const accepted = (count: number) => {
    pendingGas += BigInt(count) * TRANSFER_GAS;
    if (pendingGas >= spec.blockGasLimit) void mine();
  };
  // EDR answers a batch with one object holding the results' array (or the first error alone);
  // the pass-through hands clients a standard JSON-RPC batch answer.
  const forward = async (body: string): Promise<string> => {
    const request = JSON.parse(body) as { id: number } | { id: number }[];
    const answer = await handle(body);
    if (!Array.isArray(request)) {
      if (answer.error === undefined) accepted(1);
      return JSON.stringify({ jsonrpc: "2.0", id: request.id, ...answer });
    }
    if (answer.error !== undefined || !Array.isArray(answer.result))
      return JSON.stringify(request.map((r) => ({ jsonrpc: "2.0", id: r.id, error: answer.error })));
    const results = answer.result as unknown[];
    accepted(results.length);
    return JSON.stringify(request.map((r, i) => ({ jsonrpc: "2.0", id: r.id, result: results[i] })));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void forward(Buffer.concat(chunks).toString("utf8")).then((body) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(body);
      });
    });
  });
  const timer = setInterval(() => void mine(), load.blockMs);
  const before = cpuTimes();
  try {
    let sentAt: Map<string, number>;
    let clientCpuMs: number | undefined;
    if (overHttp) {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      ({ sentAt, clientCpuMs } = await sendFromClientThread(url, txs, load));
    } else {
      sentAt = new Map();
      const batches: Signed[][] = [];
      for (let i = 0; i < txs.length; i += load.batch) batches.push(txs.slice(i, i + load.batch));
      await pool(batches, load.concurrency, async (batch) => {
        const at = now();
        for (const tx of batch) sentAt.set(tx.hash, at);
        const calls = batch.map((tx) => ({
          jsonrpc: "2.0",
          id: rid++,
          method: "eth_sendRawTransaction",
          params: [tx.raw],
        }));
        const answer = await handle(JSON.stringify(load.batch === 1 ? calls[0] : calls));
        const hashes = load.batch === 1 ? [answer.result] : answer.result;
        if (
          answer.error !== undefined ||
          !Array.isArray(hashes) ||
          hashes.some((h, i) => h !== batch[i]?.hash)
        )
          throw new Error(`edr refused a transfer: ${JSON.stringify(answer.error ?? answer.result)}`);
        accepted(batch.length);
      });
    }
    // Everything is in: seal now rather than at the next tick (see the header).
    while (minedAt.size < txs.length) {
      await mine();
      if (minedAt.size < txs.length) await new Promise((r) => setTimeout(r, 5));
    }
    return summarise(txs, sentAt, minedAt, blocks, { before, after: cpuTimes(), clientCpuMs });
  } finally {
    clearInterval(timer);
    await mining;
    if (overHttp) await new Promise<void>((r) => server.close(() => r()));
  }
}

/**
 * CPU time (user + system) in ms of a process and all its descendants (the npm wrappers spawn the
 * real node: anvil's binary, hardhat's node), from /proc; undefined off Linux.
 */
function processTreeCpuMs(pid: number): number | undefined {
  const stats = new Map<number, { ppid: number; ms: number }>();
  try {
    for (const d of readdirSync("/proc")) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const stat = readFileSync(`/proc/${d}/stat`, "utf8");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        stats.set(Number(d), { ppid: Number(f[1]), ms: (Number(f[11]) + Number(f[12])) * 10 });
      } catch {
        // a process that ended since the listing
      }
    }
  } catch {
    return undefined;
  }
  if (!stats.has(pid)) return undefined;
  let total = 0;
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop()!;
    total += stats.get(p)?.ms ?? 0;
    for (const [child, st] of stats) if (st.ppid === p) todo.push(child);
  }
  return total;
}

/**
 * (e) `anvil` (npm @foundry-rs/anvil) or `npx hardhat node`, as a developer runs them: their own
 * process, automine (a block per transaction, their default), the senders funded through
 * `anvil_setBalance` / `hardhat_setBalance`, the same client thread. Inclusion times come from
 * polling the node's blocks every few ms. CPU is the peer process's plus the client thread's.
 */
async function runPeer(
  peer: "anvil" | "hardhat_node",
  txs: readonly Signed[],
  load: Load,
): Promise<RunResult> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const chain = ["--chain-id", String(LVM_DEVNET_CHAIN_ID)];
  const [command, args, ready] =
    peer === "anvil"
      ? [
          path.join(root, "node_modules", ".bin", "anvil"),
          ["--host", "127.0.0.1", "--port", String(port), "--hardfork", "prague", "--silent", ...chain],
          "",
        ]
      : [
          path.join(root, "node_modules", ".bin", "hardhat"),
          ["node", "--hostname", "127.0.0.1", "--port", String(port), ...chain],
          "Started HTTP",
        ];
  const proc = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const url = `http://127.0.0.1:${port}`;
  let rid = 0;
  const call = async (method: string, params: unknown[]): Promise<unknown> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: rid++, method, params }),
    });
    const a = (await res.json()) as EdrAnswer;
    if (a.error !== undefined) throw new Error(`${peer} ${method}: ${a.error.message}`);
    return a.result;
  };
  try {
    // Ready when it prints its line (hardhat) or answers (anvil --silent prints nothing).
    if (ready !== "") {
      let out = "";
      await new Promise<void>((resolve, reject) => {
        proc.stdout.on("data", (d: Buffer) => {
          out += d.toString("utf8");
          if (out.includes(ready)) resolve();
        });
        proc.once("exit", (code) => reject(new Error(`${peer} exited (${code}) before it was ready`)));
      });
    }
    proc.stdout.resume();
    proc.stderr.resume();
    for (;;) {
      try {
        await call("eth_chainId", []);
        break;
      } catch (e) {
        if (proc.exitCode !== null) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const setBalance = peer === "anvil" ? "anvil_setBalance" : "hardhat_setBalance";
    for (const w of wallets()) await call(setBalance, [w.address, "0xd3c21bcecceda1000000"]);
    const minedAt = new Map<string, number>();
    let blocks = 0;
    let seen = Number(await call("eth_blockNumber", []));
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const head = Number(await call("eth_blockNumber", []));
        for (; seen < head;) {
          seen++;
          const b = (await call("eth_getBlockByNumber", [`0x${seen.toString(16)}`, false])) as {
            transactions: string[];
          };
          const at = now();
          if (b.transactions.length > 0) blocks++;
          for (const h of b.transactions) minedAt.set(h, at);
        }
        if (minedAt.size >= txs.length) return;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const cpuBefore = processTreeCpuMs(proc.pid!);
    const { sentAt, clientCpuMs } = await sendFromClientThread(url, txs, load);
    await poller;
    polling = false;
    const cpuAfter = processTreeCpuMs(proc.pid!);
    const peerMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
    const result = summarise(txs, sentAt, minedAt, blocks, {
      before: { total: 0 },
      after: { total: peerMs ?? NaN },
      clientCpuMs,
    });
    return {
      ...result,
      cpuMsPerTransfer: {
        total: round3(((peerMs ?? NaN) + (clientCpuMs ?? 0)) / txs.length),
        ...(clientCpuMs === undefined ? {} : { client: round3(clientCpuMs / txs.length) }),
      },
    };
  } finally {
    proc.kill("SIGTERM");
  }
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

const wallets = () => Array.from({ length: SENDERS }, (_, i) => new Wallet(id(`lvm-bench-sender-${i}`)));
const benchSpec = async (senders: readonly Wallet[]): Promise<ChainSpec> =>
  lvmChainSpec({
    bridgeCode: await loadBridgeCode(root),
    devAccounts: senders.map((w) => w.address as Address),
  });

/** Child process: runs one set-up on the transactions in `file` and prints its result. */
async function child(setUp: SetUp, file: string, load: Load): Promise<void> {
  const txs = JSON.parse(await readFile(file, "utf8")) as Signed[];
  const spec = await benchSpec(wallets());
  const result =
    setUp === "anvil" || setUp === "hardhat_node"
      ? await runPeer(setUp, txs, load)
      : setUp === "ours" || setUp === "ours_in_process"
        ? await runOurs(spec, txs, load, setUp === "ours")
        : await runEdr(spec, txs, load, setUp === "edr_http");
  const line = `${JSON.stringify(result satisfies RunResult)}\n`;
  await new Promise((resolve) => process.stdout.write(line, resolve));
}

function runChild(setUp: SetUp, file: string, load: Load): Promise<RunResult> {
  const self = fileURLToPath(import.meta.url);
  const args = ["--import", "tsx", self, "--child", setUp, file, JSON.stringify(load)];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (error !== null) reject(new Error(`the ${setUp} run failed: ${stderr || error.message}`));
      else resolve(JSON.parse(last) as RunResult);
    });
  });
}

/** Runs each of `setUps` `rounds` times, taking turns; medians by set-up, keys prefixed `prefix`. */
async function compare(
  file: string,
  load: Load,
  setUps: readonly SetUp[],
  rounds: number,
  prefix: string,
): Promise<Record<string, unknown>> {
  const runs = new Map<SetUp, RunResult[]>(setUps.map((s) => [s, []]));
  for (let r = 0; r < rounds; r++) {
    // Each round starts with another set-up, so none always runs on a machine just warmed (or
    // just heated) by the same neighbour.
    for (let k = 0; k < setUps.length; k++) {
      const setUp = setUps[(r + k) % setUps.length] as SetUp;
      console.error(`sequencer bench: batch ${load.batch}, round ${r + 1}/${rounds}, ${setUp}`);
      runs.get(setUp)?.push(await runChild(setUp, file, load));
    }
  }
  const rate = (setUp: SetUp) => median((runs.get(setUp) ?? []).map((r) => r.transfersPerS));
  // Ratios pair the runs of one round, under half a minute apart: the shared machine's speed
  // drifts over a whole bench by more than what is measured, and a ratio of medians mixes rounds.
  const ratios = (a: SetUp, b: SetUp) => {
    const as = runs.get(a) ?? [];
    const bs = runs.get(b) ?? [];
    return as.map((r, i) => round1((r.transfersPerS / (bs[i]?.transfersPerS ?? NaN)) * 100));
  };
  const pct = (a: SetUp, b: SetUp) => round1(median(ratios(a, b)));
  const out: Record<string, unknown> = {};
  for (const setUp of setUps) {
    const rs = runs.get(setUp) ?? [];
    const cpu = (k: keyof CpuTimes) => {
      const xs = rs.map((r) => r.cpuMsPerTransfer[k]).filter((x): x is number => x !== undefined);
      return xs.length === rs.length ? round3(median(xs)) : null;
    };
    Object.assign(out, {
      [`${prefix}${setUp}_transfers_per_s`]: rate(setUp),
      [`${prefix}${setUp}_transfers_per_s_runs`]: rs.map((r) => r.transfersPerS),
      [`${prefix}${setUp}_p50_ms`]: median(rs.map((r) => r.p50Ms)),
      [`${prefix}${setUp}_p99_ms`]: median(rs.map((r) => r.p99Ms)),
      [`${prefix}${setUp}_blocks`]: median(rs.map((r) => r.blocks)),
      [`${prefix}${setUp}_cpu_ms_per_transfer`]: cpu("total"),
      [`${prefix}${setUp}_main_thread_ms_per_transfer`]: cpu("main"),
      [`${prefix}${setUp}_edr_thread_ms_per_transfer`]: cpu("edr"),
      ...(setUp === "edr" || setUp === "ours_in_process"
        ? {}
        : { [`${prefix}${setUp}_client_thread_ms_per_transfer`]: cpu("client") }),
    });
  }
  return {
    ...out,
    [`${prefix}ratio_pct`]: pct("ours", "edr"),
    [`${prefix}ratio_pct_runs`]: ratios("ours", "edr"),
    [`${prefix}ratio_vs_edr_http_pct`]: pct("ours", "edr_http"),
    [`${prefix}edr_http_vs_edr_pct`]: pct("edr_http", "edr"),
    ...(setUps.includes("hardhat_node")
      ? {
          [`${prefix}ratio_vs_hardhat_node_pct`]: pct("ours", "hardhat_node"),
          [`${prefix}ratio_vs_anvil_pct`]: pct("ours", "anvil"),
        }
      : {}),
    ...(setUps.includes("ours_in_process")
      ? { [`${prefix}ours_in_process_vs_edr_pct`]: pct("ours_in_process", "edr") }
      : {}),
  };
}

/** The default loads: one transaction per request, and ethers-style batches of 16. */
const SINGLE: Omit<Load, "blockMs"> = { concurrency: 64, batch: 1 };
const BATCHED: Omit<Load, "blockMs"> = { concurrency: 4, batch: 16 };

export default async function (args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: {
      // Long enough that the figure is a sustained rate: with 1 s blocks, a 2,000-transfer run
      // is over in one or two blocks and its rate mostly says where the ticks fell.
      transfers: { type: "string", default: "10000" },
      "block-ms": { type: "string", default: String(DEFAULT_BLOCK_MS) },
      rounds: { type: "string", default: "3" },
      concurrency: { type: "string" },
      batch: { type: "string" },
      // anvil and hardhat node columns (opt-in: at 2,000 transfers the anvil run stalled once, see docs).
      peers: { type: "boolean", default: false },
    },
  });
  const int = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`--${name} must be a positive integer, got ${text}`);
    return value;
  };
  const n = int("transfers", values.transfers) as number;
  const blockMs = int("block-ms", values["block-ms"]) as number;
  const rounds = int("rounds", values.rounds) as number;
  const concurrency = int("concurrency", values.concurrency);
  const batch = int("batch", values.batch);
  // Either load alone when one is asked for, else both.
  const loads: [string, Load][] =
    concurrency === undefined && batch === undefined
      ? [
          ["", { ...SINGLE, blockMs }],
          [`batch${BATCHED.batch}_`, { ...BATCHED, blockMs }],
        ]
      : [["", { concurrency: concurrency ?? SINGLE.concurrency, batch: batch ?? 1, blockMs }]];
  const dir = await mkdtemp(path.join(os.tmpdir(), "lvm-bench-txs-"));
  try {
    const file = path.join(dir, "txs.json");
    await writeFile(file, JSON.stringify(await signAll(wallets(), n)));
    const figures: Record<string, unknown> = {};
    for (const [prefix, load] of loads) {
      Object.assign(figures, {
        [`${prefix}concurrency`]: load.concurrency,
        [`${prefix}txs_per_request`]: load.batch,
        // In process, a request's batching makes no difference: measured with the first load only.
        ...(await compare(
          file,
          load,
          (prefix === "" ? SET_UPS : HTTP_SET_UPS).filter((u) => values.peers || !PEERS.includes(u)),
          rounds,
          prefix,
        )),
      });
    }
    return {
      transfers: n,
      senders: SENDERS,
      block_interval_ms: blockMs,
      rounds,
      edr_mode: "automine off, mined on the interval or when a block's gas is waiting",
      peers_mode: "anvil and hardhat node as run by default: own process, automine",
      sender_recovery: recoveryBackend,
      ...figures,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [flag, setUp, file, load] = process.argv.slice(2);
  if (flag !== "--child" || !SET_UPS.includes(setUp as SetUp) || file === undefined || load === undefined) {
    console.error("bench/sequencer.ts is run by `npm run bench -- sequencer`");
    process.exitCode = 2;
  } else {
    await child(setUp as SetUp, file, JSON.parse(load) as Load);
    // EDR's threads would keep the process alive.
    process.exit(0);
  }
}
