import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runDevnet } from "../ts/devnet/index.js";
import { l2Service } from "../ts/devnet/l2.js";
import type { Hex } from "../ts/l2/index.js";

interface DevnetArgs {
  port: string;
  datadir: string;
}

export default async function devnet(args: DevnetArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: not a TCP port: ${args.port}`);
  await hre.tasks.getTask("build").run({ quiet: true });
  const bridge = await hre.artifacts.readArtifact("L2Bridge");
  const root = path.resolve(hre.config.paths.root, args.datadir);
  // One line per service; the L1 node, relayer and bridge actors join here.
  const services = [l2Service({ port, bridgeCode: bridge.deployedBytecode as Hex })];
  console.log(`Bitlayer LVM devnet, state in ${root}`);
  await runDevnet(services, root);
}
