/**
 * The devnet as `npm start` runs it (L1 node, L2 node, relayer configuring the bridge), and a
 * user's peg-in through it: BTC from the L1 dev key lands as native BTC on an L2 account.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import { JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";

import {
  bridgeInvariant,
  creditWhenRelayed,
  devnetPegIn,
  devnetPoolKey,
  lvmBridge,
} from "../../ts/devnet/bridge.js";
import { l1DevKey, l1Service } from "../../ts/devnet/l1.js";
import { l2Service } from "../../ts/devnet/l2.js";
import { relayerService } from "../../ts/devnet/relayer.js";
import { devAccounts, loadBridgeCode } from "../../ts/l2/index.js";
import { root as repo } from "../l2/helpers.js";

describe("devnet: services started as npm start does, and a peg-in through them", function () {
  let dir: string;
  const l1 = l1Service({ rpcPort: 0 });
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
    for (const s of [l1, l2, relayer]) await s.start(dir);
  });

  after(async function () {
    for (const s of [relayer, l2, l1]) await s?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("the relayer configured the bridge; a deposit from the L1 dev key is credited on the L2", async function () {
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
    provider.destroy();
  });
});
