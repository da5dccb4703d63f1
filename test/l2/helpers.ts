import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import { L2Node, devAccounts, loadBridgeCode, lvmChainSpec, type L2NodeOptions } from "../../ts/l2/index.js";

export const root = path.resolve(import.meta.dirname, "../..");

/** Starts an L2 node on a free port with a throw-away data directory. */
export async function startTestNode(
  overrides: Partial<L2NodeOptions> = {},
): Promise<{ node: L2Node; datadir: string; cleanup: () => Promise<void> }> {
  const datadir = overrides.datadir ?? (await mkdtemp(path.join(os.tmpdir(), "lvm-l2-")));
  const spec =
    overrides.spec ??
    lvmChainSpec({
      bridgeCode: await loadBridgeCode(root),
      devAccounts: devAccounts().map((a) => a.address),
    });
  const node = await L2Node.start({ port: 0, blockTimeMs: 100, batchBlocks: 2, ...overrides, datadir, spec });
  return {
    node,
    datadir,
    cleanup: async () => {
      await node.stop();
      await rm(datadir, { recursive: true, force: true });
    },
  };
}

/** A child process started by a test, with the first stdout line that matched its readiness test. */
export interface ChildNode {
  readonly child: ChildProcess;
  readonly line: string;
  /** Everything the child wrote to stderr so far, for failure messages. */
  stderr(): string;
}

/**
 * Spawns `command args` in the project root and resolves with the first stdout line `ready`
 * accepts, so tests wait for the child to serve rather than for a guessed delay. Rejects if the
 * child exits first or `timeoutMs` passes.
 */
export function spawnUntil(
  command: string,
  args: readonly string[],
  ready: (line: string) => boolean,
  timeoutMs = 120_000,
): Promise<ChildNode> {
  const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString("utf8")));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} not ready after ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      if (!ready(line)) return;
      clearTimeout(timer);
      // Keep draining stdout so a chatty child never blocks on a full pipe.
      lines.removeAllListeners("line");
      lines.on("line", () => undefined);
      resolve({ child, line, stderr: () => err });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code ?? signal}) before it was ready: ${err}`));
    });
  });
}

/** Sends SIGKILL (or `signal`) and resolves once the child has exited. */
export async function killChild(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  await exited;
}

/** A free TCP port on 127.0.0.1 (for children that cannot report the one they picked). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Raw JSON-RPC call returning the whole answer, to check error codes and messages exactly. */
export async function rpc(
  url: string,
  method: string,
  params: unknown[],
): Promise<{ result?: unknown; error?: { code: number; message: string; data?: unknown } }> {
  const res = await fetch(url, {
    method: "POST",
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await res.json()) as {
    result?: unknown;
    error?: { code: number; message: string; data?: unknown };
  };
}
