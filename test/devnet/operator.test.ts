/**
 * The devnet operator service: a withdrawal on the L2 is paid on L1, proven on the L2 and
 * claimed against a recorded peg-in of the same amount (KickOff → Take1), without anyone asking;
 * a withdrawal no peg-in matches waits.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { schnorr } from "@noble/curves/secp256k1.js";
import { expect } from "chai";
import { JsonRpcProvider, Wallet } from "ethers";

import { bytesToHex } from "../../ts/bitcoin/index.js";
import { keyPathOutput, xOnlyKey } from "../../ts/bridge/index.js";
import { creditWhenRelayed, devnetPegIn, lvmBridge } from "../../ts/devnet/bridge.js";
import { l1DevKey } from "../../ts/devnet/l1.js";
import type { devnetServices } from "../../ts/devnet/services.js";
import { PegInStore, graphOf } from "../../ts/devnet/pegins.js";
import { devAccounts } from "../../ts/l2/index.js";
import { testDevnet } from "./helpers.js";

describe("devnet: the operator service pays, proves and claims withdrawals on its own", function () {
  let dir: string;
  const dev = l1DevKey();
  const lines: string[] = [];
  let devnet: ReturnType<typeof devnetServices>;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "devnet-operator-"));
    devnet = await testDevnet({ operatorLog: (l) => lines.push(l) });
    for (const s of devnet.all) await s.start(dir);
  });

  after(async function () {
    for (const s of [...(devnet?.all ?? [])].reverse()) await s.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it("claims against the peg-in of the same amount; an unmatched withdrawal waits", async function () {
    const provider = new JsonRpcProvider(devnet.l2.url(), undefined, {
      staticNetwork: true,
      cacheTimeout: -1,
    });
    const backend = devnet.l1.backend();
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
    await devnet.operator.tick();
    expect(store.get(pegIn.pegInConfirmTxid)!.state).to.equal("reimbursed");
    provider.destroy();
  });
});
