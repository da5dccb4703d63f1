/**
 * Standalone node process: `node --import tsx ts/btcnode/cli.ts --datadir DIR [--rpcport N]
 * [--rpcuser U --rpcpassword P] [--chain regtest|main]`. Prints one JSON line
 * `{"event":"ready","rpcUrl":…}` on stdout when serving; stops on SIGINT/SIGTERM or the `stop` RPC.
 */
import { parseArgs } from "node:util";

import { startRegtestNode } from "./service.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      datadir: { type: "string" },
      rpcport: { type: "string", default: "18443" },
      rpcuser: { type: "string" },
      rpcpassword: { type: "string" },
      chain: { type: "string", default: "regtest" },
      nosync: { type: "boolean", default: false },
    },
  });
  if (values.datadir === undefined) {
    console.error("btcnode: --datadir is required");
    process.exitCode = 2;
    return;
  }
  if (values.chain !== "regtest" && values.chain !== "main") {
    console.error(`btcnode: unknown chain ${values.chain}`);
    process.exitCode = 2;
    return;
  }
  let stopping = false;
  const running = await startRegtestNode({
    datadir: values.datadir,
    chain: values.chain,
    rpcPort: Number(values.rpcport),
    rpcUser: values.rpcuser,
    rpcPassword: values.rpcpassword,
    sync: !values.nosync,
    onStopRequest: () => void shutdown(),
  });
  async function shutdown(): Promise<void> {
    if (stopping) return;
    stopping = true;
    await running.stop();
    console.log(JSON.stringify({ event: "stopped" }));
  }
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
  console.log(
    JSON.stringify({
      event: "ready",
      rpcUrl: running.rpcUrl,
      cookieFile: running.cookieFile,
      height: running.node.height,
      tip: running.node.tip.hash,
    }),
  );
}

await main();
