/**
 * `dlc:status`, `dlc:withdraw`, `dlc:disprove`: the OP-DLC bridge as a user and a challenger drive
 * it on a running devnet: L2 through the `lvm` JSON-RPC (the DlcChannels contract at --contract),
 * L1 through its Core-compatible JSON-RPC (cookie from the devnet directory).
 */
import path from "node:path";

import { JsonRpcProvider, Wallet, parseUnits } from "ethers";

import { schnorr } from "@noble/curves/secp256k1.js";

import { sats, txidFromHex } from "../ts/bitcoin/index.js";
import { keyPathOutput, spvProof, tweakedSecret, txid as bridgeTxid, xOnlyKey } from "../ts/bridge/index.js";
import { BitcoindRpcBackend, addressToScript, scriptToAddress, REGTEST } from "../ts/btcnode/index.js";
import { buildFundingTx, fundingOutput, signedRefund, watchStake, writeAtomic } from "../ts/dlc/index.js";
import { channelStatuses, dlcChannels, registeredStake } from "../ts/dlc/service.js";
import { readDlcEndpoints } from "../ts/devnet/dlc.js";
import { devAccounts } from "../ts/l2/index.js";
import { DlcChannels__factory } from "../types/factories/dlc/DlcChannels__factory.js";

export interface Common {
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

/** --contract, or the DlcChannels the running devnet recorded in `<datadir>/dlc.json`. */
function contractOf(args: Common): string {
  if (args.contract !== "") return args.contract;
  const recorded = readDlcEndpoints(path.resolve(args.datadir))?.contract;
  if (recorded === undefined)
    throw new Error(
      `--contract is required (no ${path.join(args.datadir, "dlc.json")}: is the devnet running?)`,
    );
  return recorded;
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
      const contract = dlcChannels(contractOf(args), l2);
      const channels = await channelStatuses(contract, path.resolve(args.datadir));
      console.log(JSON.stringify({ contract: contractOf(args), channels }, null, 2));
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
      const contract = dlcChannels(contractOf(args), new Wallet(account.privateKey, l2));
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
      const w = await dlcChannels(contractOf(args), l2).withdrawals(channel);
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

/**
 * The L1 key the devnet gives an L2 dev account for DLCs: public test keys, like the mnemonic.
 * On a real network each party holds its own.
 */
export function devnetL1Secret(l2PrivateKey: string): Uint8Array {
  return schnorr.utils.taggedHash(
    "LVM/dlc/devnet/l1-key",
    Uint8Array.from(Buffer.from(l2PrivateKey.slice(2), "hex")),
  );
}

/**
 * `npx hardhat dlc:open --contract 0x… --amount 1.5 [--account N] [--fedaccount M]`: on the
 * devnet, the task plays both sides with their public test keys: the user's L1 key funds a 2-of-2
 * with the federation's key (regtest: mined to it first if it has no mature coin), the refund is
 * signed and written to `<datadir>/dlc/<funding txid>.refund.json` before the funding is
 * broadcast, the block is mined to the contract's depth, and the federation's L2 account records
 * the channel by SPV once the relayer has carried the block.
 */
export async function open(
  args: Common & { amount: string; account: string; fedaccount: string; refundblocks: string },
): Promise<void> {
  await userErrors("dlc:open", async () => {
    const amount = sats(parseUnits(args.amount, 8));
    if (amount <= 0n) throw new Error(`--amount must be positive, got ${args.amount}`);
    const owner = devAccounts()[Number(args.account)];
    const fedAcct = devAccounts()[Number(args.fedaccount)];
    if (owner === undefined || fedAcct === undefined)
      throw new Error("--account and --fedaccount must be 0-9");
    const l2 = l2Of(args.l2url);
    const l1 = await BitcoindRpcBackend.connect({
      url: args.l1url,
      cookieFile: path.resolve(args.datadir, "btc", ".cookie"),
      network: "regtest",
    });
    try {
      const fed = new Wallet(fedAcct.privateKey, l2);
      const contract = dlcChannels(contractOf(args), fed);
      if ((await contract.federation()) !== fed.address)
        throw new Error(`--fedaccount ${args.fedaccount} is not the contract's federation`);
      const userSecret = devnetL1Secret(owner.privateKey);
      const fedSecret = devnetL1Secret(fedAcct.privateKey);
      const userKey = schnorr.getPublicKey(userSecret);
      const federationKey = schnorr.getPublicKey(fedSecret);
      const userScript = keyPathOutput(xOnlyKey(userKey)).script;
      const userAddress = scriptToAddress(userScript, REGTEST)!; // P2TR always has an address
      const coin = async () => {
        const tip = await l1.getBlockCount();
        return (await l1.scanUtxos(userScript)).find(
          (u) => u.value >= amount + 10_000n && (!u.coinbase || tip - u.height >= 100),
        );
      };
      let u = await coin();
      if (u === undefined) {
        await l1.mine(101, userAddress); // regtest faucet for the devnet key
        u = await coin();
      }
      if (u === undefined) throw new Error(`no coin of ${userAddress} covers ${amount} sats`);
      const utxo = {
        txid: txidFromHex(u.outpoint.txid),
        vout: u.outpoint.vout,
        amount: u.value,
        script: u.scriptPubKey,
      };
      const terms = {
        userKey,
        federationKey,
        userCollateral: amount,
        federationCollateral: sats(0n),
        userScript,
        federationScript: keyPathOutput(xOnlyKey(federationKey)).script,
        refundLocktime: (await l1.getBlockCount()) + Number(args.refundblocks),
        feeRate: 2n,
      };
      const funding = buildFundingTx(
        [
          {
            coins: [{ utxo, sign: (h) => schnorr.sign(h, tweakedSecret(userSecret)) }],
            collateral: amount,
            changeScript: userScript,
          },
        ],
        fundingOutput(terms).script,
        terms.feeRate,
      );
      const refund = signedRefund(terms, funding.utxo(0), userSecret, fedSecret);
      const refundFile = path.resolve(args.datadir, "dlc", `${funding.txid}.refund.json`);
      writeAtomic(refundFile, {
        refundLocktime: terms.refundLocktime,
        raw: Buffer.from(refund.toBytes()).toString("hex"),
      });
      await l1.sendTransaction(funding.toTransaction());
      await l1.mine(Number(await contract.confirmations()), userAddress);
      const proof = await spvProof(l1, bridgeTxid(funding.txid));
      const key = "0x" + Buffer.from(funding.output(0).script.subarray(2)).toString("hex");
      const deadline = Date.now() + 60_000;
      for (;;) {
        try {
          await (await contract.openChannel(owner.address, key, amount, 0, proof)).wait();
          break;
        } catch (e) {
          if (Date.now() > deadline) throw e; // the relayer never carried the block
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      const id = await contract.channelIds((await contract.channelCount()) - 1n);
      console.log(
        JSON.stringify({ channel: id, funding: `${funding.txid}:0`, sats: amount.toString(), refundFile }),
      );
    } finally {
      l2.destroy();
    }
  });
}
