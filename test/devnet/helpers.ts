import path from "node:path";

import { Wallet, type JsonRpcProvider } from "ethers";

import { FlowStore } from "../../ts/bridge/index.js";
import type { DepositRecord, Depositor, FlowHook } from "../../ts/depositor/index.js";
import { devnetDepositor, lvmBridge } from "../../ts/devnet/bridge.js";
import { remotePresigner } from "../../ts/devnet/committee.js";
import { l1DevKey } from "../../ts/devnet/l1.js";
import { devnetServices, type DevnetOptions } from "../../ts/devnet/services.js";
import { devAccounts, loadBridgeCode } from "../../ts/l2/index.js";
import { root } from "../l2/helpers.js";

/** The npm start services on free ports, fast intervals and no prover (tests start what they need). */
export async function testDevnet(
  overrides: Partial<DevnetOptions> = {},
): Promise<ReturnType<typeof devnetServices>> {
  return devnetServices({
    bridgeCode: await loadBridgeCode(root),
    artifacts: path.join(root, "artifacts"),
    ports: { l1: 0, l2: 0, committee: 0 },
    prover: "none",
    blockTimeMs: 200,
    pollMs: 200,
    ...overrides,
  });
}

/** Polls `check` every 100 ms until it returns true; fails with `explain()` after `ms`. */
export async function until(check: () => Promise<boolean>, ms: number, explain: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${explain()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The dev key's depositor against a started test devnet, records in `<dir>/bridge/depositor`. */
export async function testDepositor(
  devnet: ReturnType<typeof devnetServices>,
  dir: string,
  provider: JsonRpcProvider,
  hook?: FlowHook<DepositRecord>,
): Promise<{ depositor: Depositor; store: FlowStore }> {
  const store = await FlowStore.open(path.join(dir, "bridge", "depositor"));
  const dev = l1DevKey();
  const depositor = devnetDepositor({
    store,
    l1: devnet.l1.backend(),
    bridge: lvmBridge(new Wallet(devAccounts(1)[0]!.privateKey, provider)),
    secret: dev.secret,
    presign: remotePresigner(devnet.committee.url()),
    mineTo: dev.address,
    ...(hook === undefined ? {} : { hook }),
  });
  return { depositor, store };
}

/** Runs a task action and returns what it printed. */
export async function captured(f: () => Promise<void>): Promise<{ out: string; err: string }> {
  const [log, error] = [console.log, console.error];
  let out = "";
  let err = "";
  console.log = (...a: unknown[]) => void (out += a.join(" ") + "\n");
  console.error = (...a: unknown[]) => void (err += a.join(" ") + "\n");
  try {
    await f();
  } finally {
    [console.log, console.error] = [log, error];
  }
  return { out, err };
}
