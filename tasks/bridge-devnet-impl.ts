/** The bridge tasks on a running devnet (loaded by tasks/bridge-devnet.ts after the build). */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { JsonRpcProvider, Wallet, formatEther, formatUnits, parseUnits } from "ethers";

import { bytesToHex } from "../ts/bitcoin/index.js";
import {
  BridgeError,
  FlowStore,
  asBridgeError,
  bridgeInvariant,
  txid,
  type LvmBridge,
} from "../ts/bridge/index.js";
import { BitcoindRpcBackend, REGTEST, addressToScript, scriptToAddress } from "../ts/btcnode/index.js";
import { isLvmError } from "../ts/core/index.js";
import { DEPOSIT_WAITS, type DepositRecord, type Depositor, type FlowHook } from "../ts/depositor/index.js";
import { bridgeRpc, devnetDepositor, l1DevKey, lvmBridge, remotePresigner } from "../ts/devnet/clients.js";
import { devAccounts } from "../ts/l2/index.js";
import type { OperatorStatus } from "../ts/operator/index.js";
import type { Common } from "./bridge-devnet.js";

async function connect(args: Common): Promise<{ l1: BitcoindRpcBackend; l2: JsonRpcProvider }> {
  const cookieFile = path.resolve(args.datadir, "btc", ".cookie");
  if (!existsSync(cookieFile))
    throw new BridgeError(
      "RPC_FAILED",
      `no L1 node cookie at ${cookieFile}: is \`npm start\` running?`,
      cookieFile,
    );
  const l1 = await BitcoindRpcBackend.connect({ url: args.l1url, cookieFile, network: "regtest" });
  const l2 = new JsonRpcProvider(args.l2url, undefined, {
    staticNetwork: true,
    cacheTimeout: -1,
    pollingInterval: 250,
  });
  return { l1, l2 };
}

/** Whole satoshis from a decimal BTC amount ("0.5"). */
function satsOf(btc: string): bigint {
  let v: bigint;
  try {
    v = parseUnits(btc, 8);
  } catch (e) {
    throw new BridgeError(
      "INVALID_AMOUNT",
      `--amount is not a BTC amount with at most 8 decimals: ${btc}`,
      btc,
      { cause: e },
    );
  }
  if (v <= 0n) throw new BridgeError("INVALID_AMOUNT", `--amount must be positive, got ${btc}`, btc);
  return v;
}

const btc = (sats: bigint): string => formatUnits(sats, 8);

/** A user's error: one line (code and message, a revert by name), exit code 1, no stack. */
async function userErrors(task: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    const err = isLvmError(e) ? e : asBridgeError(e, task);
    console.error(`${task}: ${err.code}: ${err.message.split("\n")[0]}`);
    process.exitCode = 1;
  }
}

function committeeUrl(datadir: string): string {
  const file = path.resolve(datadir, "committee.json");
  if (!existsSync(file))
    throw new BridgeError("RPC_FAILED", `no committee at ${file}: is \`npm start\` running?`, file);
  return (JSON.parse(readFileSync(file, "utf8")) as { url: string }).url;
}

const depositorDir = (datadir: string): string => path.resolve(datadir, "bridge", "depositor");

/** Each step as it becomes durable, and each effect as it happens. */
const printSteps: FlowHook<DepositRecord> = (event, r) => {
  if (event === "step:deposited") console.log(`  deposit        ${r.id} (mined)`);
  if (event === "step:presigned") console.log("  presigned      graph presigned by the committee service");
  if (event === "sent:pegInConfirm") console.log(`  PegInConfirm   ${r.pegInConfirmTxid} broadcast`);
  if (event === "step:confirmed") console.log("  confirmed      at the bridge's depth on L1");
};

async function withDepositor<T>(
  args: Common,
  hook: FlowHook<DepositRecord> | undefined,
  run: (d: Depositor, ctx: { l1: BitcoindRpcBackend; l2: JsonRpcProvider }) => Promise<T>,
): Promise<T> {
  const ctx = await connect(args);
  const store = await FlowStore.open(depositorDir(args.datadir), 30_000);
  try {
    const dev = l1DevKey();
    const d = devnetDepositor({
      store,
      l1: ctx.l1,
      bridge: lvmBridge(new Wallet(devAccounts(1)[0]!.privateKey, ctx.l2)),
      secret: dev.secret,
      presign: remotePresigner(committeeUrl(args.datadir)),
      mineTo: dev.address,
      hook: async (e, r) => {
        await printSteps(e, r);
        await hook?.(e, r);
      },
    });
    return await run(d, ctx);
  } finally {
    await store.close();
    ctx.l2.destroy();
  }
}

