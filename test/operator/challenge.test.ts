import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ecc from "tiny-secp256k1";

import { bytesToHex, Transaction } from "../../ts/bitcoin/index.js";
import {
  buildPegOutGraph,
  completePegInConfirm,
  FlowStore,
  graphInputToJson,
  keyPathOutput,
  operatorChallengeSignature,
  presignaturesToJson,
  presignGraph,
  sats,
  signPayment,
  spendableCoins,
  txDepth,
  txid,
  xOnlyKey,
  type Txid,
  type Utxo,
} from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend, type BitcoinBackend } from "../../ts/btcnode/index.js";
import { Watchtower } from "../../ts/challenger/index.js";
import type { GraphRecord } from "../../ts/committee/index.js";
import { Operator, type ClaimRecord, type PayoutRecord } from "../../ts/operator/index.js";
import { makeWorld, testSecret } from "../bridge/fixture.js";
import { withClaimProgram } from "../challenger/game.js";
import { fakeL2 } from "./fake-l2.js";

// Scenario (2) of the challenge path on our regtest node: an honest operator (it paid the
// withdrawal on L1 and proved it) is challenged anyway; it answers with its Assert (the true
// values of the graph's ClaimProgram) before assertTimelock, nothing disproves it, and Take2
// reimburses it after the disprove window. Restarted between writing the Assert and sending it,
// it sends exactly the recorded Assert.

bitcoin.initEccLib(ecc);

