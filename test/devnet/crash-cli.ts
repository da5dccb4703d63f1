/**
 * `bridge:deposit` / `bridge:resume` as the CLI runs them (the task's code, without Hardhat's
 * start-up), for the crash test. With CRASH_AT=<event> the flow stops at that durable step or
 * effect and prints `PAUSED <event>`; SIGUSR1 lets it go on (after the test restarted the devnet).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

import { deposit, resume } from "../../tasks/bridge-devnet-impl.js";

// Hardhat's mocha loads every file under test/: run only when started as a program.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [mode, datadir, l1url, l2url, amount, recipient] = process.argv.slice(2);
  const crashAt = process.env.CRASH_AT;
  let paused = false;
  const hook = async (event: string): Promise<void> => {
    if (event !== crashAt || paused) return; // once: a resumed flow may pass the same point again
    paused = true;
    console.log(`PAUSED ${event}`);
    // A signal listener alone does not keep the process alive: a timer does, until SIGUSR1.
    const alive = setInterval(() => undefined, 1_000);
    await new Promise<void>((r) => process.once("SIGUSR1", () => r()));
    clearInterval(alive);
  };
  const common = { datadir: datadir!, l1url: l1url!, l2url: l2url! };
  if (mode === "deposit")
    await deposit(
      { ...common, amount: amount!, recipient: recipient ?? "", resume: "", dryRun: false },
      hook,
    );
  else await resume(common, hook);
  console.log(`EXIT ${process.exitCode ?? 0}`);
}
