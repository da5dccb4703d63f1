import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { L2Node, devAccounts, loadBridgeCode, lvmChainSpec, type L2NodeOptions } from "../../ts/l2/index.js";

export const root = path.resolve(import.meta.dirname, "../..");

/** Starts an L2 node on a free port with a throw-away data directory. */
export async function startTestNode(
  overrides: Partial<L2NodeOptions> = {},
): Promise<{ node: L2Node; datadir: string; cleanup: () => Promise<void> }> {
  const datadir = overrides.datadir ?? (await mkdtemp(path.join(os.tmpdir(), "lvm-l2-")));
  const spec =
    overrides.spec ??
    lvmChainSpec({
      bridgeCode: await loadBridgeCode(root),
      devAccounts: devAccounts().map((a) => a.address),
    });
  const node = await L2Node.start({ port: 0, blockTimeMs: 100, batchBlocks: 2, ...overrides, datadir, spec });
  return {
    node,
    datadir,
    cleanup: async () => {
      await node.stop();
      await rm(datadir, { recursive: true, force: true });
    },
  };
}
