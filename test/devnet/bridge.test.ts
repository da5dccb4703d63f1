/**
 * The devnet as `npm start` runs it (L1 node, L2 node, relayer configuring the bridge), and a
 * user's peg-in through it: BTC from the L1 dev key lands as native BTC on an L2 account.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { ContractFactory, JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";

import {
  bridgeInvariant,
  creditWhenRelayed,
  devnetOperatorSecret,
  devnetPayout,
  devnetPegIn,
  devnetPoolKey,
  devnetReimburse,
  lvmBridge,
  withdrawalOf,
} from "../../ts/devnet/bridge.js";
import { remotePresigner } from "../../ts/devnet/committee.js";
import { l1DevKey } from "../../ts/devnet/l1.js";
import type { devnetServices } from "../../ts/devnet/services.js";
import { bytesToHex } from "../../ts/bitcoin/index.js";
import { keyPathOutput, xOnlyKey } from "../../ts/bridge/index.js";
import { devAccounts } from "../../ts/l2/index.js";
import { root } from "../l2/helpers.js";
import { testDevnet } from "./helpers.js";
import { makeWorld } from "../bridge/fixture.js";

describe("devnet: services started as npm start does, and a peg-in through them", function () {
  let dir: string;
  let devnet: ReturnType<typeof devnetServices>;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "devnet-"));
    devnet = await testDevnet();
    // Everything npm start runs but the operator: this test plays the operator itself.
    for (const s of devnet.all) if (s !== devnet.operator) await s.start(dir);
  });

  after(async function () {
    for (const s of [...(devnet?.all ?? [])].reverse()) if (s !== devnet.operator) await s.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("round trip: deposit credited on the L2, burn, operator payout proven on the L2, KickOff → Take1", async function () {
    const provider = new JsonRpcProvider(devnet.l2.url(), undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
    const user = devAccounts(2)[1]!;
    const bridge = lvmBridge(new Wallet(devAccounts(1)[0]!.privateKey, provider));
    const [, depth, pool] = (await bridge.getFunction("config")()) as [string, bigint, string];
    expect(depth).to.equal(1n);
    expect(pool).to.equal(devnetPoolKey());

    const backend = devnet.l1.backend();
    const dev = l1DevKey();
    await backend.mine(2, dev.address); // a second mature coin: one funds the deposit, one the operator
    const before = await provider.getBalance(user.address);
    const pegIn = await devnetPegIn({
      l1: backend,
      depositorSecret: dev.secret,
      recipient: user.address,
      amount: 25_000_000n,
      mineTo: dev.address,
      // The depositor asks the committee service, as `bridge:deposit` does.
      presign: remotePresigner(devnet.committee.url()),
    });
    await creditWhenRelayed({ l1: backend, bridge, pegInConfirm: pegIn.pegInConfirmTxid, timeoutMs: 30_000 });
    expect(pegIn.creditedSats).to.be.greaterThan(24_990_000n).and.lessThanOrEqual(25_000_000n);
    expect(await provider.getBalance(user.address)).to.equal(before + pegIn.creditedSats * 10n ** 10n);
    expect(await bridge.getFunction("peggedInSats")()).to.equal(pegIn.creditedSats);
    const invariant = await bridgeInvariant(backend, bridge);
    expect(invariant).to.deep.equal({
      l2OutsideSats: pegIn.creditedSats,
      l1LockedSats: pegIn.creditedSats,
      holds: true,
    });
    // The committee refuses a graph that names another committee.
    const foreign = makeWorld({});
    let refused: unknown;
    try {
      await remotePresigner(devnet.committee.url())(foreign.input, foreign.depositRaw);
    } catch (e) {
      refused = e;
    }
    expect(String(refused)).to.match(/committee refused: the graph names another committee/);
    // A second credit of the same PegInConfirm fails for good (no waiting on it).
    let again: unknown;
    try {
      await creditWhenRelayed({
        l1: backend,
        bridge,
        pegInConfirm: pegIn.pegInConfirmTxid,
        timeoutMs: 1_000,
      });
    } catch (e) {
      again = e;
    }
    expect(bridge.interface.parseError((again as { data: string }).data)?.name).to.equal(
      "PegInAlreadyCredited",
    );

    // Use on the L2: BTC as an ERC-20 (wrapped 1:1), sent to another account, unwrapped there.
    const wbtcArtifact = JSON.parse(
      readFileSync(path.join(root, "artifacts/contracts/l2/WrappedBTC.sol/WrappedBTC.json"), "utf8"),
    ) as { abi: InterfaceAbi; bytecode: string };
    const userWallet = new Wallet(user.privateKey, provider);
    const wbtc = await new ContractFactory(wbtcArtifact.abi, wbtcArtifact.bytecode, userWallet).deploy();
    await wbtc.waitForDeployment();
    const carol = devAccounts(4)[3]!;
    const wrapped = pegIn.creditedSats * 10n ** 9n; // a tenth of the deposit
    await ((await wbtc.getFunction("wrap")({ value: wrapped })) as { wait(): Promise<unknown> }).wait();
    await (
      (await wbtc.getFunction("transfer")(carol.address, wrapped)) as { wait(): Promise<unknown> }
    ).wait();
    expect(await wbtc.getFunction("balanceOf")(carol.address)).to.equal(wrapped);
    const carolBefore = await provider.getBalance(carol.address);
    const unwrap = (await (wbtc.connect(new Wallet(carol.privateKey, provider)) as typeof wbtc).getFunction(
      "unwrap",
    )(wrapped)) as { wait(): Promise<{ gasUsed: bigint; gasPrice: bigint } | null> };
    const unwrapReceipt = (await unwrap.wait())!;
    expect(await provider.getBalance(carol.address)).to.equal(
      carolBefore + wrapped - unwrapReceipt.gasUsed * unwrapReceipt.gasPrice,
    );

    // Peg-out: the user burns on the L2 for a Bitcoin address, the whole deposit (BitVM2 pairs one
    // peg-out with one peg-in of the same amount: Take1 hands the operator the whole pool) …
    const userBridge = lvmBridge(new Wallet(user.privateKey, provider));
    const payee = keyPathOutput(xOnlyKey(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))).script;
    const burn = (await userBridge.getFunction("withdraw")("0x" + bytesToHex(payee), {
      value: pegIn.creditedSats * 10n ** 10n,
    })) as { hash: string; wait(): Promise<unknown> };
    await burn.wait();
    const withdrawal = await withdrawalOf(userBridge, burn.hash);
    expect(withdrawal.sats).to.equal(pegIn.creditedSats);
    // … the operator pays it on L1 from its own coins and proves the payout on the L2 …
    const operatorAccount = devAccounts(9)[8]!;
    const { payoutTxid } = await devnetPayout({
      l1: backend,
      bridge: lvmBridge(new Wallet(operatorAccount.privateKey, provider)),
      withdrawal,
      payerSecret: dev.secret,
      mineTo: dev.address,
      timeoutMs: 30_000,
    });
    const paid = (await backend.scanUtxos(payee)).reduce((a, u) => a + BigInt(u.value), 0n);
    expect(paid).to.equal(pegIn.creditedSats);
    const [operator, recorded] = (await userBridge.getFunction("payouts")(withdrawal.id)) as [string, string];
    expect(operator).to.equal(operatorAccount.address);
    expect(recorded).to.equal("0x" + Buffer.from(payoutTxid, "hex").reverse().toString("hex"));
    // … and, unchallenged, is reimbursed from the pool: KickOff, the challenge window, Take1.
    const r = await devnetReimburse({
      l1: backend,
      pegIn,
      operatorSecret: devnetOperatorSecret(),
      mineTo: dev.address,
    });
    expect((await backend.getTxStatus(r.take1Txid))?.confirmations).to.equal(1);
    const opScript = keyPathOutput(xOnlyKey(schnorr.getPublicKey(devnetOperatorSecret()))).script;
    const take1Out = await backend.getTxOut({ txid: r.take1Txid, vout: 0 });
    expect(take1Out?.value).to.equal(r.reimbursedSats);
    expect(bytesToHex(take1Out!.scriptPubKey)).to.equal(bytesToHex(opScript));
    expect(r.reimbursedSats).to.be.greaterThanOrEqual(pegIn.creditedSats);
    // Round trip closed: the pool is spent and nothing is outside the bridge on the L2 either.
    expect(await bridgeInvariant(backend, bridge)).to.deep.equal({
      l2OutsideSats: 0n,
      l1LockedSats: 0n,
      holds: true,
    });
    provider.destroy();
  });
});
