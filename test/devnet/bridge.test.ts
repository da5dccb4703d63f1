/**
 * The devnet as `npm start` runs it (L1 node, L2 node, committee, relayer configuring the
 * bridge, operator), and a user's round trip through it: a deposit credited on the L2, used as
 * an ERC-20, burned for a Bitcoin address, paid by the operator, reimbursed by Take1 — with the
 * balances and the bridge invariant checked against the L1 UTXO set.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { bytesToHex } from "../../ts/bitcoin/index.js";
import {
  creditPegIn,
  decodeRevert,
  keyPathOutput,
  spvProof,
  xOnlyKey,
  type FlowStore,
} from "../../ts/bridge/index.js";
import { isLvmError } from "../../ts/core/index.js";
import { bridgeInvariant, devnetOperatorKey, devnetPoolKey, lvmBridge } from "../../ts/devnet/bridge.js";
import { remotePresigner } from "../../ts/devnet/committee.js";
import { l1DevKey } from "../../ts/devnet/l1.js";
import type { devnetServices } from "../../ts/devnet/services.js";
import { devAccounts } from "../../ts/l2/index.js";
import { WrappedBTC__factory } from "../../types/index.js";
import { testDepositor, testDevnet, until } from "./helpers.js";
import { makeWorld } from "../bridge/fixture.js";

describe("devnet: services started as npm start does, and a round trip through them", function () {
  let dir: string;
  let devnet: ReturnType<typeof devnetServices>;
  let store: FlowStore | undefined;
  const lines: string[] = [];

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "devnet-"));
    devnet = await testDevnet({ operatorLog: (l) => lines.push(l) });
    for (const s of devnet.all) await s.start(dir);
  });

  after(async function () {
    await store?.close();
    for (const s of [...(devnet?.all ?? [])].reverse()) await s.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("round trip: deposit credited on the L2, ERC-20 use, burn, operator payout proven on the L2, KickOff → Take1", async function () {
    const provider = new JsonRpcProvider(devnet.l2.url(), undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
    const user = devAccounts(2)[1]!;
    const bridge = lvmBridge(new Wallet(devAccounts(1)[0]!.privateKey, provider));
    const [, depth, pool] = await bridge.config();
    expect(depth).to.equal(1n);
    expect(pool).to.equal(devnetPoolKey());

    const backend = devnet.l1.backend();
    const dev = l1DevKey();
    await backend.mine(2, dev.address); // a second mature coin: one funds the deposit, one the KickOff coin
    const before = await provider.getBalance(user.address);
    const d = await testDepositor(devnet, dir, provider);
    store = d.store;
    const prepared = await d.depositor.prepare(25_000_000n, user.address);
    // The fees are known before anything is sent.
    expect(prepared.fees.pegInConfirm).to.equal(25_000_000n - prepared.creditedSats);
    expect(prepared.fees.deposit).to.be.greaterThan(0n);
    expect(await backend.getTxStatus(prepared.id)).to.equal(undefined);
    const pegIn = await d.depositor.start(prepared);
    expect(pegIn.step).to.equal("credited");
    expect(pegIn.creditedSats).to.be.greaterThan(24_990_000n).and.lessThanOrEqual(25_000_000n);
    expect(await provider.getBalance(user.address)).to.equal(before + pegIn.creditedSats * 10n ** 10n);
    expect(await bridgeInvariant(backend, bridge)).to.deep.equal({
      l2OutsideSats: pegIn.creditedSats,
      l1LockedSats: pegIn.creditedSats,
      holds: true,
    });
    // The committee keeps the graph it presigned (the operator claims with it).
    expect((await devnet.committee.graphs()).map((g) => g.pegInConfirmTxid)).to.deep.equal([
      pegIn.pegInConfirmTxid,
    ]);
    // The committee refuses a graph that names another committee, by code.
    const foreign = makeWorld({});
    let refused: unknown;
    await remotePresigner(devnet.committee.url())(foreign.input, foreign.depositRaw).catch(
      (e: unknown) => (refused = e),
    );
    expect(isLvmError(refused, "INVALID_COMMITTEE"), String(refused)).to.equal(true);
    // Its RPC is the hardened one: a batch over 1,000, an id nested deep, a malformed call and a
    // non-object argument are JSON-RPC errors; the service keeps its graphs and answers.
    const post = async (body: string): Promise<{ status: number; json: unknown }> => {
      const res = await fetch(devnet.committee.url(), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      return { status: res.status, json: await res.json().catch(() => undefined) };
    };
    const call = (id: unknown, params: unknown = []) =>
      ({ jsonrpc: "2.0", id, method: "committee_graphs", params }) as const;
    const big = await post(JSON.stringify(Array.from({ length: 1_001 }, (_, i) => call(i))));
    expect((big.json as { error?: { code: number } }[])[0]?.error?.code).to.equal(-32600);
    const deep = await post(
      `{"jsonrpc":"2.0","id":${"[".repeat(100_000)}${"]".repeat(100_000)},"method":"x"}`,
    );
    expect((deep.json as { error?: { code: number } }).error?.code).to.equal(-32700);
    const arrayId = await post(JSON.stringify(call([1])));
    expect((arrayId.json as { error?: { code: number } }).error?.code).to.equal(-32600);
    const badArg = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 1, method: "committee_presign", params: ["not an object"] }),
    );
    expect((badArg.json as { error?: { data?: { code?: string } } }).error?.data?.code).to.equal(
      "INVALID_ARGUMENT",
    );
    expect((await devnet.committee.graphs()).length).to.equal(1);
    // A second credit of the same PegInConfirm is refused by name; the flow's credit sees it done.
    const proof = await spvProof(backend, pegIn.pegInConfirmTxid);
    let again: unknown;
    await bridge
      .creditPegIn(proof.rawTx, proof.header, proof.txIndex, proof.merkleBranch)
      .catch((e: unknown) => (again = e));
    expect(decodeRevert(again)?.name).to.equal("PegInAlreadyCredited");
    expect(await creditPegIn(backend, bridge, pegIn.pegInConfirmTxid, 1_000)).to.equal("");

    // Use on the L2: BTC as an ERC-20 (wrapped 1:1), sent to another account, unwrapped there.
    const userWallet = new Wallet(user.privateKey, provider);
    const wbtc = await new WrappedBTC__factory(userWallet).deploy();
    await wbtc.waitForDeployment();
    const carol = devAccounts(4)[3]!;
    const wrapped = pegIn.creditedSats * 10n ** 9n; // a tenth of the deposit
    await (await wbtc.wrap({ value: wrapped })).wait();
    await (await wbtc.transfer(carol.address, wrapped)).wait();
    expect(await wbtc.balanceOf(carol.address)).to.equal(wrapped);
    const carolBefore = await provider.getBalance(carol.address);
    const unwrapReceipt = (await (
      await wbtc.connect(new Wallet(carol.privateKey, provider)).unwrap(wrapped)
    ).wait())!;
    expect(await provider.getBalance(carol.address)).to.equal(
      carolBefore + wrapped - unwrapReceipt.gasUsed * unwrapReceipt.gasPrice,
    );

    // Peg-out of the whole deposit: the operator service pays it, proves it, and — its payout
    // covering the pool output — claims it: KickOff, the challenge window, Take1.
    const userBridge = lvmBridge(new Wallet(user.privateKey, provider));
    const payee = keyPathOutput(xOnlyKey(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))).script;
    await (
      await userBridge.withdraw("0x" + bytesToHex(payee), { value: pegIn.creditedSats * 10n ** 10n })
    ).wait();
    await until(
      async () => (await devnet.operator.status()).claims.some((c) => c.step === "reimbursed"),
      60_000,
      () => lines.join("\n"),
    );
    const paid = (await backend.scanUtxos(payee)).reduce((a, u) => a + BigInt(u.value), 0n);
    expect(paid).to.equal(pegIn.creditedSats);
    const status = await devnet.operator.status();
    const w = status.withdrawals[0]!;
    const [operator, recorded] = await userBridge.payouts(0n);
    expect(operator).to.equal(devAccounts(9)[8]!.address);
    expect(recorded).to.equal("0x" + Buffer.from(w.payoutTxid!, "hex").reverse().toString("hex"));
    const claim = status.claims[0]!;
    expect(claim.covers).to.deep.equal([0n]);
    expect((await backend.getTxStatus(claim.take1Txid))?.confirmations).to.be.greaterThanOrEqual(1);
    const take1Out = await backend.getTxOut({ txid: claim.take1Txid, vout: 0 });
    expect(bytesToHex(take1Out!.scriptPubKey)).to.equal(bytesToHex(devnetOperatorKey().script));
    // Round trip closed: the pool is spent and nothing is outside the bridge on the L2 either.
    expect(await bridgeInvariant(backend, bridge)).to.deep.equal({
      l2OutsideSats: 0n,
      l1LockedSats: 0n,
      holds: true,
    });
    provider.destroy();
  });
});