async function report(r: DepositRecord, l2: JsonRpcProvider, started: number): Promise<void> {
  if (r.step === "abandoned") {
    console.log(`  abandoned      ${r.id}: its inputs were spent elsewhere; no BTC moved`);
    return;
  }
  const s = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `  credited       ${r.creditedSats} sats on L2${r.creditTx ? ` in ${r.creditTx}` : ""} (${s} s)`,
  );
  console.log(`  L2 balance     ${formatEther(await l2.getBalance(r.recipient))} BTC (${r.recipient})`);
}

/**
 * `npx hardhat bridge:deposit --amount 0.5 [--recipient 0x…] [--dry-run] [--resume <txid>]`:
 * L1 dev key → native BTC on the L2. The fees are shown before anything is sent.
 */
export async function deposit(
  args: Common & { amount: string; recipient: string; resume: string; dryRun: boolean },
  hook?: FlowHook<DepositRecord>,
): Promise<void> {
  await userErrors("bridge:deposit", () =>
    withDepositor(args, hook, async (d, { l1, l2 }) => {
      const started = performance.now();
      if (args.resume !== "") {
        const r = await d.resume(txid(args.resume));
        return report(r, l2, started);
      }
      const recipient = args.recipient === "" ? devAccounts(1)[0]!.address : args.recipient;
      const amount = satsOf(args.amount);
      const dev = l1DevKey();
      let r: DepositRecord;
      try {
        r = await d.prepare(amount, recipient);
      } catch (e) {
        if (!isLvmError(e, "INSUFFICIENT_FUNDS")) throw e;
        console.log("  mining 101 blocks to mature the dev key's coins (devnet) …");
        await l1.mine(101, dev.address);
        r = await d.prepare(amount, recipient);
      }
      console.log(`depositing ${btc(amount)} BTC from ${dev.address} for ${recipient}`);
      console.log(
        `  fees           deposit tx ${r.fees.deposit} sats, PegInConfirm ${r.fees.pegInConfirm} sats`,
      );
      console.log(
        `                 (+ ${r.fees.operatorFunding} sats funding the operator's KickOff coin, devnet)`,
      );
      console.log(`  credited       ${r.creditedSats} sats (${btc(r.creditedSats)} BTC) on the L2`);
      if (args.dryRun) {
        console.log("  dry run: nothing sent");
        return;
      }
      console.log(`  flow           ${r.id} (resume with bridge:deposit --resume ${r.id} or bridge:resume)`);
      return report(await d.start(r), l2, started);
    }),
  );
}

/** `npx hardhat bridge:resume`: every deposit a killed bridge:deposit left unfinished. */
export async function resume(args: Common, hook?: FlowHook<DepositRecord>): Promise<void> {
  await userErrors("bridge:resume", () =>
    withDepositor(args, hook, async (d, { l2 }) => {
      const open = await d.unfinished();
      if (open.length === 0) console.log("nothing to resume");
      for (const r of open) {
        console.log(`resuming deposit ${r.id} at step ${r.step} (${btc(r.amount)} BTC)`);
        await report(await d.resume(r.id), l2, performance.now());
      }
    }),
  );
}

/**
 * `npx hardhat bridge:withdraw --amount 0.1 --to <bitcoin address> [--account N] [--dry-run]`:
 * locks BTC in the L2 bridge; the devnet operator pays exactly that on L1 (and its L1 fee).
 */
