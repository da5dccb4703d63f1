/**
 * Crash safety: the node runs as a child process (ts/l2/cli.ts) and is killed with SIGKILL, so
 * nothing gets a chance to flush. Whatever eth_sendRawTransaction acknowledged must survive, and
 * the replayed chain must reach the same block hashes and state roots.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, type TransactionReceipt } from "ethers";

import { DEV_BALANCE_WEI, LVM_DEVNET_CHAIN_ID, devAccounts } from "../../ts/l2/index.js";
import { killChild, spawnUntil } from "./helpers.js";

const NODE = "node_modules/.bin/node";
const SENDERS = devAccounts(5);
const PER_SENDER_PER_PHASE = 3;

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly provider: JsonRpcProvider;
}

async function startCli(datadir: string, blockTimeMs: number): Promise<Started> {
  const { child, line } = await spawnUntil(
    NODE,
    [
      "--import",
      "tsx",
      "ts/l2/cli.ts",
      "--datadir",
      datadir,
      "--port",
      "0",
      "--block-time",
      `${blockTimeMs}`,
    ],
    (l) => l.startsWith("{") && l.includes('"url"'),
  );
  const { url } = JSON.parse(line) as { url: string };
  // The cache would hand back stale nonces and "no receipt yet" answers with 100 ms blocks.
  const provider = new JsonRpcProvider(url, undefined, {
    staticNetwork: true,
    pollingInterval: 50,
    cacheTimeout: -1,
  });
  return { child, url, provider };
}

async function crash(node: Started): Promise<void> {
  node.provider.destroy();
  await killChild(node.child, "SIGKILL");
}

/** Signs one transfer per (sender, nonce) to a recipient that starts empty. */
async function signTransfers(
  recipients: readonly string[],
  firstNonce: number,
): Promise<{ raw: string; from: string; to: string; value: bigint }[]> {
  const out: { raw: string; from: string; to: string; value: bigint }[] = [];
  for (const [s, sender] of SENDERS.entries()) {
    const wallet = new Wallet(sender.privateKey);
    for (let k = 0; k < PER_SENDER_PER_PHASE; k++) {
      const nonce = firstNonce + k;
      const to = recipients[(s + nonce) % recipients.length] as string;
      const value = BigInt(1_000 + 100 * s + nonce);
      const raw = await wallet.signTransaction({
        type: 2,
        chainId: LVM_DEVNET_CHAIN_ID,
        nonce,
        to,
        value,
        gasLimit: 21_000n,
        maxFeePerGas: 10n ** 9n,
        maxPriorityFeePerGas: 1_000n,
      });
      out.push({ raw, from: sender.address, to, value });
    }
  }
  return out;
}

async function sendAll(provider: JsonRpcProvider, raws: readonly string[]): Promise<string[]> {
  return Promise.all(raws.map((raw) => provider.send("eth_sendRawTransaction", [raw]) as Promise<string>));
}

async function waitReceipts(
  provider: JsonRpcProvider,
  hashes: readonly string[],
): Promise<TransactionReceipt[]> {
  return Promise.all(
    hashes.map(async (h) => {
      const r = await provider.waitForTransaction(h, 1, 60_000);
      if (r === null) throw new Error(`no receipt for ${h}`);
      return r;
    }),
  );
}

describe("l2: durability across kill -9 (child process)", function () {
  let datadir: string;
  let node: Started | undefined;

  before(async function () {
    datadir = await mkdtemp(path.join(os.tmpdir(), "lvm-crash-"));
  });
  after(async function () {
    if (node !== undefined) await crash(node);
    await rm(datadir, { recursive: true, force: true });
  });

  it("keeps every acknowledged transaction and replays to the same block hashes and state roots", async function () {
    const recipients = Array.from({ length: 4 }, () => Wallet.createRandom().address);

    // Phase 1: fast blocks, the first group gets mined.
    node = await startCli(datadir, 100);
    const groupA = await signTransfers(recipients, 0);
    const hashesA = await sendAll(
      node.provider,
      groupA.map((t) => t.raw),
    );
    const receiptsA = await waitReceipts(node.provider, hashesA);
    const lastA = Math.max(...receiptsA.map((r) => r.blockNumber));
    // Blocks are sealed one after another and each is logged before the next is executed, so
    // once a later block exists every block up to lastA is on disk.
    while ((await node.provider.getBlockNumber()) <= lastA) await new Promise((r) => setTimeout(r, 20));
    const preCrash = await Promise.all(
      Array.from({ length: lastA + 1 }, async (_, n) => {
        const b = await node!.provider.getBlock(n);
        return { hash: b?.hash, stateRoot: b?.stateRoot };
      }),
    );
    await crash(node);

    // Phase 2: an hour-long block interval, so the second group is acknowledged but only pooled.
    node = await startCli(datadir, 3_600_000);
    const groupB = await signTransfers(recipients, PER_SENDER_PER_PHASE);
    const hashesB = await sendAll(
      node.provider,
      groupB.map((t) => t.raw),
    );
    for (const h of hashesB) {
      const pooled = await node.provider.getTransaction(h);
      expect(pooled?.hash, h).to.equal(h);
      expect(pooled?.blockNumber, h).to.equal(null);
    }
    expect(await node.provider.getTransactionReceipt(hashesB[0] as string)).to.equal(null);
    await crash(node);

    // Phase 3: restart on the same data directory; the pooled group is mined from the log.
    node = await startCli(datadir, 100);
    const receipts = await waitReceipts(node.provider, [...hashesA, ...hashesB]);
    for (const r of receipts) expect(r.status).to.equal(1);
    // Group A is where it was: same blocks, same positions.
    for (const [i, r] of receiptsA.entries()) {
      expect(receipts[i]?.blockHash).to.equal(r.blockHash);
      expect(receipts[i]?.index).to.equal(r.index);
    }
    for (const [n, before] of preCrash.entries()) {
      const b = await node.provider.getBlock(n);
      expect(b?.hash, `block ${n}`).to.equal(before.hash);
      expect(b?.stateRoot, `block ${n}`).to.equal(before.stateRoot);
    }

    const all = [...groupA, ...groupB];
    const spent = new Map<string, bigint>();
    const received = new Map<string, bigint>();
    for (const [i, t] of all.entries()) {
      const r = receipts[i] as TransactionReceipt;
      spent.set(t.from, (spent.get(t.from) ?? 0n) + t.value + r.gasUsed * r.gasPrice);
      received.set(t.to, (received.get(t.to) ?? 0n) + t.value);
    }
    for (const sender of SENDERS) {
      expect(await node.provider.getTransactionCount(sender.address, "latest")).to.equal(
        2 * PER_SENDER_PER_PHASE,
      );
      expect(await node.provider.getBalance(sender.address)).to.equal(
        DEV_BALANCE_WEI - (spent.get(sender.address) ?? 0n),
      );
    }
    for (const to of recipients) expect(await node.provider.getBalance(to)).to.equal(received.get(to) ?? 0n);
  });
});
