import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ecc from "tiny-secp256k1";
import { Transaction } from "../../ts/bitcoin/index.js";
import {
  buildPegInRefund,
  buildPegOutGraph,
  completeKickOff,
  completePegInConfirm,
  completeTake1,
  keyPathOutput,
  presignGraph,
  sats,
  txid,
  xOnlyKey,
  type Txid,
  type Utxo,
} from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend, type BitcoinBackend } from "../../ts/btcnode/index.js";
import { makeWorld } from "./fixture.js";

// The peg-in, the happy-path peg-out and the refund, broadcast to and mined by our own regtest node
// (ts/btcnode), which validates them with our interpreter under standardness policy.

bitcoin.initEccLib(ecc);

describe("bridge: peg-in, Take1 and refund on the embedded regtest node", function () {
  let backend: BitcoinBackend;
  let dir: string;
  const depositorSecret = schnorr.utils.randomSecretKey();
  const operatorSecret = schnorr.utils.randomSecretKey();
  const depScript = keyPathOutput(xOnlyKey(schnorr.getPublicKey(depositorSecret))).script;
  const opScript = keyPathOutput(xOnlyKey(schnorr.getPublicKey(operatorSecret))).script;
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(s, bitcoin.networks.regtest);

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "bridge-node-"));
    backend = new EmbeddedBackend(await BtcNode.open({ datadir: dir, sync: false }), true);
    await backend.mine(2, addr(opScript));
    await backend.mine(101, addr(depScript));
  });
  after(async () => {
    if (backend !== undefined) await backend.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function coin(script: Uint8Array, index: number): Promise<Utxo> {
    const all = (await backend.scanUtxos(script))
      .filter((u) => u.coinbase)
      .sort((a, b) => a.height - b.height);
    const u = all[index];
    return {
      txid: txid(u.outpoint.txid),
      vout: u.outpoint.vout,
      amount: sats(u.value),
      script: u.scriptPubKey,
    };
  }
  const send = (raw: Uint8Array) => backend.sendTransaction(Transaction.decode(raw));
  async function confirmations(id: Txid): Promise<number> {
    return (await backend.getTxStatus(id))?.confirmations ?? -1;
  }

  it("deposit → PegInConfirm → KickOff → (challenge window) → Take1", async () => {
    const w = makeWorld({
      depositorSecret,
      operatorSecret,
      fundingUtxo: await coin(depScript, 0),
      operatorFunding: await coin(opScript, 0),
    });
    const depTxid = await send(w.depositRaw);
    expect(depTxid).to.equal(w.input.depositOutpoint.txid);
    await backend.mine(1, addr(depScript));
    expect(await confirmations(txid(depTxid))).to.equal(1);

    const g = buildPegOutGraph(w.input);
    const p = presignGraph(w.input, w.depositRaw, w.members);
    await send(completePegInConfirm(g, p, w.depositorSecret));
    await send(completeKickOff(g, w.operatorSecret));
    await backend.mine(1, addr(depScript));
    expect(await confirmations(g.pegInConfirm.txid)).to.equal(1);
    expect(await confirmations(g.kickOff.txid)).to.equal(1);

    const take1 = completeTake1(g, p, w.operatorSecret);
    // The challenge window is still open: BIP68 keeps Take1 out of the mempool.
    let early: unknown;
    try {
      await send(take1);
    } catch (e) {
      early = e;
    }
    expect(String((early as Error | undefined)?.message)).to.match(/non-BIP68-final/);
    await backend.mine(w.params.challengeTimelock - 1, addr(depScript));
    expect(await send(take1)).to.equal(g.take1.txid);
    await backend.mine(1, addr(depScript));
    expect(await confirmations(g.take1.txid)).to.equal(1);
    const paid = await backend.getTxOut({ txid: g.take1.txid, vout: 0 });
    expect(paid?.value).to.equal(g.take1.output(0).amount);
  });

  it("refund: rejected before the timelock, mined after it", async () => {
    const w = makeWorld({ depositorSecret, operatorSecret, fundingUtxo: await coin(depScript, 1) });
    await send(w.depositRaw);
    await backend.mine(1, addr(depScript));
    const refund = buildPegInRefund({
      committee: w.committee,
      params: w.params,
      deposit: w.input.deposit,
      depositOutpoint: w.input.depositOutpoint,
      destination: depScript,
      sign: (m) => schnorr.sign(m, w.depositorSecret),
    });
    let early: unknown;
    try {
      await send(refund.toBytes());
    } catch (e) {
      early = e;
    }
    expect(String((early as Error | undefined)?.message)).to.match(/non-BIP68-final/);
    await backend.mine(w.params.refundTimelock - 1, addr(depScript));
    expect(await send(refund.toBytes())).to.equal(refund.txid);
    await backend.mine(1, addr(depScript));
    expect(await confirmations(refund.txid)).to.equal(1);
  });
});