export async function withdraw(
  args: Common & { amount: string; to: string; account: string; dryRun: boolean },
): Promise<void> {
  await userErrors("bridge:withdraw", async () => {
    const { l1, l2 } = await connect(args);
    try {
      const to = args.to === "" ? l1DevKey().address : args.to;
      let script: Uint8Array;
      try {
        script = addressToScript(to, REGTEST);
      } catch (e) {
        throw new BridgeError("INVALID_ARGUMENT", `--to is not a regtest address: ${to}`, to, { cause: e });
      }
      const account = devAccounts(10)[Number(args.account)];
      if (account === undefined)
        throw new BridgeError("INVALID_ARGUMENT", `--account must be 0–9, got ${args.account}`, args.account);
      const bridge = lvmBridge(new Wallet(account.privateKey, l2));
      const amount = satsOf(args.amount);
      const dust = await bridge.MIN_WITHDRAWAL_SATS();
      if (amount < dust)
        throw new BridgeError("INVALID_AMOUNT", `${amount} sats is below the dust limit of ${dust}`, amount);
      const { l1LockedSats } = await bridgeInvariant(l1, bridge);
      if (amount > l1LockedSats)
        throw new BridgeError(
          "INVALID_AMOUNT",
          `${amount} sats is more than the pool holds on L1 (${l1LockedSats})`,
          amount,
        );
      const spk = "0x" + bytesToHex(script);
      const value = amount * 10n ** 10n;
      const gas = await bridge.withdraw.estimateGas(spk, { value });
      const fee = await l2.getFeeData();
      const price = fee.maxFeePerGas ?? fee.gasPrice ?? 0n;
      console.log(`withdrawing ${btc(amount)} BTC from L2 account ${account.address} to ${to}`);
      console.log(`  fee            at most ${formatEther(gas * price)} BTC of L2 gas (${gas} gas)`);
      console.log(`  paid on L1     ${amount} sats exactly, by the operator (who pays the L1 fee)`);
      if (args.dryRun) {
        console.log("  dry run: nothing sent");
        return;
      }
      const tx = await bridge.withdraw(spk, { value });
      const receipt = await tx.wait();
      let id: bigint | undefined;
      for (const log of receipt?.logs ?? []) {
        const ev = bridge.interface.parseLog(log);
        if (ev?.name === "WithdrawalInitiated") id = ev.args.getValue("id") as bigint;
      }
      console.log(`  withdrawal #${id}: L2 tx ${tx.hash}`);
      console.log("  the devnet operator pays it on L1, proves it on the L2; `bridge:status` follows it");
    } finally {
      l2.destroy();
    }
  });
}

interface StatusJson {
  bridge: { lightClient: string; confirmations: number; poolKey: string };
  invariant: { l2OutsideSats: string; l1LockedSats: string; holds: boolean };
  l1Height: number;
  deposits: {
    id: string;
    amountSats: string;
    recipient: string;
    pegInConfirm: string;
    step: string;
    waitsFor: string;
    error?: string;
  }[];
  depositsNote?: string;
  pegIns: { pegInConfirm: string; poolSats: string; credited: boolean; claim: string }[];
  withdrawals: {
    id: string;
    sats: string;
    to: string;
    step: string;
    waitsFor: string;
    payoutTxid?: string;
    claim?: string;
  }[];
  operator?: { unreimbursedSats: string; claimableSats: string };
  operatorNote?: string;
}

