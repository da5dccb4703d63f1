/**
 * The devnet operator: the operator role (`ts/operator`, its records in `<root>/bridge/operator`)
 * with the devnet's public test key, the committee's graphs in process, a round every `pollMs`,
 * and regtest mining of the blocks it waits for. On a fresh chain it mines itself one coinbase
 * (its float for fronting withdrawals) and matures it. A round that fails is logged and the next
 * one retries: every step is idempotent.
 */
import path from "node:path";

import { JsonRpcProvider, Wallet } from "ethers";

import { FlowStore, bridgeParams, lvmBridge, taprootAddress, keyPathOutput } from "../bridge/index.js";
import type { BitcoinBackend } from "../btcnode/index.js";
import type { GraphRecord } from "../committee/index.js";
import { Operator, type ClaimRecord, type OperatorStatus, type PayoutRecord } from "../operator/index.js";
import { devnetOperatorKey, devnetOperatorSecret } from "./bridge.js";
import { notStarted, type DevnetService, type ServiceInfo } from "./index.js";

export interface OperatorServiceOptions {
  readonly l1: () => BitcoinBackend;
  readonly l2Url: () => string;
  /** The committee's presigned graphs. */
  readonly graphs: () => Promise<readonly GraphRecord[]>;
  /** The operator's L2 account: it proves payouts. */
  readonly privateKey: string;
  /** Regtest address the operator mines to when it waits for blocks. */
  readonly mineTo: string;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
  readonly hook?: (event: string, record: PayoutRecord | ClaimRecord) => void | Promise<void>;
}

export function operatorService(
  opts: OperatorServiceOptions,
): DevnetService & { tick(): Promise<void>; status(): Promise<OperatorStatus>; operator(): Operator } {
  let provider: JsonRpcProvider | undefined;
  let store: FlowStore | undefined;
  let op: Operator | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  const log = opts.log ?? ((l: string) => console.log(l));
  const started = (): Operator => {
    if (op === undefined) throw notStarted("operator");
    return op;
  };
  return {
    name: "operator",
    tick: () => started().tick(),
    status: () => started().status(),
    operator: started,
    async start(root: string): Promise<ServiceInfo> {
      stopping = false;
      const l1 = opts.l1();
      const { script } = devnetOperatorKey();
      // The operator's float: one mature coinbase of its own (once per chain).
      if (!(await l1.scanUtxos(script)).some((u) => u.coinbase)) {
        await l1.mine(1, taprootAddress(keyPathOutput(devnetOperatorKey().key), "regtest"));
        await l1.mine(100, opts.mineTo);
      }
      store = await FlowStore.open(path.join(root, "bridge", "operator"));
      provider = new JsonRpcProvider(opts.l2Url(), undefined, { staticNetwork: true, cacheTimeout: -1 });
      const wallet = new Wallet(opts.privateKey, provider);
      op = new Operator({
        store,
        l1,
        bridge: lvmBridge(wallet),
        secret: devnetOperatorSecret(),
        graphs: opts.graphs,
        params: bridgeParams("devnet"),
        mineTo: opts.mineTo,
        log,
        ...(opts.hook === undefined ? {} : { hook: opts.hook }),
      });
      const pending = (await op.payouts()).filter((p) => p.step !== "proven" && p.step !== "foreign").length;
      const claims = (await op.claims()).filter((c) => c.step !== "reimbursed").length;
      const loop = (): void => {
        if (stopping) return;
        op!
          .tick()
          .catch((e: unknown) => log(`operator: round failed: ${String(e)}`))
          .finally(() => {
            if (!stopping) timer = setTimeout(loop, opts.pollMs ?? 2_000);
          });
      };
      loop(); // resumes unfinished payouts and claims right away
      return {
        name: "Operator (devnet, public test keys)",
        lines: [
          `L2 account: ${wallet.address} (proves payouts)`,
          `L1 wallet:  ${taprootAddress(keyPathOutput(devnetOperatorKey().key), "regtest")}`,
          `records:    ${store.dir} (${pending} withdrawal(s) and ${claims} claim(s) to resume)`,
          "pays each withdrawal on L1, proves it on the L2, claims the pool when its payouts cover a peg-in",
        ],
      };
    },
    async stop(): Promise<void> {
      stopping = true;
      clearTimeout(timer);
      await op?.tick().catch(() => undefined);
      provider?.destroy();
      await store?.close();
      store = undefined;
      op = undefined;
    },
  };
}
