/**
 * `bridge:deposit`, `bridge:withdraw`, `bridge:status`: the bridge as a user drives it on a
 * running devnet (`npm start` in another terminal): L1 through its Core-compatible JSON-RPC
 * (cookie from the devnet directory), L2 through the `lvm` JSON-RPC.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { JsonRpcProvider, Wallet, formatEther, parseUnits } from "ethers";

import { bytesToHex } from "../ts/bitcoin/index.js";
import { BitcoindRpcBackend, REGTEST, addressToScript } from "../ts/btcnode/index.js";
import { creditWhenRelayed, devnetPegIn, lvmBridge } from "../ts/devnet/bridge.js";
import { remotePresigner } from "../ts/devnet/committee.js";
import { l1DevKey } from "../ts/devnet/l1.js";
import { PegInStore } from "../ts/devnet/pegins.js";
import { devAccounts } from "../ts/l2/index.js";

interface Common {
  datadir: string;
  l1url: string;
  l2url: string;
}

async function connect(args: Common): Promise<{ l1: BitcoindRpcBackend; l2: JsonRpcProvider }> {
  const l1 = await BitcoindRpcBackend.connect({
    url: args.l1url,
    cookieFile: path.resolve(args.datadir, "btc", ".cookie"),
    network: "regtest",
  });
  const l2 = new JsonRpcProvider(args.l2url, undefined, {
    staticNetwork: true,
    cacheTimeout: -1,
    pollingInterval: 250,
  });
  return { l1, l2 };
}

/** Whole satoshis from a decimal BTC amount ("0.5"). */
function satsOf(btc: string): bigint {
  const v = parseUnits(btc, 8);
  if (v <= 0n) throw new Error(`--amount must be positive, got ${btc}`);
  return v;
}

/** A user's error: one line, exit code 1, no stack. */
async function userErrors(task: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    console.error(`${task}: ${msg}`);
    process.exitCode = 1;
  }
}

/** `npx hardhat bridge:deposit --amount 0.5 [--recipient 0x…]`: L1 dev key → native BTC on the L2. */
export async function deposit(args: Common & { amount: string; recipient: string }): Promise<void> {
  await userErrors("bridge:deposit", async () => {
    const { l1, l2 } = await connect(args);
    const recipient = args.recipient === "" ? devAccounts(1)[0]!.address : args.recipient;
    const dev = l1DevKey();
    const committeeFile = path.resolve(args.datadir, "committee.json");
    if (!existsSync(committeeFile))
      throw new Error(`no committee at ${committeeFile}: is \`npm start\` running?`);
    const presign = remotePresigner((JSON.parse(readFileSync(committeeFile, "utf8")) as { url: string }).url);
    const started = performance.now();
    console.log(`depositing ${args.amount} BTC from ${dev.address} for ${recipient} …`);
    const pegIn = () =>
      devnetPegIn({
        l1,
        depositorSecret: dev.secret,
        recipient,
        amount: satsOf(args.amount),
        mineTo: dev.address,
        presign,
      });
    const result = await pegIn().catch(async (e: unknown) => {
      if (!String(e).includes("two mature coins")) throw e;
      console.log("  mining 101 blocks to mature the dev key's coins (devnet) …");
      await l1.mine(101, dev.address);
      return pegIn();
    });
    console.log(`  deposit        ${result.depositTxid}`);
    console.log(`  PegInConfirm   ${result.pegInConfirmTxid} (graph presigned by the committee service)`);
    const bridge = lvmBridge(new Wallet(devAccounts(1)[0]!.privateKey, l2));
    const { l2TxHash } = await creditWhenRelayed({ l1, bridge, pegInConfirm: result.pegInConfirmTxid });
    // The operator service of `npm start` claims against recorded, credited peg-ins.
    new PegInStore(path.resolve(args.datadir)).put({
      pegInConfirmTxid: result.pegInConfirmTxid,
      creditedSats: result.creditedSats,
      input: result.input,
      presigned: result.presigned,
      state: "credited",
    });
    const s = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`  credited       ${result.creditedSats} sats on L2 in ${l2TxHash} (${s} s after broadcast)`);
    console.log(`  L2 balance     ${formatEther(await l2.getBalance(recipient))} BTC`);
    l2.destroy();
  });
}

/** `npx hardhat bridge:withdraw --amount 0.1 --to <bitcoin address> [--account N]`: burn on L2. */
export async function withdraw(
  args: Common & { amount: string; to: string; account: string },
): Promise<void> {
  await userErrors("bridge:withdraw", async () => {
    const { l2 } = await connect(args);
    const to = args.to === "" ? l1DevKey().address : args.to;
    const script = addressToScript(to, REGTEST);
    const account = devAccounts(10)[Number(args.account)];
    if (account === undefined) throw new Error(`--account must be 0–9, got ${args.account}`);
    const bridge = lvmBridge(new Wallet(account.privateKey, l2));
    const tx = (await bridge.getFunction("withdraw")("0x" + bytesToHex(script), {
      value: satsOf(args.amount) * 10n ** 10n,
    })) as { hash: string; wait(): Promise<unknown> };
    await tx.wait();
    const count = (await bridge.getFunction("withdrawalCount")()) as bigint;
    console.log(`withdrawal #${count - 1n}: ${args.amount} BTC to ${to}, L2 tx ${tx.hash}`);
    console.log(
      "  the devnet operator pays it on L1 once a credited peg-in of the same amount exists, then KickOff → Take1",
    );
    l2.destroy();
  });
}

/** `npx hardhat bridge:status`: configuration, supply on both sides, relay progress. */
export async function status(args: Common): Promise<void> {
  await userErrors("bridge:status", async () => {
    const { l1, l2 } = await connect(args);
    const bridge = lvmBridge(l2);
    const [lc, depth, pool] = (await bridge.getFunction("config")()) as [string, bigint, string];
    const peggedIn = (await bridge.getFunction("peggedInSats")()) as bigint;
    const circulating = (await bridge.getFunction("circulatingSupply")()) as bigint;
    const withdrawals = (await bridge.getFunction("withdrawalCount")()) as bigint;
    console.log(
      JSON.stringify(
        {
          lightClient: lc,
          confirmations: Number(depth),
          poolKey: pool,
          peggedInSats: peggedIn.toString(),
          withdrawals: Number(withdrawals),
          l2CirculatingWei: circulating.toString(),
          l1Height: await l1.getBlockCount(),
        },
        null,
        2,
      ),
    );
    l2.destroy();
  });
}
