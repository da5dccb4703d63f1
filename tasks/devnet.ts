import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runDevnet } from "../ts/devnet/index.js";
import { installProcessGuards } from "../ts/jsonrpc/index.js";
import type { Hex } from "../ts/l2/index.js";
import { buildIfChanged } from "./build-check.js";
import { removeEndpoints, writeEndpoints } from "./endpoints.js";

interface DevnetArgs {
  port: string;
  l1port: string;
  datadir: string;
  prover: string;
  committeeport: string;
  dashboardport: string;
  dlcport: string;
}

function tcpPort(flag: string, v: string): number {
  const port = Number(v);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--${flag}: not a TCP port: ${v}`);
  return port;
}

export default async function devnet(args: DevnetArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const port = tcpPort("port", args.port);
  const l1port = tcpPort("l1port", args.l1port);
  await buildIfChanged(
    {
      root: hre.config.paths.root,
      artifacts: hre.config.paths.artifacts,
      types: path.join(hre.config.paths.root, "types"),
    },
    () => hre.tasks.getTask("build").run({ quiet: true }),
  );
  // Loaded after the build: the services call the contracts through its generated bindings.
  const { devnetServices } = await import("../ts/devnet/services.js");
  const bridge = await hre.artifacts.readArtifact("LvmBridge");
  const root = path.resolve(hre.config.paths.root, args.datadir);
  if (args.prover !== "groth16" && args.prover !== "none")
    throw new Error(`--prover: groth16 | none, not ${args.prover}`);
  const { all, l1, l2, committee, operator, dlc } = devnetServices({
    bridgeCode: bridge.deployedBytecode as Hex,
    artifacts: hre.config.paths.artifacts,
    ports: {
      l1: l1port,
      l2: port,
      committee: tcpPort("committeeport", args.committeeport),
      dlc: tcpPort("dlcport", args.dlcport),
    },
    prover: args.prover,
  });
  // One process hosts every service: a fault in one service's background work is logged, never an exit.
  installProcessGuards();
  console.log(`Bitlayer LVM devnet, state in ${root}`);
  // The bridge dashboard reads the devnet over its RPCs and the roles' records, last to start.
  const { dashboardService } = await import("../ts/dashboard/index.js");
  const dashboard = dashboardService({
    port: tcpPort("dashboardport", args.dashboardport),
    l1: () => l1.rpc(),
    l2Url: () => l2.url(),
    records: async () => {
      const status = await operator.status();
      return { graphs: await committee.graphs(), claims: status.claims, payouts: status.withdrawals };
    },
    // The OP-DLC panel: channels, their state, the oracle's stakes (DlcChannels + the oracle's records).
    dlc: () => dlc.endpoints(),
  });
  // Last: once everything listens, tasks in other terminals find the devnet through this file.
  const endpoints = {
    name: "endpoints",
    start: async () => {
      const file = writeEndpoints(root, {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        l1: l1.rpc().url,
        l2: l2.url(),
        dashboard: dashboard.url(),
        dlc: dlc.endpoints().contract,
        dlcOracle: dlc.endpoints().oracleUrl,
      });
      return {
        name: "Endpoints",
        lines: [`${file}   (the tasks read it: no --l1url / --l2url needed)`],
      };
    },
    stop: async () => removeEndpoints(root),
  };
  await runDevnet([...all, dashboard, endpoints], root);
}
