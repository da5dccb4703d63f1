/**
 * The devnet as `npm start` runs it, for the crash test: fixed ports (argv), no prover, fast
 * intervals. With CRASH_AT=<event> the operator stops at that durable step or effect and prints
 * `PAUSED <event>`, so the test kills the process exactly there.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { runDevnet } from "../../ts/devnet/index.js";
import { testDevnet } from "./helpers.js";

// Hardhat's mocha loads every file under test/: run only when started as a program.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [root, l1, l2, committee] = process.argv.slice(2);
  const crashAt = process.env.CRASH_AT;
  let paused = false;
  const devnet = await testDevnet({
    ports: { l1: Number(l1), l2: Number(l2), committee: Number(committee) },
    operatorLog: (l) => console.log(l),
    operatorHook: async (event) => {
      if (event !== crashAt || paused) return; // once: a resumed flow may pass the same point again
      paused = true;
      console.log(`PAUSED ${event}`);
      await new Promise(() => undefined);
    },
  });
  await runDevnet(devnet.all, root!);
}
