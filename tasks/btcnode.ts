import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { startRegtestNode } from "../ts/btcnode/index.js";

interface BtcNodeArgs {
  datadir: string;
  port: string;
  rpcuser: string;
  rpcpassword: string;
}

/** `npx hardhat btc:node`: the embedded Bitcoin regtest node with its JSON-RPC, until Ctrl-C. */
export default async function btcNode(args: BtcNodeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const datadir = path.resolve(hre.config.paths.root, args.datadir);
  const running = await startRegtestNode({
    datadir,
    rpcPort: Number(args.port),
    rpcUser: args.rpcuser === "" ? undefined : args.rpcuser,
    rpcPassword: args.rpcpassword === "" ? undefined : args.rpcpassword,
  });
  console.log(`bitcoin regtest node: ${running.rpcUrl}  height ${running.node.height}  datadir ${datadir}`);
  if (running.cookieFile !== undefined) console.log(`auth: cookie ${running.cookieFile}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      void running.stop().then(resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
