import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ecc from "tiny-secp256k1";

import { Transaction } from "../../ts/bitcoin/index.js";
import type { BridgeError } from "../../ts/bridge/index.js";
import {
  broadcastOnce,
  buildPegOutGraph,
  completeAssert,
  completeKickOff,
  completePegInConfirm,
  completeTake1,
  completeTake2,
  FlowStore,
  fundChallenge,
  keyPathOutput,
  operatorChallengeSignature,
  presignGraph,
  spendableCoins,
  xOnlyKey,
  type PegOutGraph,
  type Presignatures,
  type Txid,
  type Utxo,
} from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend, type BitcoinBackend } from "../../ts/btcnode/index.js";
import { ChallengerError, Watchtower, type WatchedGraph } from "../../ts/challenger/index.js";
import { makeWorld, testSecret } from "../bridge/fixture.js";
import { flipped, withClaimProgram } from "./game.js";

// The rest of the game after the watchtower's Challenge, on our regtest node: a cheating operator
// (driven by hand: a KickOff no payout covers, then an Assert of false values) is disproved through
// the leaf its lie contradicts; one that never asserts is slashed by AssertTimeout.

bitcoin.initEccLib(ecc);

describe("challenger: the watchtower plays the game after its Challenge", function () {
  this.timeout(240_000);
  let backend: BitcoinBackend;
  let dir: string;
  const depositorSecret = testSecret("game/depositor");
  const operatorSecret = testSecret("game/operator");
  const watcherSecret = testSecret("game/watcher");
  const script = (s: Uint8Array) => keyPathOutput(xOnlyKey(schnorr.getPublicKey(s))).script;
  const [depScript, opScript, wtScript] = [depositorSecret, operatorSecret, watcherSecret].map(script);
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(s, bitcoin.networks.regtest);
  const graphs: WatchedGraph[] = [];
  const lines: string[] = [];
  let store: FlowStore | undefined;
  let games = 0;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "watchtower-game-"));
    backend = new EmbeddedBackend(await BtcNode.open({ datadir: path.join(dir, "l1"), sync: false }), true);
    await backend.mine(8, addr(opScript));
    await backend.mine(3, addr(wtScript));
    await backend.mine(101, addr(depScript));
  });
  after(async () => {
    await store?.close().catch(() => undefined);
    if (backend !== undefined) await backend.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const coin = async (s: Uint8Array): Promise<Utxo> =>
    (await spendableCoins(backend, s)).filter((u) => u.amount >= 1_000_000_000n)[0]!;
  const send = (raw: Uint8Array) => backend.sendTransaction(Transaction.decode(raw));
  const mine = (n: number) => backend.mine(n, addr(depScript));
  const height = async (id: Txid) => (await backend.getTxStatus(id))?.blockHeight ?? -1;
  async function refused(raw: Uint8Array): Promise<string> {
    const r = await backend.testMempoolAccept(Transaction.decode(raw));
    return r.allowed ? "accepted" : (r.rejectReason ?? "refused");
  }

  async function open(l1: BitcoinBackend = backend): Promise<Watchtower> {
    await store?.close();
    store = await FlowStore.open(path.join(dir, "watchtower"));
    return new Watchtower({
      store,
      l1,
      ledger: { provenPayouts: () => Promise.resolve([]) }, // nothing paid: every KickOff is wrong
      graphs: () => Promise.resolve(graphs),
      secret: watcherSecret,
      mineTo: addr(depScript),
      log: (l) => lines.push(l),
    });
  }

  /** A confirmed peg-in whose graph commits to a ClaimProgram; the cheating operator's KickOff confirmed. */
  async function cheatingKickOff(): Promise<
    { g: PegOutGraph; p: Presignatures } & ReturnType<typeof withClaimProgram>
  > {
    const w = makeWorld({
      depositorSecret,
      operatorSecret,
      fundingUtxo: await coin(depScript),
      operatorFunding: await coin(opScript),
    });
    const game = withClaimProgram(w.input, testSecret(`game/wots/${games++}`));
    const g = buildPegOutGraph(game.input);
    const p = presignGraph(game.input, w.depositRaw, w.members);
    await send(w.depositRaw);
    await mine(1);
    await send(completePegInConfirm(g, p, depositorSecret));
    await mine(1);
    graphs.push({
      input: game.input,
      challengeSig: operatorChallengeSignature(g, operatorSecret),
      presigned: p,
    });
    await send(completeKickOff(g, operatorSecret));
    await mine(1);
    return { g, p, ...game };
  }

  it("(3) false Assert → Disprove through the leaf of the false field: stake slashed, Take2 refused", async () => {
    const { g, p, fields, commit } = await cheatingKickOff();
    const wt = await open();
    await wt.tick();
    expect((await wt.record(g.kickOff.txid))?.step, lines.join("\n")).to.equal("challenged");
    // The operator asserts the true amount but another PegInConfirm: field 1 is false.
    await send(completeAssert(g, operatorSecret, commit([fields[0].expected, flipped(fields[1].expected)])));
    await mine(1);
    const assertHeight = await height(g.assert.txid);
    await wt.tick();
    const r = (await wt.record(g.kickOff.txid))!;
    expect(r.step, lines.join("\n")).to.equal("disproved");
    expect(r.assertTxid).to.equal(g.assert.txid);
    expect(r.disproveLeaf).to.equal(1);
    const d = (await backend.getTransaction(r.disproveTxid!))!;
    expect(d.inputs[0]!.prevout).to.deep.equal({ txid: g.assert.txid, vout: 0 });
    // The witness runs leaf 1's script: the one that compares the PegInConfirm field.
    expect(d.inputs[0]!.witness.at(-2)).to.deep.equal(g.connectors.disprove.leaves.disprove1!.script);
    const disproveHeight = await height(r.disproveTxid!);
    expect(disproveHeight - assertHeight).to.be.lessThan(g.input.params.disproveTimelock);
    // Half the stake (less the fee) to the watchtower, the rest burned.
    const stake = g.assert.output(0).amount;
    const [reward, burn] = d.outputs;
    expect(reward!.scriptPubKey).to.deep.equal(wtScript);
    expect(burn!.scriptPubKey[0]).to.equal(0x6a);
    expect(reward!.value + burn!.value).to.be.lessThan(stake);
    expect(burn!.value - reward!.value).to.be.within(0n, 1n);
    expect((await backend.getTxOut({ txid: r.disproveTxid!, vout: 0 }))?.value).to.equal(reward!.value);
    // After the disprove window, Take2 (the operator's reimbursement) is refused by the mempool.
    await mine(g.input.params.disproveTimelock);
    expect(await refused(completeTake2(g, p))).to.match(/missing|spent|conflict/i);
    await wt.tick();
    expect((await wt.record(g.kickOff.txid))?.disproveTxid).to.equal(r.disproveTxid);
  });

  it("(4) challenged operator never asserts → the watchtower's AssertTimeout confirms, stake slashed", async () => {
    const { g, p, commit } = await cheatingKickOff();
    const wt = await open();
    // Each round waiting for the timeout mines one block (regtest); the operator stays silent.
    for (let i = 0; i < 3 * g.input.params.assertTimelock; i++) {
      await wt.tick();
      if ((await wt.record(g.kickOff.txid))?.step === "timedOut") break;
    }
    const r = (await wt.record(g.kickOff.txid))!;
    expect(r.step, lines.join("\n")).to.equal("timedOut");
    expect(r.challengeTxid).to.not.equal(undefined);
    const t = (await backend.getTransaction(r.timeoutTxid!))!;
    expect(t.inputs[0]!.prevout).to.deep.equal({ txid: g.kickOff.txid, vout: 2 });
    expect((await height(r.timeoutTxid!)) - (await height(g.kickOff.txid))).to.be.at.least(
      g.input.params.assertTimelock,
    );
    const stake = g.kickOff.output(2).amount;
    expect(t.outputs[0]!.scriptPubKey[0]).to.equal(0x6a);
    expect(t.outputs[0]!.value).to.equal(stake / 2n);
    expect(t.outputs[1]!.scriptPubKey).to.deep.equal(wtScript);
    expect((await backend.getTxOut({ txid: r.timeoutTxid!, vout: 1 }))?.value).to.equal(t.outputs[1]!.value);
    // No reimbursement path is left: a late Assert and Take1 are CONFLICTED.
    const late = await broadcastOnce(backend, completeAssert(g, operatorSecret, commit())).catch(
      (e: unknown) => e,
    );
    expect((late as BridgeError).code).to.equal("CONFLICTED");
    expect(await refused(completeTake1(g, p, operatorSecret))).to.match(/missing|spent|conflict/i);
  });

  it("malformed Assert witness: MALFORMED_ASSERT on its record, nothing sent, the watchtower goes on", async () => {
    const { g, fields, commit, input } = await cheatingKickOff();
    let wt = await open();
    await wt.tick();
    expect((await wt.record(g.kickOff.txid))?.step).to.equal("challenged");
    const lie = commit([flipped(fields[0].expected), fields[1].expected]);
    const real = completeAssert(g, operatorSecret, lie);
    await send(real);
    await mine(1);
    // An L1 node that hands out the Assert with one commitment element missing (same txid).
    const tampered = Transaction.decode(
      completeAssert(buildPegOutGraph(input), operatorSecret, lie.slice(1)),
    );
    expect(tampered.txid()).to.equal(g.assert.txid);
    const liar = new Proxy(backend, {
      get(t, prop) {
        if (prop === "getTransaction")
          return (id: Txid) => (id === g.assert.txid ? Promise.resolve(tampered) : t.getTransaction(id));
        const v = Reflect.get(t, prop, t) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
    const others = (await wt.records()).filter((r) => r.kickOffTxid !== g.kickOff.txid);
    wt = await open(liar);
    await wt.tick();
    const r = (await wt.record(g.kickOff.txid))!;
    expect(r.step).to.equal("asserted");
    expect(r.error).to.match(/^MALFORMED_ASSERT/);
    expect(r.disproveRaw).to.equal(undefined);
    expect(await backend.getTxOut({ txid: g.assert.txid, vout: 0 }, true)).to.not.equal(undefined);
    for (const o of others) expect((await wt.record(o.kickOffTxid))?.step).to.equal(o.step);
    // The same check by hand: typed errors, nothing recorded.
    const code = (q: Promise<unknown>) =>
      q.then(
        () => "ok",
        (e: unknown) => (e instanceof ChallengerError ? e.code : String(e)),
      );
    expect(await code(wt.inspectAssert(tampered.encode()))).to.equal("MALFORMED_ASSERT");
    expect(await code(wt.inspectAssert(Uint8Array.of(1, 2, 3)))).to.equal("MALFORMED_TX");
    expect(await code(wt.inspectAssert(completeKickOff(g, operatorSecret)))).to.equal("NOT_AN_ASSERT");
    expect((await wt.inspectAssert(real)).disproof?.index).to.equal(0);
    // With an honest view of L1, the next round disproves it.
    wt = await open();
    await wt.tick();
    const after = (await wt.record(g.kickOff.txid))!;
    expect(after.step, lines.join("\n")).to.equal("disproved");
    expect(after.disproveLeaf).to.equal(0);
    expect(after.error).to.equal(undefined);
    expect(await backend.getTxOut({ txid: g.assert.txid, vout: 0 }, true)).to.equal(undefined);
  });

  it("another watcher challenged and went away: the watchtower follows that game and disproves the false Assert", async () => {
    const { g, fields, commit } = await cheatingKickOff();
    // Someone else (here the depositor's key) challenges through the operator's presignature.
    const other = fundChallenge(
      g,
      operatorChallengeSignature(g, operatorSecret),
      await coin(depScript),
      depositorSecret,
      depScript,
    );
    await send(other.toBytes());
    await mine(1);
    await send(completeAssert(g, operatorSecret, commit([flipped(fields[0].expected), fields[1].expected])));
    await mine(1);
    const wt = await open();
    await wt.tick();
    const r = (await wt.record(g.kickOff.txid))!;
    expect(r.step, lines.join("\n")).to.equal("disproved");
    expect(r.challengeTxid).to.equal(undefined);
    expect(r.reason).to.match(/someone else/);
    expect(r.disproveLeaf).to.equal(0);
    expect((await backend.getTransaction(r.disproveTxid!))?.inputs[0]?.prevout).to.deep.equal({
      txid: g.assert.txid,
      vout: 0,
    });
    // The manual challenge refuses: the connector is spent (by the other watcher's Challenge).
    const e = await wt.challenge(g.kickOff.txid).catch((x: unknown) => x);
    expect((e as ChallengerError).code).to.equal("CONNECTOR_SPENT");
  });
});
