/**
 * On start, the devnet finishes the deposits a killed `bridge:deposit` left in
 * `<root>/bridge/depositor` (the dev key is the devnet's own): in the background, once, and only
 * if no CLI holds those records (LevelDB admits one process); `bridge:resume` does the same by hand.
 */
import path from "node:path";

import { JsonRpcProvider, Wallet } from "ethers";

import { FlowStore, isBridgeCode } from "../bridge/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import type { Presigner } from "../depositor/index.js";
import { devAccounts } from "../l2/index.js";
import { devnetDepositor, lvmBridge } from "./bridge.js";
import type { DevnetService, ServiceInfo } from "./index.js";
import { l1DevKey } from "./l1.js";

export function depositResumeService(opts: {
  l1: () => BitcoinBackend;
  l2Url: () => string;
  presign: Presigner;
  log?: (line: string) => void;
}): DevnetService & { done(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const log = opts.log ?? ((l: string) => console.log(l));
  return {
    name: "deposit-resume",
    done: () => running,
    async start(root: string): Promise<ServiceInfo> {
      const dir = path.join(root, "bridge", "depositor");
      let store: FlowStore;
      try {
        store = await FlowStore.open(dir, 0);
      } catch (e) {
        if (!isBridgeCode(e, "STORE_BUSY")) throw e;
        return {
          name: "Deposits",
          lines: ["a bridge:deposit holds the depositor's records: it resumes its own"],
        };
      }
      const dev = l1DevKey();
      const provider = new JsonRpcProvider(opts.l2Url(), undefined, {
        staticNetwork: true,
        cacheTimeout: -1,
      });
      const d = devnetDepositor({
        store,
        l1: opts.l1(),
        bridge: lvmBridge(new Wallet(devAccounts(1)[0]!.privateKey, provider)),
        secret: dev.secret,
        presign: opts.presign,
        mineTo: dev.address,
      });
      const open = await d.unfinished();
      running = (async () => {
        for (const r of open)
          await d.resume(r.id).then(
            (done) => log(`devnet: resumed deposit ${r.id}: ${done.step}`),
            (e: unknown) => log(`devnet: deposit ${r.id} not resumed: ${String(e)}`),
          );
      })().finally(async () => {
        provider.destroy();
        await store.close();
      });
      return {
        name: "Deposits",
        lines: [
          open.length === 0
            ? "none left unfinished"
            : `resuming ${open.length} unfinished deposit(s) from ${dir}`,
        ],
      };
    },
    async stop(): Promise<void> {
      await running.catch(() => undefined);
    },
  };
}
