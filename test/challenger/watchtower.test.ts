import { schnorr } from "@noble/curves/secp256k1.js";
import * as bitcoin from "bitcoinjs-lib";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as ecc from "tiny-secp256k1";

import { Transaction } from "../../ts/bitcoin/index.js";
import {
  buildPegOutGraph,
  completeKickOff,
  completePegInConfirm,
  FlowStore,
  keyPathOutput,
  operatorChallengeSignature,
  presignGraph,
  sats,
  signPayment,
  spendableCoins,
  txid,
  xOnlyKey,
  type PegOutGraph,
  type Utxo,
} from "../../ts/bridge/index.js";
import { BtcNode, EmbeddedBackend, type BitcoinBackend } from "../../ts/btcnode/index.js";
import {
  ChallengerError,
  Watchtower,
  type KickOffRecord,
  type ProvenPayout,
  type WatchedGraph,
  type WatchtowerEvent,
} from "../../ts/challenger/index.js";
import { makeWorld, testSecret } from "../bridge/fixture.js";

// The watchtower on our regtest node: it finds each known graph's KickOff on L1, checks the claim
// against the L2's proven payouts (here an in-memory ledger) and the L1 payout transactions it
// reads itself, and challenges a claim they do not cover — durably, exactly once.

bitcoin.initEccLib(ecc);

