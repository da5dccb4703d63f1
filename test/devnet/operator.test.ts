/**
 * The devnet operator service pays withdrawals of any amount (≥ dust, within the pool), proves
 * each payout on the L2, and claims a peg-in only once its proven payouts cover the peg-in's pool
 * output; the bridge invariant stays exact, checked against the L1 UTXO set.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { bytesToHex } from "../../ts/bitcoin/index.js";
import { keyPathOutput, xOnlyKey, type FlowStore } from "../../ts/bridge/index.js";
import { bridgeInvariant, devnetOperatorKey, lvmBridge } from "../../ts/devnet/bridge.js";
import { l1DevKey } from "../../ts/devnet/l1.js";
import type { devnetServices } from "../../ts/devnet/services.js";
import { devAccounts } from "../../ts/l2/index.js";
import { status as statusTask } from "../../tasks/bridge-devnet-impl.js";
import { testDepositor, testDevnet, until } from "./helpers.js";

describe("devnet: the operator pays withdrawals of any amount and claims when its payouts cover a peg-in", function () {
  let dir: string;
  const dev = l1DevKey();
  const lines: string[] = [];
  let devnet: ReturnType<typeof devnetServices>;
  let provider: JsonRpcProvider;
  let store: FlowStore;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "devnet-operator-"));
    devnet = await testDevnet({ operatorLog: (l) => lines.push(l) });
    for (const s of devnet.all) await s.start(dir);
    provider = new JsonRpcProvider(devnet.l2.url(), undefined, { staticNetwork: true, cacheTimeout: -1 });
  });

  after(async function () {
    provider?.destroy();
    await store?.close().catch(() => undefined);
    for (const s of [...(devnet?.all ?? [])].reverse()) await s.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("0.1 of a 0.5 deposit is paid at once, reimbursed when the rest is paid too; over the pool waits", async function () {
    const backend = devnet.l1.backend();
    await backend.mine(4, dev.address);
    const user = devAccounts(2)[1]!;
    const userBridge = lvmBridge(new Wallet(user.privateKey, provider));
    const d = await testDepositor(devnet, dir, provider);
    store = d.store;
    const pegIn = await d.depositor.start(await d.depositor.prepare(50_000_000n, user.address));
    expect(pegIn.step).to.equal("credited");
    const pool = pegIn.creditedSats;
    const opScript = devnetOperatorKey().script;
    const opBalance = async (): Promise<bigint> =>
      (await backend.scanUtxos(opScript)).reduce((a, u) => a + BigInt(u.value), 0n);
    const payees = [0, 1, 2].map(
      () => keyPathOutput(xOnlyKey(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))).script,
    );
    const received = async (i: number): Promise<bigint> =>
      (await backend.scanUtxos(payees[i]!)).reduce((a, u) => a + BigInt(u.value), 0n);
    const withdraw = async (i: number, sats: bigint): Promise<void> => {
      await (await userBridge.withdraw("0x" + bytesToHex(payees[i]!), { value: sats * 10n ** 10n })).wait();
    };
    const op = devnet.operator;
    const withdrawal = async (id: bigint) => (await op.status()).withdrawals.find((w) => w.id === id);

    // 0.1 BTC: paid, proven, but no claim yet (0.1 < the pool output).
    await withdraw(0, 10_000_000n);
    await until(
      async () => (await withdrawal(0n))?.step === "proven",
      60_000,
      () => lines.join("\n"),
    );
    expect(await received(0)).to.equal(10_000_000n);
    expect((await op.status()).claims).to.have.length(0);
    let inv = await bridgeInvariant(backend, userBridge);
    expect(inv.l1LockedSats).to.equal(pool); // nothing taken from the pool
    expect(inv.holds).to.equal(true);

    // More than what is left claimable (pool − 0.1 fronted): waits, with the reason.
    await withdraw(1, pool);
    await until(
      async () => (await withdrawal(1n))?.waitsFor.startsWith("pool:") === true,
      30_000,
      () => lines.join("\n"),
    );
    expect(await received(1)).to.equal(0n);

    // The rest of the pool: paid; now the payouts (0.1 + rest) cover the pool output → claim.
    const before = await opBalance();
    await withdraw(2, pool - 10_000_000n);
    await until(
      async () => (await op.status()).claims.some((c) => c.step === "reimbursed"),
      60_000,
      () => lines.join("\n"),
    );
    expect(await received(2)).to.equal(pool - 10_000_000n);
    const status = await op.status();
    expect(status.claims).to.have.length(1);
    expect(status.claims[0]!.covers).to.deep.equal([0n, 2n]);
    expect(status.claims[0]!.poolSats).to.equal(pool);
    // Each payout covered once; the over-pool withdrawal still waits, unpaid.
    expect(status.withdrawals.map((w) => [w.id, w.step, w.claim ?? null])).to.deep.equal([
      [0n, "proven", pegIn.pegInConfirmTxid],
      [1n, "seen", null],
      [2n, "proven", pegIn.pegInConfirmTxid],
    ]);
    const take1 = await backend.getTxOut({ txid: status.claims[0]!.take1Txid, vout: 0 });
    expect(take1?.value).to.be.greaterThan(pool - 2_000n);
    // Operator: paid pool − 0.1 (+ L1 fee), got the Take1 output back.
    expect((await opBalance()) - before).to.be.lessThan(take1!.value);
    // Invariant exact: the pool is empty on L1, and on L2 the 0.5 credited is all withdrawn.
    inv = await bridgeInvariant(backend, userBridge);
    expect(inv.l1LockedSats).to.equal(0n);
    expect(inv.holds).to.equal(true);
    // On the L2 each paid withdrawal is proven by the operator's account; #1 is not.
    expect((await userBridge.payouts(0n))[0]).to.equal(devAccounts(9)[8]!.address);
    expect((await userBridge.payouts(1n))[0]).to.equal("0x0000000000000000000000000000000000000000");

    // bridge:status --json lists each deposit and withdrawal with its state and what it waits for.
    // A whole round after the claim: the round that reimbursed it wrote #1's reason before its claim.
    await op.tick();
    await op.tick();
    await store.close(); // LevelDB admits one holder: the task reads the depositor's records
    const printed: string[] = [];
    const log = console.log;
    console.log = (line: string) => printed.push(line);
    try {
      await statusTask({ datadir: dir, l1url: devnet.l1.rpcUrl(), l2url: devnet.l2.url(), json: true });
    } finally {
      console.log = log;
    }
    const s = JSON.parse(printed.join("\n")) as {
      invariant: { holds: boolean; l1LockedSats: string };
      deposits: { id: string; step: string; waitsFor: string }[];
      withdrawals: { id: string; sats: string; step: string; waitsFor: string }[];
      pegIns: { pegInConfirm: string; claim: string }[];
    };
    expect(s.invariant).to.include({ holds: true, l1LockedSats: "0" });
    expect(s.deposits.map((x) => [x.id, x.step])).to.deep.equal([[pegIn.id, "credited"]]);
    expect(s.pegIns).to.deep.equal([
      {
        pegInConfirm: pegIn.pegInConfirmTxid,
        poolSats: pool.toString(),
        credited: true,
        claim: "reimbursed",
      },
    ]);
    expect(s.withdrawals.map((x) => [x.id, x.sats, x.step])).to.deep.equal([
      ["0", "10000000", "proven"],
      ["1", pool.toString(), "seen"],
      ["2", (pool - 10_000_000n).toString(), "proven"],
    ]);
    expect(s.withdrawals[1]!.waitsFor).to.match(/^pool: 0 sats claimable/);
    expect(s.withdrawals[0]!.waitsFor).to.contain(`reimbursed by the claim on ${pegIn.pegInConfirmTxid}`);

    // A restarted operator finds nothing to do twice.
    await devnet.operator.stop();
    await devnet.operator.start(dir);
    await devnet.operator.tick();
    expect(await received(0)).to.equal(10_000_000n);
    expect(await received(2)).to.equal(pool - 10_000_000n);
    expect((await devnet.operator.status()).claims).to.have.length(1);
  });
});
