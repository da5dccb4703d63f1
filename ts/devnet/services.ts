/**
 * The devnet's services, wired as `npm start` runs them: the L1 node, the L2 node (with the
 * batch prover), the committee, the relayer (which deploys the system contracts through the
 * Ignition modules and governs the bridge), the operator and the OP-DLC bridge (ts/devnet/dlc.ts). Tests
 * and benchmarks build the same set, with port 0 and shorter intervals.
 */
import { devAccounts, type Hex } from "../l2/index.js";
import { claimService } from "./claims.js";
import { committeeService } from "./committee.js";
import { depositResumeService } from "./depositor.js";
import { dlcService } from "./dlc.js";
import type { DevnetService } from "./index.js";
import { l1DevKey, l1Service } from "./l1.js";
import { l2Service } from "./l2.js";
import { operatorService, type OperatorServiceOptions } from "./operator.js";
import { relayerService } from "./relayer.js";
import { watchtowerService } from "./watchtower.js";

export interface DevnetOptions {
  /** LvmBridge's runtime bytecode, predeployed at genesis. */
  readonly bridgeCode: Hex;
  /** Hardhat's artifacts folder, for the Ignition modules (default: the repository's). */
  readonly artifacts?: string;
  readonly ports?: { l1?: number; l2?: number; committee?: number; dlc?: number };
  readonly prover?: "groth16" | "none";
  /** L2 block interval, relayer and operator polling (defaults: 1 s, 1 s, 2 s). */
  readonly blockTimeMs?: number;
  readonly pollMs?: number;
  readonly operatorLog?: (line: string) => void;
  /** Called at each durable step and effect of the operator's flows (tests pause or kill here). */
  readonly operatorHook?: OperatorServiceOptions["hook"];
}

export function devnetServices(opts: DevnetOptions) {
  const accounts = devAccounts();
  const dev = l1DevKey();
  const ports = opts.ports ?? {};
  const l1 = l1Service({ rpcPort: ports.l1 ?? 18443 });
  const l2 = l2Service({
    port: ports.l2 ?? 8547,
    bridgeCode: opts.bridgeCode,
    prover: opts.prover ?? "groth16",
    ...(opts.blockTimeMs === undefined ? {} : { blockTimeMs: opts.blockTimeMs }),
    // safe/finalized: the claims committed on L1 (ts/devnet/claims.ts).
    finality: () => claims.finality(),
  });
  // Each L2 batch's claim committed on L1.
  const claims = claimService({
    l1: () => l1.backend(),
    sequencer: () => l2.sequencer(),
    mineTo: dev.address,
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
    ...(opts.operatorLog === undefined ? {} : { log: opts.operatorLog }),
  });
  const committee = committeeService({
    port: ports.committee ?? 18600,
    // bridge_status: the operator's view of every withdrawal and claim.
    status: () => operator.status(),
  });
  const relayer = relayerService({
    l1: () => l1.backend(),
    l2Url: () => l2.url(),
    // Dev account #9 pays for headers and governs the bridge, leaving #0 for the user.
    privateKey: accounts[9]!.privateKey,
    ...(opts.artifacts === undefined ? {} : { artifacts: opts.artifacts }),
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
  });
  const operator = operatorService({
    l1: () => l1.backend(),
    l2Url: () => l2.url(),
    graphs: () => committee.graphs(),
    // Dev account #8 is the operator's L2 account; on L1 it has its own key and float.
    privateKey: accounts[8]!.privateKey,
    mineTo: dev.address,
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
    ...(opts.operatorLog === undefined ? {} : { log: opts.operatorLog }),
    ...(opts.operatorHook === undefined ? {} : { hook: opts.operatorHook }),
  });
  // The watchtower: checks each KickOff against the L2's proven payouts, challenges a wrong claim.
  const watchtower = watchtowerService({
    l1: () => l1.backend(),
    l2Url: () => l2.url(),
    graphs: () => committee.graphs(),
    mineTo: dev.address,
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
    ...(opts.operatorLog === undefined ? {} : { log: opts.operatorLog }),
  });
  // Deposits a killed bridge:deposit left, finished by the devnet itself (the dev key is its own).
  const deposits = depositResumeService({
    l1: () => l1.backend(),
    l2Url: () => l2.url(),
    presign: (input, raw) => committee.presign(input, raw),
    ...(opts.operatorLog === undefined ? {} : { log: opts.operatorLog }),
  });
  // The OP-DLC bridge: DlcChannels (after the relayer configured the bridge's light client) and
  // the oracle federation's service and JSON-RPC.
  const dlc = dlcService({
    l1: () => l1.backend(),
    l2Url: () => l2.url(),
    // npm start passes --dlcport (18610); tests and benchmarks that leave it out get a free port.
    port: ports.dlc ?? 0,
    ...(opts.pollMs === undefined ? {} : { pollMs: opts.pollMs }),
    ...(opts.operatorLog === undefined ? {} : { log: opts.operatorLog }),
  });
  // Started in order, stopped in reverse.
  const all: DevnetService[] = [l1, l2, claims, committee, relayer, operator, watchtower, deposits, dlc];
  return { l1, l2, claims, committee, relayer, operator, watchtower, deposits, dlc, all };
}