describe("challenger: the watchtower follows KickOffs and challenges wrong claims", function () {
  this.timeout(180_000);
  let backend: BitcoinBackend;
  let dir: string;
  const depositorSecret = testSecret("wt/depositor");
  const operatorSecret = testSecret("wt/operator");
  const watcherSecret = testSecret("wt/watcher");
  const script = (s: Uint8Array) => keyPathOutput(xOnlyKey(schnorr.getPublicKey(s))).script;
  const [depScript, opScript, wtScript] = [depositorSecret, operatorSecret, watcherSecret].map(script);
  const addr = (s: Uint8Array) => bitcoin.address.fromOutputScript(s, bitcoin.networks.regtest);
  const payee = script(testSecret("wt/payee"));
  const graphs: WatchedGraph[] = [];
  const payouts: ProvenPayout[] = [];
  const ledger = { provenPayouts: () => Promise.resolve(payouts) };
  const lines: string[] = [];
  let storeDir: string;
  let store: FlowStore | undefined;

  before(async function () {
    dir = mkdtempSync(path.join(os.tmpdir(), "watchtower-"));
    storeDir = path.join(dir, "watchtower");
    backend = new EmbeddedBackend(await BtcNode.open({ datadir: path.join(dir, "l1"), sync: false }), true);
    await backend.mine(12, addr(opScript));
    await backend.mine(3, addr(wtScript));
    await backend.mine(101, addr(depScript));
  });
  after(async () => {
    await store?.close().catch(() => undefined);
    if (backend !== undefined) await backend.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function coin(s: Uint8Array): Promise<Utxo> {
    return (await spendableCoins(backend, s)).filter((u) => u.amount >= 1_000_000_000n)[0]!;
  }
  const send = (raw: Uint8Array) => backend.sendTransaction(Transaction.decode(raw));
  const mine = (n: number) => backend.mine(n, addr(depScript));

  async function open(hook?: (e: WatchtowerEvent, r: KickOffRecord) => Promise<void>): Promise<Watchtower> {
    store = await FlowStore.open(storeDir);
    return new Watchtower({
      store,
      l1: backend,
      ledger,
      graphs: () => Promise.resolve(graphs),
      secret: watcherSecret,
      mineTo: addr(depScript),
      log: (l) => lines.push(l),
      ...(hook === undefined ? {} : { hook }),
    });
  }
  async function reopen(hook?: (e: WatchtowerEvent, r: KickOffRecord) => Promise<void>): Promise<Watchtower> {
    await store?.close();
    store = undefined;
    return open(hook);
  }

  /** A confirmed peg-in whose graph the watchtower knows; KickOff signed, not broadcast. */
  async function pegIn(): Promise<PegOutGraph> {
    const w = makeWorld({
      depositorSecret,
      operatorSecret,
      fundingUtxo: await coin(depScript),
      operatorFunding: await coin(opScript),
    });
    const g = buildPegOutGraph(w.input);
    const p = presignGraph(w.input, w.depositRaw, w.members);
    await send(w.depositRaw);
    await mine(1);
    await send(completePegInConfirm(g, p, depositorSecret));
    await mine(1);
    graphs.push({ input: w.input, challengeSig: operatorChallengeSignature(g, operatorSecret) });
    return g;
  }
  async function kickOff(g: PegOutGraph): Promise<void> {
    await send(completeKickOff(g, operatorSecret));
    await mine(1);
  }
  /** The operator pays `sats` to `to` from its own coins, confirmed; returns the payout txid. */
  async function pay(sats: bigint, to: Uint8Array): Promise<string> {
    const coins = (await spendableCoins(backend, opScript)).filter((u) => u.amount >= 1_000_000_000n);
    const p = signPayment({
      coins: coins.slice(-1),
      secret: operatorSecret,
      key: xOnlyKey(schnorr.getPublicKey(operatorSecret)),
      script: to,
      amount: sats,
      feeRate: 2n,
    });
    await send(p.raw);
    await mine(1);
    return p.txid;
  }
  /** Whether KickOff:1 (the challenge connector) is spent, in a block or the mempool. */
  async function connectorSpent(g: PegOutGraph): Promise<boolean> {
    return (await backend.getTxOut({ txid: g.kickOff.txid, vout: 1 }, true)) === undefined;
  }

  it("an honest KickOff (its payout fronted on L1 and proven on L2) is not challenged", async () => {
    const g = await pegIn();
    const pool = g.pegInConfirm.output(0).amount;
    const payout = await pay(pool, payee);
    payouts.push({ id: 0n, sats: pool, scriptPubKey: payee, l1Txid: txid(payout), prover: "0xop" });
    await kickOff(g);
    const wt = await open();
    await wt.tick();
    const r = await wt.record(g.kickOff.txid);
    expect(r?.step, lines.join("\n")).to.equal("honest");
    expect(r?.claimedSats).to.equal(pool);
    expect(r?.frontedSats).to.equal(pool);
    expect(await connectorSpent(g)).to.equal(false);
    // A manual challenge of a covered claim is refused, and changes nothing.
    const e = await wt.challenge(g.kickOff.txid).catch((x: unknown) => x);
    expect(e).to.be.instanceOf(ChallengerError);
    expect((e as ChallengerError).code).to.equal("HONEST_CLAIM");
    expect((await wt.record(g.kickOff.txid))?.step).to.equal("honest");
    expect(await connectorSpent(g)).to.equal(false);
  });

  it("a KickOff the payouts do not cover → Challenge confirmed on L1, through the operator's presignature", async () => {
    const g = await pegIn();
    // The only new 'payout' the L2 shows pays another script on L1: it counts for nothing.
    const wrong = await pay(g.pegInConfirm.output(0).amount, wtScript);
    payouts.push({
      id: 1n,
      sats: g.pegInConfirm.output(0).amount,
      scriptPubKey: payee,
      l1Txid: txid(wrong),
      prover: "0xop",
    });
    await kickOff(g);
    const wt = await reopen();
    await wt.tick();
    const r = await wt.record(g.kickOff.txid);
    expect(r?.step, lines.join("\n")).to.equal("challenged");
    expect(r?.reason).to.match(/#1/);
    expect(r?.claimedSats).to.equal(2n * g.pegInConfirm.output(0).amount);
    expect((await backend.getTxStatus(r!.challengeTxid!))?.confirmations).to.equal(1);
    const ch = await backend.getTransaction(r!.challengeTxid!);
    expect(ch?.inputs[0]?.prevout).to.deep.equal({ txid: g.kickOff.txid, vout: 1 });
    expect(ch?.outputs[0]?.scriptPubKey).to.deep.equal(g.challenge.output(0).script);
    expect(await connectorSpent(g)).to.equal(true);
    // Further rounds change nothing.
    await wt.tick();
    expect((await wt.record(g.kickOff.txid))?.challengeTxid).to.equal(r!.challengeTxid);
  });

  it("restart between 'intent written' and the broadcast → exactly the recorded Challenge, once", async () => {
    const g = await pegIn();
    await kickOff(g);
    let intent: KickOffRecord | undefined;
    const crashing = await reopen(async (e, r) => {
      if (e === "intent") {
        intent = structuredClone(r);
        throw new Error("crash after the intent was written");
      }
      return Promise.resolve();
    });
    await crashing.tick();
    expect(intent?.step).to.equal("challenging");
    expect((await crashing.record(g.kickOff.txid))?.step).to.equal("challenging");
    expect(await backend.getTxStatus(intent!.challengeTxid!)).to.equal(undefined);
    expect(await connectorSpent(g)).to.equal(false);
    const wt = await reopen();
    await wt.tick();
    const r = await wt.record(g.kickOff.txid);
    expect(r?.step, lines.join("\n")).to.equal("challenged");
    expect(r?.challengeTxid).to.equal(intent!.challengeTxid);
    expect((await backend.getTxStatus(intent!.challengeTxid!))?.confirmations).to.equal(1);
    // The confirmed Challenge spends the connector and the very coin the intent named.
    const confirmed = await backend.getTransaction(intent!.challengeTxid!);
    const intended = Transaction.decode(intent!.challengeRaw!);
    expect(confirmed?.inputs.map((i) => i.prevout)).to.deep.equal(intended.inputs.map((i) => i.prevout));
    expect(await connectorSpent(g)).to.equal(true);
    await wt.tick();
    expect((await wt.record(g.kickOff.txid))?.challengeTxid).to.equal(intent!.challengeTxid);
  });

  it("malformed input: typed errors, records unchanged, rounds go on", async () => {
    const wt = await reopen();
    const before = await wt.records();
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: unknown) => (e instanceof ChallengerError ? e.code : String(e)),
      );
    expect(await code(wt.challenge("xyz"))).to.equal("INVALID_TXID");
    expect(await code(wt.challenge("ab".repeat(32)))).to.equal("UNKNOWN_GRAPH");
    expect(await code(wt.inspect(Uint8Array.of(1, 2, 3)))).to.equal("MALFORMED_TX");
    const someTx = (await backend.getTransaction(before[0]!.pegInConfirmTxid))!;
    expect(await code(wt.inspect(someTx.encode()))).to.equal("NOT_A_KICKOFF");
    // A KickOff that is challenged already: the manual challenge is idempotent.
    const challenged = before.find((r) => r.step === "challenged")!;
    expect((await wt.challenge(challenged.kickOffTxid)).challengeTxid).to.equal(challenged.challengeTxid);
    // A graph whose KickOff is signed but not on L1.
    const g = await pegIn();
    expect(await code(wt.challenge(g.kickOff.txid))).to.equal("NOT_ON_L1");
    // A garbage graph next to the good ones (a corrupt source): logged, the others still watched.
    graphs.push({
      input: {
        ...graphs[0]!.input,
        deposit: { ...graphs[0]!.input.deposit, amount: sats(1) },
        committee: {} as never,
      },
      challengeSig: new Uint8Array(65),
    });
    await kickOff(g);
    await wt.tick();
    expect((await wt.record(g.kickOff.txid))?.step, lines.join("\n")).to.equal("challenged");
    expect(await wt.records()).to.have.length(before.length + 1);
    for (const r of before) expect((await wt.record(r.kickOffTxid))?.step).to.equal(r.step);
    expect(
      lines.some((l) => /does not build/.test(l)),
      lines.join("\n"),
    ).to.equal(true);
  });

  it("a wrong KickOff whose operator presignature is forged: a typed error on its record, nothing sent", async () => {
    const g = await pegIn();
    const forged = graphs[graphs.length - 1]!.challengeSig.slice();
    forged[3] ^= 1;
    graphs[graphs.length - 1] = { ...graphs[graphs.length - 1]!, challengeSig: forged };
    await kickOff(g);
    const wt = await reopen();
    await wt.tick();
    const r = await wt.record(g.kickOff.txid);
    expect(r?.step).to.equal("seen");
    expect(r?.error).to.match(/^BAD_SIGNATURE/);
    expect(r?.challengeRaw).to.equal(undefined);
    expect(await connectorSpent(g)).to.equal(false);
  });
});
