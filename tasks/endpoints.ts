/**
 * Where a running devnet listens: `npm start` writes `<datadir>/endpoints.json` once its services
 * are up and removes it on Ctrl-C; the tasks read it when `--l1url` / `--l2url` are not given. A
 * file left by a devnet that died (kill -9) names a process that no longer runs: the tasks say so
 * instead of timing out on a closed port.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { LvmError } from "../ts/core/index.js";

export const ENDPOINTS_FILE = "endpoints.json";

export interface DevnetEndpoints {
  /** The devnet's process id: the file is stale once it no longer runs. */
  readonly pid: number;
  /** ISO time the devnet came up. */
  readonly startedAt: string;
  readonly l1: string;
  readonly l2: string;
  readonly committee?: string;
  readonly dashboard?: string;
  /** The OP-DLC bridge: DlcChannels' address on the L2 and the oracle federation's JSON-RPC. */
  readonly dlc?: string;
  readonly dlcOracle?: string;
}

export type EndpointsErrorCode = "NO_DEVNET" | "STALE_DEVNET" | "BAD_ENDPOINTS_FILE";

export class EndpointsError extends LvmError<EndpointsErrorCode> {
  override readonly name = "EndpointsError";
}

/** Written atomically (temp file, then rename): a reader never sees half a file. */
export function writeEndpoints(datadir: string, e: DevnetEndpoints): string {
  const file = path.resolve(datadir, ENDPOINTS_FILE);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(e, null, 2) + "\n");
  renameSync(tmp, file);
  return file;
}

/** Removes the file if this process wrote it (another devnet may have taken the datadir over). */
export function removeEndpoints(datadir: string, pid: number = process.pid): void {
  const file = path.resolve(datadir, ENDPOINTS_FILE);
  try {
    if ((JSON.parse(readFileSync(file, "utf8")) as DevnetEndpoints).pid === pid) rmSync(file);
  } catch {
    // Absent or unreadable: nothing of ours to remove.
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The endpoints recorded in `datadir`, checked: present, well-formed, and their devnet alive. */
export function readEndpoints(datadir: string, alive: (pid: number) => boolean = running): DevnetEndpoints {
  const file = path.resolve(datadir, ENDPOINTS_FILE);
  if (!existsSync(file))
    throw new EndpointsError(
      "NO_DEVNET",
      `no running devnet in ${path.resolve(datadir)} (no ${ENDPOINTS_FILE}): start one with \`npm start\`, ` +
        "or pass --datadir <its state directory>, or --l1url and --l2url",
      { value: file },
    );
  let e: DevnetEndpoints;
  try {
    e = JSON.parse(readFileSync(file, "utf8")) as DevnetEndpoints;
  } catch (cause) {
    throw new EndpointsError("BAD_ENDPOINTS_FILE", `${file} is not JSON`, { value: file, cause });
  }
  const url = (u: unknown): boolean => typeof u === "string" && /^https?:\/\//.test(u);
  if (!Number.isSafeInteger(e.pid) || e.pid <= 0 || !url(e.l1) || !url(e.l2))
    throw new EndpointsError("BAD_ENDPOINTS_FILE", `${file} lacks a pid and l1/l2 URLs`, { value: file });
  if (!alive(e.pid))
    throw new EndpointsError(
      "STALE_DEVNET",
      `${file} is left by a devnet that is no longer running (pid ${e.pid}, started ${e.startedAt}): ` +
        "start it again with `npm start`, or pass --l1url and --l2url",
      { value: file, details: { pid: e.pid, startedAt: e.startedAt } },
    );
  return e;
}

/**
 * A task's `--datadir`, `--l1url` and `--l2url` resolved: given URLs win; an empty one is taken
 * from the running devnet's endpoints file (read only when needed).
 */
export function resolveEndpoints<T extends { datadir: string; l1url: string; l2url: string }>(
  args: T,
  alive?: (pid: number) => boolean,
): T {
  if (args.l1url !== "" && args.l2url !== "") return args;
  const e = readEndpoints(args.datadir, alive);
  return {
    ...args,
    l1url: args.l1url === "" ? e.l1 : args.l1url,
    l2url: args.l2url === "" ? e.l2 : args.l2url,
  };
}

/**
 * Runs a task on resolved endpoints; a devnet that cannot be found is the user's error: one line
 * naming what is missing, exit code 1.
 */
export async function withEndpoints<T extends { datadir: string; l1url: string; l2url: string }>(
  task: string,
  args: T,
  run: (resolved: T) => Promise<void>,
): Promise<void> {
  let resolved: T;
  try {
    resolved = resolveEndpoints(args);
  } catch (e) {
    if (!(e instanceof EndpointsError)) throw e;
    console.error(`${task}: ${e.code}: ${e.message}`);
    process.exitCode = 1;
    return;
  }
  await run(resolved);
}
