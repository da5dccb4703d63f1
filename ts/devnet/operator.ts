/**
 * The devnet operator: it watches the L2 bridge for withdrawals, pays each on L1 from its own
 * coins, proves the payout on the L2, and claims its reimbursement from a peg-in of the same
 * amount (BitVM2 pairs them one to one): KickOff, the challenge window, Take1.
 *
 * The L2 is the source of truth for what is paid (`payouts(id)`); the peg-in store records which
 * deposit each payout is claimed against. On the devnet the operator mines the regtest blocks it
 * waits for.
 */
import { JsonRpcProvider, Wallet, type Contract } from "ethers";

import type { BitcoinBackend } from "../btcnode/index.js";
import { devnetOperatorSecret, devnetPayout, devnetReimburse, lvmBridge, type Withdrawal } from "./bridge.js";
import type { DevnetService, ServiceInfo } from "./index.js";
import { PegInStore, graphOf, type PegInRecord } from "./pegins.js";

export interface OperatorServiceOptions {
  readonly l1: () => BitcoinBackend;
  readonly l2Url: () => string;
  /** The operator's L2 account: it proves payouts. */
  readonly privateKey: string;
  /** The operator's L1 wallet key paying withdrawals (devnet: the dev key) and the mining address. */
  readonly payerSecret: Uint8Array;
  readonly mineTo: string;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

const ZERO = "0x0000000000000000000000000000000000000000";

export function operatorService(opts: OperatorServiceOptions): DevnetService & { tick(): Promise<void> } {
  let provider: JsonRpcProvider | undefined;
  let bridge: Contract | undefined;
  let store: PegInStore | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const warned = new Set<bigint>();
  const log = opts.log ?? ((l: string) => console.log(l));

  async function withdrawal(b: Contract, id: bigint): Promise<Withdrawal> {
    const [ev] = await b.queryFilter(b.filters.WithdrawalInitiated!(id));
    const args = (ev as { args?: { getValue(k: string): unknown } } | undefined)?.args;
    if (args === undefined) throw new Error(`withdrawal #${id} has no WithdrawalInitiated event`);
    return {
      id,
      sender: args.getValue("sender") as string,
      sats: args.getValue("sats") as bigint,
      scriptPubKey: args.getValue("scriptPubKey") as string,
    };
  }

  async function claim(record: PegInRecord): Promise<void> {
    const l1 = opts.l1();
    await devnetReimburse({
      l1,
      pegIn: { graph: graphOf(record), presigned: record.presigned },
      operatorSecret: devnetOperatorSecret(),
      mineTo: opts.mineTo,
    });
    record.state = "reimbursed";
    store!.put(record);
    log(
      `operator: Take1 for peg-in ${record.pegInConfirmTxid}: reimbursed for withdrawal #${record.withdrawalId}`,
    );
  }

  async function round(): Promise<void> {
    const b = bridge!;
    const s = store!;
    // Claims left half-way by a restart first.
    for (const r of s.all()) if (r.state === "paid") await claim(r);
    const count = (await b.getFunction("withdrawalCount")()) as bigint;
    for (let id = 0n; id < count; id++) {
      const [paidBy] = (await b.getFunction("payouts")(id)) as [string, string];
      if (paidBy !== ZERO) continue;
      const w = await withdrawal(b, id);
      const record = s.all().find((r) => r.state === "credited" && r.creditedSats === w.sats);
      if (record === undefined) {
        if (!warned.has(id))
          log(`operator: withdrawal #${id} (${w.sats} sats) waits for a credited peg-in of the same amount`);
        warned.add(id);
        continue;
      }
      const { payoutTxid } = await devnetPayout({
        l1: opts.l1(),
        bridge: b,
        withdrawal: w,
        payerSecret: opts.payerSecret,
        mineTo: opts.mineTo,
      });
      record.state = "paid";
      record.withdrawalId = id;
      record.payoutTxid = payoutTxid;
      s.put(record);
      log(`operator: paid withdrawal #${id} on L1 in ${payoutTxid}, proven on the L2`);
      await claim(record);
    }
  }

  const tick = async (): Promise<void> => {
    // One round at a time: a slow round (mining, proofs) must not overlap the next.
    running ??= round().finally(() => (running = undefined));
    await running;
  };

  return {
    name: "operator",
    tick,
    async start(root: string): Promise<ServiceInfo> {
      store = new PegInStore(root);
      provider = new JsonRpcProvider(opts.l2Url(), undefined, { staticNetwork: true, cacheTimeout: -1 });
      const wallet = new Wallet(opts.privateKey, provider);
      bridge = lvmBridge(wallet);
      timer = setInterval(() => {
        tick().catch((e: unknown) => log(`operator: round failed: ${String(e)}`));
      }, opts.pollMs ?? 2_000);
      return {
        name: "Operator (devnet, public test keys)",
        lines: [
          `L2 account: ${wallet.address} (proves payouts)`,
          `peg-ins:    ${store.dir} (${store.all().length} recorded)`,
          "pays each withdrawal on L1, proves it on the L2, then KickOff → challenge window → Take1",
        ],
      };
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await running?.catch(() => undefined);
      provider?.destroy();
    },
  };
}
