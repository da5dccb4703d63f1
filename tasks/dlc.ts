/**
 * `dlc:status`, `dlc:withdraw`, `dlc:disprove`: the OP-DLC bridge as a user and a challenger drive
 * it on a running devnet: L2 through the `lvm` JSON-RPC (the DlcChannels contract at --contract),
 * L1 through its Core-compatible JSON-RPC (cookie from the devnet directory).
 */
import path from "node:path";

import { JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { BitcoindRpcBackend, addressToScript, REGTEST } from "../ts/btcnode/index.js";
import { watchStake } from "../ts/dlc/index.js";
import { channelStatuses, dlcChannels, registeredStake } from "../ts/dlc/service.js";
import { devAccounts } from "../ts/l2/index.js";
import { DlcChannels__factory } from "../types/factories/dlc/DlcChannels__factory.js";

interface Common {
  contract: string;
  datadir: string;
  l1url: string;
  l2url: string;
}

const l2Of = (url: string) =>
  new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 250 });

/** A user's error: one line naming the contract's custom error when there is one, exit code 1. */
async function userErrors(task: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    const data = (e as { data?: unknown }).data;
    const parsed = typeof data === "string" ? DlcChannels__factory.createInterface().parseError(data) : null;
    const msg =
      parsed !== null
        ? `${parsed.name}(${parsed.args.map(String).join(", ")})`
        : e instanceof Error
          ? e.message.split("\n")[0]
          : String(e);
    console.error(`${task}: ${msg}`);
    process.exitCode = 1;
  }
}

function need(v: string, name: string): string {
  if (v === "") throw new Error(`--${name} is required`);
  return v;
}

/** `npx hardhat dlc:status --contract 0x…`: every channel, its request and the oracle's progress. */
export async function status(args: Common): Promise<void> {
  await userErrors("dlc:status", async () => {
    const l2 = l2Of(args.l2url);
    try {
      const contract = dlcChannels(need(args.contract, "contract"), l2);
      const channels = await channelStatuses(contract, path.resolve(args.datadir));
      console.log(JSON.stringify({ contract: args.contract, channels }, null, 2));
    } finally {
      l2.destroy();
    }
  });
}

/** `npx hardhat dlc:withdraw --contract 0x… --channel 0x… --amount 0.1 [--account N]`: the owner's request. */
export async function withdraw(
  args: Common & { channel: string; amount: string; account: string },
): Promise<void> {
  await userErrors("dlc:withdraw", async () => {
    const sats = parseUnits(args.amount, 8);
    if (sats <= 0n) throw new Error(`--amount must be positive, got ${args.amount}`);
    const account = devAccounts()[Number(args.account)];
    if (account === undefined) throw new Error(`--account must be 0-9, got ${args.account}`);
    const l2 = l2Of(args.l2url);
    try {
      const contract = dlcChannels(need(args.contract, "contract"), new Wallet(account.privateKey, l2));
      const receipt = await (await contract.requestWithdrawal(need(args.channel, "channel"), sats)).wait();
      console.log(JSON.stringify({ channel: args.channel, sats: sats.toString(), l2Tx: receipt?.hash }));
    } finally {
      l2.destroy();
    }
  });
}

/**
 * `npx hardhat dlc:disprove --contract 0x… --channel 0x… --to bcrt1…`: checks the oracle's sign
 * transaction against the L2's request and broadcasts the Disprove-CET if they differ.
 */
export async function disprove(args: Common & { channel: string; to: string }): Promise<void> {
  await userErrors("dlc:disprove", async () => {
    const channel = need(args.channel, "channel");
    const staked = registeredStake(path.resolve(args.datadir), channel);
    if (staked === undefined)
      throw new Error(`no stake registered for channel ${channel} under ${args.datadir}`);
    const l2 = l2Of(args.l2url);
    try {
      const w = await dlcChannels(need(args.contract, "contract"), l2).withdrawals(channel);
      if (w.requestedAtBlock === 0n) throw new Error(`channel ${channel} has no withdrawal request`);
      const l1 = await BitcoindRpcBackend.connect({
        url: args.l1url,
        cookieFile: path.resolve(args.datadir, "btc", ".cookie"),
        network: "regtest",
      });
      const to = addressToScript(need(args.to, "to"), REGTEST);
      const result = await watchStake(l1, staked, w.sats, to);
      console.log(JSON.stringify({ channel, requestedSats: w.sats.toString(), ...stringify(result) }));
    } finally {
      l2.destroy();
    }
  });
}

const stringify = (o: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v]));
