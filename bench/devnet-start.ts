/**
 * `npm start` to "Devnet running", split by step: the devnet task is started as a user starts it
 * (`hardhat devnet`, free ports, a fresh state directory), then started again on the same state
 * (warm restart). Steps are the times between the banner's lines: Hardhat and the build check,
 * then each service in the order it starts (L1 node, L2 node with the prover's setup, committee,
 * relayer, operator, dashboard).
 *
 *   npm run bench -- devnet-start [--cold] [--prover groth16|none]
 *
 * `--cold` first deletes the batch circuit's cached Groth16 keys, so the first start includes the
 * phase 2 setup as on a fresh clone. The prover sets up in the background: each run also waits for
 * "batch prover ready" and reports when it came (`*_prover_ready_s`, not part of the start time).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Banner lines that end each step, in order, with the step's name. */
const MARKS: [RegExp, string][] = [
  [/^Bitlayer LVM devnet, state in/, "hardhat_and_build"],
  [/^L1 node/, "l1_node"],
  [/^Setting up the batch prover/, "l2_genesis"],
  [/^L2 node/, "l2_prover_and_node"],
  [/^Committee/, "committee"],
  [/^Header relayer/, "relayer"],
  [/^Operator/, "operator"],
  [/^Bridge dashboard/, "dashboard"],
  [/^Devnet running/, "running"],
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

interface Run {
  readonly total_s: number;
  readonly steps: Record<string, number>;
  readonly stop_s: number;
  /** From the start to the batch prover's background setup finishing (after "running"). */
  readonly prover_ready_s?: number;
}

const PROVER_READY = /^l2: batch prover ready/;

async function start(datadir: string, prover: string): Promise<Run> {
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const args = [
    "devnet",
    "--datadir",
    datadir,
    "--prover",
    prover,
    "--port",
    String(ports[0]),
    "--l1port",
    String(ports[1]),
    "--committeeport",
    String(ports[2]),
    "--dashboardport",
    String(ports[3]),
  ];
  const t0 = performance.now();
  const child = spawn(path.join(root, "node_modules", ".bin", "hardhat"), args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const seen: Record<string, number> = {};
  let output = "";
  const running = new Promise<void>((resolve, reject) => {
    let buf = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buf += chunk.toString();
      output += chunk.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        for (const [re, name] of MARKS)
          if (re.test(line) && seen[name] === undefined) seen[name] = (performance.now() - t0) / 1000;
        if (PROVER_READY.test(line)) seen.prover_ready ??= (performance.now() - t0) / 1000;
        if (seen.running !== undefined && (prover === "none" || seen.prover_ready !== undefined)) resolve();
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) =>
      reject(new Error(`devnet exited (${code}) before running:\n${output.slice(-2000)}`)),
    );
  });
  await running;
  const stopAt = performance.now();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGINT");
  await exited;
  const steps: Record<string, number> = {};
  let prev = 0;
  for (const [, name] of MARKS) {
    const t = seen[name];
    if (t === undefined) continue;
    if (name !== "running") steps[name] = Math.round((t - prev) * 100) / 100;
    prev = t;
  }
  return {
    total_s: Math.round(seen.running! * 100) / 100,
    steps,
    stop_s: Math.round(((performance.now() - stopAt) / 1000) * 100) / 100,
    ...(seen.prover_ready === undefined ? {} : { prover_ready_s: Math.round(seen.prover_ready * 100) / 100 }),
  };
}

/** Deletes the cached Groth16 keys of the devnet's batch circuit. */
function dropBatchKeys(): number {
  const keys = path.join(root, "build", "zk", "keys");
  if (!existsSync(keys)) return 0;
  let n = 0;
  for (const d of readdirSync(keys))
    if (existsSync(path.join(keys, d, "withdrawal_batch_8.vkey.json"))) {
      rmSync(path.join(keys, d), { recursive: true, force: true });
      n++;
    }
  return n;
}

export default async function devnetStart(args: string[]): Promise<Record<string, unknown>> {
  const cold = args.includes("--cold");
  const pi = args.indexOf("--prover");
  const prover = pi >= 0 ? args[pi + 1] : "groth16";
  if (prover !== "groth16" && prover !== "none") throw new Error(`--prover: groth16 | none, not ${prover}`);
  const unknown = args.filter(
    (a, i) => a !== "--cold" && a !== "--prover" && !(i > 0 && args[i - 1] === "--prover"),
  );
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(" ")}`);
  const dropped = cold ? dropBatchKeys() : 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), "bench-devnet-"));
  try {
    const first = await start(dir, prover);
    const warm = await start(dir, prover);
    const figures: Record<string, unknown> = {
      prover,
      cold_zk_keys: cold,
      dropped_key_dirs: dropped,
      first_start_s: first.total_s,
      warm_restart_s: warm.total_s,
      stop_s: warm.stop_s,
      ...(first.prover_ready_s === undefined ? {} : { first_prover_ready_s: first.prover_ready_s }),
      ...(warm.prover_ready_s === undefined ? {} : { warm_prover_ready_s: warm.prover_ready_s }),
    };
    for (const [k, v] of Object.entries(first.steps)) figures[`first_${k}_s`] = v;
    for (const [k, v] of Object.entries(warm.steps)) figures[`warm_${k}_s`] = v;
    figures.goal_first_start_s = 60;
    figures.goal_warm_restart_s = 10;
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