async function statusOf(args: Common, bridge: LvmBridge, l1: BitcoindRpcBackend): Promise<StatusJson> {
  const [lc, depth, pool] = await bridge.config();
  const inv = await bridgeInvariant(l1, bridge);
  const out: StatusJson = {
    bridge: { lightClient: lc, confirmations: Number(depth), poolKey: pool },
    invariant: {
      l2OutsideSats: inv.l2OutsideSats.toString(),
      l1LockedSats: inv.l1LockedSats.toString(),
      holds: inv.holds,
    },
    l1Height: await l1.getBlockCount(),
    deposits: [],
    pegIns: [],
    withdrawals: [],
  };
  try {
    const store = await FlowStore.open(depositorDir(args.datadir), 0);
    try {
      for (const r of await store.list<DepositRecord>("deposit"))
        out.deposits.push({
          id: r.id,
          amountSats: r.amount.toString(),
          recipient: r.recipient,
          pegInConfirm: r.pegInConfirmTxid,
          step: r.step,
          waitsFor: DEPOSIT_WAITS[r.step],
          ...(r.error === undefined ? {} : { error: r.error }),
        });
    } finally {
      await store.close();
    }
  } catch (e) {
    if (!isLvmError(e, "STORE_BUSY")) throw e;
    out.depositsNote =
      "a bridge:deposit is running (its records are locked); run bridge:status again after it";
  }
  const scriptAddress = (hex: string): string =>
    scriptToAddress(Uint8Array.from(Buffer.from(hex.slice(2), "hex")), REGTEST) ?? hex;
  try {
    const op = await bridgeRpc<OperatorStatus>(committeeUrl(args.datadir), "bridge_status");
    out.operator = {
      unreimbursedSats: op.unreimbursedSats.toString(),
      claimableSats: op.claimableSats.toString(),
    };
    for (const p of op.pegIns)
      out.pegIns.push({
        pegInConfirm: p.pegInConfirmTxid,
        poolSats: p.poolSats.toString(),
        credited: p.credited,
        claim: p.claim ?? "unclaimed",
      });
    for (const w of op.withdrawals)
      out.withdrawals.push({
        id: w.id.toString(),
        sats: w.sats.toString(),
        to: scriptAddress(w.scriptPubKey),
        step: w.step,
        waitsFor: w.waitsFor,
        ...(w.payoutTxid === undefined ? {} : { payoutTxid: w.payoutTxid }),
        ...(w.claim === undefined ? {} : { claim: w.claim }),
      });
  } catch (e) {
    out.operatorNote = `operator unreachable (${isLvmError(e) ? e.code : "error"}): withdrawals from the L2 only`;
    const events = await bridge.queryFilter(bridge.filters.WithdrawalInitiated());
    for (const ev of events) {
      const [by] = await bridge.payouts(ev.args.id);
      const paid = by !== "0x0000000000000000000000000000000000000000";
      out.withdrawals.push({
        id: ev.args.id.toString(),
        sats: ev.args.sats.toString(),
        to: scriptAddress(ev.args.scriptPubKey),
        step: paid ? "proven" : "unknown",
        waitsFor: paid ? `nothing (paid, proven by ${by})` : "the operator (not reachable)",
      });
    }
  }
  return out;
}

/** `npx hardhat bridge:status [--json]`: each deposit and withdrawal, its state, what it waits for. */
export async function status(args: Common & { json: boolean }): Promise<void> {
  await userErrors("bridge:status", async () => {
    const { l1, l2 } = await connect(args);
    try {
      const s = await statusOf(args, lvmBridge(l2), l1);
      if (args.json) {
        console.log(JSON.stringify(s, null, 2));
        return;
      }
      console.log(
        `bridge        light client ${s.bridge.lightClient}, ${s.bridge.confirmations} confirmation(s), pool key ${s.bridge.poolKey}`,
      );
      console.log(
        `invariant     ${s.invariant.l2OutsideSats} sats outside the L2 bridge ≤ ${s.invariant.l1LockedSats} locked on L1: ${s.invariant.holds ? "holds" : "BROKEN"}   (L1 height ${s.l1Height})`,
      );
      console.log(
        `deposits      ${s.depositsNote ?? (s.deposits.length === 0 ? "none from this devnet directory" : "")}`,
      );
      for (const d of s.deposits)
        console.log(
          `  ${d.id}  ${btc(BigInt(d.amountSats))} BTC → ${d.recipient}  ${d.step}: waits for ${d.waitsFor}${d.error ? ` (last error: ${d.error})` : ""}`,
        );
      console.log(`peg-ins       ${s.pegIns.length === 0 ? "none presigned" : ""}`);
      for (const p of s.pegIns)
        console.log(
          `  ${p.pegInConfirm}  ${p.poolSats} sats  ${p.credited ? "credited" : "not credited yet"}  claim: ${p.claim}`,
        );
      console.log(`withdrawals   ${s.operatorNote ?? (s.withdrawals.length === 0 ? "none" : "")}`);
      for (const w of s.withdrawals)
        console.log(`  #${w.id}  ${btc(BigInt(w.sats))} BTC → ${w.to}  ${w.step}: waits for ${w.waitsFor}`);
      if (s.operator !== undefined)
        console.log(
          `operator      ${s.operator.unreimbursedSats} sats paid and not reimbursed yet; ${s.operator.claimableSats} sats of pool claimable`,
        );
    } finally {
      l2.destroy();
    }
  });
}
