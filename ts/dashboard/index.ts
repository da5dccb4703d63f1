/**
 * The bridge dashboard: a web page on 127.0.0.1 showing the L1 and L2 heads, the light client, every
 * deposit and withdrawal with what it waits for, each peg-out graph, the operators' stakes and the
 * bridge invariant over time, updated live. Anything implementing {@link DashboardSource} feeds it;
 * {@link devnetSource} reads a running devnet through its public RPCs.
 */
export * from "./source.js";
export { DashboardError, type DashboardErrorCode } from "./errors.js";
export { DashboardServer, type DashboardServerOptions, type SnapshotMessage } from "./server.js";
export {
  devnetSource,
  type DevnetSourceOptions,
  type BridgeRecords,
  type GraphRecordLike,
  type ClaimRecordLike,
  type PayoutRecordLike,
} from "./devnet-source.js";
// dlc-source.ts (the DLC panel's reader) binds DlcChannels' typechain type: loaded on demand.
export type { DlcReaderOptions, DlcEndpointsLike } from "./dlc-source.js";
export { openInvariantHistory, type InvariantHistoryStore } from "./history.js";
export { dashboardService, DEFAULT_DASHBOARD_PORT, type DashboardServiceOptions } from "./service.js";
