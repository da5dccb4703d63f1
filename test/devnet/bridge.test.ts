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
import { committeeService, remotePresigner } from "../../ts/devnet/committee.js";
import { l1DevKey, l1Service } from "../../ts/devnet/l1.js";
import { l2Service } from "../../ts/devnet/l2.js";
import { relayerService } from "../../ts/devnet/relayer.js";
import { bytesToHex } from "../../ts/bitcoin/index.js";
import { keyPathOutput, xOnlyKey } from "../../ts/bridge/index.js";
import { devAccounts, loadBridgeCode } from "../../ts/l2/index.js";
import { makeWorld } from "../bridge/fixture.js";
import { root as repo } from "../l2/helpers.js";

describe("devnet: services started as npm start does, and a peg-in through them", function () {
  let dir: string;
  const l1 = l1Service({ rpcPort: 0 });
  const committee = committeeService({ port: 0 });
  let l2: ReturnType<typeof l2Service>;
  let relayer: ReturnType<typeof relayerService>;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "devnet-"));
    const lc = JSON.parse(
      readFileSync(
        path.join(repo, "artifacts/contracts/bitcoin/BtcLightClient.sol/BtcLightClient.json"),
        "utf8",
      ),
    ) as { abi: InterfaceAbi; bytecode: string };
    l2 = l2Service({ port: 0, bridgeCode: await loadBridgeCode(repo), prover: "none", blockTimeMs: 200 });
    relayer = relayerService({
      l1: () => l1.backend(),
      l2Url: () => l2.url(),
      privateKey: devAccounts()[9]!.privateKey,
      lightClient: lc,
      pollMs: 200,
    });
    for (const s of [l1, l2, committee, relayer]) await s.start(dir);
  });

  after(async function () {
    for (const s of [relayer, committee, l2, l1]) await s?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("round trip: deposit credited on the L2, burn, operator payout proven on the L2, KickOff → Take1", async function () {
    const provider = new JsonRpcProvider(l2.url(), undefined, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
    const user = devAccounts(2)[1]!;
    const bridge = lvmBridge(new Wallet(devAccounts(1)[0]!.privateKey, provider));
    const [, depth, pool] = (await bridge.getFunction("config")()) as [string, bigint, string];
    expect(depth).to.equal(1n);
    expect(pool).to.equal(devnetPoolKey());

    const backend = l1.backend();
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
      presign: remotePresigner(committee.url()),
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
      await remotePresigner(committee.url())(foreign.input, foreign.depositRaw);
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
      readFileSync(path.join(repo, "artifacts/contracts/l2/WrappedBTC.sol/WrappedBTC.json"), "utf8"),
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
