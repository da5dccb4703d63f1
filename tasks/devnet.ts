import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runDevnet } from "../ts/devnet/index.js";
import { l1Service } from "../ts/devnet/l1.js";
import { l2Service } from "../ts/devnet/l2.js";
import type { Hex } from "../ts/l2/index.js";

interface DevnetArgs {
  port: string;
  l1port: string;
  datadir: string;
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
  const bridge = await hre.artifacts.readArtifact("L2Bridge");
  const root = path.resolve(hre.config.paths.root, args.datadir);
  // One entry per service, started in order; the relayer and bridge actors join here.
  const services = [
    l1Service({ rpcPort: l1port }),
    l2Service({ port, bridgeCode: bridge.deployedBytecode as Hex }),
  ];
  console.log(`Bitlayer LVM devnet, state in ${root}`);
  await runDevnet(services, root);
}
