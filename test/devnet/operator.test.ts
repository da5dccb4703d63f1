/**
 * The devnet operator service: a withdrawal on the L2 is paid on L1, proven on the L2 and
 * claimed against a recorded peg-in of the same amount (KickOff → Take1), without anyone asking;
 * a withdrawal no peg-in matches waits.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, type InterfaceAbi } from "ethers";

import { bytesToHex } from "../../ts/bitcoin/index.js";
import { keyPathOutput, xOnlyKey } from "../../ts/bridge/index.js";
import { creditWhenRelayed, devnetPegIn, lvmBridge } from "../../ts/devnet/bridge.js";
import { l1DevKey, l1Service } from "../../ts/devnet/l1.js";
import { l2Service } from "../../ts/devnet/l2.js";
import { operatorService } from "../../ts/devnet/operator.js";
import { PegInStore, graphOf } from "../../ts/devnet/pegins.js";
import { relayerService } from "../../ts/devnet/relayer.js";
import { devAccounts, loadBridgeCode } from "../../ts/l2/index.js";
import { root as repo } from "../l2/helpers.js";

describe("devnet: the operator service pays, proves and claims withdrawals on its own", function () {
  let dir: string;
  const l1 = l1Service({ rpcPort: 0 });
  const dev = l1DevKey();
  const lines: string[] = [];
  let l2: ReturnType<typeof l2Service>;
  let relayer: ReturnType<typeof relayerService>;
  let operator: ReturnType<typeof operatorService>;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "devnet-operator-"));
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
    operator = operatorService({
      l1: () => l1.backend(),
      l2Url: () => l2.url(),
      privateKey: devAccounts()[8]!.privateKey,
      payerSecret: dev.secret,
      mineTo: dev.address,
      pollMs: 200,
      log: (l) => lines.push(l),
    });
    for (const s of [l1, l2, relayer, operator]) await s.start(dir);
  });

  after(async function () {
    for (const s of [operator, relayer, l2, l1]) await s?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("claims against the peg-in of the same amount; an unmatched withdrawal waits", async function () {
    const provider = new JsonRpcProvider(l2.url(), undefined, { staticNetwork: true, cacheTimeout: -1 });
    const backend = l1.backend();
    await backend.mine(4, dev.address);
    const user = devAccounts(2)[1]!;
    const userBridge = lvmBridge(new Wallet(user.privateKey, provider));
    const pegIn = await devnetPegIn({
      l1: backend,
      depositorSecret: dev.secret,
      recipient: user.address,
      amount: 20_000_000n,
      mineTo: dev.address,
    });
    await creditWhenRelayed({ l1: backend, bridge: userBridge, pegInConfirm: pegIn.pegInConfirmTxid });
    const store = new PegInStore(dir);
    store.put({ ...pegIn, state: "credited" });
    const payee = keyPathOutput(xOnlyKey(schnorr.getPublicKey(schnorr.utils.randomSecretKey()))).script;
    const withdraw = async (sats: bigint): Promise<void> => {
      const tx = (await userBridge.getFunction("withdraw")("0x" + bytesToHex(payee), {
        value: sats * 10n ** 10n,
      })) as { wait(): Promise<unknown> };
      await tx.wait();
    };
    await withdraw(1_000_000n); // no peg-in of this amount: waits
    await withdraw(pegIn.creditedSats); // pairs with the recorded peg-in

    let record = store.get(pegIn.pegInConfirmTxid)!;
    for (let i = 0; i < 300 && record.state !== "reimbursed"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      record = store.get(pegIn.pegInConfirmTxid)!;
    }
    expect(record.state, lines.join("\n")).to.equal("reimbursed");
    expect(record.withdrawalId).to.equal(1n);
    // Paid on L1 exactly the second withdrawal, proven on the L2 by the operator's account.
    const paid = (await backend.scanUtxos(payee)).reduce((a, u) => a + BigInt(u.value), 0n);
    expect(paid).to.equal(pegIn.creditedSats);
    const [byOperator] = (await userBridge.getFunction("payouts")(1n)) as [string, string];
    expect(byOperator).to.equal(devAccounts(9)[8]!.address);
    const [unpaid] = (await userBridge.getFunction("payouts")(0n)) as [string, string];
    expect(unpaid).to.equal("0x0000000000000000000000000000000000000000");
    expect(lines.some((l) => l.includes("withdrawal #0") && l.includes("waits"))).to.equal(true);
    // Take1 on chain pays the operator's key.
    const take1 = await backend.getTxOut({ txid: graphOf(record).take1.txid, vout: 0 });
    expect(take1?.value).to.be.greaterThanOrEqual(pegIn.creditedSats);
    // A restarted operator finds nothing left to do: everything is on chain and in the store.
    await operator.tick();
    expect(store.get(pegIn.pegInConfirmTxid)!.state).to.equal("reimbursed");
    provider.destroy();
  });
});
