/**
 * The dashboard as a devnet service (the shape of ts/devnet's `DevnetService`, without importing
 * it: the devnet wires the dashboard, not the other way round). Started after the nodes, it reads
 * them over their RPCs like any outside client would.
 */
import path from "node:path";

import { DashboardError } from "./errors.js";
import { openInvariantHistory, type InvariantHistoryStore } from "./history.js";
import { DashboardServer } from "./server.js";
import { devnetSource, type BridgeRecords } from "./devnet-source.js";
import type { DlcEndpointsLike } from "./dlc-source.js";

export const DEFAULT_DASHBOARD_PORT = 8550;

export interface DashboardServiceOptions {
  /** Port on 127.0.0.1 (default 8550; 0 picks one). */
  readonly port?: number;
  /** Resolved at start: the L1 node's JSON-RPC URL and cookie file. */
  readonly l1: () => { url: string; cookieFile?: string };
  readonly l2Url: () => string;
  /** The committee's graphs and the operator's claims and payouts (read on every snapshot). */
  readonly records: () => Promise<BridgeRecords>;
  readonly pollMs?: number;
  /** The OP-DLC bridge's endpoints, when the devnet runs it (read on every snapshot). */
  readonly dlc?: () => DlcEndpointsLike | undefined;
}

export function dashboardService(opts: DashboardServiceOptions): {
  readonly name: string;
  url(): string;
  start(root: string): Promise<{ name: string; lines: string[]; next: string[] }>;
  stop(): Promise<void>;
} {
  let server: DashboardServer | undefined;
  let close: (() => Promise<void>) | undefined;
  let history: InvariantHistoryStore | undefined;
  return {
    name: "dashboard",
    url(): string {
      if (!server) throw new DashboardError("NOT_STARTED", "dashboard service not started");
      return server.url;
    },
    async start(root: string) {
      // The chart's history survives restarts: `<root>/dashboard/invariant`.
      history = await openInvariantHistory(path.join(root, "dashboard", "invariant"));
      const source = await devnetSource({
        l1: opts.l1(),
        l2Url: opts.l2Url(),
        records: opts.records,
        ...(opts.dlc === undefined ? {} : { dlc: { endpoints: opts.dlc, datadir: root } }),
      });
      close = () => source.close?.() ?? Promise.resolve();
      server = await DashboardServer.start({
        source,
        history,
        port: opts.port ?? DEFAULT_DASHBOARD_PORT,
        // The page shows "Loading…" and gets the first snapshot over its event stream.
        awaitFirstSnapshot: false,
        ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
      });
      return {
        name: "Bridge dashboard",
        lines: [
          `open ${server.url}  (live: heads, deposits, withdrawals, peg-out graphs, stakes, DLC channels, invariant)`,
        ],
        next: [
          `open the dashboard           ${server.url}`,
          "deposit 0.5 BTC to the L2    npx hardhat bridge:deposit --amount 0.5",
          "withdraw any amount of it    npx hardhat bridge:withdraw --amount 0.2",
          "bridge state as JSON         npx hardhat bridge:status",
          "scripts against the L2       npx hardhat console --network lvm",
        ],
      };
    },
    async stop(): Promise<void> {
      await server?.stop();
      await close?.();
      await history?.close();
      history = undefined;
      server = undefined;
    },
  };
}
