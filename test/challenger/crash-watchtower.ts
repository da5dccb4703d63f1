/**
 * Child process of watchtower-crash.test.ts: opens the regtest node and the watchtower's records
 * in `<dir>`, watches the graphs in `<dir>/graphs.json` (no payouts: every KickOff is wrong; a graph
 * with a `programSeed` commits to the test ClaimProgram of that seed) and kills itself with SIGKILL
 * right after the watchtower's `<event>` (intent | broadcast | assert | disproveIntent | …).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import {
  FlowStore,
  decodeRecord,
  graphInputFromJson,
  presignaturesFromJson,
  type GraphInputJson,
  type PresignaturesJson,
} from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend } from "../../ts/btcnode/index.js";
import { Watchtower } from "../../ts/challenger/index.js";
import { withClaimProgram } from "./game.js";

// Only as a child process: mocha loads every file under test/ and must not run this.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, killAt] = process.argv.slice(2) as [string, string];
  const saved = decodeRecord<
    {
      input: GraphInputJson;
      sig: Uint8Array;
      secret: Uint8Array;
      mineTo: string;
      programSeed?: Uint8Array;
      presigned?: PresignaturesJson;
    }[]
  >(readFileSync(path.join(dir, "graphs.json"), "utf8"));
  const backend = new EmbeddedBackend(
    await BtcNode.open({ datadir: path.join(dir, "l1"), sync: false }),
    true,
  );
  const store = await FlowStore.open(path.join(dir, "watchtower"));
  const graphs = saved.map((g) => {
    const plain = graphInputFromJson(g.input);
    return {
      input: g.programSeed === undefined ? plain : withClaimProgram(plain, g.programSeed).input,
      challengeSig: g.sig,
      ...(g.presigned === undefined ? {} : { presigned: presignaturesFromJson(g.presigned) }),
    };
  });
  const wt = new Watchtower({
    store,
    l1: backend,
    ledger: { provenPayouts: () => Promise.resolve([]) },
    graphs: () => Promise.resolve(graphs),
    secret: saved[0]!.secret,
    mineTo: saved[0]!.mineTo,
    log: (l) => console.log(l),
    hook: (event) => {
      if (event === killAt) process.kill(process.pid, "SIGKILL");
    },
  });
  await wt.tick();
  console.log("round finished without the kill");
  process.exit(0);
}