describe("operator: answers a Challenge with its Assert, then Take2", function () {
  this.timeout(240_000);
  let backend: BitcoinBackend;
  let dir: string;
  const depositorSecret = testSecret("opch/depositor");
  const operatorSecret = testSecret("opch/operator");
  const watcherSecret = testSecret("opch/watcher");
  const script = (s: Uint8Array) => keyPathOutput(xOnlyKey(schnorr.getPublicKey(s))).script;
  const [depScript, opScript, wtScript] = [depositorSecret, operatorSecret, watcherSecret].map(script);
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(s, bitcoin.networks.regtest);
  const payee = script(testSecret("opch/payee"));
  const lines: string[] = [];
  const stores: FlowStore[] = [];

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "operator-challenge-"));
    backend = new EmbeddedBackend(await BtcNode.open({ datadir: path.join(dir, "l1"), sync: false }), true);
    await backend.mine(2, addr(opScript)); // the operator's float
    await backend.mine(2, addr(wtScript));
    await backend.mine(101, addr(depScript));
  });
  after(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    if (backend !== undefined) await backend.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const mine = (n: number) => backend.mine(n, addr(depScript));
  const send = (raw: Uint8Array) => backend.sendTransaction(Transaction.decode(raw));
  const height = async (id: Txid) => (await backend.getTxStatus(id))?.blockHeight ?? -1;
  const open = async (name: string) => {
    const s = await FlowStore.open(path.join(dir, name));
    stores.push(s);
    return s;
  };

  /**
   * A peg-in whose graph commits to a ClaimProgram; the operator pays the withdrawal, proves it,
   * claims (KickOff confirmed), and a watchtower that knows the claim is covered challenges anyway.
   */
  async function challengedClaim(label: string, crash: boolean) {
    // The operator's KickOff coin (not a coinbase: it belongs to the graph, not to the float).
    const dep = (await spendableCoins(backend, depScript)).filter((u) => u.amount >= 1_000_000_000n);
    const fund = signPayment({
      coins: [dep[0]!],
      secret: depositorSecret,
      key: xOnlyKey(schnorr.getPublicKey(depositorSecret)),
      script: opScript,
      amount: 3_000_000n,
      feeRate: 2n,
    });
    await send(fund.raw);
    await mine(1);
    const kickOffCoin: Utxo = { txid: fund.txid, vout: 0, amount: sats(3_000_000n), script: opScript };
    const depCoin = (await spendableCoins(backend, depScript)).filter((u) => u.amount >= 1_000_000_000n)[0]!;
    const w = makeWorld({
      depositorSecret,
      operatorSecret,
      fundingUtxo: depCoin,
      operatorFunding: kickOffCoin,
    });
    const game = withClaimProgram(w.input, testSecret(`opch/wots/${label}`));
    const g = buildPegOutGraph(game.input);
    const p = presignGraph(game.input, w.depositRaw, w.members);
    await send(w.depositRaw);
    await mine(1);
    await send(completePegInConfirm(g, p, depositorSecret));
    await mine(1);
    const poolSats = g.pegInConfirm.output(0).amount;
    const record: GraphRecord = {
      depositTxid: w.input.depositOutpoint.txid,
      pegInConfirmTxid: g.pegInConfirm.txid,
      poolSats,
      input: graphInputToJson(w.input),
      presigned: presignaturesToJson(p),
      presignedAt: 1,
    };
    const l2 = fakeL2("0x00000000000000000000000000000000000000a8", [
      {
        id: 0n,
        sender: "0x00000000000000000000000000000000000000b0",
        sats: poolSats,
        scriptPubKey: "0x" + bytesToHex(payee),
      },
    ]);
    let crashAtAssert = crash;
    const operator = (store: FlowStore) =>
      new Operator({
        store,
        l1: backend,
        bridge: l2.bridge,
        secret: operatorSecret,
        graphs: () => Promise.resolve([record]),
        params: w.params,
        program: () => ({ program: game.program, commit: () => game.commit() }),
        relayWaitMs: 0,
        log: (l) => lines.push(l),
        hook: (event: string, _r: PayoutRecord | ClaimRecord) => {
          if (event === "step:claim:asserting" && crashAtAssert) {
            crashAtAssert = false;
            throw new Error("crash after the Assert was written, before its broadcast");
          }
        },
      });
    const opStore = await open(`operator-${label}`);
    const op = operator(opStore);

    // Pay, prove, claim: the KickOff reaches the mempool.
    for (let i = 0; i < 6 && (await txDepth(backend, g.kickOff.txid)) === undefined; i++) {
      await op.tick();
      if ((await txDepth(backend, g.kickOff.txid)) === undefined) await mine(1);
    }
    expect((await op.claims())[0]?.step, lines.join("\n")).to.equal("claiming");
    await mine(1);
    const kickOffHeight = await height(g.kickOff.txid);

    // A watchtower that knows the claim is covered challenges anyway (force).
    const payout = (await op.payouts())[0]!;
    const wt = new Watchtower({
      store: await open(`watchtower-${label}`),
      l1: backend,
      ledger: {
        provenPayouts: () =>
          Promise.resolve([
            { id: 0n, sats: poolSats, scriptPubKey: payee, l1Txid: payout.payoutTxid!, prover: "0xa8" },
          ]),
      },
      graphs: () =>
        Promise.resolve([
          { input: game.input, challengeSig: operatorChallengeSignature(g, operatorSecret), presigned: p },
        ]),
      secret: watcherSecret,
      log: (l) => lines.push(l),
    });
    const ch = await wt.challenge(g.kickOff.txid, { force: true });
    expect(ch.forced).to.equal(true);
    return { g, w, game, wt, ch, operator, opStore, op, kickOffHeight };
  }

  it("(2) challenged → Assert (true values) in time → no leaf disproves → Take2; a restart before the broadcast sends the recorded Assert once", async () => {
    const c0 = await challengedClaim("a", true);
    const { g, w, game, wt, ch, operator, kickOffHeight } = c0;
    let { opStore, op } = c0;

    // The operator's next round sees the Challenge and writes its Assert, then "crashes".
    await op.tick();
    const intent = (await op.claims())[0]!;
    expect(intent.step, lines.join("\n")).to.equal("asserting");
    expect(intent.assertTxid).to.equal(g.assert.txid);
    expect(await txDepth(backend, g.assert.txid)).to.equal(undefined);
    expect(await backend.getTxOut({ txid: g.kickOff.txid, vout: 2 }, true)).to.not.equal(undefined);

    // Restarted from its records: it sends the recorded Assert, and the game plays out block by block.
    await opStore.close();
    opStore = await open("operator-a");
    op = operator(opStore);
    for (let i = 0; i < 12 && (await op.claims())[0]?.step !== "reimbursed"; i++) {
      await op.tick();
      await wt.tick();
      await mine(1);
    }
    const c = (await op.claims())[0]!;
    expect(c.step, lines.join("\n")).to.equal("reimbursed");
    expect(c.take2Txid).to.equal(g.take2.txid);
    // Exactly the recorded Assert confirmed (its witness, not only its txid), before the timeout.
    const a = (await backend.getTransaction(g.assert.txid))!;
    expect(a.wtxid()).to.equal(Transaction.decode(intent.assertRaw!).wtxid());
    expect((await height(g.assert.txid)) - kickOffHeight).to.be.lessThan(w.params.assertTimelock);
    expect(game.program.findDisproof(a.inputs[0]!.witness.slice(1, -2))).to.equal(undefined);
    // The watchtower checked it and found nothing to disprove; it sent no Disprove nor AssertTimeout.
    const r = (await wt.record(g.kickOff.txid))!;
    expect(r.step, lines.join("\n")).to.equal("upheld");
    expect(r.disproveTxid).to.equal(undefined);
    expect(r.timeoutTxid).to.equal(undefined);
    // Take2 after the window: the pool and the stake to the operator; Take1 never.
    expect((await height(g.take2.txid)) - (await height(g.assert.txid))).to.be.at.least(
      w.params.disproveTimelock,
    );
    const t2 = (await backend.getTransaction(g.take2.txid))!;
    expect(t2.inputs.map((i) => i.prevout)).to.deep.equal([
      { txid: g.pegInConfirm.txid, vout: 0 },
      { txid: g.assert.txid, vout: 0 },
    ]);
    expect(t2.outputs[0]!.scriptPubKey).to.deep.equal(opScript);
    expect((await backend.getTxOut({ txid: g.take2.txid, vout: 0 }))?.value).to.equal(
      g.take2.output(0).amount,
    );
    expect(await txDepth(backend, g.take1.txid)).to.equal(undefined);
    expect(txid(r.challengeTxid!)).to.equal(ch.challengeTxid);
  });

  it("a challenged operator that is down until AssertTimeout: its claim ends slashed, nothing more is sent", async () => {
    const { g, wt, op, ch } = await challengedClaim("b", false);
    expect(ch.step).to.equal("challenging");
    // The operator is down; the watchtower's rounds (one block each) reach the timeout.
    for (let i = 0; i < 4 * g.input.params.assertTimelock; i++) {
      await wt.tick();
      if ((await wt.record(g.kickOff.txid))?.step === "timedOut") break;
      await mine(1);
    }
    expect((await wt.record(g.kickOff.txid))?.step, lines.join("\n")).to.equal("timedOut");
    await op.tick();
    const c = (await op.claims())[0]!;
    expect(c.step, lines.join("\n")).to.equal("slashed");
    expect(c.reason).to.match(/AssertTimeout/);
    expect(c.assertRaw).to.equal(undefined);
    expect(await txDepth(backend, g.assert.txid)).to.equal(undefined);
    expect(await txDepth(backend, g.take1.txid)).to.equal(undefined);
    await op.tick();
    expect((await op.claims())[0]?.step).to.equal("slashed");
  });
});
