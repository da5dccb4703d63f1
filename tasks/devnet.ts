import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runDevnet } from "../ts/devnet/index.js";
import { committeeService } from "../ts/devnet/committee.js";
import { l1DevKey, l1Service } from "../ts/devnet/l1.js";
import { operatorService } from "../ts/devnet/operator.js";
import { l2Service } from "../ts/devnet/l2.js";
import { relayerService } from "../ts/devnet/relayer.js";
import { devAccounts } from "../ts/l2/index.js";
import type { Hex } from "../ts/l2/index.js";

interface DevnetArgs {
  port: string;
  l1port: string;
  datadir: string;
  prover: string;
  committeeport: string;
}

function tcpPort(flag: string, v: string): number {
  const port = Number(v);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--${flag}: not a TCP port: ${v}`);
  return port;
}

export default async function devnet(args: DevnetArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const port = tcpPort("port", args.port);
  const l1port = tcpPort("l1port", args.l1port);
  await hre.tasks.getTask("build").run({ quiet: true });
  const bridge = await hre.artifacts.readArtifact("LvmBridge");
  const root = path.resolve(hre.config.paths.root, args.datadir);
  const lightClient = await hre.artifacts.readArtifact("BtcLightClient");
  const batchVerifier = await hre.artifacts.readArtifact("WithdrawalBatch8Verifier");
  // Started in order, stopped in reverse; the bridge actors join here.
  const l1 = l1Service({ rpcPort: l1port });
  if (args.prover !== "groth16" && args.prover !== "none")
    throw new Error(`--prover: groth16 | none, not ${args.prover}`);
  const l2 = l2Service({ port, bridgeCode: bridge.deployedBytecode as Hex, prover: args.prover });
  const relayer = relayerService({
    l1: () => l1.backend(),
    l2Url: () => l2.url(),
    // Dev account #9 pays for headers, leaving #0 for the user.
    privateKey: devAccounts()[9]!.privateKey,
    lightClient: { abi: lightClient.abi, bytecode: lightClient.bytecode },
    batchVerifier: { abi: batchVerifier.abi, bytecode: batchVerifier.bytecode },
  });
  const dev = l1DevKey();
  const operator = operatorService({
    l1: () => l1.backend(),
    l2Url: () => l2.url(),
    // Dev account #8 is the operator's L2 account; on L1 it pays from the dev key.
    privateKey: devAccounts()[8]!.privateKey,
    payerSecret: dev.secret,
    mineTo: dev.address,
  });
  const committee = committeeService({ port: tcpPort("committeeport", args.committeeport) });
  const services = [l1, l2, committee, relayer, operator];
  console.log(`Bitlayer LVM devnet, state in ${root}`);
  await runDevnet(services, root);
}
