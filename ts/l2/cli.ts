/**
 * Standalone L2 node: `tsx ts/l2/cli.ts --datadir DIR [--port N] [--rpc-node URL]`. Used by the
 * crash test (a child process it can kill -9) and handy without Hardhat. Prints one JSON line
 * {"url": …} once serving; stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";

import { devAccounts, loadBridgeCode, lvmChainSpec } from "./genesis.js";
import { L2Node } from "./node.js";
import { JsonRpcExecutor } from "./rpc-executor.js";

const { values } = parseArgs({
  options: {
    datadir: { type: "string", default: ".devnet/l2" },
    port: { type: "string", default: "8547" },
    root: { type: "string", default: process.cwd() },
    "block-time": { type: "string", default: "1000" },
    "batch-blocks": { type: "string", default: "10" },
    "chain-id": { type: "string" },
    "rpc-node": { type: "string" },
  },
});

const spec = lvmChainSpec({
  bridgeCode: await loadBridgeCode(values.root),
  devAccounts: devAccounts().map((a) => a.address),
  ...(values["chain-id"] === undefined ? {} : { chainId: BigInt(values["chain-id"]) }),
});
const node = await L2Node.start({
  datadir: values.datadir,
  spec,
  port: Number(values.port),
  blockTimeMs: Number(values["block-time"]),
  batchBlocks: Number(values["batch-blocks"]),
  ...(values["rpc-node"] === undefined ? {} : { executor: new JsonRpcExecutor(values["rpc-node"]) }),
});
node.sequencer.on("error", (e: unknown) => console.error(`sequencer: ${String(e)}`));
console.log(
  JSON.stringify({
    url: node.url,
    head: node.sequencer.head.number,
    stateRoot: node.sequencer.head.stateRoot,
  }),
);
const stop = () => void node.stop().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
